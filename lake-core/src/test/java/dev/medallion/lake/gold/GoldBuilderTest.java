package dev.medallion.lake.gold;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.bronze.SegmentWriter;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ForwardingObjectStore;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.transform.BronzeToSilver;

class GoldBuilderTest {
    private static final String SPEC = """
            datasets:
              sales:
                event-time: ts
                key: order_id
                schema:
                  order_id: { type: string, required: true }
                  customer: string
                  channel:  string
                  amount:   { type: "decimal(12,2)", required: true }
                  qty:      int
                  ts:       { type: timestamp, required: true }
                gold:
                  daily_by_channel:
                    dimensions: [channel]
                    measures:
                      orders: count
                      revenue: sum(amount)
                      units: sum(qty)
                      avg_amount: avg(amount)
                      smallest: min(amount)
                      latest: max(ts)
                      customers: approx_count_distinct(customer)
                  daily_total:
                    measures: { orders: count(*), revenue: sum(amount) }
            """;

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
    void aRecordSentTwiceCountsOnceAndTheLatestVersionWins() throws Exception {
        // two runs, so Silver holds both versions of o2 and both copies of o3
        bronze("bronze/sales/a.ndjson.gz", "sqs", "m-1", "2026-11-02T10:00:00Z", """
                {"order_id":"o1","customer":"c1","channel":"web","amount":10.00,"qty":1,"ts":"2026-11-01T08:00:00Z"}
                {"order_id":"o2","customer":"c2","channel":"web","amount":20.00,"qty":2,"ts":"2026-11-01T09:00:00Z"}
                {"order_id":"o3","customer":"c1","channel":"shop","amount":5.50,"qty":3,"ts":"2026-11-01T10:00:00Z"}
                {"order_id":"o4","customer":"c3","channel":"shop","amount":7.00,"ts":"2026-11-02T10:00:00Z"}
                """);
        bronze("bronze/sales/b.ndjson.gz", "sqs", "m-2", "2026-11-02T11:00:00Z", """
                {"order_id":"o2","customer":"c2","channel":"web","amount":25.00,"qty":2,"ts":"2026-11-01T09:30:00Z"}
                {"order_id":"o3","customer":"c1","channel":"shop","amount":5.50,"qty":3,"ts":"2026-11-01T10:00:00Z"}
                """);
        new BronzeToSilver(store).run(spec, "bronze/sales/a.ndjson.gz");
        new BronzeToSilver(store).run(spec, "bronze/sales/b.ndjson.gz");

        var builder = new GoldBuilder(store, RowWriter.Settings.defaults(), 1000);
        List<GoldBuilder.Rebuilt> rebuilt = builder.rebuild(spec,
                List.of(LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-02")));

        assertThat(rebuilt).hasSize(4).allSatisfy(r -> assertThat(r.file()).isNotNull());
        assertThat(query("SELECT event_date, channel, orders, revenue, units, avg_amount, smallest, latest, customers "
                + "FROM read_parquet('" + lake + "/gold/daily_by_channel/**/*.parquet') ORDER BY 1, 2")).containsExactly(
                        "2026-11-01|shop|1|5.50|3|5.5|5.50|2026-11-01T10:00Z|1",
                        "2026-11-01|web|2|35.00|3|17.5|10.00|2026-11-01T09:30Z|2",
                        "2026-11-02|shop|1|7.00|null|7.0|7.00|2026-11-02T10:00Z|1");
        assertThat(query("SELECT event_date, orders, revenue, year, month, day FROM read_parquet('" + lake
                + "/gold/daily_total/**/*.parquet', hive_partitioning = true) ORDER BY 1")).containsExactly(
                        "2026-11-01|3|40.50|2026|11|01", "2026-11-02|1|7.00|2026|11|02");

        // the same Silver gives the same objects, byte for byte
        byte[] before = Files.readAllBytes(lake.resolve(rebuilt.get(0).file().key()));
        builder.rebuild(spec, List.of(LocalDate.parse("2026-11-01")));
        assertThat(Files.readAllBytes(lake.resolve(rebuilt.get(0).file().key()))).isEqualTo(before);
    }

    @Test
    void aDayWhoseFilesAreCompactedWhileItIsReadIsReadAgainFromTheMergedFile() throws Exception {
        bronze("bronze/sales/a.ndjson.gz", "sqs", "m-1", "2026-11-02T10:00:00Z", """
                {"order_id":"o1","customer":"c1","channel":"web","amount":10.00,"qty":1,"ts":"2026-11-01T08:00:00Z"}
                """);
        bronze("bronze/sales/b.ndjson.gz", "sqs", "m-2", "2026-11-02T11:00:00Z", """
                {"order_id":"o2","customer":"c2","channel":"web","amount":20.00,"qty":2,"ts":"2026-11-01T09:00:00Z"}
                """);
        new BronzeToSilver(store).run(spec, "bronze/sales/a.ndjson.gz");
        new BronzeToSilver(store).run(spec, "bronze/sales/b.ndjson.gz");
        String day = "silver/sales/year=2026/month=11/day=01/";
        List<ObjectInfo> before = store.list(day).toList();
        // compaction replaces both files by one between Gold's listing and its reading
        var racing = new ForwardingObjectStore(store) {
            private boolean listed;

            @Override
            public Stream<ObjectInfo> list(String prefix) {
                Stream<ObjectInfo> listing = super.list(prefix);
                if (prefix.equals(day) && !listed) {
                    listed = true;
                    List<ObjectInfo> seen = listing.toList();
                    merge(before, day + "part-merged-00000.parquet");
                    return seen.stream();
                }
                return listing;
            }
        };

        new GoldBuilder(racing, RowWriter.Settings.defaults(), 1000).rebuild(spec, List.of(LocalDate.parse("2026-11-01")));

        assertThat(query("SELECT orders, revenue FROM read_parquet('" + lake + "/gold/daily_total/**/*.parquet')"))
                .containsExactly("2|30.00");
    }

    /** Replaces {@code files} by one file of their rows, as compaction would. */
    private void merge(List<ObjectInfo> files, String merged) {
        List<FieldType.Field> columns = SilverColumns.of(spec);
        try (var out = new RowWriter(store, merged, columns, Set.of(), Map.of(), RowWriter.Settings.defaults())) {
            for (ObjectInfo file : files) {
                try (var reader = new RowReader(store, file.key(), columns)) {
                    for (Object[] row = reader.next(); row != null; row = reader.next()) {
                        out.add(row);
                    }
                }
            }
        }
        files.forEach(f -> store.delete(f.key()));
    }

    @Test
    void aDayWithoutSilverRowsLosesItsGoldObject() throws Exception {
        bronze("bronze/sales/a.ndjson.gz", "sqs", "m-1", "2026-11-02T10:00:00Z",
                "{\"order_id\":\"o1\",\"channel\":\"web\",\"amount\":1,\"ts\":\"2026-11-05T08:00:00Z\"}\n");
        new BronzeToSilver(store).run(spec, "bronze/sales/a.ndjson.gz");
        var builder = new GoldBuilder(store, RowWriter.Settings.defaults(), 1000);
        builder.rebuild(spec, List.of(LocalDate.parse("2026-11-05")));
        assertThat(lake.resolve("gold/daily_total/year=2026/month=11/day=05/part-00000.parquet")).exists();

        try (var files = Files.walk(lake.resolve("silver"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Files.delete(p);
            }
        }
        List<GoldBuilder.Rebuilt> rebuilt = builder.rebuild(spec, List.of(LocalDate.parse("2026-11-05")));

        assertThat(rebuilt).allSatisfy(r -> assertThat(r.file()).isNull());
        assertThat(lake.resolve("gold/daily_total/year=2026/month=11/day=05/part-00000.parquet")).doesNotExist();
    }

    private void bronze(String key, String source, String id, String receivedAt, String ndjson) throws IOException {
        var header = new SegmentHeader(source, id, BronzeFormat.NDJSON, Instant.parse(receivedAt));
        try (OutputStream out = store.create(key, Map.of())) {
            try (OutputStream segment = SegmentWriter.open(out, header, 1)) {
                segment.write(ndjson.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static List<String> query(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = db.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            ResultSet rows = statement.executeQuery(sql);
            List<String> found = new ArrayList<>();
            int width = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= width; i++) {
                    values.add(String.valueOf(rows.getString(i)));
                }
                found.add(String.join("|", values));
            }
            return found;
        }
    }
}
