package dev.medallion.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.support.testing.LocalStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The consumer against a real SQS server (ElasticMQ from the project's local stack). */
class QueueConsumerTest {
    private static final String QUEUE = "medallion-ingest";
    private static LocalStack stack;
    private static SqsClient sqs;
    private static Queues queues;

    @BeforeAll
    static void startSqs() {
        stack = LocalStack.start(Path.of("target/queue-consumer").toAbsolutePath());
        sqs = stack.sqsClient();
        queues = new Queues(sqs);
        // the local stack persists messages between runs; start from empty queues
        sqs.purgeQueue(b -> b.queueUrl(queues.url(QUEUE)));
        sqs.purgeQueue(b -> b.queueUrl(queues.url(QUEUE + "-dlq")));
    }

    @AfterAll
    static void stopSqs() {
        if (sqs != null) {
            sqs.close();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void keepsAMessageHiddenWhileItsWorkOutlastsTheVisibilityTimeoutAndDeletesItAfter() throws Exception {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var handled = new AtomicInteger();
        var consumer = new QueueConsumer(sqs, queues, new SimpleMeterRegistry(),
                new QueueConsumer.Settings(QUEUE, 1, Duration.ofSeconds(1), Duration.ofSeconds(10),
                        Duration.ofSeconds(2)),
                QueueConsumer.lakeMessages(message -> {
                    handled.incrementAndGet();
                    started.countDown();
                    assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                }));
        queues.send(QUEUE, BronzeObjectLanded.of("slow", "sales", "bronze/sales/x.ndjson.gz", 1, Instant.now(),
                "http"));
        consumer.start();
        try {
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            // three visibility timeouts pass while the handler works: nobody else may receive the message
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8))
                    .until(() -> sqs.receiveMessage(b -> b.queueUrl(queues.url(QUEUE)).waitTimeSeconds(0)
                            .visibilityTimeout(0)).messages().isEmpty());
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> messagesIn(QUEUE) == 0);
        } finally {
            release.countDown();
            consumer.stop();
        }
        assertThat(handled).hasValue(1);
    }

    @Test
    void reportsTheMessagesWaitingInItsQueueAndInItsDeadLetterQueue() {
        String queue = "medallion-transform"; // a queue of its own: the other tests here use the ingest queue
        sqs.purgeQueue(b -> b.queueUrl(queues.url(queue)));
        sqs.purgeQueue(b -> b.queueUrl(queues.url(queue + "-dlq")));
        for (int i = 0; i < 3; i++) {
            sqs.sendMessage(b -> b.queueUrl(queues.url(queue)).messageBody("waiting"));
        }
        for (int i = 0; i < 2; i++) {
            sqs.sendMessage(b -> b.queueUrl(queues.url(queue + "-dlq")).messageBody("dead"));
        }
        var metrics = new SimpleMeterRegistry();
        var consumer = new QueueConsumer(sqs, queues, metrics, new QueueConsumer.Settings(queue, 1,
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30)), message -> {
                    throw new IllegalStateException("nothing is received while the handler has no room");
                }, () -> false);
        consumer.start();
        try {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(metrics.get("medallion.queue.depth.messages").tag("queue", queue).gauge().value())
                        .isEqualTo(3.0);
                assertThat(metrics.get("medallion.queue.dead.letter.messages").tag("queue", queue).gauge().value())
                        .isEqualTo(2.0);
            });
        } finally {
            consumer.stop();
            sqs.purgeQueue(b -> b.queueUrl(queues.url(queue)));
            sqs.purgeQueue(b -> b.queueUrl(queues.url(queue + "-dlq")));
        }
    }

    @Test
    void sendsAMessageItCanNeverHandleToTheDeadLetterQueueWithItsReason() {
        var consumer = new QueueConsumer(sqs, queues, new SimpleMeterRegistry(),
                new QueueConsumer.Settings(QUEUE, 1, Duration.ofSeconds(1), Duration.ofSeconds(10),
                        Duration.ofSeconds(30)),
                QueueConsumer.lakeMessages(message -> {
                    throw new IllegalStateException("a handler that must not be reached");
                }));
        String body = "{\"type\":\"no.such.type\",\"version\":1,\"id\":\"" + java.util.UUID.randomUUID() + "\"}";
        sqs.sendMessage(b -> b.queueUrl(queues.url(QUEUE)).messageBody(body));
        consumer.start();
        try {
            // the local stack keeps queues between runs: look for this test's message among any others
            var dead = await().atMost(Duration.ofSeconds(30)).until(() -> sqs.receiveMessage(b -> b
                    .queueUrl(queues.url(QUEUE + "-dlq")).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageAttributeNames("All")).messages().stream().filter(m -> m.body().equals(body)).findFirst(),
                    java.util.Optional::isPresent).orElseThrow();
            assertThat(dead.messageAttributes().get("error").stringValue()).contains("unknown type");
            // the original is deleted right after the dead-letter copy is sent
            await().atMost(Duration.ofSeconds(10)).until(() -> messagesIn(QUEUE) == 0);
        } finally {
            consumer.stop();
        }
    }

    @Test
    void deletesAMessageOnlyWhenTheWorkItStartedCompletesLater() {
        var work = new java.util.concurrent.CompletableFuture<Void>();
        var consumer = new QueueConsumer(sqs, queues, new SimpleMeterRegistry(),
                new QueueConsumer.Settings(QUEUE, 1, Duration.ofSeconds(1), Duration.ofSeconds(10),
                        Duration.ofSeconds(2)),
                message -> work);
        sqs.sendMessage(b -> b.queueUrl(queues.url(QUEUE)).messageBody("buffered"));
        consumer.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> visibleIn(QUEUE) == 0 && messagesIn(QUEUE) == 1);
            // the poller has gone back to polling, but the message outlives its visibility timeout, hidden
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> messagesIn(QUEUE) == 1
                    && visibleIn(QUEUE) == 0);
            work.complete(null);
            await().atMost(Duration.ofSeconds(20)).until(() -> messagesIn(QUEUE) == 0);
        } finally {
            work.complete(null);
            consumer.stop();
        }
    }

    @Test
    void receivesNothingWhileTheHandlerHasNoRoom() {
        var room = new java.util.concurrent.atomic.AtomicBoolean(false);
        var consumer = new QueueConsumer(sqs, queues, new SimpleMeterRegistry(),
                new QueueConsumer.Settings(QUEUE, 1, Duration.ofSeconds(1), Duration.ofSeconds(10),
                        Duration.ofSeconds(30)),
                message -> java.util.concurrent.CompletableFuture.completedFuture(null), room::get);
        sqs.sendMessage(b -> b.queueUrl(queues.url(QUEUE)).messageBody("waiting"));
        consumer.start();
        try {
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> visibleIn(QUEUE) == 1);
            room.set(true);
            await().atMost(Duration.ofSeconds(20)).until(() -> messagesIn(QUEUE) == 0);
        } finally {
            consumer.stop();
        }
    }

    private static long visibleIn(String queue) {
        return Long.parseLong(sqs.getQueueAttributes(b -> b.queueUrl(queues.url(queue)).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private static long messagesIn(String queue) {
        var attributes = sqs.getQueueAttributes(b -> b.queueUrl(queues.url(queue)).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }
}
