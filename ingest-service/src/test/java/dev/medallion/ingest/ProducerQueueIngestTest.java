package dev.medallion.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.bronze.SegmentReader;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.Messages;
import dev.medallion.support.Queues;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The producer queue against the real local SQS and S3 servers. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class ProducerQueueIngestTest {
    private static final String QUEUE = "medallion-ingest";

    @Inject
    S3ObjectStore store;
    @Inject
    SqsClient sqs;
    @Inject
    Queues queues;

    @BeforeEach
    void emptyQueues() {
        // the local stack keeps messages between runs
        sqs.purgeQueue(b -> b.queueUrl(queues.url(QUEUE + "-dlq")));
        sqs.purgeQueue(b -> b.queueUrl(queues.url("medallion-transform")));
    }

    @Test
    void storesEveryShapeOfMessageAndDeletesThemOnlyOnceStored() throws IOException {
        String tag = UUID.randomUUID().toString();
        send("{\"order_id\":\"" + tag + "-1\"}", Map.of("dataset", "sales"));
        send("[{\"order_id\":\"" + tag + "-2\"},{\"order_id\":\"" + tag + "-3\"}]", Map.of("dataset", "sales"));
        send("{\"order_id\":\"" + tag + "-4\"}\n{\"order_id\":\"" + tag + "-5\"}\n", Map.of("dataset", "sales"));
        send("{\"dataset\":\"sales\",\"records\":[{\"order_id\":\"" + tag + "-6\"}]}", Map.of());
        String sns = "{\"Type\":\"Notification\",\"MessageId\":\"" + UUID.randomUUID() + "\",\"TopicArn\":"
                + "\"arn:aws:sns:eu-west-1:123456789012:sales\",\"Message\":\"{\\\"order_id\\\":\\\"" + tag
                + "-7\\\"}\",\"MessageAttributes\":{\"dataset\":{\"Type\":\"String\",\"Value\":\"sales\"}}}";
        send(sns, Map.of());

        List<BronzeObjectLanded> landed = awaitLanded(tag, 7);
        assertThat(landed).allSatisfy(l -> assertThat(l.source()).isEqualTo("sqs"));
        await().atMost(Duration.ofSeconds(30)).until(() -> messagesIn(QUEUE) == 0);
        // every segment names its message, so a redelivery gets the same lineage ids
        List<String> sources = new ArrayList<>();
        for (var object : landed) {
            try (var segments = new SegmentReader(store.open(object.key()))) {
                segments.forEachRemaining(s -> sources.add(s.header().orElseThrow().sourceId()));
            }
        }
        assertThat(sources).anyMatch(id -> id.startsWith("sns-"));
    }

    @Test
    void sendsPoisonToTheDeadLetterQueueWithItsReasonAndLetsGoodMessagesThrough() {
        String tag = UUID.randomUUID().toString();
        String nameless = "{\"order_id\":\"" + tag + "-nameless\"}";
        String unknown = "{\"order_id\":\"" + tag + "-unknown\"}";
        String broken = "[{\"order_id\":\"" + tag + "-broken\"";
        send(nameless, Map.of());
        send(unknown, Map.of("dataset", "orders"));
        send(broken, Map.of("dataset", "sales"));
        send("{\"order_id\":\"" + tag + "-good\"}", Map.of("dataset", "sales"));

        awaitLanded(tag, 1);
        List<Message> dead = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            // only this test's messages: the local stack keeps others between runs
            dead.addAll(sqs.receiveMessage(b -> b.queueUrl(queues.url(QUEUE + "-dlq")).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).messageAttributeNames("All")).messages().stream()
                    .filter(m -> m.body().contains(tag)).toList());
            return dead.size() >= 3;
        });
        assertThat(dead).extracting(m -> m.messageAttributes().get("error").stringValue())
                .anyMatch(reason -> reason.contains("names no dataset"))
                .anyMatch(reason -> reason.contains("'orders' is not configured"))
                .anyMatch(reason -> reason.toLowerCase().contains("json"));
        assertThat(dead).extracting(Message::body).containsExactlyInAnyOrder(nameless, unknown, broken);
    }

    /** Receives landed events until the Bronze objects they name hold {@code records} records tagged {@code tag}. */
    private List<BronzeObjectLanded> awaitLanded(String tag, int records) {
        List<BronzeObjectLanded> landed = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (Message m : sqs.receiveMessage(b -> b.queueUrl(queues.url("medallion-transform"))
                    .maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                sqs.deleteMessage(b -> b.queueUrl(queues.url("medallion-transform")).receiptHandle(m.receiptHandle()));
                landed.add((BronzeObjectLanded) Messages.decode(m.body()));
            }
            long found = 0;
            for (var object : landed) {
                String text = IngestResourceTest.gunzip(store.open(object.key()));
                found += text.split(tag + "-", -1).length - 1;
            }
            return found >= records;
        });
        return landed;
    }

    private void send(String body, Map<String, String> attributes) {
        Map<String, MessageAttributeValue> values = new java.util.HashMap<>();
        attributes.forEach((k, v) -> values.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v)
                .build()));
        sqs.sendMessage(b -> b.queueUrl(queues.url(QUEUE)).messageBody(body).messageAttributes(values));
    }

    private long messagesIn(String queue) {
        var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queues.url(queue)).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

}
