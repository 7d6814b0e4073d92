package dev.medallion.lake.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.parquet.UnreadableFileException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.ForwardingObjectStore;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.store.MutableClock;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.transform.Promotion;
import dev.medallion.lake.transform.TransformResult;

/** Compaction over a real directory, checked with DuckDB; crashes are simulated by an {@link Error} mid-merge. */
class CompactionTest {
    private static final String SPEC = """
            datasets:
              sales:
                event-time: ts
                key: order_id
                schema:
                  order_id: { type: string, required: true }
                  amount:   { type: "decimal(12,2)" }
                  ts:       { type: timestamp, required: true }
            """;
    private static final String PARTITION = "year=2026/month=11/day=20";
    private static final String PREFIX = "silver/sales/" + PARTITION + "/";
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Instant INGESTED = Instant.parse("2026-11-20T08:00:00Z");

    @TempDir
    Path root;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<String> recovered = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> unreadable = new ArrayList<>();
    /** The step at which the simulated process dies, or empty. */
    private String crashAt = "";
    private DatasetSpec spec;
    private LocalObjectStore lake;
    private ObjectStore store;

    /** A process dying: not an exception the code under test could catch and clean up after. */
    private static final class Crash extends Error {
        Crash(String step) {
            super("simulated crash at " + step);
        }
    }

