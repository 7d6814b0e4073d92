package dev.medallion.catalog;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.EmbeddedCatalog;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.FieldType;
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
    @Inject
    CatalogResync resync;

    @Test
    void registersTheSilverTableWithProjectionOfThePartitionsWritten() {
        double before = syncs("updated") + syncs("unchanged");
        queues.send(QUEUE, salesFiles());

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(syncs("updated") + syncs("unchanged")).isGreaterThan(before);
            given().when().get("/v1/databases/lake/tables/sales/ddl")
                    .then().statusCode(200).contentType(startsWith("text/plain"))
                    .body(startsWith("CREATE EXTERNAL TABLE `lake`.`sales`"))
                    .body(containsString("'projection.year.range'="))
                    .body(containsString("'storage.location.template'="
                            + "'s3://lake/silver/sales/year=${year}/month=${month}/day=${day}'"));
        });
        given().when().get("/v1/databases/lake/tables/sales")
                .then().statusCode(200).contentType(startsWith("application/json"))
                .body("name", equalTo("sales"))
                .body("location", equalTo("s3://lake/silver/sales/"))
                .body("columns.name", hasItem("order_id"))
                .body("partitionKeys.name", contains("year", "month", "day"))
                .body("projection.year.type", equalTo("integer"))
                .body("table.TableType", equalTo("EXTERNAL_TABLE"))
                .body("table.Parameters.'projection.enabled'", equalTo("true"));
        // ranges only widen, and this lake outlives test runs: other tests may have widened it further
        String[] range = given().when().get("/v1/databases/lake/tables/sales").then().extract()
                .path("projection.year.range").toString().split(",");
        assertThat(Integer.parseInt(range[0])).isLessThanOrEqualTo(2025);
        assertThat(Integer.parseInt(range[1])).isGreaterThanOrEqualTo(2026);
        given().when().get("/v1/databases/lake/tables").then().statusCode(200).body("$", hasItem("sales"));
        given().when().get("/v1/databases").then().statusCode(200).body("$", hasItem("lake"));
    }

    @Test
    void registersAGoldTableWithItsDayAndDimensionsAndMeasures() {
        queues.send(QUEUE, FilesWritten.gold("run-" + UUID.randomUUID(), "sales", "lake", "daily_sales",
                List.of(new FilesWritten.WrittenFile("gold/daily_sales/year=2026/month=01/day=02/part-00000.parquet",
                        Map.of("year", "2026", "month", "01", "day", "02"), 3, 512)),
                List.of()));

        await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/v1/databases/lake/tables/daily_sales/ddl")
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
        assertThat(updater.apply(message).updated()).isFalse();
    }

    @Test
    void aLostTableIsRebuiltFromStorageOnlyWithAKeyProjectingEveryPartitionThatHoldsData() throws Exception {
        // the catalog lost the table; the lake still holds two partitions (and a file that is not in one)
        try (var versions = store.list(EmbeddedCatalog.PREFIX + "lake/sales/")) {
            versions.forEach(v -> store.delete(v.key()));
        }
        try (var silver = store.list("silver/sales/")) {
            silver.forEach(o -> store.delete(o.key()));
        }
        putObject("silver/sales/year=2019/month=05/day=01/part-rebuild-00000.parquet");
        putObject("silver/sales/year=2027/month=02/day=03/part-rebuild-00000.parquet");
        putObject("silver/sales/year=2027/month=02/day=03/_not_a_partition/notes.txt");

        given().when().post("/v1/databases/lake/tables/sales/sync").then().statusCode(401);
        given().header("X-Api-Key", "other-key").when().post("/v1/databases/lake/tables/sales/sync").then()
                .statusCode(403); // a key for another dataset
        given().header("X-Api-Key", "other-key").when().post("/v1/databases/lake/tables/daily_sales/sync").then()
                .statusCode(403);
        given().header("X-Api-Key", "test-key").when().post("/v1/databases/lake/tables/sales/sync")
                .then().statusCode(200).body("updated", equalTo(true)).body("refused", hasSize(0))
                .body("partitionsInStorage", greaterThanOrEqualTo(2));

        given().when().get("/v1/databases/lake/tables/sales").then().statusCode(200)
                .body("projection.year.range", equalTo("2019,2027"))
                .body("partitions.first", equalTo(Map.of("year", "2019", "month", "05", "day", "01")))
                .body("partitions.last", equalTo(Map.of("year", "2027", "month", "02", "day", "03")));
        given().header("X-Api-Key", "test-key").when().post("/v1/databases/lake/tables/sales/sync")
                .then().statusCode(200).body("updated", equalTo(false));
        given().header("X-Api-Key", "test-key").when().post("/v1/databases/lake/tables/nosuch/sync")
                .then().statusCode(404).body("error", equalTo("unknown_table"));
        store.delete("silver/sales/year=2019/month=05/day=01/part-rebuild-00000.parquet");
        store.delete("silver/sales/year=2027/month=02/day=03/part-rebuild-00000.parquet");
        store.delete("silver/sales/year=2027/month=02/day=03/_not_a_partition/notes.txt");
    }

    @Test
    void aFileWhoseColumnsDisagreeWithTheTableIsReportedAndTheTableKeepsItsTypes() {
        String key = "silver/sales/year=2026/month=01/day=05/part-" + UUID.randomUUID() + "-00000.parquet";
        var columns = List.of(new FieldType.Field("order_id", FieldType.parse("string"), true),
                new FieldType.Field("amount", FieldType.parse("string"), false));
        try (var writer = new RowWriter(store, key, columns, Set.of(), Map.of(), RowWriter.Settings.defaults())) {
            writer.add(new Object[] { "o-1", "12.50" });
        }
        Counter counter = metrics.find("medallion.catalog.changes").tags("table", "sales", "outcome", "refused")
                .counter();
        double before = counter == null ? 0 : counter.count();

        var outcome = updater.apply(FilesWritten.silver("run-" + UUID.randomUUID(), "sales", "lake",
                List.of(new FilesWritten.WrittenFile(key, Map.of("year", "2026", "month", "01", "day", "05"), 1, 100)),
                List.of(), 0));

        assertThat(outcome.refused()).contains("file " + key + ": column amount is string where the table reads "
                + "decimal(12,2)");
        assertThat(metrics.find("medallion.catalog.changes").tags("table", "sales", "outcome", "refused").counter()
                .count()).isGreaterThan(before);
        assertThat(outcome.table().storageDescriptor().columns())
                .contains(new dev.medallion.lake.catalog.TableInput.Column("amount", "decimal(12,2)"));
        store.delete(key);
    }

    @Test
    void theScheduledResyncBringsBackATableTheCatalogLostFromWhatStorageHolds() throws Exception {
        try (var versions = store.list(EmbeddedCatalog.PREFIX + "lake/daily_sales/")) {
            versions.forEach(v -> store.delete(v.key()));
        }
        String key = "gold/daily_sales/year=2023/month=03/day=04/part-00000.parquet";
        putObject(key);
        given().when().get("/v1/databases/lake/tables/daily_sales").then().statusCode(404);

        assertThat(resync.resyncAll()).isPositive();

        given().when().get("/v1/databases/lake/tables/daily_sales").then().statusCode(200)
                .body("projection.year.range", startsWith("2023,"));
        store.delete(key);
    }

    @Test
    void movesPoisonMessagesToTheDeadLetterQueueAndKeepsWorking() {
        String nonce = UUID.randomUUID().toString();
        sqs.sendMessage(b -> b.queueUrl(queues.url(QUEUE)).messageBody("{not a message " + nonce));
        queues.send(QUEUE, FilesWritten.silver("unknown-" + nonce, "nosuch", "lake",
                List.of(file("nosuch", "2026", "01", "02")), List.of(), 0));
        queues.send(QUEUE, BronzeObjectLanded.of("bronze-" + nonce, "sales", "bronze/sales/x.ndjson.gz", 1,
                Instant.now(), "http"));
        queues.send(QUEUE, FilesWritten.silver("misplaced-" + nonce, "sales", "lake",
                List.of(new FilesWritten.WrittenFile("silver/sales/year=2026/month=01/day=03/part-" + nonce + ".parquet",
                        Map.of("year", "2026", "month", "01", "day", "02"), 1, 10)),
                List.of(), 0));

        List<Message> dead = new ArrayList<>();
        await().atMost(TIMEOUT).until(() -> {
            sqs.receiveMessage(b -> b.queueUrl(queues.url(QUEUE + "-dlq")).maxNumberOfMessages(10).waitTimeSeconds(1)
                    .messageAttributeNames("All")).messages().stream().filter(m -> m.body().contains(nonce))
                    .forEach(dead::add);
            return dead.size() >= 4;
        });
        dead.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queues.url(QUEUE + "-dlq")).receiptHandle(m.receiptHandle())));
        assertThat(dead).extracting(m -> m.messageAttributes().get("error")).extracting(MessageAttributeValue::stringValue)
                .anySatisfy(reason -> assertThat(reason).contains("not JSON"))
                .anySatisfy(reason -> assertThat(reason).contains("dataset 'nosuch' is not configured"))
                .anySatisfy(reason -> assertThat(reason).contains("expected files.written"))
                .anySatisfy(reason -> assertThat(reason).contains("looks for partition"));

        double before = syncs("updated") + syncs("unchanged");
        queues.send(QUEUE, salesFiles());
        await().atMost(TIMEOUT).until(() -> syncs("updated") + syncs("unchanged") > before);
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void answersUnknownTablesWith404AndBadNamesWith400() {
        given().when().get("/v1/databases/lake/tables/nosuch_table")
                .then().statusCode(404).body("error", equalTo("unknown_table"))
                .body("reason", containsString("lake.nosuch_table"));
        given().when().get("/v1/databases/lake/tables/nosuch_table/ddl").then().statusCode(404)
                .body("error", equalTo("unknown_table"));
        given().when().get("/v1/databases/lake/tables/..%2Fcatalog").then().statusCode(400)
                .body("reason", containsString("Cannot use name"));
        given().when().get("/v1/databases/Lake%2F..%2Fx/tables/sales/ddl").then().statusCode(400)
                .body("error", equalTo("invalid_request"));
        given().when().get("/v1/databases/lake/tables/sales..x/ddl").then().statusCode(400);
        // a bare ".." segment is resolved away by the HTTP layer before routing, so it never reaches a name
    }

    @Test
    void reportsHealthAndMetrics() {
        updater.apply(salesFiles());
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("medallion_catalog_syncs_total{database=\"lake\""))
                .body(containsString("medallion_catalog_tables "))
                .body(containsString("medallion_catalog_columns{database=\"lake\",table=\"sales\"}"))
                .body(containsString("medallion_catalog_projection_covered{database=\"lake\",table=\"sales\"} 1.0"))
                .body(containsString("medallion_queue_lag_seconds{queue=\"medallion-catalog\"}"));
    }

    private void putObject(String key) throws java.io.IOException {
        try (var out = store.create(key, Map.of())) {
            out.write(new byte[] { 'P', 'A', 'R', '1' });
        }
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
