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

    @Test
    void keepsTheTableInGlueAndWritesOnlyWhenItChanges() {
        FilesWritten written = FilesWritten.silver("run-" + UUID.randomUUID(), "sales", "lake",
                List.of(new FilesWritten.WrittenFile("silver/sales/year=2026/month=01/day=02/part-x-00000.parquet",
                        Map.of("year", "2026", "month", "01", "day", "02"), 10, 1024)),
                List.of(), 0);

        assertThat(updater.apply(written).updated()).isTrue();
        assertThat(updater.apply(written).updated()).isFalse();

        var glue = LocalGlueResource.endpoint;
        assertThat(glue.operations()).contains("CreateDatabase", "CreateTable").doesNotContain("UpdateTable");
        assertThat(glue.versions("lake", "sales")).isEqualTo(1);
        assertThat(glue.requests()).allSatisfy(
                r -> assertThat(r.body().path("CatalogId").asText()).isEqualTo("123456789012"));
        given().when().get("/v1/databases").then().statusCode(200).body("$", equalTo(List.of("lake")));
        given().when().get("/v1/databases/lake/tables/sales/ddl").then().statusCode(200)
                .body(startsWith("CREATE EXTERNAL TABLE `lake`.`sales`"))
                .body(containsString("'projection.year.range'='2026,2026'"));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString(
                        "medallion_aws_requests_total{operation=\"CreateTable\",service=\"Glue\",status=\"200\"}"));
    }
}
