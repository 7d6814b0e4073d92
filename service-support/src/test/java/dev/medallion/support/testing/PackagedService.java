package dev.medallion.support.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.message.Messages;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * What a test of a packaged service ({@code @QuarkusIntegrationTest}) sees of it from outside: the lake and the queues
 * of its {@link LocalStack}, and its HTTP endpoints.
 */
public final class PackagedService implements AutoCloseable {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final LocalStack stack;
    private final S3Client s3;
    private final SqsClient sqs;
    private final S3ObjectStore store;

    public PackagedService(LocalStack stack) {
        this.stack = stack;
        this.s3 = stack.s3Client();
        this.sqs = stack.sqsClient();
        this.store = new S3ObjectStore(s3, stack.bucket(), Optional.empty(), Path.of("target", "it-staging"));
    }

    public S3ObjectStore store() {
        return store;
    }

    public SqsClient sqs() {
        return sqs;
    }

    public void send(String queue, LakeMessage message) {
        sqs.sendMessage(b -> b.queueUrl(stack.queueUrl(queue)).messageBody(Messages.encode(message)));
    }

    /** The text of an object, for example a quarantine file. */
    public String text(String key) {
        try (InputStream in = store.open(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    /** The text of a gzip object, for example a Bronze object. */
    public String gunzip(String key) {
        try (InputStream in = new GZIPInputStream(store.open(key))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits for a message of this type on a queue that satisfies {@code wanted}. Messages read are deleted: no
     * other service runs to take them, and other tests' messages must not hide this one.
     */
    public <T extends LakeMessage> T awaitMessage(String queue, Class<T> type, Predicate<T> wanted) {
        String url = stack.queueUrl(queue);
        return await().atMost(PATIENCE).until(() -> {
            for (var message : sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                    .messages()) {
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));

                if (type.isInstance(Messages.decode(message.body()))) {
                    T decoded = type.cast(Messages.decode(message.body()));
                    if (wanted.test(decoded)) {
                        return Optional.of(decoded);
                    }
                }
            }
            return Optional.<T> empty();
        }, Optional::isPresent).orElseThrow();
    }

    /** The service is ready (its lake and queues reachable) and its Prometheus scrape holds these series. */
    public static void assertReadyWithMetrics(List<String> series) {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks[0].data.s3", containsString("reachable"))
                .body("checks[0].data.sqs", containsString("reachable"));
        given().when().get("/q/health/live").then().statusCode(200);
        await().atMost(PATIENCE).untilAsserted(() -> {
            var scrape = given().when().get("/q/metrics").then().statusCode(200);
            series.forEach(s -> scrape.body(containsString(s)));
        });
    }

    @Override
    public void close() {
        s3.close();
        sqs.close();
    }
}
