package dev.medallion.lake.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.store.LocalObjectStore;

/** Reads files the writer produced with DuckDB, the independent reader the project relies on. */
class RowWriterDuckDbTest {
    private static final String KEY = "silver/sales/year=2024/month=03/day=01/part-r-00000.parquet";
    private static final List<Field> COLUMNS = List.of(
            new Field("id", FieldType.Primitive.STRING, true),
            new Field("amount", FieldType.parse("decimal(12,2)"), true),
            new Field("big", FieldType.parse("decimal(38,10)"), false),
            new Field("ts", FieldType.Primitive.TIMESTAMP, true),
            new Field("on_date", FieldType.Primitive.DATE, false),
            new Field("n", FieldType.Primitive.INT, false),
            new Field("l", FieldType.Primitive.LONG, false),
            new Field("x", FieldType.Primitive.DOUBLE, false),
            new Field("flag", FieldType.Primitive.BOOLEAN, false),
            new Field("items", FieldType.parse("list<struct<sku:string,qty:int,price:decimal(12,2)>>"), false),
            new Field("attrs", FieldType.parse("map<string,int>"), false),
            new Field("shipping", FieldType.parse("struct<country:string,express:boolean>"), false),
            new Field("note", FieldType.Primitive.STRING, false));

    @TempDir
    Path root;
    private Connection duck;
    private String file;

    @BeforeEach
    void writeFile() throws SQLException {
        var store = new LocalObjectStore(root);
        try (var writer = new RowWriter(store, KEY, COLUMNS, java.util.Set.of(), Map.of(), RowWriter.Settings.defaults())) {
            for (Object[] row : rows()) {
                writer.add(row);
            }
        }
        file = root.resolve(KEY).toString().replace("'", "''");
        duck = DriverManager.getConnection("jdbc:duckdb:");
    }

    @AfterEach
    void closeDuck() throws SQLException {
        duck.close();
    }

    private static List<Object[]> rows() {
        List<Object[]> rows = new ArrayList<>();
        var attrs = new LinkedHashMap<String, Object>();
        attrs.put("x", 1);
        attrs.put("y", null);
        rows.add(new Object[] { "full", new BigDecimal("12.34"),
                new BigDecimal("-1234567890123456789012345678.0123456789"),
                Instant.parse("2024-03-01T10:00:00.123456Z"), LocalDate.of(2024, 2, 29), -7, 1L << 40, 2.5, true,
                Arrays.asList(new Object[] { "s1", 2, new BigDecimal("1.50") }, null,
                        new Object[] { "s2", null, new BigDecimal("-2.00") }),
                attrs, new Object[] { "DE", false }, "Zoë 😀" });
        rows.add(new Object[] { "negative", new BigDecimal("-9999999999.99"), new BigDecimal("0.0000000001"),
                Instant.parse("1969-12-31T23:59:59.999999Z"), null, null, null, null, null, List.of(), Map.of(),
                new Object[] { null, null }, null });
        rows.add(new Object[] { "old", new BigDecimal("-0.01"), null, Instant.parse("1500-06-15T12:00:00Z"), null,
                null, null, null, null, null, null, null, null });
        rows.add(new Object[] { "future", new BigDecimal("9999999999.99"), null,
                Instant.parse("2300-01-01T00:00:00.000001Z"), null, null, null, null, null, null, null, null, null });
        return rows;
    }

