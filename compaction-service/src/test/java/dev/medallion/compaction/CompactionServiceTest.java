package dev.medallion.compaction;

import static dev.medallion.compaction.SilverFiles.freshPartition;
import static dev.medallion.compaction.SilverFiles.hex;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.Messages;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.support.Queues;
import dev.medallion.support.testing.DuckDbQueries;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.sqs.SqsClient;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class CompactionServiceTest {

    @Inject
    S3ObjectStore store;
    @Inject
    Queues queues;
    @Inject
    DatasetSpecs specs;
    @Inject
    CompactionWorker worker;
    @Inject
    SqsClient sqs;

    @Test
    void isReadyOnlyWithTheLakeAndQueuesReachableAndExposesMetrics() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks[0].data.s3", containsString("reachable"))
                .body("checks[0].data.sqs", containsString("reachable"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"))
                .body(containsString(
                        "medallion_aws_requests_total{operation=\"GetBucketLocation\",service=\"S3\",status=\"200\"}"));
    }

    @Test
    void filesWrittenEventsGetAPartitionsSmallFilesMergedIntoOneWithEveryKeyOnce() throws Exception {
        String partition = freshPartition();
        List<FilesWritten.WrittenFile> inputs = silver().smallFiles("sales", partition, 6, 200);
        // the last file repeats the first one's orders, ingested later: one copy of each must stay
        inputs.add(silver().file("sales", partition, "part-" + hex() + "-00000.parquet", 0, 200, Instant.now()));
        queues.send("medallion-compaction", FilesWritten.silver(hex(), "sales", "lake", inputs, List.of(), 0));

        List<ObjectInfo> files = await().atMost(Duration.ofSeconds(60)).until(() -> silver().files("sales", partition),
                f -> f.size() == 1);

        assertThat(inputs).extracting(FilesWritten.WrittenFile::key).doesNotContain(files.get(0).key());
        assertThat(DuckDbQueries.query(store, files.get(0).key(), "SELECT count(*), count(DISTINCT order_id) FROM t"))
                .containsExactly("1200|1200");
        given().when().get("/q/metrics").then()
                .body(containsString("medallion_compaction_rows_total{dataset=\"sales\",outcome=\"deduplicated\"}"))
                .body(containsString("medallion_compaction_groups_total{dataset=\"sales\",outcome=\"merged\"}"));
    }

    @Test
    void theApiShowsThePlanWithoutChangingAnythingAndCompactsOnlyWithAKeyForTheDataset() throws Exception {
        String partition = freshPartition();
        silver().smallFiles("sales", partition, 5, 50);

        given().queryParam("partition", partition).when().get("/v1/datasets/sales/compactions").then()
                .statusCode(200).body("dryRun", equalTo(true))
                .body("partitions[0].files", equalTo(5))
                .body("partitions[0].groups", hasSize(1))
                .body("partitions[0].groups[0].files", hasSize(5));
        given().header("X-Api-Key", "test-key").queryParam("partition", partition).queryParam("dry-run", true)
                .when().post("/v1/datasets/sales/compactions").then().statusCode(200).body("dryRun", equalTo(true));
        assertThat(silver().files("sales", partition)).hasSize(5);

        given().queryParam("partition", partition).when().post("/v1/datasets/sales/compactions").then()
                .statusCode(401);
        given().header("X-Api-Key", "other-key").queryParam("partition", partition).when()
                .post("/v1/datasets/sales/compactions").then().statusCode(403);
        given().header("X-Api-Key", "test-key").queryParam("partition", "year=2026/month=13/day=01").when()
                .post("/v1/datasets/sales/compactions").then().statusCode(400)
                .body("reason", containsString("not a date"));
        assertThat(silver().files("sales", partition)).hasSize(5);

        given().header("X-Api-Key", "test-key").queryParam("partition", partition).when()
                .post("/v1/datasets/sales/compactions").then().statusCode(200)
                .body("partitions[0].merges[0].inputs", hasSize(5))
                .body("partitions[0].merges[0].rowsDeduplicated", equalTo(0));
        assertThat(silver().files("sales", partition)).hasSize(1);
    }

    @Test
    void aSweepMeasuresEachTablesSmallFileDebt() {
        silver().smallFiles("sales", freshPartition(), 2, 10); // too few to merge: debt that stays

        worker.sweep();

        given().when().get("/q/metrics").then()
                .body(containsString("medallion_compaction_small_files{dataset=\"sales\"}"))
                .body(containsString("medallion_compaction_oldest_small_file_age_seconds{dataset=\"sales\"}"))
                .body(containsString("medallion_compaction_file_size_bytes{dataset=\"sales\",percentile=\"95\"}"))
                .body(containsString("medallion_compaction_partition_files{dataset=\"sales\",percentile=\"50\"}"));
    }

    @Test
    void aRegisteredPartitionMovesToANewGenerationKeepsTheOldOneAndTellsTheCatalog() throws Exception {
        DatasetSpec refunds = specs.find("refunds").orElseThrow();
        Generations generations = new Generations(store);
        String partition = freshPartition();
        List<FilesWritten.WrittenFile> inputs = silver().smallFiles("refunds", partition, 5, 20);
        queues.send("medallion-compaction", FilesWritten.silver(hex(), "refunds", "lake", inputs, List.of(), 0));

        String moved = await().atMost(Duration.ofSeconds(60))
                .until(() -> generations.currentFolder(refunds, partition), f -> f.contains("/_gen="));

        List<ObjectInfo> merged = generations.currentFiles(refunds, partition);
        assertThat(merged).singleElement().satisfies(f -> assertThat(f.key()).startsWith(moved));
        assertThat(DuckDbQueries.query(store, merged.get(0).key(), "SELECT count(*), count(DISTINCT refund_id) FROM t"))
                .containsExactly("100|100");
        assertThat(generations.files(refunds, partition, "")).as("kept for queries that found the old location")
                .hasSize(5);
        FilesWritten announced = await().atMost(Duration.ofSeconds(30)).until(() -> catalogMessages().stream()
                .filter(m -> m.dataset().equals("refunds") && m.files().get(0).key().startsWith(moved)).findFirst(),
                Optional::isPresent).orElseThrow();
        assertThat(announced.files()).extracting(FilesWritten.WrittenFile::key)
                .containsExactly(merged.get(0).key());
    }

    /** Messages on the catalog queue (no catalog service runs here to take them), deleted as read. */
    private List<FilesWritten> catalogMessages() {
        String url = queues.url("medallion-catalog");
        List<FilesWritten> messages = new ArrayList<>();
        for (var message : sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages()) {
            if (Messages.decode(message.body()) instanceof FilesWritten written) {
                messages.add(written);
            }
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));
        }
        return messages;
    }

    private SilverFiles silver() {
        return new SilverFiles(store, specs);
    }

}
