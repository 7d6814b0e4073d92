package dev.medallion.catalog;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.message.FilesWritten;
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

    private void putObject(String key) throws java.io.IOException {
        try (var out = store.create(key, Map.of())) {
            out.write(new byte[] { 'P', 'A', 'R', '1' });
        }
    }
}
