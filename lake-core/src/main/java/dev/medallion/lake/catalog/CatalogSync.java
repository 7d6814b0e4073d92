package dev.medallion.lake.catalog;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.gold.GoldTable;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.SupportsPrefixListing;

/**
 * What the catalog should hold after files land: a pure function of the table as it is, the dataset spec and the
 * partitions just written. Columns follow the spec as far as {@link SchemaEvolution} allows (a refused change is
 * reported, never applied); the projected year range widens to cover every partition written and never narrows;
 * everything else is kept as it is. Storing the result with {@link Catalog#put} is then a no-op whenever nothing
 * changed.
 */
public final class CatalogSync {
    private static final String YEAR = "year";

    /** The table to store, and the column changes refused (the table keeps what it had for those). */
    public record Result(TableInput table, List<String> refused) {
    }

    private CatalogSync() {
    }

    /**
     * As {@link #silver}, with the partitions written given as path values ({@code year=2026, month=03, day=07[,
     * hour=05]}), read by {@link PartitionLayout#fromValues}; a value that does not parse is rejected with a
     * {@link ValidationException}.
     */
    public static Result silverFromValues(Optional<TableInput> current, DatasetSpec spec, String bucket,
            Collection<Map<String, String>> written) {
        PartitionLayout layout = PartitionLayout.of(spec);
        return silver(current, spec, bucket, written.stream().map(layout::fromValues).toList());
    }

    /**
     * The Silver table to store for {@code spec} after {@code written} partitions landed.
     *
     * @param current the table as the catalog holds it, if it exists
     * @param spec the dataset
     * @param bucket the lake bucket, used when the table is new
     * @param written the partitions written, of the spec's granularity
     * @throws ValidationException if a partition is not of the spec's granularity, there is neither a table nor a
     *         partition to take a year range from, or the current table's partition keys or year projection do not
     *         match the spec's granularity
     */
    public static Result silver(Optional<TableInput> current, DatasetSpec spec, String bucket,
            Collection<Partition> written) {
        return sync(current, spec.database(), spec.name(), PartitionLayout.of(spec),
                spec.partitions().projects(), TableDefinitions.silverColumns(spec),
                (min, max, values) -> TableDefinitions.silver(spec, bucket, min, max, values), written);
    }

    /** As {@link #gold}, with the partitions written given as path values. */
    public static Result goldFromValues(Optional<TableInput> current, DatasetSpec spec, GoldTable gold,
            String bucket, Collection<Map<String, String>> written) {
        return gold(current, spec, gold, bucket,
                written.stream().map(PartitionLayout.of(Granularity.DAY)::fromValues).toList());
    }

    /** As {@link #silver}, for one of the dataset's Gold tables (daily partitions). */
    public static Result gold(Optional<TableInput> current, DatasetSpec spec, GoldTable gold, String bucket,
            Collection<Partition> written) {
        return sync(current, spec.database(), gold.name(), PartitionLayout.of(Granularity.DAY),
                spec.partitions().projects(), TableDefinitions.goldColumns(spec, gold),
                (min, max, values) -> TableDefinitions.gold(spec, gold, bucket, min, max),
                written);
    }

    /**
     * The partitions that hold Parquet objects under a table's prefix ({@code silver/sales/}), read from their paths
     * (a file in a generation folder, {@code .../day=20/_gen=1a2b/}, is of the partition above it); objects elsewhere
     * under the prefix (not in a partition of {@code layout}) are not partitions and are skipped.
     */
    public static SortedSet<Partition> partitionsIn(SupportsPrefixListing store, String prefix,
            PartitionLayout layout) {
        SortedSet<Partition> partitions = new TreeSet<>(PARTITION_ORDER);
        try (Stream<ObjectInfo> objects = store.list(prefix)) {
            objects.forEach(o -> Generations.place(prefix, o.key()).ifPresent(place -> {
                try {
                    partitions.add(layout.parse(place.partition()));
                } catch (ValidationException notAPartition) {
                    // e.g. a file in a folder of another tool: no partition to project
                }
            }));
        }
        return partitions;
    }

    /**
     * Proves that an object written is where engines will look for its partition: under the folder the table's
     * {@code storage.location.template} gives for the partition's values (or, without projection, the table location
     * followed by {@code key=value/...}, or one of that folder's generation folders, which the partition is registered
     * at once compaction moved it), with every value projected when the table projects.
     *
     * @throws ValidationException saying what does not match
     */
    public static void requireCovered(TableInput table, String bucket, String key, Map<String, String> values) {
        String template = table.parameters().get("storage.location.template");
        String folder = template != null ? template
                : table.storageDescriptor().location()
                        + String.join("/", table.partitionKeys().stream().map(c -> c.name() + "=${" + c.name() + "}").toList());
        for (TableInput.Column column : table.partitionKeys()) {
            String value = values.get(column.name());
            if (value == null) {
                throw new ValidationException("Cannot catalog '" + key + "': it has no value for partition key "
                        + column.name() + " of table " + table.name());
            }
            if ("true".equals(table.parameters().get("projection.enabled"))) {
                Optional<Projection> projection = Projection.read(column.name(), table.parameters());
                if (projection.isEmpty() || !projection.get().projects(value)) {
                    throw new ValidationException("Cannot catalog '" + key + "': table " + table.name()
                            + " does not project " + column.name() + "=" + value);
                }
            }
            folder = folder.replace("${" + column.name() + "}", value);
        }
        String location = "s3://" + bucket + "/" + key;
        String below = location.startsWith(folder + "/") ? location.substring(folder.length() + 1) : "/";
        if (template == null && below.startsWith(Generations.FOLDER)) {
            below = below.substring(below.indexOf('/') + 1); // a generation folder: registered partitions only
        }
        if (below.indexOf('/') >= 0) {
            throw new ValidationException("Cannot catalog '" + key + "': table " + table.name()
                    + " looks for partition " + values + " in " + folder + "/, where it is not");
        }
    }

