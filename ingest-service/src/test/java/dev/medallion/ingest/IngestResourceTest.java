package dev.medallion.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.bronze.SegmentReader;
import dev.medallion.lake.ingest.IdempotencyRecords;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.Messages;
import dev.medallion.support.Queues;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class IngestResourceTest {
    private static final String RECORDS = """
            {"order_id":"o1","amount":1.50,"ts":"2026-11-01T10:00:00Z"}
            {"order_id":"o2","amount":2.00,"ts":"2026-11-02T10:00:00Z"}
            """;

    @Inject
    S3ObjectStore store;
    @Inject
    SqsClient sqs;
    @Inject
    Queues queues;
    @Inject
    IdempotencyRecords idempotency;

    @Test
    void refusesWritesWithoutAValidKey() {
        given().body(RECORDS.getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(401).body("error", equalTo("unauthorized"))
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().header("Authorization", "Bearer wrong").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(401).body("reason", containsString("not valid"));
    }

    @Test
    void refusesAValidKeyScopedToAnotherDataset() {
        given().header("X-Api-Key", "other-key").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(403).body("error", equalTo("forbidden"))
                .body("reason", containsString("'other'"));
    }

    @Test
    void acknowledgedRecordsAreInBronzeAndQueuedForTransform() throws IOException {
        String key = post("application/x-ndjson", RECORDS.getBytes(StandardCharsets.UTF_8))
                .statusCode(200).body("dataset", equalTo("sales")).body("records", equalTo(2))
                .extract().path("bronzeKey");

        assertThat(key).matches("bronze/sales/ingest_date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/.+\\.ndjson\\.gz");
        // any gzip reader sees the bytes as sent (with whatever other requests shared the object)
        assertThat(gunzip(store.open(key))).contains(RECORDS);
        assertThat(store.stat(key).orElseThrow().metadata()).containsEntry("source", "http")
                .containsKey("received-at");
        awaitLanded(key);
    }

    @Test
    void groupCommitsConcurrentRequestsIntoOneObject() {
        List<CompletableFuture<String>> requests = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> post("application/x-ndjson",
                        ("{\"order_id\":\"g" + i + "\"}\n").getBytes(StandardCharsets.UTF_8))
                        .statusCode(200).extract().<String> path("bronzeKey")))
                .toList();
        List<String> keys = requests.stream().map(CompletableFuture::join).distinct().toList();
        // all four arrive within the linger window of the first: usually one object, never one per request
        assertThat(keys).hasSizeLessThan(4);
    }

    @Test
    void takesJsonArraysSingleObjectsCsvAndGzip() throws IOException {
        post("application/json", "[{\"order_id\":\"a1\"},{\"order_id\":\"a2\"},{\"order_id\":\"a3\"}]")
                .statusCode(200).body("records", equalTo(3));
        post("application/json; charset=utf-8", "{\"order_id\":\"s1\"}").statusCode(200).body("records", equalTo(1));
        String csvKey = post("text/csv", "order_id,amount\nc1,1.50\n\"c,2\",2.00\n")
                .statusCode(200).body("records", equalTo(2)).extract().path("bronzeKey");
        assertThat(gunzip(store.open(csvKey))).contains("\"c,2\",2.00");
        given().header("X-Api-Key", "test-key").header("Content-Encoding", "gzip").body(gzip(RECORDS))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("records", equalTo(2));
    }

    @Test
    void segmentsCarryTheLineageOfTheirRequest() throws IOException {
        String requestKey = "order-batch-" + UUID.randomUUID();
        String key = given().header("X-Api-Key", "test-key").header("Idempotency-Key", requestKey)
                .body(RECORDS.getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("requestId", equalTo(requestKey)).extract().path("bronzeKey");
        try (var segments = new SegmentReader(store.open(key))) {
            var headers = new java.util.ArrayList<String>();
            segments.forEachRemaining(s -> headers.add(s.header().orElseThrow().lineageId(1)));
            assertThat(headers).contains("http:" + requestKey + ":1");
        }
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyIsNotStoredTwice() {
        String requestKey = UUID.randomUUID().toString();
        String first = given().header("X-Api-Key", "test-key").header("Idempotency-Key", requestKey)
                .body(RECORDS.getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("replayed", equalTo(false)).extract().path("bronzeKey");
        given().header("X-Api-Key", "test-key").header("Idempotency-Key", requestKey)
                .body(RECORDS.getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("replayed", equalTo(true)).body("bronzeKey", equalTo(first))
                .body("records", equalTo(2));
        given().header("X-Api-Key", "test-key").header("Idempotency-Key", requestKey)
                .body("{\"order_id\":\"different\"}\n".getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(422).body("error", equalTo("idempotency_key_reused"));
    }

    @Test
    void aRetryAfterTheFirstAttemptDiedBeforeStoringIsStoredAndOneAfterItDiedBeforeAnnouncingIsAnnounced()
            throws IOException {
        // the first attempt recorded its Bronze key, then died before the object was stored
        String requestKey = UUID.randomUUID().toString();
        String sha = sha256(RECORDS);
        idempotency.save("sales", requestKey, new IdempotencyRecords.Stored(sha,
                "bronze/sales/ingest_date=2026-11-24/hour=10/20261124T100000Z-never-stored.ndjson.gz", 2,
                java.time.Instant.now()));
        String stored = given().header("X-Api-Key", "test-key").header("Idempotency-Key", requestKey)
                .body(RECORDS.getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("replayed", equalTo(false)).extract().path("bronzeKey");
        assertThat(store.stat(stored)).isPresent();

        // the first attempt stored its object, then died before announcing it: the retry announces it
        awaitLanded(stored);
        given().header("X-Api-Key", "test-key").header("Idempotency-Key", requestKey)
                .body(RECORDS.getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("replayed", equalTo(true)).body("bronzeKey", equalTo(stored));
        awaitLanded(stored);
    }

    @Test
    void reportsMalformedLinesButStoresTheGoodOnes() {
        post("application/x-ndjson", "{\"order_id\":\"m1\"}\n{\"order_id\": oops\n{\"order_id\":\"m3\"}\n")
                .statusCode(200).body("records", equalTo(3)).body("malformed", equalTo(1))
                .body("malformedPositions[0]", equalTo(2));
    }

    @Test
    void rejectsBadRequestsWithAReason() throws IOException {
        // 'other-key' may write 'orders', which is not a configured dataset
        given().header("X-Api-Key", "other-key").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/orders/records")
                .then().statusCode(404).body("error", equalTo("unknown_dataset"));
        given().header("X-Api-Key", "test-key").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/Sales%2F..%2Fx/records")
                .then().statusCode(400).body("reason", containsString("Cannot use name"));
        post("application/x-ndjson", new byte[0]).statusCode(400).body("error", equalTo("empty_body"));
        given().header("X-Api-Key", "test-key").header("Content-Encoding", "br").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(415).body("error", equalTo("unsupported_encoding"));
        post("application/xml", "<order/>").statusCode(415).body("reason", containsString("application/x-ndjson"));
        post("application/json", "[{\"order_id\":\"a1\"},").statusCode(400).body("error", equalTo("malformed_body"));
        post("application/x-ndjson", "{\"note\":\"" + "x".repeat(70_000) + "\"}\n").statusCode(413)
                .body("error", equalTo("record_too_large"));
        post("application/x-ndjson", new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' })
                .statusCode(400).body("error", equalTo("invalid_utf8"));
        given().header("X-Api-Key", "test-key").header("Idempotency-Key", "caf\u00e9")
                .body(RECORDS.getBytes(StandardCharsets.UTF_8)).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(400).body("error", equalTo("invalid_idempotency_key"));
    }

    @Test
    void refusesGzipBombsAndBrokenGzip() throws IOException {
        // 8 MiB of newlines compress to a few KiB; the test limit for inflated bodies is 4 MiB
        byte[] bomb = gzip("\n".repeat(8 << 20));
        assertThat(bomb.length).isLessThan(64 * 1024);
        given().header("X-Api-Key", "test-key").header("Content-Encoding", "gzip").body(bomb)
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(413).body("error", equalTo("body_too_large"))
                .body("reason", containsString("decompressed"));
        byte[] truncated = java.util.Arrays.copyOf(gzip(RECORDS), 20);
        given().header("X-Api-Key", "test-key").header("Content-Encoding", "gzip").body(truncated)
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(400).body("error", equalTo("bad_encoding"));
    }

    @Test
    void reportsHealthAndMetrics() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        post("application/x-ndjson", RECORDS).statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("medallion_ingest_records_total{dataset=\"sales\",outcome=\"accepted\","
                        + "source=\"http\"}"))
                .body(containsString("medallion_ingest_flushes_total{dataset=\"sales\",reason=\"linger\"}"))
                .body(containsString("medallion_ingest_bronze_put_seconds_count{dataset=\"sales\"}"))
                .body(containsString("medallion_ingest_buffer_limit_bytes"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    private ValidatableResponse post(String contentType, String body) {
        return post(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private ValidatableResponse post(String contentType, byte[] body) {
        return given().header("X-Api-Key", "test-key").body(body).contentType(contentType)
                .when().post("/v1/datasets/sales/records").then();
    }

    private void awaitLanded(String key) {
        // the local stack keeps messages between runs: receive until this request's message shows up
        String url = queues.url("medallion-transform");
        await().atMost(Duration.ofSeconds(30)).until(() -> sqs.receiveMessage(b -> b.queueUrl(url)
                .maxNumberOfMessages(10).waitTimeSeconds(1)).messages().stream()
                .peek(m -> sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())))
                .map(m -> (BronzeObjectLanded) Messages.decode(m.body()))
                .anyMatch(landed -> landed.key().equals(key)));
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gzip(String text) throws IOException {
        var gzipped = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gzipped)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return gzipped.toByteArray();
    }

    static String gunzip(InputStream in) throws IOException {
        try (var gz = new GZIPInputStream(in)) {
            return new String(gz.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
