package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.medallion.bench.SalesGenerator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The exact accounting of a fault scenario. It makes the records (the bench's deterministic sales generator, each
 * batch under its own order-id prefix), sends them over HTTP (retrying with the same Idempotency-Key until a 200) or
 * through the ingest queue, and books each record only once it was acknowledged: its key, and its count, revenue and
 * units under its Gold dimensions (event day, channel, currency). It plants bad records (one of each kind the
 * transform quarantines) and poison messages (one for each queue), remembering each. At the end DuckDB must find,
 * once the pipeline has drained and compaction has merged every Silver partition into one file: every booked key in
 * Silver exactly once with the booked sums per dimension, the same in Gold, exactly the planted bad records in
 * quarantine, and exactly the planted poison messages in the dead-letter queues.
 */
final class Ledger implements AutoCloseable {
    /** Event times fall in the 4 days before this: few partitions, so fast runs still compact each one. */
    static final Instant END = Instant.parse("2026-10-01T00:00:00Z");
    static final int DAYS = 4;
    static final List<String> QUEUES = List.of("medallion-ingest", "medallion-transform", "medallion-compaction",
            "medallion-catalog");
    private static final Pattern GOOD = Pattern.compile("\"order_id\":\"([^\"]+)\".*?\"amount\":(\\d+)\\.(\\d{2}),"
            + "\"currency\":\"(\\w+)\",\"quantity\":(\\d+),\"ts\":\"(\\d{4}-\\d{2}-\\d{2})T[^\"]*\",\"channel\":\"(\\w+)\"");

    private final LocalPipeline pipeline;
    private final SqsClient sqs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Booked (acknowledged) keys, and per "day|channel|currency": orders, revenue in cents, units. */
    private final Set<String> keys = new HashSet<>();
    private final Map<String, long[]> dimensions = new TreeMap<>();
    /** Planted bad records (the line as sent) and the quarantine error type each must get. */
    private final Map<String, String> bad = new ConcurrentHashMap<>();
    /** Planted poison message bodies per queue, not yet found in its dead-letter queue. */
    private final Map<String, List<String>> poison = new ConcurrentHashMap<>();
    /** HTTP answers other than 200 (and connections that failed), by status; 0 for no answer. */
    final Map<Integer, AtomicLong> refusals = new ConcurrentHashMap<>();
    final AtomicLong sqsSendFailures = new AtomicLong();

