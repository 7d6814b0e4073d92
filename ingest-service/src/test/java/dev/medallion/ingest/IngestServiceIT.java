package dev.medallion.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.support.testing.InjectLocalStack;
import dev.medallion.support.testing.LocalStack;
import dev.medallion.support.testing.PackagedService;
import dev.medallion.support.testing.PackagedServiceResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.response.ValidatableResponse;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The packaged ingest-service (the JVM jar, or the native executable with {@code -Dnative}) takes records over HTTP
 * and from its producer queue, stores them in Bronze and announces them to transform.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedServiceResource.class, restrictToAnnotatedClass = true, initArgs = {
        @ResourceArg(name = "medallion.ingest.sqs.consumer.wait-time", value = "1s"),
        // queue messages are stored in batches that wait for more by default, 300 s at most
        @ResourceArg(name = "medallion.ingest.buffer.interval", value = "1s") })
class IngestServiceIT {
    @InjectLocalStack
    LocalStack stack;

    @Test
    void storesAuthenticatedRecordsInBronzeAndAnnouncesThem() throws Exception {
        String tag = UUID.randomUUID().toString();
        String records = "{\"order_id\":\"" + tag + "-1\",\"amount\":1.50,\"ts\":\"2026-11-01T10:00:00Z\"}\n"
                + "{\"order_id\":\"" + tag + "-2\",\"amount\":2.00,\"ts\":\"2026-11-02T10:00:00Z\"}\n";
        byte[] body = records.getBytes(StandardCharsets.UTF_8);
        given().body(body).contentType("application/x-ndjson").when().post("/v1/datasets/sales/records")
                .then().statusCode(401).body("error", equalTo("unauthorized"));

        String key = given().header("X-Api-Key", PackagedServiceResource.API_KEY).body(body)
                .contentType("application/x-ndjson").when().post("/v1/datasets/sales/records")
                .then().statusCode(200).body("records", equalTo(2)).extract().path("bronzeKey");

        // a retry with the request's idempotency key is answered from the first attempt's record
        String requestKey = "retry-" + tag;
        for (boolean replayed : new boolean[] { false, true }) {
            given().header("X-Api-Key", PackagedServiceResource.API_KEY).header("Idempotency-Key", requestKey)
                    .body(body).contentType("application/x-ndjson").when().post("/v1/datasets/sales/records")
                    .then().statusCode(200).body("replayed", equalTo(replayed)).body("requestId", equalTo(requestKey));
        }

        try (var service = new PackagedService(stack)) {
            assertThat(service.gunzip(key)).contains(records);
            BronzeObjectLanded landed = service.awaitMessage("medallion-transform", BronzeObjectLanded.class,
                    m -> m.key().equals(key));
            assertThat(landed.dataset()).isEqualTo("sales");
            assertThat(landed.source()).isEqualTo("http");
        }
    }

    @Test
    void storesWhatProducersSendOnItsQueue() throws Exception {
        String tag = UUID.randomUUID().toString();
        try (var service = new PackagedService(stack)) {
            service.sqs().sendMessage(b -> b.queueUrl(stack.queueUrl("medallion-ingest"))
                    .messageBody("[{\"order_id\":\"" + tag + "-1\"},{\"order_id\":\"" + tag + "-2\"}]")
                    .messageAttributes(Map.of("dataset",
                            MessageAttributeValue.builder().dataType("String").stringValue("sales").build())));

            BronzeObjectLanded landed = service.awaitMessage("medallion-transform", BronzeObjectLanded.class,
                    m -> m.source().equals("sqs") && service.gunzip(m.key()).contains(tag));
            assertThat(service.gunzip(landed.key())).contains(tag + "-1", tag + "-2");
        }
    }

    @Test
    void answersBadRequestsWithAReason() {
        post("sales", "application/json", "[{\"order_id\":\"a1\"},").statusCode(400)
                .body("error", equalTo("malformed_body"));
        post("Sales%2F..%2Fx", "application/x-ndjson", "{}").statusCode(400)
                .body("reason", containsString("Cannot use name"));
        post("sales", "application/xml", "<order/>").statusCode(415);
        byte[] invalidUtf8 = { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' };
        given().header("X-Api-Key", PackagedServiceResource.API_KEY).body(invalidUtf8)
                .contentType("application/x-ndjson").when().post("/v1/datasets/sales/records")
                .then().statusCode(400).body("error", equalTo("invalid_utf8"));
    }

    @Test
    void isReadyAndExposesItsFigures() {
        post("sales", "application/x-ndjson", "{\"order_id\":\"m1\"}\n").statusCode(200);
        PackagedService.assertReadyWithMetrics(List.of(
                "medallion_ingest_records_total{dataset=\"sales\",outcome=\"accepted\",source=\"http\"}",
                "medallion_ingest_buffer_bytes",
                "medallion_queue_depth_messages"));
    }

    private static ValidatableResponse post(String dataset, String type, String body) {
        return given().header("X-Api-Key", PackagedServiceResource.API_KEY).body(body.getBytes(StandardCharsets.UTF_8))
                .contentType(type).when().post("/v1/datasets/" + dataset + "/records").then();
    }
}
