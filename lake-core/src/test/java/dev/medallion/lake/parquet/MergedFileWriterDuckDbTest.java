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
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.store.ObjectInfo;

/**
 * Every value of every kept row survives a merge exactly, whichever way its column went: pages copied as they are,
 * pages encoded anew because rows were left out or the input used a dictionary, dictionary columns re-encoded, over
 * several output row groups. DuckDB compares the rows of the inputs with those of the output.
 */
class MergedFileWriterDuckDbTest {
    private static final List<Field> COLUMNS = List.of(
            new Field("id", FieldType.Primitive.STRING, true),
            new Field("amount", FieldType.parse("decimal(12,2)"), false),
            new Field("big", FieldType.parse("decimal(38,10)"), false),
            new Field("ts", FieldType.Primitive.TIMESTAMP, false),
            new Field("on_date", FieldType.Primitive.DATE, false),
            new Field("n", FieldType.Primitive.INT, false),
            new Field("l", FieldType.Primitive.LONG, false),
            new Field("x", FieldType.Primitive.DOUBLE, false),
            new Field("flag", FieldType.Primitive.BOOLEAN, false),
            new Field("currency", FieldType.Primitive.STRING, false),
            new Field("items", FieldType.parse("list<struct<sku:string,qty:int,price:decimal(12,2)>>"), false),
            new Field("attrs", FieldType.parse("map<string,int>"), false),
            new Field("shipping", FieldType.parse("struct<country:string,express:boolean>"), false));
    private static final Set<String> ALL = COLUMNS.stream().map(Field::name).collect(Collectors.toSet());

    @TempDir
    Path root;

    @Test
    void keptRowsComeOutExactlyAsTheyWentInWhateverPathTheirColumnsTook() throws SQLException {
        var store = new LocalObjectStore(root);
        Random random = new Random(7);
        List<ObjectInfo> inputs = new ArrayList<>();
        List<BitSet> skips = new ArrayList<>();
        for (int f = 0; f < 12; f++) {
            String key = "in/part-" + f + ".parquet";
            // the first file without dictionaries (its plain columns are then merged page by page); some later ones
            // with, so those pages must be decoded and encoded anew
            Set<String> noDictionary = f == 0 || f % 3 == 1 ? ALL : Set.of();
            int rows = 200 + random.nextInt(800);
            BitSet skip = new BitSet();
            try (var out = new RowWriter(store, key, COLUMNS, noDictionary, Map.of(),
                    new RowWriter.Settings(16 * 1024, 4 * 1024))) {
                for (int r = 0; r < rows; r++) {
                    out.add(row(f, r, random));
                    if (f % 4 == 2 && random.nextInt(10) == 0) {
                        skip.set(r);
                    }
                }
            }
            inputs.add(store.stat(key).orElseThrow());
            skips.add(skip);
        }

        long written = 0;
        try (var merged = new MergedFileWriter(store, "out/merged.parquet", COLUMNS, Set.of("id"), Map.of(),
                new RowWriter.Settings(64 * 1024, 16 * 1024))) {
            for (int f = 0; f < inputs.size(); f++) {
                written += merged.append(store, inputs.get(f), skips.get(f), () -> {
                });
            }
        }

        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            List<String> skipped = new ArrayList<>();
            for (int f = 0; f < skips.size(); f++) {
                int file = f;
                skips.get(f).stream().forEach(r -> skipped.add("'f" + file + "-r" + r + "'"));
            }
            assertThat(skipped).isNotEmpty();
            sql.execute("CREATE TABLE kept AS SELECT CAST(t AS VARCHAR) AS row FROM read_parquet('" + root
                    + "/in/*.parquet') t WHERE id NOT IN (" + String.join(",", skipped) + ")");
            sql.execute("CREATE TABLE merged AS SELECT CAST(t AS VARCHAR) AS row FROM read_parquet('" + root
                    + "/out/merged.parquet') t");
            assertThat(count(sql, "SELECT count(*) FROM kept")).isEqualTo(written);
            assertThat(count(sql, "SELECT count(*) FROM merged")).isEqualTo(written);
            assertThat(count(sql, "SELECT count(*) FROM (SELECT row FROM kept EXCEPT ALL SELECT row FROM merged)"))
                    .isZero();
            assertThat(count(sql, "SELECT count(*) FROM (SELECT row FROM merged EXCEPT ALL SELECT row FROM kept)"))
                    .isZero();
            assertThat(count(sql, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + root
                    + "/out/merged.parquet')")).as("several output row groups").isGreaterThan(1);
        }
    }

    private static long count(Statement sql, String query) throws SQLException {
        try (ResultSet rs = sql.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A row whose values are null now and then, nested ones included. */
    private static Object[] row(int file, int row, Random random) {
        boolean nulls = random.nextInt(5) == 0;
        List<Object> items = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            items.add(random.nextInt(6) == 0 ? null
                    : new Object[] { "sku-" + random.nextInt(50),
                            random.nextInt(3) == 0 ? null : random.nextInt(9),
                            new BigDecimal(random.nextInt(10_000)).movePointLeft(2) });
        }
        Map<String, Object> attrs = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            attrs.put("a" + random.nextInt(3), random.nextInt(4) == 0 ? null : random.nextInt(100));
        }
        return new Object[] { "f" + file + "-r" + row,
                nulls ? null : new BigDecimal(random.nextInt(1_000_000) - 500_000).movePointLeft(2),
                nulls ? null : new BigDecimal(random.nextLong()).movePointLeft(10),
                nulls ? null
                        : Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000),
                                random.nextInt(1_000_000) * 1000L),
                nulls ? null : LocalDate.ofEpochDay(19_000 + random.nextInt(1_000)),
                nulls ? null : random.nextInt(),
                nulls ? null : random.nextLong(),
                nulls ? null : random.nextDouble(),
                nulls ? null : random.nextBoolean(),
                nulls ? null : List.of("EUR", "USD", "GBP").get(random.nextInt(3)),
                nulls ? null : items,
                nulls ? null : attrs,
                nulls ? null : new Object[] { random.nextBoolean() ? null : "DE", random.nextBoolean() } };
    }
}
