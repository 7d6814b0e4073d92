package dev.medallion.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.support.Queues;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** With no room in the memory budget, ingest says "retry later" and keeps nothing, and drops nothing. */
@QuarkusTest
@TestProfile(IngestBackpressureTest.NoRoom.class)
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class IngestBackpressureTest {

    /** A budget smaller than one buffer chunk: every body is refused for now. */
    public static class NoRoom implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("medallion.ingest.max-buffered-bytes", "16K",
                    "medallion.ingest.retry-after", "3s");
        }
    }

    @Inject
    SqsClient sqs;
    @Inject
    Queues queues;

    @Test
    void answers503WithRetryAfterAndStoresNothing() {
        given().header("X-Api-Key", "test-key").body("{\"order_id\":\"full\"}\n".getBytes(StandardCharsets.UTF_8))
                .contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records")
                .then().statusCode(503).header("Retry-After", "3").body("error", equalTo("buffers_full"));
    }

    @Test
    void leavesQueueMessagesForLaterRatherThanDeadLetteringThem() {
        String body = "{\"order_id\":\"" + UUID.randomUUID() + "\"}";
        sqs.sendMessage(b -> b.queueUrl(queues.url("medallion-ingest")).messageBody(body)
                .messageAttributes(Map.of("dataset", MessageAttributeValue.builder().dataType("String")
                        .stringValue("sales").build())));
        // received, refused for lack of room, and left for redelivery: retried, still queued, not dead-lettered
        await().atMost(Duration.ofSeconds(30)).until(() -> retried() >= 1);
        assertThat(deadLettered(body)).isEmpty();
        assertThat(messagesIn("medallion-ingest")).isPositive();
    }

    private double retried() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("medallion_queue_messages_total{")
                && l.contains("outcome=\"retried\"") && l.contains("queue=\"medallion-ingest\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private List<Message> deadLettered(String body) {
        return sqs.receiveMessage(b -> b.queueUrl(queues.url("medallion-ingest-dlq")).maxNumberOfMessages(10)
                .waitTimeSeconds(0).visibilityTimeout(0)).messages().stream().filter(m -> m.body().equals(body))
                .toList();
    }

    private long messagesIn(String queue) {
        var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queues.url(queue)).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }
}
