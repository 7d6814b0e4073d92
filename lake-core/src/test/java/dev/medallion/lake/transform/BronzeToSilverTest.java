package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.store.ObjectInfo;

class BronzeToSilverTest {
    private static final String SPEC = """
            datasets:
              sales:
                event-time: ts
                key: order_id
                unknown-fields: keep
                schema:
                  order_id: { type: string, required: true }
                  amount:   { type: "decimal(12,2)", required: true }
                  ts:       { type: timestamp, required: true }
                  items:    { type: "list<struct<sku:string,qty:int>>" }
            """;
    private static final String BRONZE = "bronze/sales/ingest_date=2026-11-02/hour=10/20261102T100000Z-abc.ndjson.gz";

    @TempDir
    Path lake;
    LocalObjectStore store;
    DatasetSpec spec;

    @BeforeEach
    void setUp() {
        store = new LocalObjectStore(lake);
        spec = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.getBytes(StandardCharsets.UTF_8))).find("sales")
                .orElseThrow();
    }

    @Test
    void goodRecordsReachSilverPartitionsAndBadOnesQuarantineWithTheirReason() throws Exception {
        putBronze(BRONZE, """
                {"order_id":"o1","amount":10.50,"ts":"2026-10-31T23:30:00-02:00","items":[{"sku":"a","qty":2}]}
                {"order_id":"o2","amount":"4.25","ts":"2026-11-01T08:00:00Z","promo":"x"}
                {"order_id":"o3","amount":"abc","ts":"2026-11-01T08:00:00Z"}
                {"order_id":"o4","ts":"2026-11-01T09:00:00Z"}
                {not json
                {"order_id":"o5","amount":-1.00,"ts":1793534400}
                """);

        TransformResult result = new BronzeToSilver(store).run(spec, BRONZE);

        assertThat(result.rowsRead()).isEqualTo(6);
        assertThat(result.rowsWritten()).isEqualTo(3);
        assertThat(result.quarantinedByKind()).containsOnly(Map.entry("type_mismatch", 1L),
                Map.entry("missing_required", 1L), Map.entry("malformed_json", 1L));
        // 2026-10-31T23:30-02:00 is 2026-11-01T01:30Z: partitions are by UTC event time
        assertThat(result.files()).extracting(f -> f.partition().get("day")).containsOnly("01");

        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            sql.execute("SET TimeZone='UTC'");
            ResultSet rows = sql.executeQuery("SELECT count(*), sum(amount), min(year), min(month), min(day) "
                    + "FROM read_parquet('" + lake + "/silver/**/*.parquet', hive_partitioning = true)");
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(3);
            assertThat(rows.getBigDecimal(2)).isEqualByComparingTo(new BigDecimal("13.75"));
            assertThat(List.of(rows.getInt(3), rows.getInt(4), rows.getInt(5))).containsExactly(2026, 11, 1);

            ResultSet first = sql.executeQuery("SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S'), items[1].qty, _extra, "
                    + "_ingest_id, _source_object FROM read_parquet('" + lake + "/silver/**/*.parquet') "
                    + "ORDER BY order_id");
            first.next();
            assertThat(first.getString(1)).isEqualTo("2026-11-01T01:30:00");
            assertThat(first.getInt(2)).isEqualTo(2);
            assertThat(first.getString(4)).isEqualTo("20261102T100000Z-abc:1");
            assertThat(first.getString(5)).isEqualTo(BRONZE);
            first.next();
            assertThat(first.getString(3)).isEqualTo("{\"promo\":\"x\"}");

            ResultSet quarantined = sql.executeQuery("SELECT error_type, field, line, reason FROM read_json('" + lake
                    + "/quarantine/sales/**/*.ndjson', hive_partitioning = true) ORDER BY line");
            List<String> found = new ArrayList<>();
            while (quarantined.next()) {
                found.add(quarantined.getString(1) + "|" + quarantined.getString(2) + "|" + quarantined.getLong(3));
            }
            assertThat(found).containsExactly("type_mismatch|amount|3", "missing_required|amount|4",
                    "malformed_json||5");
        }
    }

    @Test
    void rerunningOverTheSameInputOverwritesItsOwnOutput() throws Exception {
        putBronze(BRONZE, """
                {"order_id":"o1","amount":1,"ts":"2026-11-01T00:00:00Z"}
                {"order_id":"o2","amount":2,"ts":"2026-11-05T00:00:00Z"}
                bad
                """);
        var transform = new BronzeToSilver(store);

        TransformResult first = transform.run(spec, BRONZE);
        List<String> keysAfterFirst = allKeys();
        TransformResult second = transform.run(spec, BRONZE);

        assertThat(second.files()).extracting(f -> f.key())
                .containsExactlyElementsOf(first.files().stream().map(f -> f.key()).toList());
        assertThat(allKeys()).isEqualTo(keysAfterFirst);
        assertThat(countSilverRows()).isEqualTo(2);
    }

    @Test
    void boundsBufferedBytesByRollingFilesWhateverThePartitionCount() throws Exception {
        var ndjson = new StringBuilder();
        long cents = 0;
        for (int i = 0; i < 20_000; i++) {
            int day = i % 60;
            ndjson.append("{\"order_id\":\"o").append(i).append("\",\"amount\":").append(i).append(".25,\"ts\":\"")
                    .append(java.time.LocalDate.of(2026, 1, 1).plusDays(day)).append("T12:00:00Z\"}\n");
            cents += i * 100L + 25;
        }
        putBronze(BRONZE, ndjson.toString());
        var tight = new BronzeToSilver.Settings(1024 * 1024, RowWriter.Settings.defaults(), 16 * 1024, 64 * 1024);

        TransformResult first = new BronzeToSilver(store, tight).run(spec, BRONZE);
        List<String> keys = allKeys();
        TransformResult second = new BronzeToSilver(store, tight).run(spec, BRONZE);

        assertThat(first.rowsWritten()).isEqualTo(20_000);
        assertThat(first.files()).hasSizeGreaterThan(60)
                .anySatisfy(f -> assertThat(f.key()).endsWith("-00001.parquet"));
        assertThat(second.files()).isEqualTo(first.files());
        assertThat(allKeys()).isEqualTo(keys);
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT count(*), sum(amount), count(DISTINCT order_id), "
                    + "count(DISTINCT (year, month, day)) FROM read_parquet('" + lake + "/silver/**/*.parquet', "
                    + "hive_partitioning = true)");
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(20_000);
            assertThat(rows.getBigDecimal(2)).isEqualByComparingTo(BigDecimal.valueOf(cents, 2));
            assertThat(rows.getLong(3)).isEqualTo(20_000);
            assertThat(rows.getLong(4)).isEqualTo(60);
        }
    }

    private long countSilverRows() throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT count(*) FROM read_parquet('" + lake + "/silver/**/*.parquet')");
            rows.next();
            return rows.getLong(1);
        }
    }

    private List<String> allKeys() {
        try (var keys = store.list("")) {
            return keys.map(ObjectInfo::key).toList();
        }
    }

    private void putBronze(String key, String ndjson) throws IOException {
        try (OutputStream out = new GZIPOutputStream(store.create(key, Map.of()))) {
            out.write(ndjson.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Files.exists(lake.resolve(key))).isTrue();
    }
}
