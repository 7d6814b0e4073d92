package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.parquet.ParquetSchemas;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.InMemoryObjectStore;

class ParquetFootersTest {
    private static final List<FieldType.Field> FIELDS = List.of(
            new FieldType.Field("id", FieldType.parse("string"), true),
            new FieldType.Field("qty", FieldType.parse("int"), false),
            new FieldType.Field("amount", FieldType.parse("decimal(12,2)"), false),
            new FieldType.Field("ts", FieldType.parse("timestamp"), false),
            new FieldType.Field("day", FieldType.parse("date"), false),
            new FieldType.Field("ok", FieldType.parse("boolean"), false),
            new FieldType.Field("ratio", FieldType.parse("double"), false),
            new FieldType.Field("n", FieldType.parse("long"), false),
            new FieldType.Field("items", FieldType.parse("list<struct<sku:string,qty:int>>"), false),
            new FieldType.Field("tags", FieldType.parse("map<string,list<string>>"), false));

    private final InMemoryObjectStore store = new InMemoryObjectStore();

    @Test
    void whatACrawlerInfersFromOurFilesIsTheHiveTypeTheCatalogDeclares() {
        var schema = ParquetSchemas.of("row", FIELDS);
        for (FieldType.Field field : FIELDS) {
            assertThat(HiveTypes.ofParquet(schema.getType(field.name()))).as(field.name())
                    .isEqualTo(HiveTypes.of(field.type()));
        }
    }

    @Test
    void reportsColumnsTheTableCannotReadOrDoesNotHaveAndAcceptsOlderOrNarrowerFiles() {
        String key = "silver/t/year=2026/month=01/day=02/part-a-00000.parquet";
        try (var writer = new RowWriter(store, key, FIELDS, Set.of(), Map.of(), RowWriter.Settings.defaults())) {
            writer.add(new Object[FIELDS.size()]);
        }
        List<TableInput.Column> table = new java.util.ArrayList<>(
                FIELDS.stream().map(f -> new TableInput.Column(f.name(), HiveTypes.of(f.type()))).toList());

        assertThat(ParquetFooters.disagreements(store, key, tableOf(table))).isEmpty();

        table.set(1, new TableInput.Column("qty", "bigint")); // widened since the file was written
        table.add(new TableInput.Column("channel", "string")); // added since
        assertThat(ParquetFooters.disagreements(store, key, tableOf(table))).isEmpty();

        table.set(2, new TableInput.Column("amount", "string"));
        table.removeIf(c -> c.name().equals("ok"));
        assertThat(ParquetFooters.disagreements(store, key, tableOf(table))).containsExactly(
                "file " + key + ": column amount is decimal(12,2) where the table reads string",
                "file " + key + ": column ok (boolean) is not in the table, so no query sees it");
        assertThat(ParquetFooters.disagreements(store, "silver/t/gone.parquet", tableOf(table))).isEmpty();
    }

    private static TableInput tableOf(List<TableInput.Column> columns) {
        return new TableInput("t", "", TableInput.EXTERNAL_TABLE, java.util.Map.of(),
                List.of(new TableInput.Column("year", "int")),
                TableInput.StorageDescriptor.parquet(columns, "s3://b/silver/t/"));
    }
}