    /** Glue's limit on a table's metadata, gzipped; past it Glue refuses the table, so both backends do. */
    static final int METADATA_LIMIT_BYTES = 1024 * 1024;

    private static TableInput withinMetadataLimit(TableInput table) {
        var gzipped = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gzipped)) {
            out.write(table.toJson().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (gzipped.size() > METADATA_LIMIT_BYTES) {
            throw new ValidationException("Cannot store table " + table.name() + ": its definition is "
                    + gzipped.size() + " bytes gzipped, over the 1 MiB Glue allows for a table's metadata");
        }
        return table;
    }

    /**
     * Per partition-by field, the values to project: those the table projects already, in their order, then new ones
     * from {@code written}, sorted. Values are never dropped: older partitions still hold data.
     */
    private static Map<String, List<String>> fieldValues(PartitionLayout layout, Map<String, String> parameters,
            Collection<Partition> written) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < layout.fields().size(); i++) {
            String field = layout.fields().get(i);
            LinkedHashSet<String> known = new LinkedHashSet<>();
            try {
                Projection.read(field, parameters).filter(Projection.EnumProjection.class::isInstance)
                        .ifPresent(p -> known.addAll(((Projection.EnumProjection) p).values()));
            } catch (ValidationException broken) {
                // rebuilt from the values written
            }
            int index = i;
            written.stream().map(p -> p.values().get(index)).sorted().forEach(known::add);
            values.put(field, List.copyOf(known));
        }
        return values;
    }

    /** The table's projected years, or empty if it has none or its properties do not parse. */
    private static Optional<Projection.IntegerProjection> currentYears(Map<String, String> parameters) {
        try {
            return Projection.read(YEAR, parameters).filter(Projection.IntegerProjection.class::isInstance)
                    .map(Projection.IntegerProjection.class::cast);
        } catch (ValidationException broken) {
            return Optional.empty(); // rebuilt from the partitions written
        }
    }

    /** Partitions in time order. */
    public static final Comparator<Partition> PARTITION_ORDER = Comparator.comparingInt(Partition::year)
            .thenComparingInt(Partition::month).thenComparingInt(Partition::day)
            .thenComparingInt(p -> p.hour().orElse(-1));

    /** Builds a table over years {@code min..max}, each partition-by field projected as the values given. */
    private interface NewTable {
        TableInput build(int minYear, int maxYear, Map<String, List<String>> fieldValues);
    }

    private static Result sync(Optional<TableInput> current, String database, String name, PartitionLayout layout,
            boolean projects, List<TableInput.Column> columns, NewTable newTable, Collection<Partition> written) {
        written.forEach(layout::values); // rejects partitions of the other granularity
        IntSummaryStatistics years = written.stream().mapToInt(Partition::year).summaryStatistics();
        if (current.isEmpty()) {
            if (written.isEmpty()) {
                throw new ValidationException("Cannot define table " + database + "." + name
                        + ": there is no table yet and no partition to take a year range from");
            }
            return new Result(withinMetadataLimit(newTable.build(years.getMin(), years.getMax(),
                    fieldValues(layout, Map.of(), written))), List.of());
        }
        TableInput table = current.get();
        List<TableInput.Column> keys = layout.partitionKeys();
        if (!table.partitionKeys().equals(keys)) {
            throw new ValidationException("Cannot update table " + database + "." + table.name()
                    + ": its partition keys " + table.partitionKeys() + " are not " + keys
                    + "; changing the granularity needs a new table");
        }
        Map<String, String> parameters = new TreeMap<>(table.parameters());
        Optional<Projection.IntegerProjection> year = currentYears(parameters);
        Map<String, List<String>> fieldValues = fieldValues(layout, parameters, written);
        // every projection property is derived again from the layout, so one edited by hand (a template that no
        // longer matches the writers' paths, a narrowed month range) is put right; only the year range is kept
        parameters.keySet().removeIf(k -> k.startsWith("projection.") || k.equals("storage.location.template"));
        if (projects) {
            if (year.isEmpty() && written.isEmpty()) {
                throw new ValidationException("Cannot update table " + database + "." + table.name()
                        + ": it has no integer projection of " + YEAR + " and no partition was written to start one from");
            }
            long min = year.map(y -> Math.min(y.min(), written.isEmpty() ? y.min() : years.getMin()))
                    .orElse((long) years.getMin());
            long max = year.map(y -> Math.max(y.max(), written.isEmpty() ? y.max() : years.getMax()))
                    .orElse((long) years.getMax());
            parameters.putAll(layout.tableProperties(table.storageDescriptor().location(), (int) min, (int) max,
                    fieldValues));
        }
        SchemaEvolution.Result evolved = SchemaEvolution.reconcile(table.storageDescriptor().columns(), columns);
        return new Result(withinMetadataLimit(table.withParameters(parameters).withColumns(evolved.columns())),
                evolved.refused());
    }
}
