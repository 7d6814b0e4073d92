package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.spec.FieldType;

class SilverColumnsTest {

    @Test
    void specFieldsThenExtraThenLineageWhenUnknownFieldsAreKept() {
        var columns = SilverColumns.of(Fixtures.sales());

        assertThat(columns).extracting(FieldType.Field::name).containsExactly("order_id", "customer_id", "amount",
                "ts", "items", "_extra", "_ingest_id", "_source_object", "_ingested_at");
        assertThat(columns.subList(5, 9)).extracting(FieldType.Field::type).containsExactly(
                FieldType.Primitive.STRING, FieldType.Primitive.STRING, FieldType.Primitive.STRING,
                FieldType.Primitive.TIMESTAMP);
        assertThat(columns.get(5).required()).isFalse();
        assertThat(columns.subList(6, 9)).allMatch(FieldType.Field::required);
    }

    @Test
    void noExtraColumnWhenUnknownFieldsAreDropped() {
        assertThat(SilverColumns.of(Fixtures.clicks())).extracting(FieldType.Field::name)
                .containsExactly("url", "ts", "_ingest_id", "_source_object", "_ingested_at");
    }
}
