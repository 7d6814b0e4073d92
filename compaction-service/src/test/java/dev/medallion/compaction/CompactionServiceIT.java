package dev.medallion.compaction;

import static dev.medallion.compaction.SilverFiles.freshPartition;
import static dev.medallion.compaction.SilverFiles.hex;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.support.testing.DuckDbQueries;
import dev.medallion.support.testing.InjectLocalStack;
import dev.medallion.support.testing.LocalStack;
import dev.medallion.support.testing.PackagedService;
import dev.medallion.support.testing.PackagedServiceResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged compaction-service (the JVM jar, or the native executable with {@code -Dnative}) merges a partition's
 * small Parquet files into one that DuckDB reads with every key once, on an event and through its API.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedServiceResource.class, restrictToAnnotatedClass = true, initArgs = {
        @ResourceArg(name = "medallion.compaction.consumer.wait-time", value = "1s"),
        @ResourceArg(name = "medallion.compaction.settle", value = "0s"),
        @ResourceArg(name = "medallion.compaction.due-check-interval", value = "1s") })
class CompactionServiceIT {
    @InjectLocalStack
    LocalStack stack;

    @Test
    void mergesAnAnnouncedPartitionsSmallFilesWithEveryKeyOnce() throws Exception {
        try (var service = new PackagedService(stack)) {
            SilverFiles silver = silver(service);
            String partition = freshPartition();
            List<FilesWritten.WrittenFile> inputs = silver.smallFiles("sales", partition, 6, 200);
            // the last file repeats the first one's orders, ingested later: one copy of each must stay
            inputs.add(silver.file("sales", partition, "part-" + hex() + "-00000.parquet", 0, 200, Instant.now()));
            service.send("medallion-compaction", FilesWritten.silver(hex(), "sales", "lake", inputs, List.of(), 0));

            List<ObjectInfo> merged = await().atMost(Duration.ofSeconds(60))
                    .until(() -> silver.files("sales", partition), files -> files.size() == 1);
            assertThat(DuckDbQueries.query(service.store(), merged.get(0).key(),
                    "SELECT count(*), count(DISTINCT order_id) FROM t")).containsExactly("1200|1200");
            assertThat(DuckDbQueries.query(service.store(), merged.get(0).key(),
                    "SELECT DISTINCT compression FROM t_metadata")).containsExactly("SNAPPY");

            PackagedService.assertReadyWithMetrics(List.of(
                    "medallion_compaction_rows_total{dataset=\"sales\",outcome=\"deduplicated\"}",
                    "medallion_compaction_groups_total{dataset=\"sales\",outcome=\"merged\"}",
                    "medallion_queue_depth_messages{queue=\"medallion-compaction\"}"));
        }
    }

    @Test
    void movesARegisteredPartitionToANewGenerationAndTellsTheCatalog() throws Exception {
        try (var service = new PackagedService(stack)) {
            SilverFiles silver = silver(service);
            DatasetSpec refunds = specs().find("refunds").orElseThrow();
            String partition = freshPartition();
            List<FilesWritten.WrittenFile> inputs = silver.smallFiles("refunds", partition, 5, 20);
            service.send("medallion-compaction", FilesWritten.silver(hex(), "refunds", "lake", inputs, List.of(), 0));

            Generations generations = new Generations(service.store());
            String moved = await().atMost(Duration.ofSeconds(60))
                    .until(() -> generations.currentFolder(refunds, partition), folder -> folder.contains("/_gen="));
            List<ObjectInfo> merged = generations.currentFiles(refunds, partition);
            assertThat(merged).singleElement().satisfies(f -> assertThat(DuckDbQueries.query(service.store(), f.key(),
                    "SELECT count(*), count(DISTINCT refund_id) FROM t")).containsExactly("100|100"));
            FilesWritten announced = service.awaitMessage("medallion-catalog", FilesWritten.class,
                    m -> m.dataset().equals("refunds") && m.files().get(0).key().startsWith(moved));
            assertThat(announced.files()).extracting(FilesWritten.WrittenFile::key)
                    .containsExactly(merged.get(0).key());
        }
    }

    @Test
    void itsApiShowsThePlanAndCompactsOnlyWithAKey() throws Exception {
        try (var service = new PackagedService(stack)) {
            SilverFiles silver = silver(service);
            String partition = freshPartition();
            silver.smallFiles("sales", partition, 5, 50);

            given().queryParam("partition", partition).when().get("/v1/datasets/sales/compactions").then()
                    .statusCode(200).body("dryRun", equalTo(true)).body("partitions[0].groups[0].files", hasSize(5));
            given().queryParam("partition", partition).when().post("/v1/datasets/sales/compactions").then()
                    .statusCode(401);
            given().header("X-Api-Key", PackagedServiceResource.API_KEY).queryParam("partition", "year=2026/month=13")
                    .when().post("/v1/datasets/sales/compactions").then().statusCode(400);
            assertThat(silver.files("sales", partition)).hasSize(5);

            given().header("X-Api-Key", PackagedServiceResource.API_KEY).queryParam("partition", partition).when()
                    .post("/v1/datasets/sales/compactions").then().statusCode(200)
                    .body("partitions[0].merges[0].inputs", hasSize(5));
            assertThat(silver.files("sales", partition)).singleElement().satisfies(f -> assertThat(DuckDbQueries
                    .query(service.store(), f.key(), "SELECT count(DISTINCT order_id) FROM t")).containsExactly("250"));
        }
    }

    private static SilverFiles silver(PackagedService service) throws Exception {
        return new SilverFiles(service.store(), specs());
    }

    /** The dataset specs the service was given. */
    private static DatasetSpecs specs() throws Exception {
        try (var yaml = Files.newInputStream(PackagedServiceResource.datasetsFile())) {
            return DatasetSpecs.parse(yaml);
        }
    }
}
