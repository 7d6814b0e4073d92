package dev.medallion.transform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.Messages;
import dev.medallion.support.Queues;
import dev.medallion.support.testing.DuckDbQueries;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class TransformWorkerTest {
    private static final Random RANDOM = new Random();
    @Inject
    S3ObjectStore store;
    @Inject
    SqsClient sqs;
    @Inject
    Queues queues;

    @Test
    void promotesALandedBronzeObjectAndAnnouncesItsSilverFiles() throws IOException {
        BronzeObjectLanded landed = putBronze("""
                {"order_id":"o1","amount":1.50,"ts":"2026-11-01T10:00:00Z"}
                {"order_id":"o2","amount":"x","ts":"2026-11-01T10:00:00Z"}
                {"order_id":"o3","amount":2.00,"ts":"2026-11-03T10:00:00Z"}
                """);
        queues.send("medallion-transform", landed);

        FilesWritten written = (FilesWritten) await().atMost(Duration.ofSeconds(60))
                .until(() -> receive("medallion-catalog").stream().map(m -> Messages.decode(m.body()))
                        .filter(m -> m instanceof FilesWritten f && f.sources().contains(landed.key())).findFirst()
                        .orElse(null), m -> m != null);

        assertThat(written.files()).hasSize(2).allSatisfy(f -> {
            assertThat(f.key()).startsWith("silver/sales/year=2026/month=11/").endsWith(".parquet");
            assertThat(store.stat(f.key())).hasValueSatisfying(info -> assertThat(info.size()).isEqualTo(f.bytes()));
        });
        assertThat(written.files()).extracting(FilesWritten.WrittenFile::rows).containsOnly(1L);
        assertThat(written.rowsQuarantined()).isEqualTo(1);
        try (var quarantine = store.list("quarantine/sales/error_type=type_mismatch/")) {
            assertThat(quarantine.count()).isPositive();
        }
        assertThat(receive("medallion-compaction")).isNotEmpty();
        // the message is counted once deleted, just after its announcements went out
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().when().get("/q/metrics").then()
                .statusCode(200)
                .body(containsString("medallion_transform_rows_total{dataset=\"sales\",outcome=\"written\"}"))
                .body(containsString("medallion_queue_messages_total{outcome=\"processed\",queue=\"medallion-transform\"}")));
    }

    @Test
    void combinesLandedEventsS3NotificationsAndEventBridgeEventsIntoOneRun() throws Exception {
        // a day no other test writes, so the partition holds only this run's files
        String day = "2031-0" + (1 + RANDOM.nextInt(9)) + "-1" + RANDOM.nextInt(10);
        BronzeObjectLanded landed = putBronze("{\"order_id\":\"l1\",\"amount\":1,\"ts\":\"" + day + "T01:00:00Z\"}\n");
        String dms = "bronze/sales/dms/" + UUID.randomUUID() + "/LOAD 00000001.csv";
        put(dms, "order_id,amount,ts\nd1,2.50," + day + "T02:00:00Z\nd2,3.50," + day + "T03:00:00Z\n");
        String appflow = "bronze/sales/appflow/" + UUID.randomUUID() + ".json";
        put(appflow, "{\"order_id\":\"a1\",\"amount\":4,\"ts\":\"" + day + "T04:00:00Z\"}\n");

        queues.send("medallion-transform", landed);
        send("""
                {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                  "s3": {"bucket": {"name": "lake"}, "object": {"key": "%s", "size": 60}}}]}"""
                .formatted(URLEncoder.encode(dms, StandardCharsets.UTF_8)));
        send("""
                {"version": "0", "detail-type": "Object Created", "source": "aws.s3",
                 "detail": {"bucket": {"name": "lake"}, "object": {"key": "%s", "size": 50}}}""".formatted(appflow));
        send("{\"Service\": \"Amazon S3\", \"Event\": \"s3:TestEvent\", \"Bucket\": \"lake\"}");

        String partition = "silver/sales/year=" + day.substring(0, 4) + "/month=" + day.substring(5, 7) + "/day="
                + day.substring(8) + "/";
        await().atMost(Duration.ofSeconds(60)).until(() -> rowsIn(partition) == 4);
        assertThat(silverFiles(partition)).hasSize(1); // one run read the three objects
        // the run recomputed the day's Gold table from Silver: channel and currency are null in these records
        String gold = LakeLayout.goldKey("daily_sales", java.time.LocalDate.parse(day));
        await().atMost(Duration.ofSeconds(30)).until(() -> store.stat(gold).isPresent());
        assertThat(DuckDbQueries.query(store, gold, "SELECT orders, revenue FROM t")).containsExactly("4|11.00");
        await().atMost(Duration.ofSeconds(30)).until(() -> depth("medallion-transform") == 0);

        // the landed event delivered again: the object was promoted in this version, nothing is added
        queues.send("medallion-transform", landed);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/metrics").then()
                .body(containsString("medallion_transform_sources_skipped_total{dataset=\"sales\","
                        + "reason=\"already_promoted\"}")));
        await().atMost(Duration.ofSeconds(30)).until(() -> depth("medallion-transform") == 0);
        assertThat(rowsIn(partition)).isEqualTo(4);
    }

    @Test
    void movesMessagesThatCanNeverSucceedToTheDeadLetterQueue() {
        String tag = UUID.randomUUID().toString().replace("-", "");
        var missing = BronzeObjectLanded.of(tag, "sales", LakeLayout.bronzeKey("sales", Instant.now(), tag), 1,
                Instant.now(), "http");
        queues.send("medallion-transform", missing);
        sqs.sendMessage(b -> b.queueUrl(queues.url("medallion-transform")).messageBody("{not a message " + tag));

        // only this test's messages (the local stack keeps others between runs), once each: a message not deleted
        // here becomes visible again
        Map<String, Message> dead = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            sqs.receiveMessage(b -> b.queueUrl(queues.url("medallion-transform-dlq")).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).messageAttributeNames("All")).messages().stream()
                    .filter(m -> m.body().contains(tag)).forEach(m -> dead.put(m.messageId(), m));
            return dead.size() >= 2;
        });
        assertThat(dead.values()).extracting(m -> m.messageAttributes().get("error"))
                .extracting(MessageAttributeValue::stringValue)
                .anySatisfy(reason -> assertThat(reason).contains("does not exist"))
                .anySatisfy(reason -> assertThat(reason).contains("not JSON"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    private BronzeObjectLanded putBronze(String ndjson) throws IOException {
        Instant now = Instant.now();
        String id = LakeLayout.newBronzeId(now);
        String key = LakeLayout.bronzeKey("sales", now, id);
        try (OutputStream out = new GZIPOutputStream(store.create(key, Map.of("received-at", now.toString())))) {
            out.write(ndjson.getBytes(StandardCharsets.UTF_8));
        }
        return BronzeObjectLanded.of(id, "sales", key, store.stat(key).orElseThrow().size(), now, "http");
    }

    private void put(String key, String text) throws IOException {
        try (OutputStream out = store.create(key, Map.of())) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void send(String body) {
        sqs.sendMessage(b -> b.queueUrl(queues.url("medallion-transform")).messageBody(body));
    }

    /** Rows in the Silver files of a partition, read by DuckDB. */
    private long rowsIn(String partition) throws Exception {
        long rows = 0;
        for (String file : silverFiles(partition)) {
            rows += Long.parseLong(DuckDbQueries.query(store, file, "SELECT count(*) FROM t").get(0));
        }
        return rows;
    }

    /**
     * The partition's Parquet files, as the services list them: the local S3 server's file system backend also
     * lists an object being written, under a temporary name.
     */
    private List<String> silverFiles(String partition) {
        try (var files = store.list(partition)) {
            return files.map(f -> f.key()).filter(key -> key.endsWith(".parquet")).toList();
        }
    }

    private long depth(String queue) {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(b -> b.queueUrl(queues.url(queue))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return attributes.values().stream().mapToLong(Long::parseLong).sum();
    }

    private List<Message> receive(String queue) {
        return sqs.receiveMessage(b -> b.queueUrl(queues.url(queue)).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
    }

}