    /** The values of one row, one per expression. */
    private List<Object> select(String id, String... expressions) throws SQLException {
        String sql = "SELECT " + String.join(", ", expressions) + " FROM read_parquet('" + file + "') WHERE id = '"
                + id + "'";
        try (Statement statement = duck.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).as("row %s", id).isTrue();
            List<Object> values = new ArrayList<>();
            for (int i = 1; i <= expressions.length; i++) {
                values.add(rs.getObject(i));
            }
            assertThat(rs.next()).isFalse();
            return values;
        }
    }

    @Test
    void duckDbSeesEveryRowWithTheDeclaredTypes() throws SQLException {
        try (Statement statement = duck.createStatement();
                ResultSet rs = statement.executeQuery("SELECT count(*), any_value(typeof(amount)), "
                        + "any_value(typeof(big)), any_value(typeof(ts)), any_value(typeof(on_date)) "
                        + "FROM read_parquet('" + file + "')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(4);
            assertThat(rs.getString(2)).isEqualTo("DECIMAL(12,2)");
            assertThat(rs.getString(3)).isEqualTo("DECIMAL(38,10)");
            assertThat(rs.getString(4)).isEqualTo("TIMESTAMP WITH TIME ZONE");
            assertThat(rs.getString(5)).isEqualTo("DATE");
        }
    }

    @Test
    void decimalsKeepTheirValueAndSign() throws SQLException {
        assertThat(select("full", "amount", "big")).containsExactly(new BigDecimal("12.34"),
                new BigDecimal("-1234567890123456789012345678.0123456789"));
        assertThat(select("negative", "amount", "big")).containsExactly(new BigDecimal("-9999999999.99"),
                new BigDecimal("0.0000000001"));
        assertThat(select("old", "amount")).containsExactly(new BigDecimal("-0.01"));
        assertThat(select("future", "amount")).containsExactly(new BigDecimal("9999999999.99"));
    }

    @Test
    void timestampsAreUtcInstantsToTheMicrosecond() throws SQLException {
        assertThat(select("full", "epoch_us(ts)", "strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f')"))
                .containsExactly(1_709_287_200_123_456L, "2024-03-01 10:00:00.123456");
        assertThat(select("negative", "epoch_us(ts)")).containsExactly(-1L);
        assertThat(select("old", "epoch_us(ts)")).containsExactly(
                Instant.parse("1500-06-15T12:00:00Z").getEpochSecond() * 1_000_000L);
        assertThat(select("future", "epoch_us(ts)")).containsExactly(
                Instant.parse("2300-01-01T00:00:00Z").getEpochSecond() * 1_000_000L + 1);
    }

    @Test
    void scalarsRoundTrip() throws SQLException {
        assertThat(select("full", "CAST(on_date AS VARCHAR)", "n", "l", "x", "flag", "note")).containsExactly(
                "2024-02-29", -7, 1L << 40, 2.5, true, "Zoë 😀");
        assertThat(select("negative", "on_date IS NULL", "n IS NULL", "x IS NULL", "flag IS NULL", "note IS NULL"))
                .containsOnly(true);
    }

    @Test
    void listsOfStructsKeepOrderNullElementsAndNullFields() throws SQLException {
        assertThat(select("full", "len(items)", "items[1].sku", "items[1].qty", "items[1].price",
                "items[2] IS NULL", "items[3].sku", "items[3].qty IS NULL", "items[3].price")).containsExactly(
                        3L, "s1", 2, new BigDecimal("1.50"), true, "s2", true, new BigDecimal("-2.00"));
        assertThat(select("negative", "items IS NULL", "len(items)")).containsExactly(false, 0L);
        assertThat(select("old", "items IS NULL")).containsExactly(true);
    }

    @Test
    void mapsKeepKeysAndNullValues() throws SQLException {
        assertThat(select("full", "cardinality(attrs)", "attrs['x']", "attrs['y'] IS NULL",
                "list_sort(map_keys(attrs))")).satisfies(values -> {
                    assertThat(((Number) values.get(0)).longValue()).isEqualTo(2);
                    assertThat(values.get(1)).isEqualTo(1);
                    assertThat(values.get(2)).isEqualTo(true);
                    assertThat(values.get(3).toString()).isEqualTo("[x, y]");
                });
        assertThat(select("negative", "attrs IS NULL", "cardinality(attrs)").get(0)).isEqualTo(false);
        assertThat(select("old", "attrs IS NULL")).containsExactly(true);
    }

    @Test
    void structsKeepTheirFields() throws SQLException {
        assertThat(select("full", "shipping.country", "shipping.express")).containsExactly("DE", false);
        assertThat(select("negative", "shipping IS NULL", "shipping.country IS NULL")).containsExactly(false, true);
        assertThat(select("old", "shipping IS NULL")).containsExactly(true);
    }
}
