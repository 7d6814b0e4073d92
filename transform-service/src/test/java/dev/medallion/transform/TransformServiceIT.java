package dev.medallion.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.support.testing.DuckDbQueries;
import dev.medallion.support.testing.InjectLocalStack;
import dev.medallion.support.testing.LocalStack;
import dev.medallion.support.testing.PackagedService;
import dev.medallion.support.testing.PackagedServiceResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The packaged transform-service (the JVM jar, or the native executable with {@code -Dnative}) promotes Bronze to
 * Snappy Parquet in Silver that DuckDB reads, quarantines bad records, rebuilds Gold and announces what it wrote.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedServiceResource.class, restrictToAnnotatedClass = true, initArgs = @ResourceArg(name = "medallion.transform.consumer.wait-time", value = "1s"))
class TransformServiceIT {
    @InjectLocalStack
    LocalStack stack;

    @Test
    void promotesBronzeToParquetThatDuckDbReadsAndRebuildsGold() throws Exception {
        // a day of a year no other run writes, so its partition and Gold table hold only this test's rows
        LocalDate day = LocalDate.of(3000 + (int) (Math.random() * 5000), 6, 15);
        String tag = UUID.randomUUID().toString();
        try (var service = new PackagedService(stack)) {
            BronzeObjectLanded landed = putBronze(service, """
                    {"order_id":"%1$s-1","amount":1.50,"ts":"%2$sT10:00:00Z"}
                    {"order_id":"%1$s-2","amount":"not a number","ts":"%2$sT10:00:00Z"}
                    {"order_id":"%1$s-3","amount":2.25,"ts":"%2$sT11:00:00Z"}
                    """.formatted(tag, day));
            service.send("medallion-transform", landed);

            FilesWritten written = service.awaitMessage("medallion-catalog", FilesWritten.class,
                    m -> m.sources().contains(landed.key()));
            assertThat(written.rowsQuarantined()).isEqualTo(1);
            assertThat(written.files()).singleElement().satisfies(file -> {
                assertThat(file.key()).startsWith("silver/sales/year=%d/month=06/day=15/".formatted(day.getYear()))
                        .endsWith(".parquet");
                assertThat(DuckDbQueries.query(service.store(), file.key(),
                        "SELECT order_id, amount FROM t ORDER BY order_id"))
                        .containsExactly(tag + "-1|1.50", tag + "-3|2.25");
                assertThat(DuckDbQueries.query(service.store(), file.key(), "SELECT DISTINCT compression FROM t_metadata"))
                        .containsExactly("SNAPPY");
            });
            service.awaitMessage("medallion-compaction", FilesWritten.class, m -> m.sources().contains(landed.key()));

            String gold = LakeLayout.goldKey("daily_sales", day);
            await().atMost(Duration.ofSeconds(60)).until(() -> service.store().stat(gold).isPresent());
            assertThat(DuckDbQueries.query(service.store(), gold, "SELECT orders, revenue FROM t"))
                    .containsExactly("2|3.75");
            String quarantine = "quarantine/sales/error_type=type_mismatch/ingest_date=" + landed.receivedAt()
                    .toString().substring(0, 10) + "/";
            try (var quarantined = service.store().list(quarantine)) {
                assertThat(quarantined.map(o -> service.text(o.key())).filter(text -> text.contains(tag + "-2")))
                        .singleElement().asString().contains("not a number");
            }
        }
    }

    @Test
    void movesAMessageThatCanNeverSucceedToTheDeadLetterQueueWithItsReason() {
        try (var service = new PackagedService(stack)) {
            String poison = "{not a message " + UUID.randomUUID();
            service.sqs().sendMessage(b -> b.queueUrl(stack.queueUrl("medallion-transform")).messageBody(poison));

            String reason = await().atMost(Duration.ofSeconds(60)).until(() -> service.sqs()
                    .receiveMessage(b -> b.queueUrl(stack.queueUrl("medallion-transform-dlq")).maxNumberOfMessages(10)
                            .waitTimeSeconds(1).messageAttributeNames("All"))
                    .messages().stream().filter(m -> m.body().equals(poison)).findFirst()
                    .map(m -> m.messageAttributes().get("error")).map(MessageAttributeValue::stringValue)
                    .orElse(null), r -> r != null);
            assertThat(reason).contains("not JSON");
        }
    }

    @Test
    void isReadyAndExposesItsFigures() {
        PackagedService.assertReadyWithMetrics(List.of("medallion_queue_depth_messages{queue=\"medallion-transform\"}",
                "medallion_queue_dead_letter_messages", "jvm_memory_used_bytes"));
    }

    private static BronzeObjectLanded putBronze(PackagedService service, String ndjson) throws Exception {
        Instant now = Instant.now();
        String id = LakeLayout.newBronzeId(now);
        String key = LakeLayout.bronzeKey("sales", now, id);
        try (OutputStream out = new GZIPOutputStream(service.store().create(key, Map.of("received-at", now.toString())))) {
            out.write(ndjson.getBytes(StandardCharsets.UTF_8));
        }
        return BronzeObjectLanded.of(id, "sales", key, service.store().stat(key).orElseThrow().size(), now, "http");
    }
}
