package dev.medallion.lake.generations;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;
import dev.medallion.lake.store.SupportsPrefixListing;

/**
 * Which folder holds a Silver partition's current files. A partition starts in its own folder (generation
 * {@code ""}); compaction of a table in {@code registered} partition mode writes the partition anew into a
 * generation folder below it ({@code .../day=20/_gen={id}/}) and then points the partition at it, here and in the
 * catalog, so a reader that found the partition by its registered location sees the old files or the new ones, never
 * both. The old generation is deleted after a grace period, when queries that started on it have finished. A leading
 * {@code _} keeps Hive-style readers of a partition's own folder out of its generation folders.
 *
 * <p>
 * The pointer of a partition is {@code _state/generations/{dataset}/{sha256(partition)}.json}, written only by the
 * holder of the partition's compaction lease. Everything that reads or writes Silver partitions asks here: the
 * transform writes into the current generation, Gold and compaction read only the current one, and the catalog
 * registers its folder.
 */
public final class Generations {
    /** The start of a generation folder's name. */
    public static final String FOLDER = "_gen=";
    private static final Pattern ID = Pattern.compile("[0-9a-z]{1,40}");
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    /**
     * A generation the partition has left, kept until {@code retiredAt} plus the grace period.
     *
     * @param carried the names of its files whose rows the newer generations hold (merged or copied): a file of it not
     *        named here arrived after the switch and is carried over before the generation is deleted
     */
    public record Retired(String generation, Instant retiredAt, List<String> carried) {
        public Retired {
            carried = List.copyOf(carried);
        }
    }

    /** Where a partition's files are: its current generation, and the generations waiting to be deleted. */
    public record Pointer(String partition, String generation, List<Retired> retired) {
        public Pointer {
            retired = List.copyOf(retired);
        }

        /** Whether {@code name} is a file whose rows a generation newer than {@code retired}, or the current, holds. */
        public boolean carriedAfter(Retired retired, String name) {
            int from = this.retired.indexOf(retired);
            return this.retired.subList(Math.max(0, from), this.retired.size()).stream()
                    .anyMatch(r -> r.carried().contains(name));
        }
    }

    /**
     * The catalog's word that it registered a partition's location at a generation's folder, at a time: a retired
     * generation is deleted only once the catalog names a newer one, so a reader that finds the partition through the
     * catalog never finds a folder that is gone, however late the catalog is.
     */
    public record Registered(String partition, String generation, Instant at) {
    }

    /** Where a Silver file is: its partition's path and its generation ({@code ""} for the partition's own folder). */
    public record Place(String partition, String generation) {
    }

    private final ObjectStore store;

    public Generations(ObjectStore store) {
        this.store = store;
    }

    /**
     * Whether a dataset's partitions move to new generations when compacted: only when engines find partitions by
     * their registered location alone. Projection fixes the location template, so those partitions stay put.
     */
    public static boolean moves(DatasetSpec spec) {
        return !spec.partitions().projects();
    }

    /** The folder of a partition's generation, e.g. {@code silver/sales/year=2026/month=11/day=20/_gen=1a2b/}. */
    public static String folder(DatasetSpec spec, String partition, String generation) {
        String own = LakeLayout.silverPrefix(spec.name()) + partition + "/";
        return generation.isEmpty() ? own : own + FOLDER + validId(generation) + "/";
    }

    /** The folder new files of a partition go to: its current generation's. */
    public String currentFolder(DatasetSpec spec, String partition) {
        return folder(spec, partition, moves(spec) ? current(spec, partition) : "");
    }

    /** The current generation of a partition: {@code ""} until compaction first moves it. */
    public String current(DatasetSpec spec, String partition) {
        return pointer(spec, partition).map(Pointer::generation).orElse("");
    }

    /** A partition's pointer, if compaction ever moved it. */
    public Optional<Pointer> pointer(DatasetSpec spec, String partition) {
        return read(LakeLayout.generationPointerKey(spec.name(), partition), Pointer.class,
                "the generation pointer of " + spec.name() + "/" + partition);
    }

    /** The pointers of every partition of a dataset that compaction moved. */
    public List<Pointer> pointers(DatasetSpec spec) {
        List<Pointer> pointers = new ArrayList<>();
        try (Stream<ObjectInfo> objects = listing().list(LakeLayout.generationPointersPrefix(spec.name()))) {
            for (ObjectInfo object : objects.toList()) { // one deleted since listed has nothing to act on
                read(object.key(), Pointer.class, "the generation pointer " + object.key()).ifPresent(pointers::add);
            }
        }
        return pointers;
    }

    /** Saves a partition's pointer; only the holder of its compaction lease does. */
    public void save(DatasetSpec spec, Pointer pointer) {
        write(LakeLayout.generationPointerKey(spec.name(), pointer.partition()), pointer,
                "the generation pointer of " + spec.name() + "/" + pointer.partition());
    }

