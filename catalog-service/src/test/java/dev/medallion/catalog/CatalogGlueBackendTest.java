package dev.medallion.catalog;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.support.testing.LocalStack;
import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service with {@code medallion.catalog.backend=glue}, against the loopback Glue-protocol endpoint. */
@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = LocalGlueResource.class, restrictToAnnotatedClass = true)
class CatalogGlueBackendTest {
    @Inject
    CatalogUpdater updater;
    @Inject
    S3ObjectStore store;
    @Inject
    DatasetSpecs specs;

    @Test
    void keepsTheTableInGlueWritesOnlyWhenItChangesAndRegistersEachPartition() {
        FilesWritten written = FilesWritten.silver("run-" + UUID.randomUUID(), "sales", "lake",
                List.of(new FilesWritten.WrittenFile("silver/sales/year=2026/month=01/day=02/part-x-00000.parquet",
                        Map.of("year", "2026", "month", "01", "day", "02"), 10, 1024)),
                List.of(), 0);

        var glue = LocalGlueResource.endpoint;
        assertThat(updater.apply(written).updated()).isTrue();
        int versions = glue.versions("lake", "sales");
        int calls = glue.operations().size();

        assertThat(updater.apply(written).updated()).isFalse();

        assertThat(glue.operations()).contains("CreateDatabase", "CreateTable");
        assertThat(glue.operations().subList(calls, glue.operations().size())).doesNotContain("UpdateTable",
                "CreateTable");
        assertThat(glue.versions("lake", "sales")).isEqualTo(versions);
        assertThat(glue.partitions("lake", "sales")).contains("2026/01/02");
        assertThat(glue.requests()).allSatisfy(
                r -> assertThat(r.body().path("CatalogId").asText()).isEqualTo("123456789012"));
        given().when().get("/v1/databases").then().statusCode(200).body("$", equalTo(List.of("lake")));
        given().when().get("/v1/databases/lake/tables/sales/ddl").then().statusCode(200)
                .body(startsWith("CREATE EXTERNAL TABLE `lake`.`sales`"))
                .body(containsString("'projection.year.range'="));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString(
                        "medallion_aws_requests_total{operation=\"CreateTable\",service=\"Glue\",status=\"200\"}"));
    }

    @Test
    void aRebuildRegistersThePartitionsInStorageAndRemovesThoseNoLongerThere() throws Exception {
        putObject("silver/sales/year=2024/month=07/day=01/part-r-00000.parquet");
        putObject("silver/sales/year=2024/month=07/day=02/part-r-00000.parquet");
        given().header("X-Api-Key", "test-key").when().post("/v1/databases/lake/tables/sales/sync").then()
                .statusCode(200);
        store.delete("silver/sales/year=2024/month=07/day=02/part-r-00000.parquet");

        given().header("X-Api-Key", "test-key").when().post("/v1/databases/lake/tables/sales/sync").then()
                .statusCode(200).body("partitionsDeregistered", equalTo(1));

        assertThat(LocalGlueResource.endpoint.partitions("lake", "sales")).contains("2024/07/01")
                .doesNotContain("2024/07/02");
        store.delete("silver/sales/year=2024/month=07/day=01/part-r-00000.parquet");
    }

    @Test
    void aPartitionCompactionMovedIsRegisteredAtItsCurrentGenerationFromAMessageAndARebuild() throws Exception {
        DatasetSpec orders = specs.find("orders").orElseThrow();
        String day = "year=2024/month=08/day=01";
        putObject("silver/orders/" + day + "/part-t-00000.parquet"); // the old generation, kept for its grace period
        try (var merged = new RowWriter(store, "silver/orders/" + day + "/_gen=g1/part-m-00000.parquet",
                SilverColumns.of(orders), Set.of(), Map.of(), RowWriter.Settings.defaults())) {
            merged.add(SilverColumns.of(orders).stream().map(c -> switch (c.name()) {
                case "order_id" -> "o-1";
                case SilverColumns.INGESTED_AT, "ts" -> Instant.parse("2024-08-01T10:00:00Z");
                default -> "x";
            }).toArray());
        }
        new Generations(store).save(orders, new Generations.Pointer(day, "g1", List.of()));
        store.delete(LakeLayout.catalogRegistrationKey("orders", day)); // the local lake outlives a test run
        assertThat(new Generations(store).registered(orders, day)).isEmpty();
        String moved = "s3://" + LocalStack.BUCKET + "/silver/orders/" + day + "/_gen=g1/";

        updater.apply(FilesWritten.silver("m-" + UUID.randomUUID(), "orders", "lake",
                List.of(new FilesWritten.WrittenFile("silver/orders/" + day + "/_gen=g1/part-m-00000.parquet",
                        Map.of("year", "2024", "month", "08", "day", "01"), 1, 1024)),
                List.of(), 0));

        var glue = LocalGlueResource.endpoint;
        assertThat(glue.location("lake", "orders", "2024/08/01")).isEqualTo(moved);
        assertThat(new Generations(store).registered(orders, day)).as("compaction may now count its grace period")
                .hasValueSatisfying(r -> assertThat(r.generation()).isEqualTo("g1"));
        glue.relocate("lake", "orders", "2024/08/01", "s3://" + LocalStack.BUCKET + "/silver/orders/" + day + "/");
        CatalogUpdater.Outcome rebuilt = updater.rebuild("lake", "orders");

        assertThat(rebuilt.partitionsConsidered()).as("one partition, in two generations").isEqualTo(1);
        assertThat(rebuilt.partitionsRelocated()).isEqualTo(1);
        assertThat(glue.location("lake", "orders", "2024/08/01")).isEqualTo(moved);
        given().when().get("/q/metrics").then().statusCode(200).body(containsString(
                "medallion_catalog_partitions_relocated_total{database=\"lake\",table=\"orders\"} 2.0"));
    }

    private void putObject(String key) throws java.io.IOException {
        try (var out = store.create(key, Map.of())) {
            out.write(new byte[] { 'P', 'A', 'R', '1' });
        }
    }
}
