package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.ObjectInfo;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Invariant 4 on the real service: compaction-service is killed with SIGKILL at random points (while it starts,
 * plans, merges, commits or deletes) and restarted, round after round, while small Silver files keep arriving, some
 * repeating earlier keys with later versions. Two tables: {@code sales} (partition projection: merged in place) and
 * {@code refunds} (registered partitions: each compaction moves the partition to a new generation folder, and old
 * ones are deleted after a 2 s grace period; files keep arriving in whatever generation was current when they were
 * written, as from a transform run that read the pointer just before a move). Once it has caught up, DuckDB finds
 * every key that went in exactly once, in its latest version, in one file per partition (for refunds, in its current
 * generation, with no other generation left), and no merge is left unfinished.
 */
class CompactionCrashSystemIT {
    private static final int ROUNDS = 8;
    private static final int FILES_PER_ROUND = 24;
    private static final int ROWS_PER_FILE = 2_500;
    private static final int REPEATS_PER_FILE = 100;
    private static final List<String> PARTITIONS = List.of("year=2026/month=11/day=20", "year=2026/month=11/day=21");

    private static LocalPipeline pipeline;
    private static S3ObjectStore lake;
    private static DatasetSpec sales;
    private static DatasetSpec refunds;
    private static Generations generations;

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = new LocalPipeline(Path.of("target/compaction-crash").toAbsolutePath());
        if (Files.exists(pipeline.home)) {
            try (Stream<Path> old = Files.walk(pipeline.home)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // compact whatever is there every second, and take over a dead process's partitions after 4 s
        pipeline.environment.putAll(Map.of(
                "MEDALLION_COMPACTION_SETTLE", "0s",
                "MEDALLION_COMPACTION_MIN_FILES", "2",
                "MEDALLION_COMPACTION_LEASE", "4s",
                "MEDALLION_COMPACTION_SWEEP_INTERVAL", "1s",
                "MEDALLION_COMPACTION_SWEEP_DELAY", "1s",
                "MEDALLION_COMPACTION_GENERATION_GRACE", "2s"));
        pipeline.start();
        S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + pipeline.ports.get("s3")))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("medallion", "medallion-local-secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        lake = new S3ObjectStore(s3, "lake", Optional.empty(), Files.createTempDirectory("crash-staging"));
        try (InputStream in = Files.newInputStream(pipeline.root.resolve("deploy/local/datasets.yaml"))) {
            DatasetSpecs specs = DatasetSpecs.parse(in);
            sales = specs.find("sales").orElseThrow();
            refunds = specs.find("refunds").orElseThrow();
        }
        generations = new Generations(lake);
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void killedAtRandomPointsCompactionLeavesEveryKeyExactlyOnceInItsLatestVersion() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<String, BigDecimal> latestSales = new HashMap<>();
        Map<String, BigDecimal> latestRefunds = new HashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int f = 0; f < FILES_PER_ROUND; f++) {
                writeFile(sales, round, f, latestSales, random);
                if (f % 4 < 2) { // half as many, in both partitions
                    writeFile(refunds, round, f, latestRefunds, random);
                }
            }
            if (round % 2 == 0) {
                Thread.sleep(random.nextInt(4_000)); // the kill lands wherever the service is by then
            } else { // soon after a merge starts: while it writes, commits, deletes or moves
                long merges = merges();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> merges() > merges);
                Thread.sleep(random.nextInt(300));
            }
            pipeline.kill("compaction");
            pipeline.restart();
        }

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> caughtUp());

        assertHoldsEachKeyOnceInItsLatestVersion("'" + pipeline.lakeDir().resolve("silver/sales") + "/**/*.parquet'",
                "order_id", latestSales, seed);
        String currentRefunds = generations.currentFilesBelow(refunds, "").values().stream().flatMap(List::stream)
                .map(f -> "'" + pipeline.lakeDir().resolve(f.key()) + "'").collect(Collectors.joining(", "));
        assertHoldsEachKeyOnceInItsLatestVersion("[" + currentRefunds + "]", "refund_id", latestRefunds, seed);
        String log = Files.readString(pipeline.log("compaction"));
        assertThat(log).as("crashes were found and repaired").contains("Found merge");
        assertThat(log).as("registered partitions moved").contains("Moved refunds/");
    }

    private static void assertHoldsEachKeyOnceInItsLatestVersion(String files, String key,
            Map<String, BigDecimal> latest, long seed) throws Exception {
        BigDecimal sum = latest.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet r = sql.executeQuery("SELECT count(*), count(DISTINCT " + key + "), sum(amount) FROM "
                        + "read_parquet(" + files + ")")) {
            r.next();
            assertThat(r.getLong(1)).as("rows (seed %d)", seed).isEqualTo(latest.size());
            assertThat(r.getLong(2)).as("distinct keys (seed %d)", seed).isEqualTo(latest.size());
            assertThat(r.getBigDecimal(3)).as("sum of the latest amounts (seed %d)", seed).isEqualByComparingTo(sum);
        }
    }

    /** Merges started, as the service logs them (the log carries on across restarts). */
    private static long merges() throws java.io.IOException {
        try (Stream<String> lines = Files.lines(pipeline.log("compaction"))) {
            return lines.filter(l -> l.contains("Merging ")).count();
        }
    }

    /**
     * One file per partition is left (for refunds, in its current generation, no old generation waiting), and the
     * journal holds no unfinished merge.
     */
    private static boolean caughtUp() {
        for (String partition : PARTITIONS) {
            for (String table : List.of("sales", "refunds")) {
                try (Stream<ObjectInfo> files = lake.list("silver/" + table + "/" + partition + "/")) {
                    if (files.count() != 1) {
                        return false;
                    }
                }
            }
            if (generations.currentFiles(refunds, partition).size() != 1) {
                return false;
            }
        }
        try (Stream<ObjectInfo> intents = lake.list("_state/compaction/runs/")) {
            return intents.noneMatch(o -> o.key().endsWith(".json"));
        }
    }

    /**
     * A small Silver file of new orders (or refunds), and of ones from earlier rounds again with a later ingestion and
     * another amount: those versions must win. A refunds file goes to the partition's generation current as it is
     * written.
     */
    private static void writeFile(DatasetSpec spec, int round, int file, Map<String, BigDecimal> latest,
            Random random) {
        String partition = PARTITIONS.get(file % PARTITIONS.size());
        String key = Generations.moves(spec) ? generations.currentFolder(spec, partition)
                : "silver/" + spec.name() + "/" + partition + "/";
        key += "part-" + String.format("%02x%04x", round, file) + "-00000.parquet";
        String keyColumn = spec.key().orElseThrow();
        Instant ingestedAt = Instant.parse("2026-11-22T00:00:00Z").plusSeconds(round * 1000L + file);
        try (var out = new RowWriter(lake, key, SilverColumns.of(spec), Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            for (int i = 0; i < ROWS_PER_FILE; i++) {
                String id = "k-" + round + "-" + file + "-" + i;
                if (round > 0 && i < REPEATS_PER_FILE) { // a key of the previous round, same partition
                    id = "k-" + (round - 1) + "-" + file + "-" + (i * 7 % ROWS_PER_FILE);
                }
                BigDecimal amount = BigDecimal.valueOf(random.nextInt(100_000), 2);
                latest.put(id, amount);
                Map<String, Object> values = new HashMap<>();
                values.put(keyColumn, id);
                values.put("amount", amount);
                values.put("ts", Instant.parse(partition.replaceAll("year=(\\d+)/month=(\\d+)/day=(\\d+)",
                        "$1-$2-$3T12:00:00Z")));
                values.put(SilverColumns.INGEST_ID, key + ":" + i);
                values.put(SilverColumns.SOURCE_OBJECT, "bronze/" + spec.name() + "/crash-test");
                values.put(SilverColumns.INGESTED_AT, ingestedAt);
                out.add(SilverColumns.of(spec).stream().map(c -> values.get(c.name())).toArray());
            }
        }
    }
}