    /** The generation the catalog last registered as a partition's location, if it registered one. */
    public Optional<Registered> registered(DatasetSpec spec, String partition) {
        return read(LakeLayout.catalogRegistrationKey(spec.name(), partition), Registered.class,
                "the catalog registration of " + spec.name() + "/" + partition);
    }

    /**
     * Records that the catalog registered a partition at a generation's folder, unless that is already recorded; only
     * the catalog calls this, after its write succeeded.
     *
     * @return whether it was recorded now
     */
    public boolean register(DatasetSpec spec, String partition, String generation, Instant at) {
        if (registered(spec, partition).filter(r -> r.generation().equals(generation)).isPresent()) {
            return false;
        }
        write(LakeLayout.catalogRegistrationKey(spec.name(), partition),
                new Registered(partition, validId(generation), at),
                "the catalog registration of " + spec.name() + "/" + partition);
        return true;
    }

    /** A JSON record of the lake's state, or empty when there is none. */
    private <T> Optional<T> read(String key, Class<T> type, String what) {
        try (InputStream in = store.open(key)) {
            return Optional.of(JSON.readValue(in, type));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + what, e);
        }
    }

    private void write(String key, Object value, String what) {
        try (ObjectWriter out = store.create(key, Map.of())) {
            out.write(JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save " + what, e);
        }
    }

    /** The files of one partition's current generation. */
    public List<ObjectInfo> currentFiles(DatasetSpec spec, String partition) {
        return currentFilesBelow(spec, partition + "/").getOrDefault(partition, List.of());
    }

    /**
     * The files of the current generation of each partition below a path of the table ({@code ""} for all of it, or
     * e.g. {@code year=2026/month=11/day=20/}), by partition path. Files outside any folder are left out; partition
     * paths are not checked against the dataset's layout.
     */
    public Map<String, List<ObjectInfo>> currentFilesBelow(DatasetSpec spec, String below) {
        String table = LakeLayout.silverPrefix(spec.name());
        Map<String, Map<String, List<ObjectInfo>>> byGeneration = new TreeMap<>();
        try (Stream<ObjectInfo> objects = listing().list(table + below)) {
            objects.forEach(o -> place(table, o.key()).ifPresent(p -> byGeneration
                    .computeIfAbsent(p.partition(), k -> new HashMap<>())
                    .computeIfAbsent(p.generation(), k -> new ArrayList<>()).add(o)));
        }
        Map<String, List<ObjectInfo>> current = new TreeMap<>();
        byGeneration.forEach((partition, generations) -> {
            // a partition never moved needs no pointer read; one with generation folders does
            String generation = generations.keySet().equals(Set.of("")) ? "" : current(spec, partition);
            List<ObjectInfo> files = generations.get(generation);
            if (files != null) {
                current.put(partition, List.copyOf(files));
            }
        });
        return current;
    }

    /** The files of one generation of a partition (of its own folder only, for {@code ""}). */
    public List<ObjectInfo> files(DatasetSpec spec, String partition, String generation) {
        String folder = folder(spec, partition, generation);
        try (Stream<ObjectInfo> objects = listing().list(folder)) {
            return objects.filter(o -> o.key().endsWith(".parquet") && o.key().indexOf('/', folder.length()) < 0)
                    .toList();
        }
    }

    /**
     * Where a Parquet file below a table's prefix ({@code silver/sales/}) is, or empty for any other key.
     */
    public static Optional<Place> place(String tablePrefix, String key) {
        int slash = key.lastIndexOf('/');
        if (!key.startsWith(tablePrefix) || !key.endsWith(".parquet") || slash <= tablePrefix.length()) {
            return Optional.empty();
        }
        String folder = key.substring(tablePrefix.length(), slash);
        int last = folder.lastIndexOf('/');
        String name = folder.substring(last + 1);
        if (!name.startsWith(FOLDER)) {
            return Optional.of(new Place(folder, ""));
        }
        String generation = name.substring(FOLDER.length());
        if (last < 0 || !ID.matcher(generation).matches()) {
            return Optional.empty();
        }
        return Optional.of(new Place(folder.substring(0, last), generation));
    }

    /** The name of a file: the last part of its key, the same in every generation it is carried to. */
    public static String name(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private SupportsPrefixListing listing() {
        if (!(store instanceof SupportsPrefixListing listing)) {
            throw new IllegalStateException("Listing Silver files needs a store that lists keys");
        }
        return listing;
    }

    private static String validId(String generation) {
        if (!ID.matcher(generation).matches()) {
            throw new ValidationException("Cannot use generation '" + generation + "': expected [0-9a-z]{1,40}");
        }
        return generation;
    }
}
