package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.bronze.SegmentWriter;
import dev.medallion.lake.journal.RunObserver;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;

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

            ResultSet quarantined = sql.executeQuery("SELECT error_type, field, position, reason FROM read_json('" + lake
                    + "/quarantine/sales/**/*.ndjson', hive_partitioning = true) ORDER BY position");
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
        var tight = new BronzeToSilver.Settings(1024 * 1024, RowWriter.Settings.defaults(), 16 * 1024, 64 * 1024,
                1000);

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

    @Test
    void aRunThatFailsPartWayLeavesNoSilverOrQuarantineObjectsBehind() throws Exception {
        var ndjson = new StringBuilder("not json\n");
        for (int i = 0; i < 5_000; i++) {
            ndjson.append("{\"order_id\":\"o").append(i).append("\",\"amount\":1.25,\"ts\":\"")
                    .append(java.time.LocalDate.of(2026, 1, 1).plusDays(i % 30)).append("T12:00:00Z\"}\n");
        }
        putBronze(BRONZE, ndjson.toString());
        // files roll early, so some are published before the second object turns out to be missing
        var tight = new BronzeToSilver.Settings(1024 * 1024, RowWriter.Settings.defaults(), 4 * 1024, 16 * 1024,
                1000);
        List<String> before = allKeys();

        assertThatThrownBy(() -> new BronzeToSilver(store, tight).run(spec,
                List.of(BRONZE, "bronze/sales/ingest_date=2026-11-02/hour=10/gone.ndjson.gz")))
                .isInstanceOf(ObjectNotFoundException.class);

        assertThat(allKeys()).isEqualTo(before);
        assertThat(new BronzeToSilver(store, tight).run(spec, BRONZE).files()).hasSizeGreaterThan(30);
    }

    @Test
    void theObserverHearsOfProgressWhileAFileIsRewrittenNotOnlyWhileBronzeIsRead() throws Exception {
        var ndjson = new StringBuilder();
        for (int i = 0; i < 6_000; i++) {
            ndjson.append("{\"order_id\":\"o").append(i).append("\",\"amount\":1,\"ts\":\"2026-01-01T12:00:00Z\"}\n");
        }
        ndjson.append("{\"order_id\":\"o0\",\"amount\":2,\"ts\":\"2026-01-01T12:00:00Z\"}\n"); // replaces the first row
        putBronze(BRONZE, ndjson.toString());
        var published = new ArrayList<String>();
        int[] progress = new int[1];
        var observer = new RunObserver() {
            @Override
            public void publishing(String key) {
                published.add(key);
            }

            @Override
            public void progress() {
                progress[0]++;
            }
        };

        TransformResult result = new BronzeToSilver(store).run(spec, List.of(BRONZE), observer);

        assertThat(result.rowsWritten()).isEqualTo(6_000);
        assertThat(published).hasSize(2).first().isEqualTo(published.get(1)); // closed, then rewritten
        // 6,001 rows read and 6,000 rewritten: a heartbeat chance every 2,048 rows of either
        assertThat(progress[0]).isGreaterThanOrEqualTo(5);
    }

    @Test
    void partitionByFieldsPutEachRowUnderItsValueAfterTheDayAndRecordsWithoutAUsableValueGoToQuarantine()
            throws Exception {
        DatasetSpec clicks = DatasetSpecs.parse(new ByteArrayInputStream("""
                datasets:
                  clicks:
                    event-time: ts
                    partition-by: [country]
                    schema:
                      id:      { type: string, required: true }
                      country: string
                      ts:      { type: timestamp, required: true }
                """.getBytes(StandardCharsets.UTF_8))).find("clicks").orElseThrow();
        String bronze = "bronze/clicks/ingest_date=2026-11-02/hour=10/20261102T100000Z-abc.ndjson.gz";
        putBronze(bronze, """
                {"id":"1","country":"DE","ts":"2026-11-01T10:00:00Z"}
                {"id":"2","country":"FR","ts":"2026-11-01T11:00:00Z"}
                {"id":"3","country":"DE","ts":"2026-11-02T10:00:00Z"}
                {"id":"4","ts":"2026-11-02T10:00:00Z"}
                {"id":"5","country":"../x","ts":"2026-11-02T10:00:00Z"}
                """);

        TransformResult result = new BronzeToSilver(store).run(clicks, bronze);

        assertThat(result.files()).extracting(f -> f.key().substring(0, f.key().lastIndexOf('/'))).containsExactly(
                "silver/clicks/year=2026/month=11/day=01/country=DE", "silver/clicks/year=2026/month=11/day=01/country=FR",
                "silver/clicks/year=2026/month=11/day=02/country=DE");
        assertThat(result.files().get(1).partition()).containsEntry("country", "FR").containsEntry("day", "01");
        assertThat(result.quarantinedByKind()).containsEntry("missing_required", 1L).containsEntry("out_of_range", 1L);
        assertThat(rows("SELECT id, country FROM read_parquet('" + lake + "/silver/clicks/**/*.parquet') ORDER BY id"))
                .containsExactly("1|DE", "2|FR", "3|DE");
    }

    private List<String> rows(String query) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery(query);
            List<String> found = new ArrayList<>();
            while (rows.next()) {
                found.add(rows.getString(1) + "|" + rows.getString(2));
            }
            return found;
        }
    }

    @Test
    void segmentsOfEveryFormatGetLineageFromTheirHeaders() throws Exception {
        var sqs = new SegmentHeader("sqs", "m-1", BronzeFormat.NDJSON, Instant.parse("2026-11-02T10:00:01Z"));
        var http = new SegmentHeader("http", "order-batch-7", BronzeFormat.JSON, Instant.parse("2026-11-02T10:00:02Z"));
        var csv = new SegmentHeader("http", "upload-9", BronzeFormat.CSV, Instant.parse("2026-11-02T10:00:03Z"));
        putSegments(BRONZE,
                segment(sqs, """
                        {"order_id":"o1","amount":1,"ts":"2026-11-01T00:00:00Z"}

                        {"order_id":"o2","amount":"x","ts":"2026-11-01T00:00:00Z"}
                        {"order_id":"o3","amount":3,"ts":"2026-11-01T00:00:00Z"}
                        """),
                segment(http, """
                        [{"order_id":"o4","amount":4,"ts":"2026-11-01T00:00:00Z"},
                         {"order_id":"o5","amount":5,"ts":"2026-11-01T00:00:00Z"}]"""),
                segment(csv, "order_id,amount,ts\r\no6,\"6.00\",2026-11-01 00:00:00\r\no7,7,2026-11-01T00:00:00Z\r\n"));

        TransformResult result = new BronzeToSilver(store).run(spec, BRONZE);

        assertThat(result.rowsRead()).isEqualTo(7);
        assertThat(result.rowsWritten()).isEqualTo(6);
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            sql.execute("SET TimeZone='UTC'");
            ResultSet rows = sql.executeQuery("SELECT order_id, amount, _ingest_id, "
                    + "strftime(_ingested_at, '%Y-%m-%dT%H:%M:%S') FROM read_parquet('" + lake
                    + "/silver/**/*.parquet') ORDER BY order_id");
            List<String> found = new ArrayList<>();
            while (rows.next()) {
                found.add(rows.getString(1) + "|" + rows.getBigDecimal(2).toPlainString() + "|" + rows.getString(3)
                        + "|" + rows.getString(4));
            }
            assertThat(found).containsExactly(
                    "o1|1.00|sqs:m-1:1|2026-11-02T10:00:01",
                    "o3|3.00|sqs:m-1:4|2026-11-02T10:00:01",
                    "o4|4.00|http:order-batch-7:1|2026-11-02T10:00:02",
                    "o5|5.00|http:order-batch-7:2|2026-11-02T10:00:02",
                    "o6|6.00|http:upload-9:1|2026-11-02T10:00:03",
                    "o7|7.00|http:upload-9:2|2026-11-02T10:00:03");

            ResultSet quarantined = sql.executeQuery("SELECT error_type, segment_source, segment_id, position, "
                    + "source_object FROM read_json('" + lake + "/quarantine/sales/**/*.ndjson')");
            quarantined.next();
            assertThat(List.of(quarantined.getString(1), quarantined.getString(2), quarantined.getString(3),
                    quarantined.getString(4), quarantined.getString(5)))
                    .containsExactly("type_mismatch", "sqs", "m-1", "3", BRONZE);
            assertThat(quarantined.next()).isFalse();
        }
    }

    @Test
    void theSameBodyStoredInTwoObjectsGetsTheSameLineageIdsAndOneRunKeepsItOnce() throws Exception {
        // an SQS message redelivered after its first object was stored lands again in another object
        var message = new SegmentHeader("sqs", "6b1f0a42", BronzeFormat.NDJSON, Instant.parse("2026-11-02T10:00:00Z"));
        var other = new SegmentHeader("http", "k", BronzeFormat.JSON, Instant.parse("2026-11-02T10:05:00Z"));
        String body = """
                {"order_id":"o1","amount":1,"ts":"2026-11-01T00:00:00Z"}
                {"order_id":"o2","amount":2,"ts":"2026-11-01T00:00:00Z"}
                """;
        String second = "bronze/sales/ingest_date=2026-11-02/hour=10/20261102T100500Z-def.ndjson.gz";
        putSegments(BRONZE, segment(message, body));
        putSegments(second, segment(other, "{\"order_id\":\"o9\",\"amount\":9,\"ts\":\"2026-11-01T00:00:00Z\"}"),
                segment(message, body));

        TransformResult together = new BronzeToSilver(store).run(spec, List.of(BRONZE, second));

        assertThat(together.rowsWritten()).isEqualTo(3);
        assertThat(together.rowsDeduplicated()).isEqualTo(2);
        assertThat(ingestIds()).containsExactly("http:k:1|1", "sqs:6b1f0a42:1|1", "sqs:6b1f0a42:2|1");

        // in separate runs each copy is written, under the same ids, for compaction and Gold to deduplicate
        deleteTree(lake.resolve("silver"));
        new BronzeToSilver(store).run(spec, BRONZE);
        new BronzeToSilver(store).run(spec, second);

        assertThat(ingestIds()).containsExactly("http:k:1|1", "sqs:6b1f0a42:1|2", "sqs:6b1f0a42:2|2");
    }

    @Test
    void oneRunKeepsTheLatestVersionOfEachBusinessKeyWhereverTheEarlierOnesWereWritten() throws Exception {
        var first = new SegmentHeader("sqs", "m-1", BronzeFormat.NDJSON, Instant.parse("2026-11-02T10:00:00Z"));
        var update = new SegmentHeader("sqs", "m-2", BronzeFormat.NDJSON, Instant.parse("2026-11-02T11:00:00Z"));
        var stale = new SegmentHeader("sqs", "m-0", BronzeFormat.NDJSON, Instant.parse("2026-11-02T09:00:00Z"));
        putSegments(BRONZE, segment(first, """
                {"order_id":"o1","amount":1,"ts":"2026-11-01T00:00:00Z"}
                {"order_id":"o2","amount":2,"ts":"2026-11-01T00:00:00Z"}
                {"order_id":"o3","amount":3,"ts":"2026-11-02T00:00:00Z"}
                {"order_id":"o4","amount":4,"ts":"2026-11-04T00:00:00Z"}
                {"order_id":"o5","amount":5,"ts":"2026-11-01T00:00:00Z"}
                """), segment(update, """
                {"order_id":"o1","amount":10,"ts":"2026-11-03T00:00:00Z"}
                {"order_id":"o2","amount":20,"ts":"2026-11-01T00:00:00Z"}
                {"order_id":"o4","amount":40,"ts":"2026-11-05T00:00:00Z"}
                """), segment(stale, """
                {"order_id":"o3","amount":30,"ts":"2026-11-02T00:00:00Z"}
                """));

        TransformResult result = new BronzeToSilver(store).run(spec, BRONZE);

        assertThat(result.rowsDeduplicated()).isEqualTo(4);
        assertThat(result.rowsWritten()).isEqualTo(5);
        assertThat(result.files()).extracting(f -> f.partition().get("day")).containsExactlyInAnyOrder("01", "02",
                "03", "05"); // day 04 held only o4's first version: its file is gone
        assertThat(allKeys()).noneMatch(k -> k.contains("day=04"));
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT order_id, amount, day FROM read_parquet('" + lake
                    + "/silver/**/*.parquet', hive_partitioning = true) ORDER BY order_id");
            List<String> found = new ArrayList<>();
            while (rows.next()) {
                found.add(rows.getString(1) + "|" + rows.getBigDecimal(2).stripTrailingZeros().toPlainString() + "|"
                        + rows.getString(3));
            }
            assertThat(found).containsExactly("o1|10|03", "o2|20|01", "o3|3|02", "o4|40|05", "o5|5|01");
            ResultSet counted = sql.executeQuery("SELECT sum(rows) FROM (SELECT count(*) AS rows FROM read_parquet('"
                    + lake + "/silver/**/*.parquet'))");
            counted.next();
            assertThat(counted.getLong(1)).isEqualTo(result.files().stream().mapToLong(f -> f.rows()).sum());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private List<String> ingestIds() throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT _ingest_id, count(*) FROM read_parquet('" + lake
                    + "/silver/**/*.parquet') GROUP BY _ingest_id ORDER BY 1");
            List<String> found = new ArrayList<>();
            while (rows.next()) {
                found.add(rows.getString(1) + "|" + rows.getLong(2));
            }
            return found;
        }
    }

    @Test
    void aTruncatedSegmentKeepsItsGoodRecordsAndQuarantinesTheCut() throws Exception {
        var header = new SegmentHeader("sqs", "m-1", BronzeFormat.NDJSON, Instant.parse("2026-11-02T10:00:00Z"));
        var ndjson = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            ndjson.append("{\"order_id\":\"o").append(i).append("\",\"amount\":").append(i)
                    .append(",\"ts\":\"2026-11-01T00:00:00Z\"}\n");
        }
        byte[] whole = segment(header, ndjson.toString());
        putSegments(BRONZE, java.util.Arrays.copyOf(whole, whole.length / 2));

        TransformResult result = new BronzeToSilver(store).run(spec, BRONZE);

        assertThat(result.quarantinedByKind()).containsOnly(Map.entry("truncated_input", 1L));
        assertThat(result.rowsWritten()).isGreaterThan(100).isEqualTo(result.rowsRead() - 1);
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

    private static byte[] segment(SegmentHeader header, String body) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream segment = SegmentWriter.open(out, header, 1)) {
            segment.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private void putSegments(String key, byte[]... segments) throws IOException {
        try (OutputStream out = store.create(key, Map.of())) {
            for (byte[] segment : segments) {
                out.write(segment);
            }
        }
    }

    private void putBronze(String key, String ndjson) throws IOException {
        try (OutputStream out = new GZIPOutputStream(store.create(key, Map.of()))) {
            out.write(ndjson.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Files.exists(lake.resolve(key))).isTrue();
    }
}
