package dev.medallion.lake.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.SocketException;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.generations.Generations;
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
import dev.medallion.lake.store.ObjectWriter;
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
    private static final Duration GRACE = Duration.ofMinutes(30);
    private static final Instant INGESTED = Instant.parse("2026-11-20T08:00:00Z");

    @TempDir
    Path root;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<String> recovered = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> unreadable = new ArrayList<>();
    private final List<String> moved = new ArrayList<>();
    private final List<String> awaitingCatalog = new ArrayList<>();
    /** The step at which the simulated process dies, or empty. */
    private String crashAt = "";
    /** What happens just before a partition's generation pointer is saved: another process writing, say. */
    private Runnable beforeSwitch = () -> {
    };
    /** Objects whose next read fails halfway, as when the connection to S3 is reset mid-body. */
    private final Set<String> resetOnce = new HashSet<>();
    private DatasetSpec spec;
    /** The same table, its partitions found by their registered location: compaction moves them. */
    private DatasetSpec registered;
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
        registered = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.replace("    key: order_id\n",
                "    key: order_id\n    catalog: { database: lake, partitions: registered }\n")
                .getBytes(StandardCharsets.UTF_8))).find("sales").orElseThrow();
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
            public ObjectWriter create(String key, Map<String, String> metadata) {
                if (key.startsWith("_state/generations/")) {
                    crash("switch");
                    Runnable once = beforeSwitch;
                    beforeSwitch = () -> {
                    };
                    once.run();
                }
                return super.create(key, metadata);
            }

            @Override
            public InputStream open(String key, long offset) {
                InputStream in = super.open(key, offset);
                if (!resetOnce.remove(key)) {
                    return in;
                }
                return new FilterInputStream(in) {
                    @Override
                    public int read() throws IOException {
                        throw new SocketException("Connection reset");
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        throw new SocketException("Connection reset");
                    }
                };
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
                new RowWriter.Settings(Compaction.Settings.MIN_ROW_GROUP_BYTES, 1024 * 1024), 1_000_000, GRACE);
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

                    @Override
                    public void moved(DatasetSpec s, Merge merge) {
                        moved.add(merge.partition() + " -> " + merge.generation());
                    }

                    @Override
                    public void awaitingCatalog(DatasetSpec s, String partition, String generation) {
                        awaitingCatalog.add(partition + " -> " + generation);
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

    /** Rows, distinct keys and the sum of amounts in the partition's own folder, read by DuckDB. */
    private String query() throws SQLException {
        return query(PREFIX);
    }

    /** Rows, distinct keys and the sum of amounts of the files in a folder (not below it), read by DuckDB. */
    private String query(String folder) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet rs = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), sum(amount) FROM "
                        + "read_parquet('" + root.resolve(folder) + "/*.parquet')")) {
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
    void mergedRowGroupsUnder64MiBOrOverTheTargetAreRefused() {
        var plan = new CompactionPlanner.Settings(128L * 1024 * 1024, 0.75, 3, Duration.ofMinutes(1));
        assertThatThrownBy(() -> new Compaction.Settings(plan, new RowWriter.Settings(32L * 1024 * 1024, 1024 * 1024),
                1_000, GRACE)).isInstanceOf(ValidationException.class).hasMessageContaining("64 MiB");
        assertThatThrownBy(() -> new Compaction.Settings(plan, new RowWriter.Settings(256L * 1024 * 1024, 1024 * 1024),
                1_000, GRACE)).isInstanceOf(ValidationException.class).hasMessageContaining("target file size");
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

    /** A connection reset while a file is read says nothing about the file: it must not be left out for good. */
    @Test
    void aFileTheStoreFailsToServeIsMergedAtTheNextAttemptNotLeftOut() throws Exception {
        fiveSmallFilesWithAnOverlap();
        clock.advance(Duration.ofMinutes(2));
        Compaction compaction = compaction("a");
        resetOnce.add(PREFIX + "small-3.parquet");

        Compaction.Outcome failed = compaction.compact(spec, PARTITION);

        assertThat(resetOnce).as("the read failed").isEmpty();
        assertThat(unreadable).isEmpty();
        assertThat(failed.merges()).isEmpty();
        assertThat(failed.failed()).isEqualTo(1);
        assertThat(files()).hasSize(6);

        Compaction.Outcome retried = compaction.compact(spec, PARTITION);

        assertThat(retried.merges()).singleElement().satisfies(m -> assertThat(m.inputs()).hasSize(6));
        assertThat(files()).singleElement().asString().startsWith("part-");
        assertThat(query()).isEqualTo("500 rows, 500 keys, 540.00");
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

    @Test
    void aRegisteredPartitionMovesToANewGenerationAndTheOldOneIsDeletedAfterTheGracePeriod() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        Compaction compaction = compaction("a");

        Merge merge = compaction.compact(registered, PARTITION).merges().get(0);

        String moved = PREFIX + "_gen=" + merge.generation() + "/";
        assertThat(merge.rowsWritten()).isEqualTo(500);
        assertThat(generations().currentFolder(registered, PARTITION)).isEqualTo(moved);
        assertThat(this.moved).containsExactly(PARTITION + " -> " + merge.generation());
        assertThat(query(moved)).isEqualTo("500 rows, 500 keys, 540.00");
        assertThat(query(PREFIX)).as("a query that found the partition before the move still reads it whole")
                .isEqualTo("510 rows, 500 keys, 550.00");
        assertThat(compaction.partitions(registered).get(PARTITION)).hasSize(1);
        assertThat(compaction.plan(registered, java.util.Optional.empty()).get(0).plan().groups()).isEmpty();

        clock.advance(GRACE.plusMinutes(1));
        compaction.recoverAll(registered);
        assertThat(files()).as("past the grace period, but the catalog may still send readers to the old folder")
                .hasSize(7);
        assertThat(awaitingCatalog).containsExactly(PARTITION + " -> " + merge.generation());

        generations().register(registered, PARTITION, merge.generation(), clock.instant()); // catalog-service does
        clock.advance(GRACE.minusMinutes(1));
        compaction.recoverAll(registered);
        assertThat(files()).as("queries that went by the catalog's old location may still be reading").hasSize(7);
        clock.advance(Duration.ofMinutes(2));
        compaction.recoverAll(registered);

        assertThat(files()).singleElement().asString().startsWith("_gen=" + merge.generation() + "/part-");
        assertThat(generations().pointer(registered, PARTITION)).hasValueSatisfying(p -> {
            assertThat(p.generation()).isEqualTo(merge.generation());
            assertThat(p.retired()).isEmpty();
        });
        assertThat(query(moved)).isEqualTo("500 rows, 500 keys, 540.00");
    }

    @Test
    void aMovedPartitionMovesAgainAndFilesNotMergedAreCarriedOverAsTheyAre() throws Exception {
        fiveSmallFilesWithAnOverlap();
        Compaction compaction = compaction("a");
        Merge first = compaction.compact(registered, PARTITION).merges().get(0);
        String firstFolder = PREFIX + "_gen=" + first.generation() + "/";
        for (int f = 0; f < 3; f++) { // transform writes into the current generation
            newFile(firstFolder + "new-" + f + ".parquet", "n-" + f, "2.00");
        }
        clock.advance(Duration.ofMinutes(2));
        newFile(firstFolder + "young.parquet", "n-9", "3.00"); // written now, not settled yet: not merged
        java.nio.file.Files.setLastModifiedTime(root.resolve(firstFolder + "young.parquet"),
                java.nio.file.attribute.FileTime.from(clock.instant()));

        Merge second = compaction.compact(registered, PARTITION).merges().get(0);

        String secondFolder = PREFIX + "_gen=" + second.generation() + "/";
        assertThat(second.inputs()).hasSize(4).contains(first.outputs().get(0).key());
        assertThat(second.carried()).containsExactly(firstFolder + "young.parquet");
        assertThat(query(secondFolder)).isEqualTo("504 rows, 504 keys, 549.00");
        assertThat(generations().pointer(registered, PARTITION).orElseThrow().retired())
                .extracting(Generations.Retired::generation).containsExactly("", first.generation());
    }

    private void newFile(String key, String orderId, String amount) {
        try (var out = new RowWriter(lake, key, SilverColumns.of(spec), Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            out.add(row(orderId, amount, key + ":0", INGESTED.plusSeconds(7200)));
        }
    }

    @Test
    void aFileLandingInTheOldGenerationDuringTheMoveIsCarriedOverToTheNewOne() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        beforeSwitch = () -> silverFile("late.parquet", 1000, 1010, INGESTED); // a transform run read the old pointer

        Merge merge = compaction("a").compact(registered, PARTITION).merges().get(0);

        String moved = PREFIX + "_gen=" + merge.generation() + "/";
        assertThat(query(moved)).isEqualTo("510 rows, 510 keys, 550.00");
        assertThat(generations().pointer(registered, PARTITION).orElseThrow().retired()).singleElement()
                .satisfies(r -> assertThat(r.carried()).contains("late.parquet", "small-0.parquet"));
    }

    @Test
    void aCrashAfterTheCommitOfAMoveIsRolledForwardAndAnnouncedAtStartUp() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        crashAt = "switch";
        try {
            compaction("a").compact(registered, PARTITION);
        } catch (Crash expected) {
            // the process died after its commit, before the partition was pointed at the new generation
        }
        assertThat(generations().currentFolder(registered, PARTITION)).isEqualTo(PREFIX);
        assertThat(moved).isEmpty();
        clock.advance(LEASE.plusSeconds(1));

        assertThat(compaction("b").recoverAll(registered)).isEqualTo(1);

        assertThat(recovered).containsExactly("forward");
        assertThat(moved).hasSize(1);
        String current = generations().currentFolder(registered, PARTITION);
        assertThat(current).startsWith(PREFIX + "_gen=");
        assertThat(query(current)).isEqualTo("500 rows, 500 keys, 540.00");
        assertThat(lake.list("_state/compaction/runs/")).isEmpty();
    }

    @Test
    void aCrashBeforeTheCommitOfAMoveLeavesThePartitionWhereItWas() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        crashAt = "commit";
        try {
            compaction("a").compact(registered, PARTITION);
        } catch (Crash expected) {
            // the process died with its new generation written, not committed
        }
        clock.advance(LEASE.plusSeconds(1));

        assertThat(compaction("b").recoverAll(registered)).isEqualTo(1);

        assertThat(recovered).containsExactly("back");
        assertThat(files()).as("the new generation is gone").hasSize(6).noneMatch(f -> f.startsWith("_gen="));
        assertThat(generations().pointer(registered, PARTITION)).isEmpty();
        assertThat(query()).isEqualTo("510 rows, 500 keys, 550.00");
    }

    @Test
    void aFileOfAnOpenTransformRunStaysBehindAndKeepsItsGenerationUntilTheRunCommits() throws SQLException {
        fiveSmallFilesWithAnOverlap();
        RunJournal<TransformResult> transformRuns = Promotion.journal(store, LEASE, clock);
        RunJournal<TransformResult>.Run open = transformRuns.begin("sales", "abc", List.of());
        open.publishing(PREFIX + "small-5.parquet");
        Compaction compaction = compaction("a");

        Merge merge = compaction.compact(registered, PARTITION).merges().get(0);

        String moved = PREFIX + "_gen=" + merge.generation() + "/";
        assertThat(merge.inputs()).hasSize(5).doesNotContain(PREFIX + "small-5.parquet");
        assertThat(query(moved)).isEqualTo("500 rows, 500 keys, 500.00");
        generations().register(registered, PARTITION, merge.generation(), clock.instant());
        clock.advance(GRACE.plusMinutes(1));
        open.progress();
        compaction.recoverAll(registered);
        assertThat(files()).as("the old generation waits for the run").contains("small-5.parquet");

        open.commit(new TransformResult("sales", "abc", List.of(), 10, 10, 0, Map.of(), List.of(), List.of(),
                Map.of()));
        compaction.recoverAll(registered);

        assertThat(files()).noneMatch(f -> f.startsWith("small-"));
        assertThat(query(moved)).as("carried over once its run committed").isEqualTo("510 rows, 500 keys, 550.00");
    }

    private Generations generations() {
        return new Generations(lake);
    }
}
