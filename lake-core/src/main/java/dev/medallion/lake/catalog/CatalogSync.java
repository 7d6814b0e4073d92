package dev.medallion.lake.catalog;

import java.util.Collection;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.gold.GoldTable;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.Granularity;

/**
 * What the catalog should hold after files land: a pure function of the table as it is, the dataset spec and the
 * partitions just written. Columns follow the spec; the projected year range widens to cover every partition written
 * and never narrows; everything else is kept as it is. Storing the result with {@link EmbeddedCatalog#put} (or Glue's
 * {@code UpdateTable}) is then a no-op whenever nothing changed.
 */
public final class CatalogSync {
    private static final String YEAR = "year";

    private CatalogSync() {
    }

    /**
     * As {@link #silver}, with the partitions written given as path values ({@code year=2026, month=03, day=07[,
     * hour=05]}), read by {@link PartitionLayout#fromValues}; a value that does not parse is rejected with a
     * {@link ValidationException}.
     */
    public static TableInput silverFromValues(Optional<TableInput> current, DatasetSpec spec, String bucket,
            Collection<Map<String, String>> written) {
        PartitionLayout layout = PartitionLayout.of(spec.granularity());
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
    public static TableInput silver(Optional<TableInput> current, DatasetSpec spec, String bucket,
            Collection<Partition> written) {
        return sync(current, spec.database(), spec.name(), PartitionLayout.of(spec.granularity()),
                TableDefinitions.silverColumns(spec),
                (min, max) -> TableDefinitions.silver(spec, bucket, min, max), written);
    }

    /** As {@link #silver}, for one of the dataset's Gold tables (daily partitions, path values as written). */
    public static TableInput goldFromValues(Optional<TableInput> current, DatasetSpec spec, GoldTable gold,
            String bucket, Collection<Map<String, String>> written) {
        PartitionLayout layout = PartitionLayout.of(Granularity.DAY);
        return sync(current, spec.database(), gold.name(), layout, TableDefinitions.goldColumns(spec, gold),
                (min, max) -> TableDefinitions.gold(spec, gold, bucket, min, max),
                written.stream().map(layout::fromValues).toList());
    }

    /** Builds a table over years {@code min..max}. */
    private interface NewTable {
        TableInput build(int minYear, int maxYear);
    }

    private static TableInput sync(Optional<TableInput> current, String database, String name, PartitionLayout layout,
            List<TableInput.Column> columns, NewTable newTable, Collection<Partition> written) {
        written.forEach(layout::values); // rejects partitions of the other granularity
        IntSummaryStatistics years = written.stream().mapToInt(Partition::year).summaryStatistics();
        if (current.isEmpty()) {
            if (written.isEmpty()) {
                throw new ValidationException("Cannot define table " + database + "." + name
                        + ": there is no table yet and no partition to take a year range from");
            }
            return newTable.build(years.getMin(), years.getMax());
        }
        TableInput table = current.get();
        List<TableInput.Column> keys = layout.partitionKeys();
        if (!table.partitionKeys().equals(keys)) {
            throw new ValidationException("Cannot update table " + database + "." + table.name()
                    + ": its partition keys " + table.partitionKeys() + " are not " + keys
                    + "; changing the granularity needs a new table");
        }
        Projection.IntegerProjection year = Projection.read(YEAR, table.parameters())
                .filter(Projection.IntegerProjection.class::isInstance).map(Projection.IntegerProjection.class::cast)
                .orElseThrow(() -> new ValidationException("Cannot update table " + database + "." + table.name()
                        + ": it has no integer projection of " + YEAR));
        Map<String, String> parameters = new TreeMap<>(table.parameters());
        if (!written.isEmpty()) {
            var widened = new Projection.IntegerProjection(Math.min(year.min(), years.getMin()),
                    Math.max(year.max(), years.getMax()), year.interval(), year.digits());
            parameters.putAll(widened.properties(YEAR));
        }
        return table.withParameters(parameters).withColumns(columns);
    }
}
