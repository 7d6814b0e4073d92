package dev.medallion.catalog;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.EmbeddedCatalog;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.support.Queues;
import dev.medallion.support.testing.LocalStackResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class CatalogServiceTest {
    private static final String QUEUE = "medallion-catalog";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    S3ObjectStore store;
    @Inject
    SqsClient sqs;
    @Inject
    Queues queues;
    @Inject
    MeterRegistry metrics;
    @Inject
    CatalogUpdater updater;

    @Test
    void registersTheSilverTableWithProjectionOfThePartitionsWritten() {
        double before = syncs("updated") + syncs("unchanged");
        queues.send(QUEUE, salesFiles());

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(syncs("updated") + syncs("unchanged")).isGreaterThan(before);
            given().when().get("/v1/tables/lake/sales/ddl")
                    .then().statusCode(200).contentType(startsWith("text/plain"))
                    .body(startsWith("CREATE EXTERNAL TABLE `lake`.`sales`"))
                    .body(containsString("'projection.year.range'='2025,2026'"))
                    .body(containsString("'storage.location.template'="
                            + "'s3://lake/silver/sales/year=${year}/month=${month}/day=${day}'"));
        });
        given().when().get("/v1/tables/lake/sales")
                .then().statusCode(200).contentType(startsWith("application/json"))
                .body("Name", equalTo("sales"))
                .body("TableType", equalTo("EXTERNAL_TABLE"))
                .body("PartitionKeys.Name", contains("year", "month", "day"))
                .body("Parameters.'projection.enabled'", equalTo("true"))
                .body("StorageDescriptor.Location", equalTo("s3://lake/silver/sales/"))
                .body("StorageDescriptor.Columns.Name", hasItem("order_id"));
        given().when().get("/v1/tables/lake").then().statusCode(200).body("$", hasItem("sales"));
    }

    @Test
    void registersAGoldTableWithItsDayAndDimensionsAndMeasures() {
        queues.send(QUEUE, FilesWritten.gold("run-" + UUID.randomUUID(), "sales", "lake", "daily_sales",
                List.of(new FilesWritten.WrittenFile("gold/daily_sales/year=2026/month=01/day=02/part-00000.parquet",
                        Map.of("year", "2026", "month", "01", "day", "02"), 3, 512)),
                List.of()));

        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/v1/tables/lake/daily_sales/ddl")
                .then().statusCode(200)
                .body(startsWith("CREATE EXTERNAL TABLE `lake`.`daily_sales`"))
                .body(containsString("`event_date` date"))
                .body(containsString("`revenue` decimal(38,2)"))
                .body(containsString("`customers` bigint"))
                .body(containsString("'storage.location.template'="
                        + "'s3://lake/gold/daily_sales/year=${year}/month=${month}/day=${day}'")));
    }

    @Test
    void aRedeliveredMessageAddsNoTableVersion() {
        FilesWritten message = salesFiles();
        updater.apply(message);
        EmbeddedCatalog catalog = new EmbeddedCatalog(store);
        int versions = catalog.versionCount("lake", "sales");
        assertThat(versions).isPositive();

        double unchanged = syncs("unchanged");
        queues.send(QUEUE, message);
        await().atMost(TIMEOUT).until(() -> syncs("unchanged") > unchanged);

        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(versions);
        assertThat(updater.apply(message)).isFalse();
    }

    @Test
    void movesPoisonMessagesToTheDeadLetterQueueAndKeepsWorking() {
        String nonce = UUID.randomUUID().toString();
        sqs.sendMessage(b -> b.queueUrl(queues.url(QUEUE)).messageBody("{not a message " + nonce));
        queues.send(QUEUE, FilesWritten.silver("unknown-" + nonce, "nosuch", "lake",
                List.of(file("nosuch", "2026", "01", "02")), List.of(), 0));
        queues.send(QUEUE, BronzeObjectLanded.of("bronze-" + nonce, "sales", "bronze/sales/x.ndjson.gz", 1,
                Instant.now(), "http"));

        List<Message> dead = new ArrayList<>();
        await().atMost(TIMEOUT).until(() -> {
            sqs.receiveMessage(b -> b.queueUrl(queues.url(QUEUE + "-dlq")).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageAttributeNames("All")).messages().stream().filter(m -> m.body().contains(nonce))
                    .forEach(dead::add);
            return dead.size() >= 3;
        });
        dead.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queues.url(QUEUE + "-dlq")).receiptHandle(m.receiptHandle())));
        assertThat(dead).extracting(m -> m.messageAttributes().get("error")).extracting(MessageAttributeValue::stringValue)
                .anySatisfy(reason -> assertThat(reason).contains("not JSON"))
                .anySatisfy(reason -> assertThat(reason).contains("dataset 'nosuch' is not configured"))
                .anySatisfy(reason -> assertThat(reason).contains("expected files.written"));

        double before = syncs("updated") + syncs("unchanged");
        queues.send(QUEUE, salesFiles());
        await().atMost(TIMEOUT).until(() -> syncs("updated") + syncs("unchanged") > before);
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void answersUnknownTablesWith404AndBadNamesWith400() {
        given().when().get("/v1/tables/lake/nosuch_table")
                .then().statusCode(404).body("error", equalTo("unknown_table"))
                .body("reason", containsString("lake.nosuch_table"));
        given().when().get("/v1/tables/lake/nosuch_table/ddl").then().statusCode(404)
                .body("error", equalTo("unknown_table"));
        given().when().get("/v1/tables/lake/..%2Fcatalog").then().statusCode(400)
                .body("reason", containsString("Cannot use name"));
        given().when().get("/v1/tables/Lake%2F..%2Fx/sales/ddl").then().statusCode(400)
                .body("error", equalTo("invalid_request"));
        given().when().get("/v1/tables/lake/sales..x/ddl").then().statusCode(400);
        // a bare ".." segment is resolved away by the HTTP layer before routing, so it never reaches a name
    }

    @Test
    void reportsHealthAndMetrics() {
        updater.apply(salesFiles());
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("medallion_catalog_syncs_total{database=\"lake\""))
                .body(containsString("medallion_queue_lag_seconds{queue=\"medallion-catalog\"}"));
    }

    private double syncs(String outcome) {
        Counter counter = metrics.find("medallion.catalog.syncs")
                .tags("database", "lake", "table", "sales", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static FilesWritten salesFiles() {
        return FilesWritten.silver("run-" + UUID.randomUUID(), "sales", "lake",
                List.of(file("sales", "2025", "12", "31"), file("sales", "2026", "01", "02")),
                List.of("bronze/sales/ingest_date=2026-01-02/hour=00/test.ndjson.gz"), 0);
    }

    private static FilesWritten.WrittenFile file(String dataset, String year, String month, String day) {
        return new FilesWritten.WrittenFile("silver/" + dataset + "/year=" + year + "/month=" + month + "/day=" + day
                + "/part-00000.parquet", Map.of("year", year, "month", month, "day", day), 10, 1024);
    }
}
