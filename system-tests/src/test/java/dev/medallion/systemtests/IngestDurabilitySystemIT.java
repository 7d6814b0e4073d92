package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * "Acknowledged means durable in S3", shown on the whole pipeline: ingest-service is killed (SIGKILL, no chance to
 * flush) while acknowledged-to-be work sits in its buffers, restarted, and DuckDB then finds every record its
 * producers were told was stored in Silver exactly once; a SIGTERM flushes buffers before exit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestDurabilitySystemIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int SQS_MESSAGES = 100;
    private static final int RECORDS_PER_MESSAGE = 50;
    private static final int HTTP_CLIENTS = 6;
    private static final int REQUESTS_PER_CLIENT = 20;
    private static final int RECORDS_PER_REQUEST = 40;

    private static LocalPipeline pipeline;
    private static SqsClient sqs;
    /** HTTP requests sent and not yet answered. */
    private static final AtomicInteger inFlight = new AtomicInteger();

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = new LocalPipeline(Path.of("target/ingest-durability").toAbsolutePath());
        if (Files.exists(pipeline.home)) {
            try (Stream<Path> old = Files.walk(pipeline.home)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // long enough buffers that a kill lands while records wait in them, short visibility for fast redelivery
        pipeline.environment.putAll(Map.of(
                "MEDALLION_INGEST_BUFFER_INTERVAL", "20s",
                "MEDALLION_INGEST_BUFFER_LINGER", "1500ms",
                "MEDALLION_INGEST_SQS_CONSUMER_VISIBILITY_TIMEOUT", "5s",
                "MEDALLION_INGEST_SQS_CONSUMER_WAIT_TIME", "1s"));
        pipeline.start();
        sqs = SqsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + pipeline.ports.get("sqs")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("medallion", "medallion-local-secret")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (sqs != null) {
            sqs.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void queueMessagesBufferedWhenIngestIsKilledReachSilverExactlyOnce() throws Exception {
        sendMessages("killed");
        String queue = queueUrl("medallion-ingest");
        // every message is received and held in a buffer that will not flush for 20 s
        await().atMost(Duration.ofSeconds(60)).until(() -> count(queue,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE) == SQS_MESSAGES
                && count(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES) == 0);
        pipeline.kill("ingest");
        pipeline.restart();

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> silverRows("killed-%") >= SQS_MESSAGES * RECORDS_PER_MESSAGE);
        assertExactlyOnce("killed-%", SQS_MESSAGES * RECORDS_PER_MESSAGE);
        assertThat(count(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)
                + count(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isZero();
    }

    @Test
    @Order(2)
    void httpRequestsCutOffByAKillAndRetriedWithTheirIdempotencyKeyReachSilverExactlyOnce() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(HTTP_CLIENTS);
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        inFlight.set(0);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < HTTP_CLIENTS; c++) {
            int client = c;
            done.add(clients.submit(() -> {
                for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                    postUntilAcknowledged("http-" + client + "-" + r, records("http-" + client + "-" + r,
                            RECORDS_PER_REQUEST), retries);
                    acknowledged.incrementAndGet();
                }
                return null;
            }));
        }
        // kill while every client's next request waits in the 1.5 s linger window, i.e. mid-buffer
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.get() >= HTTP_CLIENTS
                && inFlight.get() == HTTP_CLIENTS);
        pipeline.kill("ingest");
        pipeline.restart();
        for (Future<?> client : done) {
            client.get();
        }
        clients.shutdown();
        assertThat(retries.get()).as("requests cut off by the kill and retried").isPositive();

        int expected = HTTP_CLIENTS * REQUESTS_PER_CLIENT * RECORDS_PER_REQUEST;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> silverRows("http-%") >= expected);
        assertExactlyOnce("http-%", expected);
    }

    @Test
    @Order(3)
    void aSigtermFlushesBufferedMessagesBeforeExit() throws Exception {
        sendMessages("drained");
        String queue = queueUrl("medallion-ingest");
        await().atMost(Duration.ofSeconds(60)).until(() -> count(queue,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE) == SQS_MESSAGES);
        pipeline.terminate("ingest");
        // flushed and deleted before exit, not redelivered after a timeout
        assertThat(count(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)
                + count(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isZero();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> silverRows("drained-%") >= SQS_MESSAGES * RECORDS_PER_MESSAGE);
        assertExactlyOnce("drained-%", SQS_MESSAGES * RECORDS_PER_MESSAGE);
        pipeline.restart();
    }

    private static void sendMessages(String prefix) {
        String queue = queueUrl("medallion-ingest");
        for (int m = 0; m < SQS_MESSAGES; m += 10) {
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = m; i < m + 10; i++) {
                entries.add(SendMessageBatchRequestEntry.builder().id("m" + i)
                        .messageBody(records(prefix + "-" + i, RECORDS_PER_MESSAGE))
                        .messageAttributes(Map.of("dataset", MessageAttributeValue.builder().dataType("String")
                                .stringValue("sales").build()))
                        .build());
            }
            assertThat(sqs.sendMessageBatch(b -> b.queueUrl(queue).entries(entries)).failed()).isEmpty();
        }
    }

    /** NDJSON sales records with order ids {@code <prefix>-<n>}. */
    private static String records(String prefix, int count) {
        var out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append("{\"order_id\":\"").append(prefix).append('-').append(i)
                    .append("\",\"amount\":\"1.25\",\"ts\":\"2026-11-2").append(i % 3)
                    .append("T10:00:00Z\",\"customer_id\":\"c").append(i % 7).append("\"}\n");
        }
        return out.toString();
    }

    /** Posts until a 2xx, retrying refused connections, 5xx, 409 and 503 with the same Idempotency-Key. */
    private static void postUntilAcknowledged(String requestKey, String body, AtomicInteger retries) {
        await().atMost(Duration.ofMinutes(3)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (post(requestKey, body)) {
                        return true;
                    }
                    retries.incrementAndGet();
                    return false;
                });
    }

    /** One attempt: true on 200, false on what a retry may cure; any other answer fails the test. */
    private static boolean post(String requestKey, String body) throws InterruptedException {
        inFlight.incrementAndGet();
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(pipeline.url("ingest") + "/v1/datasets/sales/records"))
                    .header("Content-Type", "application/x-ndjson")
                    .header("Authorization", "Bearer " + LocalPipeline.API_KEY)
                    .header("Idempotency-Key", requestKey)
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                assertThat(response.statusCode()).as(response.body()).isIn(409, 503);
            }
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false; // the service was killed under this request, or is not back yet
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void assertExactlyOnce(String orderIds, int expected) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), count(DISTINCT _ingest_id) "
                    + "FROM read_parquet('" + silverGlob() + "', hive_partitioning = true) WHERE order_id LIKE '"
                    + orderIds + "'");
            rows.next();
            assertThat(rows.getLong(1)).as("rows").isEqualTo(expected);
            assertThat(rows.getLong(2)).as("distinct order ids").isEqualTo(expected);
            assertThat(rows.getLong(3)).as("distinct lineage ids").isEqualTo(expected);
        }
    }

    private static long silverRows(String orderIds) throws SQLException {
        try (Stream<Path> files = Files.exists(pipeline.lakeDir().resolve("silver"))
                ? Files.walk(pipeline.lakeDir().resolve("silver"))
                : Stream.empty()) {
            if (files.noneMatch(f -> f.toString().endsWith(".parquet"))) {
                return 0;
            }
        } catch (IOException e) {
            return 0;
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT count(*) FROM read_parquet('" + silverGlob()
                        + "', hive_partitioning = true) WHERE order_id LIKE '" + orderIds + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String silverGlob() {
        return pipeline.lakeDir().resolve("silver") + "/**/*.parquet";
    }

    private static String queueUrl(String name) {
        return sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
    }

    private static long count(String queueUrl, QueueAttributeName attribute) {
        return Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(attribute))
                .attributes().get(attribute));
    }
}