    @BeforeEach
    void setUp() {
        spec = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.getBytes(StandardCharsets.UTF_8))).find("sales")
                .orElseThrow();
        lake = new LocalObjectStore(root);
        store = new ForwardingObjectStore(lake) {
            @Override
            public boolean createIfAbsent(String key, byte[] content) {
                if (key.endsWith(".decision") && new String(content, StandardCharsets.UTF_8).contains("true")) {
                    crash("commit");
                }
                return super.createIfAbsent(key, content);
            }

            @Override
            public void deleteAll(Collection<String> keys) {
                if (keys.stream().anyMatch(k -> k.contains("/small-"))) {
                    crash("delete-inputs");
                }
                super.deleteAll(keys);
            }
        };
    }

    private void crash(String step) {
        if (crashAt.equals(step)) {
            crashAt = "";
            throw new Crash(step);
        }
    }

    private Compaction compaction(String owner) {
        var settings = new Compaction.Settings(
                new CompactionPlanner.Settings(128L * 1024 * 1024, 0.75, 3, Duration.ofMinutes(1)),
                RowWriter.Settings.defaults(), 1_000_000);
        return new Compaction(store, Compaction.journal(store, LEASE, clock), Promotion.journal(store, LEASE, clock),
                Compaction.leases(store, owner, LEASE, clock), settings, new Compaction.Listener() {
                    @Override
                    public void merged(DatasetSpec s, Merge merge, Duration took) {
                    }

                    @Override
                    public void failed(DatasetSpec s, String partition, List<String> inputs, RuntimeException e) {
                        failures.add(e.getMessage());
                    }

                    @Override
                    public void unreadable(DatasetSpec s, String key, UnreadableFileException problem) {
                        unreadable.add(key);
                    }

                    @Override
                    public void recovered(DatasetSpec s, RunJournal.Intent run, boolean committed) {
                        recovered.add(committed ? "forward" : "back");
                    }
                }, clock);
    }

    /** Writes a Silver file of orders {@code from} to {@code to - 1}, each of amount 1.00, ingested at {@code at}. */
    private void silverFile(String name, int from, int to, Instant at) {
        try (var out = new RowWriter(lake, PREFIX + name, SilverColumns.of(spec), Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            for (int i = from; i < to; i++) {
                out.add(row("o-" + i, "1.00", name + ":" + i, at));
            }
        }
    }

    /** A Silver row, its values placed by column name. */
    private Object[] row(String orderId, String amount, String lineageId, Instant ingestedAt) {
        Map<String, Object> values = Map.of("order_id", orderId, "amount", new BigDecimal(amount), "ts",
                Instant.parse("2026-11-20T10:00:00Z"), SilverColumns.INGEST_ID, lineageId,
                SilverColumns.SOURCE_OBJECT, "bronze/sales/x", SilverColumns.INGESTED_AT, ingestedAt);
        return SilverColumns.of(spec).stream().map(c -> values.get(c.name())).toArray();
    }

    private void fiveSmallFilesWithAnOverlap() {
        for (int f = 0; f < 5; f++) {
            silverFile("small-" + f + ".parquet", f * 100, f * 100 + 100, INGESTED.plusSeconds(f));
        }
        // o-0..o-9 again, ingested later, with another amount: these versions must win
        try (var out = new RowWriter(lake, PREFIX + "small-5.parquet", SilverColumns.of(spec), Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            for (int i = 0; i < 10; i++) {
                out.add(row("o-" + i, "5.00", "late:" + i, INGESTED.plusSeconds(3600)));
            }
        }
        clock.advance(Duration.ofMinutes(2)); // settled
    }

    private List<String> files() {
        try (Stream<ObjectInfo> objects = lake.list(PREFIX)) {
            return objects.map(o -> o.key().substring(PREFIX.length())).toList();
        }
    }

    /** Rows, distinct keys and the sum of amounts in the partition, read by DuckDB. */
    private String query() throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet rs = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), sum(amount) FROM "
                        + "read_parquet('" + root.resolve(PREFIX) + "/*.parquet')")) {
            rs.next();
            return rs.getLong(1) + " rows, " + rs.getLong(2) + " keys, " + rs.getBigDecimal(3);
        }
    }

    @Test
    void mergesSmallFilesIntoOneKeepingTheLatestVersionOfEachKeyAndDeletesTheInputs() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        assertThat(query()).isEqualTo("510 rows, 500 keys, 550.00");

        Compaction.Outcome outcome = compaction("a").compact(spec, PARTITION);

        assertThat(outcome.merges()).singleElement().satisfies(m -> {
            assertThat(m.rowsRead()).isEqualTo(510);
            assertThat(m.rowsDeduplicated()).isEqualTo(10);
            assertThat(m.rowsWritten()).isEqualTo(500);
        });
        assertThat(files()).singleElement().asString().startsWith("part-");
        try {
            java.nio.file.Files.copy(root.resolve(PREFIX + files().get(0)), java.nio.file.Path.of("/tmp/dbg.parquet"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
        }
        assertThat(query()).isEqualTo("500 rows, 500 keys, 540.00");
        assertThat(lake.list("_state/compaction/runs/")).isEmpty();
    }

    @Test
    void aDatasetsOwnTargetSizeOverridesTheServiceDefault() {
        DatasetSpec big = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.replace("    key: order_id\n",
                "    key: order_id\n    compaction: { target-file-size: 512MB }\n").getBytes(StandardCharsets.UTF_8)))
                .find("sales").orElseThrow();

        assertThat(compaction("a").plan(big).targetBytes()).isEqualTo(512L << 20);
        assertThat(compaction("a").plan(spec).targetBytes()).isEqualTo(128L << 20);
    }

    @Test
    void partitionsByAFieldAfterTheDayAreCompactedEachOnItsOwn() {
        DatasetSpec clicks = DatasetSpecs.parse(new ByteArrayInputStream("""
                datasets:
                  clicks:
                    event-time: ts
                    partition-by: [country]
                    schema:
                      click_id: { type: string, required: true }
                      country:  { type: string, required: true }
                      ts:       { type: timestamp, required: true }
                """.getBytes(StandardCharsets.UTF_8))).find("clicks").orElseThrow();
        for (String country : List.of("DE", "FR")) {
            for (int f = 0; f < 3; f++) {
                String key = "silver/clicks/" + PARTITION + "/country=" + country + "/part-" + f + ".parquet";
                try (var out = new RowWriter(lake, key, SilverColumns.of(clicks), Set.of(), Map.of(),
                        RowWriter.Settings.defaults())) {
                    Map<String, Object> values = Map.of("click_id", country + f, "country", country, "ts",
                            Instant.parse("2026-11-20T10:00:00Z"), SilverColumns.INGEST_ID, key + ":0",
                            SilverColumns.SOURCE_OBJECT, "bronze/clicks/x", SilverColumns.INGESTED_AT, INGESTED);
                    out.add(SilverColumns.of(clicks).stream().map(c -> values.get(c.name())).toArray());
                }
            }
        }
        clock.advance(Duration.ofMinutes(2));
        Compaction compaction = compaction("a");

        assertThat(compaction.partitions(clicks)).containsOnlyKeys(PARTITION + "/country=DE",
                PARTITION + "/country=FR");
        Compaction.Outcome outcome = compaction.compact(clicks, PARTITION + "/country=DE");

        assertThat(outcome.merges()).singleElement().satisfies(m -> {
            assertThat(m.rowsWritten()).isEqualTo(3);
            assertThat(m.outputs()).singleElement()
                    .satisfies(o -> assertThat(o.partition()).containsEntry("country", "DE"));
        });
        assertThat(compaction.partitions(clicks).get(PARTITION + "/country=DE")).hasSize(1);
        assertThat(compaction.partitions(clicks).get(PARTITION + "/country=FR")).hasSize(3);
    }

    @Test
    void aDryRunPlansWithoutChangingAnything() {
        fiveSmallFilesWithAnOverlap();

        List<Compaction.PartitionPlan> plans = compaction("a").plan(spec, java.util.Optional.empty());

        assertThat(plans).singleElement().satisfies(p -> {
            assertThat(p.partition()).isEqualTo(PARTITION);
            assertThat(p.files()).isEqualTo(6);
            assertThat(p.plan().groups()).singleElement().satisfies(g -> assertThat(g.files()).hasSize(6));
        });
        assertThat(files()).hasSize(6);
    }

    @Test
    void aCrashBeforeTheCommitIsRolledBackAfterTheLeaseAndTheOldFilesStay() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        crashAt = "commit";
        try {
            compaction("a").compact(spec, PARTITION);
        } catch (Crash expected) {
            // the process died with its output visible beside the inputs
        }
        assertThat(files()).hasSize(7);

        assertThat(compaction("b").compact(spec, PARTITION).skipped()).as("the dead owner's lease still runs")
                .isPresent();
        clock.advance(LEASE.plusSeconds(1));
        Compaction.Outcome outcome = compaction("b").compact(spec, PARTITION);

        assertThat(recovered).containsExactly("back");
        assertThat(outcome.merges()).hasSize(1);
        assertThat(query()).isEqualTo("500 rows, 500 keys, 540.00");
        assertThat(files()).hasSize(1);
    }

    @Test
    void aCrashAfterTheCommitIsRolledForwardAtStartUp() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        crashAt = "delete-inputs";
        try {
            compaction("a").compact(spec, PARTITION);
        } catch (Crash expected) {
            // the process died after its commit, before the inputs were deleted
        }
        assertThat(files()).hasSize(7);
        clock.advance(LEASE.plusSeconds(1));

        assertThat(compaction("b").recoverAll(spec)).isEqualTo(1);

        assertThat(recovered).containsExactly("forward");
        assertThat(files()).singleElement().asString().startsWith("part-");
        assertThat(query()).isEqualTo("500 rows, 500 keys, 540.00");
    }

    @Test
    void anUnreadableFileIsLeftAloneAndTheOthersAreMergedWithoutIt() throws Exception {
        fiveSmallFilesWithAnOverlap();
        try (var out = lake.create(PREFIX + "small-9.parquet", Map.of())) {
            out.write("not parquet".getBytes(StandardCharsets.UTF_8));
        }
        clock.advance(Duration.ofMinutes(2));
        Compaction compaction = compaction("a");

        Compaction.Outcome outcome = compaction.compact(spec, PARTITION);

        assertThat(unreadable).containsExactly(PREFIX + "small-9.parquet");
        assertThat(outcome.merges()).singleElement().satisfies(m -> assertThat(m.inputs()).hasSize(6));
        assertThat(files()).containsExactlyInAnyOrder("small-9.parquet", files().stream()
                .filter(f -> f.startsWith("part-")).findFirst().orElseThrow());
        assertThat(compaction.plan(spec, java.util.Optional.empty())).singleElement()
                .satisfies(p -> assertThat(p.plan().groups()).as("not planned again").isEmpty());
    }

    @Test
    void filesOfATransformRunThatMayStillRollBackAreNotMerged() {
        fiveSmallFilesWithAnOverlap();
        RunJournal<TransformResult>.Run open = Promotion.journal(store, LEASE, clock).begin("sales", "abc",
                List.of());
        open.publishing(PREFIX + "small-5.parquet");
        open.publishing(PREFIX + "small-4.parquet");

        Compaction.Outcome outcome = compaction("a").compact(spec, PARTITION);

        assertThat(outcome.merges()).singleElement().satisfies(m -> assertThat(m.inputs()).hasSize(4));
        assertThat(files()).contains("small-4.parquet", "small-5.parquet").hasSize(3);
    }
}
