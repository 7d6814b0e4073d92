package dev.medallion.catalog;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.Catalog;
import dev.medallion.lake.catalog.CatalogSync;
import dev.medallion.lake.catalog.ParquetFooters;
import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.PartitionInput;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.catalog.Projection;
import dev.medallion.lake.catalog.TableInput;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.gold.GoldTable;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.support.LakeConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Keeps the catalog a function of the data. A catalog-queue message brings the Silver or Gold table whose files were
 * written up to date (columns from the spec as far as they can evolve, projected year range widened to the partitions
 * written); {@link #rebuild} does the same from every partition in storage. A redelivered message computes the same
 * table, which {@link Catalog#put} does not store again. Column changes that would break files already written are
 * refused, logged and counted, never applied.
 */
@Singleton
public class CatalogUpdater {
    private static final Logger LOG = Logger.getLogger(CatalogUpdater.class);

    /** What a sync did. */
    public record Outcome(String database, TableInput table, boolean updated, List<String> refused,
            int partitionsConsidered, int partitionsRegistered, int partitionsRelocated, int partitionsDeregistered) {
    }

    /** What the service knows of a table it manages, for the gauges. */
    private static final class Managed {
        volatile int columns;
        final SortedSet<Partition> partitionsSeen = new TreeSet<>(CatalogSync.PARTITION_ORDER);
        volatile long projectedUpperYear;

        synchronized int partitionCount() {
            return partitionsSeen.size();
        }

        /** 1 while the latest partition written is inside the projected range, else 0. */
        synchronized int covered() {
            return partitionsSeen.isEmpty() || partitionsSeen.last().year() <= projectedUpperYear ? 1 : 0;
        }
    }

    private final Catalog catalog;
    private final S3ObjectStore store;
    private final Generations generations;
    private final DatasetSpecs specs;
    private final LakeConfig lake;
    private final MeterRegistry metrics;
    private final Map<String, Managed> managed = new ConcurrentHashMap<>();

    public CatalogUpdater(Catalog catalog, S3ObjectStore store, DatasetSpecs specs, LakeConfig lake,
            MeterRegistry metrics) {
        this.catalog = catalog;
        this.store = store;
        this.generations = new Generations(store);
        this.specs = specs;
        this.lake = lake;
        this.metrics = metrics;
        Gauge.builder("medallion.catalog.tables", managed, Map::size).register(metrics);
    }

    /** A table the configured datasets define. */
    public record TableRef(String database, String table) {
    }

    /** Every table the configured datasets define: each Silver table and its Gold tables. */
    public List<TableRef> configuredTables() {
        List<TableRef> tables = new ArrayList<>();
        for (DatasetSpec spec : specs.all()) {
            tables.add(new TableRef(spec.database(), spec.name()));
            spec.gold().forEach(g -> tables.add(new TableRef(spec.database(), g.name())));
        }
        return tables;
    }

    /** Applies a {@link FilesWritten} message; throws {@link ValidationException} for any other message. */
    public void handle(LakeMessage message) {
        if (!(message instanceof FilesWritten written)) {
            throw new ValidationException("Cannot catalog a " + message.type() + " message: expected "
                    + FilesWritten.TYPE);
        }
        apply(written);
    }

    /**
     * Stores the table that {@code written} implies, if it differs from the one in the catalog.
     *
     * @throws ValidationException if the files are not Silver or Gold files of a configured dataset in its database,
     *         or their partitions do not fit the table; redelivery cannot help
     */
    // synchronized: the embedded catalog numbers versions by read-then-write, so one writer per table at a time
    public synchronized Outcome apply(FilesWritten written) {
        if (!FilesWritten.SILVER.equals(written.zone()) && !FilesWritten.GOLD.equals(written.zone())) {
            throw new ValidationException("Cannot catalog files of run " + written.id() + " in zone '" + written.zone()
                    + "': only silver and gold tables are catalogued");
        }
        DatasetSpec spec = specs.find(written.dataset()).orElseThrow(() -> new ValidationException("Cannot catalog "
                + "files of run " + written.id() + ": dataset '" + written.dataset() + "' is not configured"));
        if (!spec.database().equals(written.database())) {
            throw new ValidationException("Cannot catalog files of run " + written.id() + ": dataset '" + spec.name()
                    + "' is in database '" + spec.database() + "', not '" + written.database() + "'");
        }
        String name = written.table();
        Optional<GoldTable> gold = FilesWritten.GOLD.equals(written.zone()) ? Optional.of(goldTable(spec, name))
                : Optional.empty();
        PartitionLayout layout = layout(spec, gold);
        List<Partition> partitions = written.files().stream().map(f -> layout.fromValues(f.partition())).distinct()
                .toList();
        return store(spec, gold, name, partitions, false, "run " + written.id(), table -> {
            List<String> disagreements = new ArrayList<>();
            for (FilesWritten.WrittenFile file : written.files()) {
                CatalogSync.requireCovered(table, lake.lake().bucket(), file.key(), file.partition());
                disagreements.addAll(ParquetFooters.disagreements(store, file.key(), table));
            }
            return disagreements;
        });
    }

    /**
     * Rebuilds a table from what is in storage: every partition that holds Parquet objects under its location. A
     * table with no data and no definition yet is left alone (nothing to project).
     *
     * @throws TableNotFoundException if no configured dataset or Gold table of the database has that name
     */
    public synchronized Outcome rebuild(String database, String table) {
        for (DatasetSpec spec : specs.all()) {
            if (!spec.database().equals(database)) {
                continue;
            }
            Optional<GoldTable> gold = spec.gold().stream().filter(g -> g.name().equals(table)).findFirst();
            if (spec.name().equals(table) || gold.isPresent()) {
                String prefix = gold.isPresent() ? LakeLayout.goldPrefix(table) : LakeLayout.silverPrefix(table);
                SortedSet<Partition> partitions = CatalogSync.partitionsIn(store, prefix, layout(spec, gold));
                if (partitions.isEmpty()) {
                    Optional<TableInput> current = catalog.table(database, table);
                    if (current.isEmpty()) {
                        return new Outcome(database, null, false, List.of(), 0, 0, 0, 0);
                    }
                }
                return store(spec, gold, table, partitions, true, "a rebuild from " + partitions.size()
                        + " partitions in storage", t -> List.of());
            }
        }
        throw new TableNotFoundException(database, table);
    }

    /**
     * Computes and stores the table, then registers its partitions if the spec asks for it ({@code all}: the
     * partitions are every one in storage, so registered ones not among them are removed); {@code check} may refuse
     * the table before anything is stored (by throwing), and reports what the files say against it.
     */
    private Outcome store(DatasetSpec spec, Optional<GoldTable> gold, String name, Collection<Partition> partitions,
            boolean all, String cause, Function<TableInput, List<String>> check) {
        Optional<TableInput> current = catalog.table(spec.database(), name);
        CatalogSync.Result result = gold.isPresent()
                ? CatalogSync.gold(current, spec, gold.get(), lake.lake().bucket(), partitions)
                : CatalogSync.silver(current, spec, lake.lake().bucket(), partitions);
        List<String> refused = new ArrayList<>(result.refused());
        refused.addAll(check.apply(result.table()));
        for (String reason : refused) {
            LOG.warnf("Refused a column change in table %s.%s (from %s): %s", spec.database(), name, cause, reason);
        }
        metrics.counter("medallion.catalog.changes", "database", spec.database(), "table", name, "outcome",
                "refused").increment(refused.size());
        boolean updated = catalog.put(spec.database(), result.table());
        metrics.counter("medallion.catalog.syncs", "database", spec.database(), "table", name, "outcome",
                updated ? "updated" : "unchanged").increment();
        track(spec.database(), name, result.table(), partitions);
        int registered = 0;
        int relocated = 0;
        int deregistered = 0;
        if (spec.partitions().registers()) {
            Map<String, String> generationsByPath = gold.isEmpty() && Generations.moves(spec)
                    ? currentGenerations(spec, partitions)
                    : Map.of();
            Map<List<String>, String> locations = locations(spec, gold, result.table(), partitions,
                    generationsByPath);
            Map<List<String>, String> known = all ? catalog.partitions(spec.database(), name) : Map.of();
            Map<List<String>, String> added = new LinkedHashMap<>(locations);
            added.keySet().removeAll(known.keySet());
            registered = catalog.addPartitions(spec.database(), result.table(), added);
            // moved by compaction: after a rebuild, those registered elsewhere; after files landed, any not in its
            // own folder (a message may come after the move, or a lost one be made up for)
            Map<List<String>, String> moved = new LinkedHashMap<>(locations);
            moved.entrySet().removeIf(e -> all ? e.getValue().equals(known.getOrDefault(e.getKey(), e.getValue()))
                    : e.getValue().equals(PartitionInput.defaultLocation(result.table(), e.getKey())));
            relocated = catalog.relocatePartitions(spec.database(), result.table(), moved);
            deregistered = all ? catalog.deletePartitions(spec.database(), name,
                    known.keySet().stream().filter(v -> !locations.containsKey(v)).toList()) : 0;
            // only now may compaction count its grace period for the generations these partitions left
            Instant now = Instant.now();
            generationsByPath.forEach((path, generation) -> {
                if (!generation.isEmpty()) {
                    generations.register(spec, path, generation, now);
                }
            });
            metrics.counter("medallion.catalog.partitions.registered", "database", spec.database(), "table", name)
                    .increment(registered);
            metrics.counter("medallion.catalog.partitions.relocated", "database", spec.database(), "table", name)
                    .increment(relocated);
            metrics.counter("medallion.catalog.partitions.deregistered", "database", spec.database(), "table", name)
                    .increment(deregistered);
        }
        if (updated) {
            metrics.counter("medallion.catalog.changes", "database", spec.database(), "table", name, "outcome",
                    "applied").increment();
            LOG.infof("Updated table %s.%s (projected years %s) for %s", spec.database(), name,
                    result.table().parameters().get("projection.year.range"), cause);
        } else {
            LOG.debugf("Table %s.%s already covers %s", spec.database(), name, cause);
        }
        return new Outcome(spec.database(), result.table(), updated, refused, partitions.size(), registered,
                relocated, deregistered);
    }

    /** The current generation of each partition of a Silver table whose partitions move, by partition path. */
    private Map<String, String> currentGenerations(DatasetSpec spec, Collection<Partition> partitions) {
        PartitionLayout layout = PartitionLayout.of(spec);
        Map<String, String> current = new LinkedHashMap<>();
        for (Partition partition : partitions) {
            String path = layout.path(partition);
            current.put(path, generations.current(spec, path));
        }
        return current;
    }

    /**
     * Where each partition is: its current generation's folder for a Silver table whose partitions move (in
     * {@code generationsByPath}), else its own folder.
     */
    private Map<List<String>, String> locations(DatasetSpec spec, Optional<GoldTable> gold, TableInput table,
            Collection<Partition> partitions, Map<String, String> generationsByPath) {
        PartitionLayout layout = layout(spec, gold);
        Map<List<String>, String> locations = new LinkedHashMap<>();
        for (Partition partition : partitions) {
            List<String> values = List.copyOf(layout.values(partition).values());
            String generation = generationsByPath.get(layout.path(partition));
            locations.put(values, generation != null
                    ? "s3://" + lake.lake().bucket() + "/" + Generations.folder(spec, layout.path(partition), generation)
                    : PartitionInput.defaultLocation(table, values));
        }
        return locations;
    }

    private void track(String database, String name, TableInput table, Collection<Partition> partitions) {
        Managed m = managed.computeIfAbsent(database + "." + name, key -> {
            var created = new Managed();
            Gauge.builder("medallion.catalog.columns", created, c -> c.columns).tags("database", database, "table", name)
                    .register(metrics);
            Gauge.builder("medallion.catalog.partitions", created, Managed::partitionCount)
                    .tags("database", database, "table", name).register(metrics);
            Gauge.builder("medallion.catalog.projection.covered", created, Managed::covered)
                    .tags("database", database, "table", name).register(metrics);
            return created;
        });
        m.columns = table.storageDescriptor().columns().size();
        m.projectedUpperYear = Projection.read("year", table.parameters())
                .filter(Projection.IntegerProjection.class::isInstance)
                .map(p -> ((Projection.IntegerProjection) p).max()).orElse(Long.MAX_VALUE);
        synchronized (m) {
            m.partitionsSeen.addAll(partitions);
        }
    }

    private static GoldTable goldTable(DatasetSpec spec, String name) {
        return spec.gold().stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new ValidationException("Cannot catalog files of dataset '" + spec.name()
                        + "': it has no gold table '" + name + "'"));
    }

    private static PartitionLayout layout(DatasetSpec spec, Optional<GoldTable> gold) {
        return gold.isPresent() ? PartitionLayout.of(Granularity.DAY) : PartitionLayout.of(spec);
    }

    /** No configured table has this name. */
    public static final class TableNotFoundException extends RuntimeException {
        TableNotFoundException(String database, String table) {
            super("Cannot find table " + database + "." + table + ": no configured dataset or Gold table has that name");
        }
    }
}
