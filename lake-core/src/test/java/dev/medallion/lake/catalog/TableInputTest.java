package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.medallion.lake.ValidationException;

class TableInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TableInput table() {
        return new TableInput("sales", "Sales", TableInput.EXTERNAL_TABLE,
                Map.of("classification", "parquet", "EXTERNAL", "TRUE"),
                List.of(new TableInput.Column("year", "int")),
                TableInput.StorageDescriptor.parquet(List.of(new TableInput.Column("order_id", "string")),
                        "s3://b/silver/sales/"));
    }

    @Test
    void serialisesToGlueShape() throws Exception {
        String expected = """
                {
                  "Name": "sales",
                  "Description": "Sales",
                  "TableType": "EXTERNAL_TABLE",
                  "Parameters": { "EXTERNAL": "TRUE", "classification": "parquet" },
                  "PartitionKeys": [ { "Name": "year", "Type": "int" } ],
                  "StorageDescriptor": {
                    "Columns": [ { "Name": "order_id", "Type": "string" } ],
                    "Location": "s3://b/silver/sales/",
                    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    "Compressed": false,
                    "SerdeInfo": {
                      "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                      "Parameters": { "serialization.format": "1" }
                    }
                  }
                }
                """;

        assertThat(JSON.readTree(table().toJson())).isEqualTo(JSON.readTree(expected));
    }

    @Test
    void parametersAreWrittenInKeyOrder() {
        String json = table().toJson();

        assertThat(json.indexOf("\"EXTERNAL\"")).isLessThan(json.indexOf("\"classification\""));
    }

    @Test
    void readsBackToAnEqualValue() {
        TableInput table = table();

        assertThat(TableInput.fromJson(table.toJson())).isEqualTo(table);
        assertThat(TableInput.fromJson(JSON.valueToTree(table).toString())).isEqualTo(table);
    }

    @Test
    void silverTableRoundTrips() {
        TableInput table = TableDefinitions.silver(Fixtures.sales(), Fixtures.BUCKET, 2024, 2026);

        assertThat(TableInput.fromJson(table.toJson())).isEqualTo(table);
    }

    @Test
    void rejectsUnknownAndMissingFields() {
        String json = table().toJson();

        assertThatThrownBy(
                () -> TableInput.fromJson(json.replace("\"Name\" : \"sales\"", "\"Name\" : \"sales\", \"Owner\" : \"x\"")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("Owner");
        assertThatThrownBy(() -> TableInput.fromJson(json.replace("\"Name\" : \"sales\",", "")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot read table JSON: Cannot define table: 'Name' is missing");
        assertThatThrownBy(() -> TableInput.fromJson("not json")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> TableInput.fromJson("null")).isInstanceOf(ValidationException.class);
    }

    @Test
    void withersReplaceOnlyTheirPart() {
        TableInput table = table();
        List<TableInput.Column> columns = List.of(new TableInput.Column("a", "bigint"));

        TableInput changed = table.withColumns(columns).withParameters(Map.of("k", "v"));

        assertThat(changed.storageDescriptor().columns()).isEqualTo(columns);
        assertThat(changed.parameters()).containsExactly(Map.entry("k", "v"));
        assertThat(changed.storageDescriptor().location()).isEqualTo(table.storageDescriptor().location());
        assertThat(changed.partitionKeys()).isEqualTo(table.partitionKeys());
    }
}