    Ledger(LocalPipeline pipeline) {
        this.pipeline = pipeline;
        this.sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + pipeline.ports.get("sqs")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("medallion", "medallion-local-secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /**
     * The pipeline's settings for fault scenarios: queue batches flushed within 2 s, work given back to the queue
     * within 12 s of a crash (runs and merges presumed dead after 8 s), and compaction of every partition with two
     * files or more as soon as they land, so the accounting can wait for a fully compacted Silver table.
     */
    static Map<String, String> settings() {
        Map<String, String> env = new HashMap<>();
        env.put("MEDALLION_VISIBILITY_TIMEOUT", "12");
        env.put("MEDALLION_INGEST_BUFFER_INTERVAL", "2s");
        env.put("MEDALLION_INGEST_SQS_CONSUMER_VISIBILITY_TIMEOUT", "12s");
        env.put("MEDALLION_INGEST_SQS_CONSUMER_WAIT_TIME", "1s");
        env.put("MEDALLION_TRANSFORM_CONSUMER_VISIBILITY_TIMEOUT", "12s");
        env.put("MEDALLION_TRANSFORM_CONSUMER_WAIT_TIME", "1s");
        env.put("MEDALLION_TRANSFORM_RUN_LEASE", "8s");
        env.put("MEDALLION_TRANSFORM_BATCH_LINGER", "1s");
        env.put("MEDALLION_COMPACTION_CONSUMER_VISIBILITY_TIMEOUT", "12s");
        env.put("MEDALLION_COMPACTION_CONSUMER_WAIT_TIME", "1s");
        env.put("MEDALLION_COMPACTION_SETTLE", "0s");
        env.put("MEDALLION_COMPACTION_MIN_FILES", "2");
        env.put("MEDALLION_COMPACTION_LEASE", "8s");
        env.put("MEDALLION_COMPACTION_DUE_CHECK_INTERVAL", "2s");
        env.put("MEDALLION_COMPACTION_SWEEP_INTERVAL", "5s");
        env.put("MEDALLION_COMPACTION_SWEEP_DELAY", "2s");
        env.put("MEDALLION_CATALOG_CONSUMER_VISIBILITY_TIMEOUT", "12s");
        env.put("MEDALLION_CATALOG_CONSUMER_WAIT_TIME", "1s");
        return env;
    }

    SqsClient sqs() {
        return sqs;
    }

    @Override
    public void close() {
        sqs.close();
    }

    // ------------------------------------------------------------------------------------------------ records

    /**
     * {@code count} good sales records (NDJSON lines) with order ids {@code <prefix>-<n>}; the same arguments give the
     * same lines.
     */
    static List<String> sales(String prefix, int count, long seed) {
        var out = new ByteArrayOutputStream(count * 400);
        try {
            new SalesGenerator(SalesGenerator.Options.records(count).withSeed(seed).withWindow(END, DAYS)
                    .withCustomers(2_000)).writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8).lines()
                .map(l -> l.replace("\"order_id\":\"o-", "\"order_id\":\"" + prefix + "-")).toList();
    }

    /**
     * Bad records under {@code prefix}, one of each kind the transform quarantines; {@link #postUntilAcknowledged}
     * and {@link #sendToIngestQueue} book them as planted when they are acknowledged.
     */
    static List<String> badRecords(String prefix) {
        String day = END.minus(Duration.ofDays(1)).toString();
        return List.of(
                "{\"order_id\":\"" + prefix + "-bad-json\",\"amount\":12.5,\"currency\":\"EU",
                "{\"order_id\":\"" + prefix + "-bad-missing\",\"currency\":\"EUR\",\"ts\":\"" + day + "\"}",
                "{\"order_id\":\"" + prefix + "-bad-amount\",\"amount\":\"n/a\",\"ts\":\"" + day + "\"}",
                "{\"order_id\":\"" + prefix + "-bad-ts\",\"amount\":\"3.10\",\"ts\":\"yesterday\"}");
    }

    private static String errorType(String badLine) {
        if (badLine.contains("-bad-json\"")) {
            return "malformed_json";
        }
        return badLine.contains("-bad-missing\"") ? "missing_required" : "type_mismatch";
    }

    /** Books acknowledged lines: good ones as expected rows, bad ones (from {@link #badRecords}) as planted. */
    synchronized void acknowledged(List<String> lines) {
        for (String line : lines) {
            Matcher m = GOOD.matcher(line);
            if (line.contains("-bad-")) {
                bad.put(line, errorType(line));
            } else if (m.find()) {
                if (!keys.add(m.group(1))) {
                    continue; // sent again on purpose: still one record
                }
                long amount = Long.parseLong(m.group(2)) * 100 + Long.parseLong(m.group(3));
                long[] sums = dimensions.computeIfAbsent(m.group(6) + "|" + m.group(7) + "|" + m.group(4),
                        k -> new long[3]);
                sums[0]++;
                sums[1] += amount;
                sums[2] += Long.parseLong(m.group(5));
            } else {
                throw new IllegalArgumentException("Not a record this ledger makes: " + line);
            }
        }
    }

    synchronized long expectedRecords() {
        return keys.size();
    }

    // ------------------------------------------------------------------------------------------------ sending

    /**
     * Posts the lines as one NDJSON request, again with the same Idempotency-Key after a refused connection, a 409
     * (the same request in flight) or a 5xx, until a 200, then books them. Any other answer fails the test.
     */
    void postUntilAcknowledged(String idempotencyKey, List<String> lines, Duration atMost) {
        String body = String.join("\n", lines) + "\n";
        await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(300)).until(() -> {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(pipeline.url("ingest") + "/v1/datasets/sales/records"))
                        .header("Content-Type", "application/x-ndjson")
                        .header("Authorization", "Bearer " + LocalPipeline.API_KEY)
                        .header("Idempotency-Key", idempotencyKey)
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return true;
                }
                refusals.computeIfAbsent(response.statusCode(), s -> new AtomicLong()).incrementAndGet();
                assertThat(response.statusCode()).as("answer to %s: %s", idempotencyKey, response.body())
                        .isIn(409, 500, 502, 503);
                return false;
            } catch (IOException e) {
                refusals.computeIfAbsent(0, s -> new AtomicLong()).incrementAndGet();
                return false; // killed under the request, not back yet
            }
        });
        acknowledged(lines);
    }

    /**
     * Sends the lines as one message to the ingest queue (after {@code delaySeconds}), retrying while the queue
     * server is away, then books them.
     */
    void sendToIngestQueue(List<String> lines, int delaySeconds, Duration atMost) {
        String body = String.join("\n", lines) + "\n";
        await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                sqs.sendMessage(b -> b.queueUrl(queueUrl("medallion-ingest")).messageBody(body)
                        .delaySeconds(delaySeconds).messageAttributes(Map.of("dataset", MessageAttributeValue
                                .builder().dataType("String").stringValue("sales").build())));
                return true;
            } catch (SdkException e) {
                sqsSendFailures.incrementAndGet();
                return false;
            }
        });
        acknowledged(lines);
    }

    /**
     * One message for each queue that its consumer can never handle, and that must therefore end in its dead-letter
     * queue and nowhere else: records for a dataset nobody configured, an event for a Bronze object that does not
     * exist, and text that is not a message at all.
     */
    void plantPoison(String tag) {
        send("medallion-ingest", "{\"order_id\":\"" + tag + "-poison\",\"amount\":\"1.00\",\"ts\":\"2026-09-29T00:00:00Z\"}",
                Map.of("dataset", "no_such_dataset"));
        send("medallion-transform", "{\"type\":\"bronze.object.landed\",\"version\":1,\"id\":\"" + tag + "\","
                + "\"dataset\":\"sales\",\"key\":\"bronze/sales/ingest_date=2026-09-29/hour=00/" + tag
                + "-missing.ndjson.gz\",\"bytes\":10,\"receivedAt\":\"2026-09-29T00:00:00Z\",\"source\":\"http\"}",
                Map.of());
        send("medallion-compaction", "not a message: " + tag, Map.of());
        send("medallion-catalog", "{\"type\":\"no.such.type\",\"version\":1,\"id\":\"" + tag + "\"}", Map.of());
    }

    private void send(String queue, String body, Map<String, String> attributes) {
        Map<String, MessageAttributeValue> values = new HashMap<>();
        attributes.forEach((k, v) -> values.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v)
                .build()));
        await().atMost(Duration.ofMinutes(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(SdkException.class)
                .until(() -> sqs.sendMessage(b -> b.queueUrl(queueUrl(queue)).messageBody(body)
                        .messageAttributes(values)) != null);
        poison.computeIfAbsent(queue, q -> java.util.Collections.synchronizedList(new ArrayList<>())).add(body);
    }

    String queueUrl(String queue) {
        return sqs.getQueueUrl(b -> b.queueName(queue)).queueUrl();
    }

    // ------------------------------------------------------------------------------------------------ checks

    /** What one accounting found: records booked, lost (booked, not in Silver) and duplicated (extra Silver rows). */
    record Outcome(long records, long lost, long duplicated, long quarantined, long deadLettered) {
        @Override
        public String toString() {
            return "records=" + records + " lost=" + lost + " duplicated=" + duplicated + " quarantined="
                    + quarantined + " dead-lettered=" + deadLettered;
        }
    }

    /**
     * Waits (at most {@code atMost}) until the pipeline has drained and compacted, then checks everything: Silver,
     * Gold, quarantine and, last, the dead-letter queues (which it empties of what was planted).
     */
    Outcome assertExactlyOnce(String scenario, Duration atMost) throws Exception {
        long[] found = new long[3];
        try {
            await().atMost(atMost).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                assertThat(queueDepths()).as("messages left in the queues").allSatisfy((q, n) -> assertThat(n)
                        .as(q).isZero());
                assertThat(unfinishedRuns()).as("unfinished transform runs and merges").isEmpty();
                assertThat(partitionsWithSeveralFiles()).as("Silver partitions not yet compacted to one file")
                        .isEmpty();
                assertSilver(silverCounts());
                assertThat(dimensions("silver")).as("Silver per day, channel and currency").isEqualTo(expected());
                assertThat(dimensions("gold")).as("Gold per day, channel and currency").isEqualTo(expected());
                assertThat(quarantine()).as("quarantine").isEqualTo(expectedQuarantine());
            });
        } finally {
            try {
                found = silverCounts();
            } catch (SQLException | RuntimeException e) {
                // reported as found so far
            }
            long expected = expectedRecords();
            System.out.printf("FAULTS %s: records=%d silver-rows=%d distinct-keys=%d lost=%d duplicated=%d%n",
                    scenario, expected, found[0], found[1], Math.max(0, expected - found[1]), found[0] - found[1]);
        }
        long deadLettered = assertDeadLettersArePlanted();
        return new Outcome(expectedRecords(), expectedRecords() - found[1], found[0] - found[1], bad.size(),
                deadLettered);
    }

    private synchronized void assertSilver(long[] silver) {
        assertThat(silver[1]).as("distinct keys in Silver (booked: %d)", keys.size()).isEqualTo(keys.size());
        assertThat(silver[0]).as("rows in Silver").isEqualTo(keys.size());
        assertThat(silver[2]).as("distinct lineage ids in Silver").isEqualTo(keys.size());
    }

    private synchronized Map<String, List<Long>> expected() {
        Map<String, List<Long>> copy = new TreeMap<>();
        dimensions.forEach((k, v) -> copy.put(k, List.of(v[0], v[1], v[2])));
        return copy;
    }

    private Map<String, Long> expectedQuarantine() {
        return bad.entrySet().stream().collect(Collectors.toMap(e -> e.getValue() + "|" + e.getKey(), e -> 1L,
                Long::sum, TreeMap::new));
    }

    /** Visible, in-flight and delayed messages of each pipeline queue. */
    Map<String, Long> queueDepths() {
        Map<String, Long> depths = new TreeMap<>();
        for (String queue : QUEUES) {
            Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl(queue))
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                    .attributes();
            depths.put(queue, attributes.values().stream().mapToLong(Long::parseLong).sum());
        }
        return depths;
    }

    private List<Path> unfinishedRuns() throws IOException {
        List<Path> intents = new ArrayList<>();
        for (String journal : List.of("_state/transform/runs", "_state/compaction/runs")) {
            Path dir = pipeline.lakeDir().resolve(journal);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(f -> f.toString().endsWith(".json")).forEach(intents::add);
                }
            }
        }
        return intents;
    }

    private List<String> partitionsWithSeveralFiles() throws IOException {
        Path silver = pipeline.lakeDir().resolve("silver/sales");
        if (!Files.isDirectory(silver)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(silver)) {
            return files.filter(f -> f.toString().endsWith(".parquet"))
                    .collect(Collectors.groupingBy(f -> silver.relativize(f.getParent()).toString(),
                            Collectors.counting()))
                    .entrySet().stream().filter(e -> e.getValue() > 1).map(e -> e.getKey() + ": " + e.getValue())
                    .sorted().toList();
        }
    }

    /** Rows, distinct keys, distinct lineage ids in Silver. */
    private long[] silverCounts() throws SQLException {
        if (!hasFiles("silver/sales", ".parquet")) {
            return new long[3];
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet r = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), count(DISTINCT _ingest_id)"
                        + " FROM read_parquet('" + glob("silver/sales", "parquet") + "')")) {
            r.next();
            return new long[] { r.getLong(1), r.getLong(2), r.getLong(3) };
        }
    }

    /** Orders, revenue in cents and units per "day|channel|currency", from Silver or from the daily_sales table. */
    private Map<String, List<Long>> dimensions(String zone) throws SQLException {
        boolean gold = zone.equals("gold");
        String dir = gold ? "gold/daily_sales" : "silver/sales";
        Map<String, List<Long>> found = new TreeMap<>();
        if (!hasFiles(dir, ".parquet")) {
            return found;
        }
        String query = gold
                ? "SELECT CAST(event_date AS VARCHAR), channel, currency, orders, revenue, units FROM read_parquet('"
                        + glob(dir, "parquet") + "')"
                : "SELECT CAST(CAST(ts AS DATE) AS VARCHAR), channel, currency, count(*), sum(amount), sum(quantity) "
                        + "FROM read_parquet('" + glob(dir, "parquet") + "') GROUP BY ALL";
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            sql.execute("SET TimeZone = 'UTC'");
            try (ResultSet r = sql.executeQuery(query)) {
                while (r.next()) {
                    String key = r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3);
                    List<Long> previous = found.put(key, List.of(r.getLong(4),
                            r.getBigDecimal(5).movePointRight(2).longValueExact(), r.getLong(6)));
                    assertThat(previous).as("Gold rows for %s", key).isNull();
                }
            }
        }
        return found;
    }

    /** "error_type|record" to how often quarantine holds it. */
    private Map<String, Long> quarantine() throws SQLException {
        Map<String, Long> found = new TreeMap<>();
        if (!hasFiles("quarantine/sales", ".ndjson")) {
            return found;
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet r = sql.executeQuery("SELECT error_type, record FROM read_json('"
                        + glob("quarantine/sales", "ndjson") + "', format = 'newline_delimited', "
                        + "hive_partitioning = false, columns = {error_type: 'VARCHAR', record: 'VARCHAR'})")) {
            while (r.next()) {
                found.merge(r.getString(1) + "|" + r.getString(2), 1L, Long::sum);
            }
        }
        return found;
    }

    /**
     * Empties every dead-letter queue and checks it held exactly the poison planted for its queue since the last
     * check; returns how many messages it held.
     */
    private long assertDeadLettersArePlanted() {
        long total = 0;
        for (String queue : QUEUES) {
            List<String> found = new ArrayList<>();
            String dlq = queueUrl(queue + "-dlq");
            while (true) {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10)
                        .waitTimeSeconds(1).visibilityTimeout(60)).messages();
                if (messages.isEmpty()) {
                    break;
                }
                for (Message message : messages) {
                    found.add(message.body());
                    sqs.deleteMessage(b -> b.queueUrl(dlq).receiptHandle(message.receiptHandle()));
                }
            }
            List<String> planted = poison.getOrDefault(queue, List.of());
            assertThat(found).as("dead letters of %s", queue).containsExactlyInAnyOrderElementsOf(planted);
            total += found.size();
            poison.remove(queue);
        }
        return total;
    }

    private boolean hasFiles(String dir, String suffix) {
        Path root = pipeline.lakeDir().resolve(dir);
        if (!Files.isDirectory(root)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.anyMatch(f -> f.toString().endsWith(suffix));
        } catch (IOException | UncheckedIOException e) {
            return false; // a file went away while we looked
        }
    }

    private String glob(String dir, String extension) {
        return pipeline.lakeDir().resolve(dir) + "/**/*." + extension;
    }
}
