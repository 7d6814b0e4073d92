package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;

class TableDefinitionsTest {

    @Test
    void silverTableOfSales() {
        TableInput table = TableDefinitions.silver(Fixtures.sales(), "lake-bucket", 2024, 2026);

        assertThat(table.name()).isEqualTo("sales");
        assertThat(table.tableType()).isEqualTo("EXTERNAL_TABLE");
        assertThat(table.description()).contains("Medallion");
        assertThat(table.storageDescriptor().location()).isEqualTo("s3://lake-bucket/silver/sales/");
        assertThat(table.storageDescriptor().compressed()).isFalse();
        assertThat(table.storageDescriptor().serdeInfo()).isEqualTo(TableInput.SerDeInfo.parquet());
        assertThat(table.storageDescriptor().columns()).extracting(TableInput.Column::name, TableInput.Column::type)
                .containsExactly(
                        tuple("order_id", "string"),
                        tuple("customer_id", "string"),
                        tuple("amount", "decimal(12,2)"),
                        tuple("ts", "timestamp"),
                        tuple("items",
                                "array<struct<sku:string,qty:int,price:decimal(12,2)>>"),
                        tuple("_extra", "string"),
                        tuple("_ingest_id", "string"),
                        tuple("_source_object", "string"),
                        tuple("_ingested_at", "timestamp"));
        assertThat(table.partitionKeys()).isEqualTo(PartitionLayout.DAY.partitionKeys());
        assertThat(table.parameters()).contains(entry("classification", "parquet"),
                entry("parquet.compression", "SNAPPY"), entry("EXTERNAL", "TRUE"),
                entry("projection.enabled", "true"), entry("projection.year.range", "2024,2026"),
                entry("projection.month.digits", "2"),
                entry("storage.location.template",
                        "s3://lake-bucket/silver/sales/year=${year}/month=${month}/day=${day}"))
                .containsAllEntriesOf(
                        PartitionLayout.DAY.tableProperties("s3://lake-bucket/silver/sales/", 2024, 2026, Map.of()))
                .hasSize(3 + 10);
    }

    @Test
    void hourlyDatasetGetsHourPartitions() {
        TableInput table = TableDefinitions.silver(Fixtures.clicks(), "lake-bucket", 2026, 2026);

        assertThat(table.partitionKeys()).extracting(TableInput.Column::name).containsExactly("year", "month", "day",
                "hour");
        assertThat(table.parameters()).containsEntry("storage.location.template",
                "s3://lake-bucket/silver/clicks/year=${year}/month=${month}/day=${day}/hour=${hour}");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "ab", "Lake", "lake/x", "lake..x", "-lake", "lake-", "lake bucket", "s3://lake" })
    void rejectsBadBuckets(String bucket) {
        assertThatThrownBy(() -> TableDefinitions.silver(Fixtures.sales(), bucket, 2024, 2026))
                .isInstanceOf(ValidationException.class).hasMessageContaining("bucket");
    }
}
