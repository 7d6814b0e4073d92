package dev.medallion.lake.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;
import dev.medallion.lake.store.SupportsPrefixListing;

/**
 * A catalog kept in the lake itself, for when there is no Glue: each table is a series of Glue {@code TableInput}
 * JSON documents, versioned like Glue's table versions, at {@code catalog/{database}/{table}/v000001.json},
 * {@code v000002.json}, ... The newest version is the table. A version is written only when the content changes, so
 * a sync that changes nothing leaves the catalog as it was. Registered partitions are one Glue
 * {@code PartitionInput} JSON each, at {@code catalog/{database}/{table}/partitions/{key=value/...}.json}, created
 * once.
 *
 * <p>
 * Database and table names must be valid {@link DatasetName}s, so no name can reach outside its prefix. Versions are
 * numbered by reading the newest and writing the next, which assumes one writer per table at a time (the catalog
 * service); two concurrent writers could write the same version number, and the last one wins.
 */
public final class EmbeddedCatalog implements Catalog {
    /** The key prefix the catalog lives under. */
    public static final String PREFIX = "catalog/";

    private static final Pattern VERSION = Pattern.compile("v([0-9]{6,9})\\.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final SupportsPrefixListing listing;

    /** A catalog in {@code store}, which must be able to list keys. */
    public <S extends ObjectStore & SupportsPrefixListing> EmbeddedCatalog(S store) {
        this.store = store;
        this.listing = store;
    }

    /** The newest version of a table, or empty if it does not exist. */
    @Override
    public Optional<TableInput> table(String database, String name) {
        OptionalInt newest = newestVersion(database, name);
        return newest.isPresent() ? Optional.of(read(database, name, newest.getAsInt())) : Optional.empty();
    }

    /** One version of a table (1 is the first), or empty if there is no such version. */
    public Optional<TableInput> table(String database, String name, int version) {
        if (version < 1 || store.stat(key(database, name, version)).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(read(database, name, version));
    }

    /**
     * Stores {@code table} as the newest version of {@code database.table.name()} if it differs from the newest
     * version.
     *
     * @return whether a version was written
     */
    @Override
    public boolean put(String database, TableInput table) {
        String name = DatasetName.validate(table.name());
        OptionalInt newest = newestVersion(database, name);
        if (newest.isPresent() && read(database, name, newest.getAsInt()).equals(table)) {
            return false;
        }
        String key = key(database, name, newest.orElse(0) + 1);
        byte[] json = table.toJson().getBytes(StandardCharsets.UTF_8);
        ObjectWriter writer = store.create(key, Map.of());
        try {
            writer.write(json);
            writer.close();
        } catch (IOException e) {
            writer.abort();
            throw new LakeException("Cannot write table " + database + "." + name + " to '" + key + "': " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            writer.abort();
            throw e;
        }
        return true;
    }

    @Override
    public List<String> databases() {
        TreeSet<String> names = new TreeSet<>();
        try (Stream<ObjectInfo> objects = listing.list(PREFIX)) {
            objects.forEach(o -> {
                String[] rest = o.key().substring(PREFIX.length()).split("/", -1);
                if (rest.length == 3 && VERSION.matcher(rest[2]).matches()) {
                    names.add(rest[0]);
                }
            });
        }
        return List.copyOf(names);
    }

    /** The names of the tables in a database, sorted. */
    @Override
    public List<String> tables(String database) {
        String prefix = PREFIX + DatasetName.validate(database) + "/";
        TreeSet<String> names = new TreeSet<>();
        try (Stream<ObjectInfo> objects = listing.list(prefix)) {
            objects.forEach(o -> {
                String[] rest = o.key().substring(prefix.length()).split("/", -1);
                if (rest.length == 2 && VERSION.matcher(rest[1]).matches()) {
                    names.add(rest[0]);
                }
            });
        }
        return List.copyOf(names);
    }

    @Override
    public Map<List<String>, String> partitions(String database, String table) {
        String prefix = partitionsPrefix(database, table);
        Map<List<String>, String> partitions = new LinkedHashMap<>();
        try (Stream<ObjectInfo> objects = listing.list(prefix)) {
            objects.forEach(o -> readPartition(o.key())
                    .ifPresent(p -> partitions.put(p.values(), p.storageDescriptor().location())));
        }
        return partitions;
    }

    @Override
    public int addPartitions(String database, TableInput table, Map<List<String>, String> locations) {
        int added = 0;
        for (Map.Entry<List<String>, String> partition : locations.entrySet()) {
            PartitionInput input = PartitionInput.of(table, partition.getKey(), partition.getValue());
            if (store.createIfAbsent(partitionKey(database, table, partition.getKey()), json(input))) {
                added++;
            }
        }
        return added;
    }

    @Override
    public int relocatePartitions(String database, TableInput table, Map<List<String>, String> locations) {
        int moved = 0;
        for (Map.Entry<List<String>, String> partition : locations.entrySet()) {
            String key = partitionKey(database, table, partition.getKey());
            Optional<PartitionInput> registered = readPartition(key);
            if (registered.isPresent()
                    && !registered.get().storageDescriptor().location().equals(partition.getValue())) {
                try (ObjectWriter out = store.create(key, Map.of())) {
                    out.write(json(PartitionInput.of(table, partition.getKey(), partition.getValue())));
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot relocate partition " + partition.getKey(), e);
                }
                moved++;
            }
        }
        return moved;
    }

    private Optional<PartitionInput> readPartition(String key) {
        try (InputStream in = store.open(key)) {
            return Optional.of(JSON.readValue(in, PartitionInput.class));
        } catch (ObjectNotFoundException e) {
            return Optional.empty(); // removed since listed
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read partition " + key, e);
        }
    }

    private static byte[] json(PartitionInput input) {
        try {
            return JSON.writeValueAsBytes(input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int deletePartitions(String database, String table, Collection<List<String>> values) {
        Optional<TableInput> defined = table(database, table);
        if (defined.isEmpty()) {
            return 0;
        }
        int removed = 0;
        for (List<String> partition : values) {
            String key = partitionKey(database, defined.get(), partition);
            if (store.stat(key).isPresent()) {
                store.delete(key);
                removed++;
            }
        }
        return removed;
    }

    private static String partitionsPrefix(String database, String table) {
        return tablePrefix(database, table) + "partitions/";
    }

    private static String partitionKey(String database, TableInput table, List<String> values) {
        PartitionInput.of(table, values); // validates the values
        StringBuilder path = new StringBuilder(partitionsPrefix(database, table.name()));
        for (int i = 0; i < values.size(); i++) {
            path.append(i == 0 ? "" : "/").append(table.partitionKeys().get(i).name()).append('=')
                    .append(values.get(i));
        }
        return path.append(".json").toString();
    }

    /** How many versions a table has; 0 if it does not exist. */
    public int versionCount(String database, String table) {
        try (Stream<Integer> versions = versions(database, table)) {
            return (int) versions.count();
        }
    }

    private OptionalInt newestVersion(String database, String table) {
        try (Stream<Integer> versions = versions(database, table)) {
            return versions.mapToInt(Integer::intValue).max();
        }
    }

    private Stream<Integer> versions(String database, String table) {
        String prefix = tablePrefix(database, table);
        return listing.list(prefix).map(o -> VERSION.matcher(o.key().substring(prefix.length())))
                .filter(Matcher::matches).map(m -> Integer.parseInt(m.group(1)));
    }

    private TableInput read(String database, String table, int version) {
        String key = key(database, table, version);
        try (InputStream in = store.open(key)) {
            return TableInput.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | ValidationException e) {
            throw new LakeException("Cannot read table version '" + key + "': " + e.getMessage(), e);
        }
    }

    private static String tablePrefix(String database, String table) {
        return PREFIX + DatasetName.validate(database) + "/" + DatasetName.validate(table) + "/";
    }

    private static String key(String database, String table, int version) {
        return tablePrefix(database, table) + "v" + String.format(Locale.ROOT, "%06d", version) + ".json";
    }
}
