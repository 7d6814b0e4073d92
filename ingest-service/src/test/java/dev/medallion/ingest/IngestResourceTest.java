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
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.message.Messages;
import dev.medallion.support.Queues;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

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
        String key = given().header("X-Api-Key", "test-key").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("dataset", equalTo("sales"))
                .extract().path("bronzeKey");

        assertThat(key).matches("bronze/sales/ingest_date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/.+\\.ndjson\\.gz");
        assertThat(gunzip(store.open(key))).isEqualTo(RECORDS);
        assertThat(store.stat(key).orElseThrow().metadata()).containsEntry("source", "http")
                .containsKey("received-at");
        // the local stack keeps messages between runs: receive until this request's message shows up
        await().atMost(Duration.ofSeconds(30)).until(() -> receivedTransformMessages().stream()
                .anyMatch(m -> ((BronzeObjectLanded) m).key().equals(key)));
    }

    @Test
    void keepsAGzipBodyExactlyAsReceived() throws IOException {
        var gzipped = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(gzipped)) {
            out.write(RECORDS.getBytes(StandardCharsets.UTF_8));
        }
        String key = given().header("Authorization", "Bearer test-key").header("Content-Encoding", "gzip")
                .body(gzipped.toByteArray()).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(200).extract().path("bronzeKey");

        assertThat(store.open(key).readAllBytes()).isEqualTo(gzipped.toByteArray());
    }

    @Test
    void rejectsBadRequestsWithAReason() {
        // 'other-key' may write 'orders', which is not a configured dataset
        given().header("X-Api-Key", "other-key").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/orders/records")
                .then().statusCode(404).body("error", equalTo("unknown_dataset"));
        given().header("X-Api-Key", "test-key").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/Sales%2F..%2Fx/records")
                .then().statusCode(400).body("reason", containsString("Cannot use name"));
        given().header("X-Api-Key", "test-key").body(new byte[0]).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(400).body("reason", containsString("empty"));
        given().header("X-Api-Key", "test-key").header("Content-Encoding", "br").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(415);
    }

    @Test
    void reportsHealthAndMetrics() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().header("X-Api-Key", "test-key").body(RECORDS.getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("medallion_ingest_requests_total{dataset=\"sales\",outcome=\"accepted\"}"))
                .body(containsString("jvm_memory_used_bytes"));
    }

    private List<LakeMessage> receivedTransformMessages() {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queues.url("medallion-transform"))
                .maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
        messages.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queues.url("medallion-transform"))
                .receiptHandle(m.receiptHandle())));
        return messages.stream().map(m -> Messages.decode(m.body())).toList();
    }

    private static String gunzip(InputStream in) throws IOException {
        try (var gz = new GZIPInputStream(in)) {
            return new String(gz.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
