package dev.medallion.transform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.Messages;
import dev.medallion.support.Queues;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class TransformWorkerTest {
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
    void movesMessagesThatCanNeverSucceedToTheDeadLetterQueue() {
        var missing = BronzeObjectLanded.of("gone", "sales", LakeLayout.bronzeKey("sales", Instant.now(), "gone"), 1,
                Instant.now(), "http");
        queues.send("medallion-transform", missing);
        sqs.sendMessage(b -> b.queueUrl(queues.url("medallion-transform")).messageBody("{not a message"));

        List<Message> dead = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            dead.addAll(sqs.receiveMessage(b -> b.queueUrl(queues.url("medallion-transform-dlq"))
                    .maxNumberOfMessages(10).waitTimeSeconds(1).messageAttributeNames("All")).messages());
            return dead.size() >= 2;
        });
        assertThat(dead).extracting(m -> m.messageAttributes().get("error")).extracting(MessageAttributeValue::stringValue)
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

    private List<Message> receive(String queue) {
        return sqs.receiveMessage(b -> b.queueUrl(queues.url(queue)).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
    }

}
