package dev.medallion.lake.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.gold.GoldTable;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.lake.spec.PartitionRegistration;

/** The Glue table definitions of the lake's tables, derived from dataset specs. */
public final class TableDefinitions {
    /** The key prefix Silver data lives under. */
    public static final String SILVER_PREFIX = "silver/";
    /** The key prefix Gold data lives under. */
    public static final String GOLD_PREFIX = "gold/";

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private TableDefinitions() {
    }

    /**
     * The Silver table of a dataset: named after it, Parquet under {@code s3://bucket/silver/{dataset}/}, columns from
     * {@link SilverColumns}, partitioned by {@link PartitionLayout}, with projection for years
     * {@code minYear..maxYear} unless the spec registers partitions only.
     */
    public static TableInput silver(DatasetSpec spec, String bucket, int minYear, int maxYear) {
        return silver(spec, bucket, minYear, maxYear, Map.of());
    }

    /** As {@link #silver(DatasetSpec, String, int, int)}, projecting each partition-by field as these values. */
    public static TableInput silver(DatasetSpec spec, String bucket, int minYear, int maxYear,
            Map<String, List<String>> fieldValues) {
        PartitionLayout layout = PartitionLayout.of(spec);
        String byFields = spec.partitionBy().isEmpty() ? "" : " and " + String.join(", ", spec.partitionBy());
        return table(spec.name(), "Medallion Silver table of dataset " + spec.name()
                + ": typed Snappy Parquet partitioned by event time ("
                + layout.granularity().name().toLowerCase(Locale.ROOT) + ", UTC)" + byFields + ", "
                + howFound(spec.partitions()), SILVER_PREFIX, bucket, layout, silverColumns(spec),
                spec.partitions().projects(), minYear, maxYear, fieldValues);
    }

    private static String howFound(PartitionRegistration partitions) {
        return switch (partitions) {
            case PROJECTION -> "read through Athena partition projection";
            case REGISTERED -> "partitions registered in the catalog";
            case BOTH -> "read through Athena partition projection, partitions also registered in the catalog";
        };
    }

    /**
     * A Gold table of a dataset: Parquet under {@code s3://bucket/gold/{table}/}, one row per event-time day and
     * dimension values, partitioned by day with projection for years {@code minYear..maxYear}.
     */
    public static TableInput gold(DatasetSpec spec, GoldTable gold, String bucket, int minYear, int maxYear) {
        return table(gold.name(), "Medallion Gold table of dataset " + spec.name() + ": " + gold.measures().size()
                + " measures by " + (gold.dimensions().isEmpty() ? "day"
                        : "day, " + String.join(", ",
                                gold.dimensions()))
                + " (event time, UTC), recomputed per day from Silver", GOLD_PREFIX,
                bucket, PartitionLayout.of(Granularity.DAY), goldColumns(spec, gold), spec.partitions().projects(),
                minYear, maxYear, Map.of());
    }

    /** The data columns of a Gold table as Glue columns. */
    public static List<TableInput.Column> goldColumns(DatasetSpec spec, GoldTable gold) {
        return gold.columns(spec.fields()).stream().map(f -> new TableInput.Column(f.name(), HiveTypes.of(f.type())))
                .toList();
    }

    private static TableInput table(String name, String description, String prefix, String bucket,
            PartitionLayout layout, List<TableInput.Column> columns, boolean projected, int minYear, int maxYear,
            Map<String, List<String>> fieldValues) {
        String location = "s3://" + validateBucket(bucket) + "/" + prefix + name + "/";
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("classification", "parquet");
        parameters.put("parquet.compression", "SNAPPY");
        parameters.put("EXTERNAL", "TRUE");
        if (projected) {
            parameters.putAll(layout.tableProperties(location, minYear, maxYear, fieldValues));
        }
        return new TableInput(name, description, TableInput.EXTERNAL_TABLE, parameters, layout.partitionKeys(),
                TableInput.StorageDescriptor.parquet(columns, location));
    }

    /**
     * The data columns of a dataset's Silver table as Glue columns. The partition-by fields are partition keys of
     * the table instead (engines refuse a column that is both); the files keep them, and engines read the path's.
     */
    public static List<TableInput.Column> silverColumns(DatasetSpec spec) {
        return SilverColumns.of(spec).stream().filter(f -> !spec.partitionBy().contains(f.name()))
                .map(f -> new TableInput.Column(f.name(), HiveTypes.of(f.type()))).toList();
    }

    /** Returns {@code bucket} if it is a valid S3 bucket name, or throws a {@link ValidationException}. */
    public static String validateBucket(String bucket) {
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new ValidationException("Cannot use bucket '" + bucket
                    + "': bucket names are 3 to 63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit");
        }
        return bucket;
    }
}
