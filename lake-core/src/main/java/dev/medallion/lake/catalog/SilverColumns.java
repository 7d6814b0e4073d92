package dev.medallion.lake.catalog;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.UnknownFieldPolicy;

/**
 * The columns of a dataset's Silver table, in file and table order: the spec's fields, then {@value #EXTRA} (only
 * when unknown fields are kept), then the lineage columns {@value #INGEST_ID}, {@value #SOURCE_OBJECT} and
 * {@value #INGESTED_AT}. The Parquet writer and the catalog both take the schema from here, so the files and the
 * table cannot disagree.
 */
public final class SilverColumns {
    /** JSON object of the fields the spec does not name, when the dataset keeps them. */
    public static final String EXTRA = "_extra";
    /** Id of the ingest batch the record arrived in. */
    public static final String INGEST_ID = "_ingest_id";
    /** Key of the Bronze object the record was read from. */
    public static final String SOURCE_OBJECT = "_source_object";
    /** When the record was accepted. */
    public static final String INGESTED_AT = "_ingested_at";

    private SilverColumns() {
    }

    /** The Silver columns of {@code spec}; lineage columns are required, {@value #EXTRA} is not. */
    public static List<FieldType.Field> of(DatasetSpec spec) {
        List<FieldType.Field> columns = new ArrayList<>(spec.fields());
        if (spec.unknownFields() == UnknownFieldPolicy.KEEP) {
            columns.add(new FieldType.Field(EXTRA, FieldType.Primitive.STRING, false));
        }
        columns.add(new FieldType.Field(INGEST_ID, FieldType.Primitive.STRING, true));
        columns.add(new FieldType.Field(SOURCE_OBJECT, FieldType.Primitive.STRING, true));
        columns.add(new FieldType.Field(INGESTED_AT, FieldType.Primitive.TIMESTAMP, true));
        return List.copyOf(columns);
    }

    /**
     * The columns whose values nearly all differ (lineage id, event time, business key): written without a
     * dictionary, which would only cost heap (a map entry a value) until Parquet dropped it.
     */
    public static Set<String> uniqueValued(DatasetSpec spec) {
        Set<String> unique = new HashSet<>(Set.of(INGEST_ID, spec.eventTimeField()));
        spec.key().ifPresent(unique::add);
        return Set.copyOf(unique);
    }
}
