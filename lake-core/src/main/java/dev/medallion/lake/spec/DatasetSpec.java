package dev.medallion.lake.spec;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.gold.GoldTable;

/**
 * What a dataset looks like and how it is laid out: its typed schema, the event-time field that partitions it, the
 * business key that deduplicates it, and the catalog database it is registered in. Immutable and validated on
 * construction.
 *
 * @param name the dataset name, also the Silver table name, see {@link DatasetName}
 * @param eventTimeField a required {@code timestamp} field whose UTC value picks the partition
 * @param granularity partition granularity
 * @param key the business key field, if the dataset has one
 * @param unknownFields what to do with fields the schema does not name
 * @param fields the schema, in column order
 * @param database the catalog database the table lives in
 * @param gold the aggregated tables kept from it
 * @param partitions how engines find its tables' partitions (projection, registered in the catalog, or both)
 * @param partitionBy string fields whose values partition Silver after event time ({@code .../day=07/channel=web}),
 *        projected as enums of the values seen
 * @param compactionTargetBytes the size compaction merges this dataset's files to, when it is not the service's
 *        default (128 to 512 MiB)
 */
public record DatasetSpec(String name, String eventTimeField, Granularity granularity, Optional<String> key,
        UnknownFieldPolicy unknownFields, List<FieldType.Field> fields, String database, List<GoldTable> gold,
        PartitionRegistration partitions, List<String> partitionBy, OptionalLong compactionTargetBytes) {

    /** Smallest compaction target: smaller files cost engines a request and a footer more per few rows. */
    public static final long MIN_COMPACTION_TARGET = 128L * 1024 * 1024;
    /** Largest compaction target: larger files only delay the first rows and spread badly over readers. */
    public static final long MAX_COMPACTION_TARGET = 512L * 1024 * 1024;

    /** A dataset compacted to the service's default size. */
    public DatasetSpec(String name, String eventTimeField, Granularity granularity, Optional<String> key,
            UnknownFieldPolicy unknownFields, List<FieldType.Field> fields, String database, List<GoldTable> gold,
            PartitionRegistration partitions, List<String> partitionBy) {
        this(name, eventTimeField, granularity, key, unknownFields, fields, database, gold, partitions, partitionBy,
                OptionalLong.empty());
    }

    /** A dataset partitioned by event time only. */
    public DatasetSpec(String name, String eventTimeField, Granularity granularity, Optional<String> key,
            UnknownFieldPolicy unknownFields, List<FieldType.Field> fields, String database, List<GoldTable> gold,
            PartitionRegistration partitions) {
        this(name, eventTimeField, granularity, key, unknownFields, fields, database, gold, partitions, List.of());
    }

    /** A dataset whose tables use partition projection. */
    public DatasetSpec(String name, String eventTimeField, Granularity granularity, Optional<String> key,
            UnknownFieldPolicy unknownFields, List<FieldType.Field> fields, String database, List<GoldTable> gold) {
        this(name, eventTimeField, granularity, key, unknownFields, fields, database, gold,
                PartitionRegistration.PROJECTION);
    }

    /** A dataset without Gold tables. */
    public DatasetSpec(String name, String eventTimeField, Granularity granularity, Optional<String> key,
            UnknownFieldPolicy unknownFields, List<FieldType.Field> fields, String database) {
        this(name, eventTimeField, granularity, key, unknownFields, fields, database, List.of());
    }

    public DatasetSpec {
        DatasetName.validate(name);
        DatasetName.validate(database);
        fields = List.copyOf(fields);
        if (fields.isEmpty()) {
            throw invalid(name, "the schema has no fields");
        }
        fields.stream().filter(f -> f.name().startsWith("_")).findFirst().ifPresent(f -> {
            throw invalid(name, "field '" + f.name() + "' starts with '_', which is reserved for lineage columns");
        });
        FieldNames.requireDistinct(fields.stream().map(FieldType.Field::name).toList(), "dataset " + name);
        // the catalog adds these as partition columns and hive-style readers take them from the path
        List<String> partitionColumns = granularity == Granularity.HOUR ? List.of("year", "month", "day", "hour")
                : List.of("year", "month", "day");
        fields.stream().filter(f -> partitionColumns.contains(f.name())).findFirst().ifPresent(f -> {
            throw invalid(name, "field '" + f.name() + "' has the name of a partition column " + partitionColumns);
        });
        FieldType.Field eventTime = fields.stream().filter(f -> f.name().equals(eventTimeField)).findFirst()
                .orElseThrow(() -> invalid(name, "event-time field '" + eventTimeField + "' is not in the schema"));
        if (eventTime.type() != FieldType.Primitive.TIMESTAMP || !eventTime.required()) {
            throw invalid(name, "event-time field '" + eventTimeField + "' must be a required timestamp");
        }
        List<FieldType.Field> schema = fields;
        key.ifPresent(k -> {
            if (schema.stream().noneMatch(f -> f.name().equals(k))) {
                throw invalid(name, "key field '" + k + "' is not in the schema");
            }
        });
        gold = List.copyOf(gold);
        gold.forEach(table -> table.validate(schema));
        if (partitions == null) {
            throw invalid(name, "how partitions are found is missing");
        }
        if (compactionTargetBytes == null) {
            throw invalid(name, "the compaction target must be empty, not null");
        }
        compactionTargetBytes.ifPresent(target -> {
            if (target < MIN_COMPACTION_TARGET || target > MAX_COMPACTION_TARGET) {
                throw invalid(name, "compaction target-file-size " + target + " bytes is outside 128MiB to 512MiB");
            }
        });
        partitionBy = List.copyOf(partitionBy);
        if (partitionBy.stream().distinct().count() != partitionBy.size()) {
            throw invalid(name, "partition-by names a field twice: " + partitionBy);
        }
        for (String field : partitionBy) {
            FieldType.Field f = schema.stream().filter(x -> x.name().equals(field)).findFirst()
                    .orElseThrow(() -> invalid(name, "partition-by field '" + field + "' is not in the schema"));
            if (f.type() != FieldType.Primitive.STRING || field.equals(eventTimeField)) {
                throw invalid(name, "partition-by field '" + field + "' must be a string field other than the event time");
            }
        }
    }

    /** The position of a field in {@link #fields()}, or -1. */
    public int indexOf(String field) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(field)) {
                return i;
            }
        }
        return -1;
    }

    private static ValidationException invalid(String name, String reason) {
        return new ValidationException("Cannot define dataset '" + name + "': " + reason);
    }
}
