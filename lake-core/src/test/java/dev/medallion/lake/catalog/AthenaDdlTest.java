package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.ValidationException;

class AthenaDdlTest {

    @Test
    void createTableForSales() {
        TableInput table = TableDefinitions.silver(Fixtures.sales(), "lake-bucket", 2024, 2026);

        assertThat(AthenaDdl.createTable("lake", table)).isEqualTo(
                """
                        CREATE EXTERNAL TABLE `lake`.`sales` (
                          `order_id` string,
                          `customer_id` string,
                          `amount` decimal(12,2),
                          `ts` timestamp,
                          `items` array<struct<sku:string,qty:int,price:decimal(12,2)>>,
                          `_extra` string,
                          `_ingest_id` string,
                          `_source_object` string,
                          `_ingested_at` timestamp
                        )
                        COMMENT 'Medallion Silver table of dataset sales: typed Snappy Parquet partitioned by event time (day, UTC), read through Athena partition projection'
                        PARTITIONED BY (
                          `year` int,
                          `month` int,
                          `day` int
                        )
                        ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
                        WITH SERDEPROPERTIES (
                          'serialization.format'='1'
                        )
                        STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
                        OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
                        LOCATION 's3://lake-bucket/silver/sales/'
                        TBLPROPERTIES (
                          'classification'='parquet',
                          'parquet.compression'='SNAPPY',
                          'projection.day.digits'='2',
                          'projection.day.range'='1,31',
                          'projection.day.type'='integer',
                          'projection.enabled'='true',
                          'projection.month.digits'='2',
                          'projection.month.range'='1,12',
                          'projection.month.type'='integer',
                          'projection.year.range'='2024,2026',
                          'projection.year.type'='integer',
                          'storage.location.template'='s3://lake-bucket/silver/sales/year=${year}/month=${month}/day=${day}'
                        )""");
    }

    /** Golden files in {@code src/test/resources/ddl/}, each read and checked by hand once. */
    @Test
    void goldHourlyAndRegisteredTablesMatchTheirGoldenStatements() throws Exception {
        var spec = Fixtures.spec("""
                datasets:
                  sales:
                    event-time: ts
                    catalog: { database: lake, partitions: both }
                    schema:
                      order_id: { type: string, required: true }
                      channel:  { type: string }
                      amount:   { type: "decimal(12,2)", required: true }
                      customer: { type: string }
                      ts:       { type: timestamp, required: true }
                    gold:
                      daily_sales:
                        dimensions: [channel]
                        measures:
                          orders: count
                          revenue: sum(amount)
                          customers: approx_count_distinct(customer)
                """);
        var registeredClicks = Fixtures.spec("""
                datasets:
                  clicks:
                    event-time: ts
                    partitioning: hour
                    unknown-fields: drop
                    catalog: { database: web, partitions: registered }
                    schema:
                      url: string
                      ts:  { type: timestamp, required: true }
                """);

        assertThat(AthenaDdl.createTable("lake", TableDefinitions.gold(spec, spec.gold().get(0), "lake-bucket", 2025,
                2026))).isEqualTo(golden("daily_sales.sql"));
        assertThat(AthenaDdl.createTable("web", TableDefinitions.silver(Fixtures.clicks(), "lake-bucket", 2026, 2026)))
                .isEqualTo(golden("clicks_hourly.sql"));
        assertThat(AthenaDdl.createTable("web", TableDefinitions.silver(registeredClicks, "lake-bucket", 2026, 2026)))
                .isEqualTo(golden("clicks_registered.sql"));
    }

    private static String golden(String name) throws java.io.IOException {
        try (var in = AthenaDdlTest.class.getResourceAsStream("/ddl/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void escapesQuotesAndBackslashesInLiterals() {
        TableInput table = TableDefinitions.silver(Fixtures.sales(), "lake-bucket", 2024, 2026);
        Map<String, String> parameters = new TreeMap<>(table.parameters());
        parameters.put("owner's note", "a\\b'c");

        String ddl = AthenaDdl.createTable("lake", table.withParameters(parameters));

        assertThat(ddl).contains("  'owner\\'s note'='a\\\\b\\'c',\n");
        assertThat(AthenaDdl.literal("it's")).isEqualTo("'it\\'s'");
    }

    @Test
    void leavesOutEmptyClauses() {
        var table = new TableInput("t", "", TableInput.EXTERNAL_TABLE, Map.of(), List.of(),
                new TableInput.StorageDescriptor(List.of(new TableInput.Column("a", "int")), "s3://b/t/",
                        TableInput.StorageDescriptor.PARQUET_INPUT_FORMAT,
                        TableInput.StorageDescriptor.PARQUET_OUTPUT_FORMAT, false,
                        new TableInput.SerDeInfo(TableInput.SerDeInfo.PARQUET_SERDE, Map.of())));

        assertThat(AthenaDdl.createTable("db", table)).isEqualTo("""
                CREATE EXTERNAL TABLE `db`.`t` (
                  `a` int
                )
                ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
                STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
                OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
                LOCATION 's3://b/t/'""");
    }

    @Test
    void rejectsNamesAndTypesThatWouldChangeTheStatement() {
        TableInput table = TableDefinitions.silver(Fixtures.sales(), "lake-bucket", 2024, 2026);

        assertThatThrownBy(() -> AthenaDdl.createTable("la`ke", table)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> AthenaDdl.createTable("lake", table.withColumns(
                List.of(new TableInput.Column("a`b", "int"))))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("backtick");
        assertThatThrownBy(() -> AthenaDdl.createTable("lake", table.withColumns(
                List.of(new TableInput.Column("a", "int) LOCATION 's3://x/'"))))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("not a Hive type");
        var view = new TableInput("v", "", "VIRTUAL_VIEW", Map.of(), List.of(), table.storageDescriptor());
        assertThatThrownBy(() -> AthenaDdl.createTable("lake", view)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("VIRTUAL_VIEW");
    }
}
