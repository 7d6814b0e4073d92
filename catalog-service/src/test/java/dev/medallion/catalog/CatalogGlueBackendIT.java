package dev.medallion.catalog;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.message.FilesWritten;
import dev.medallion.support.testing.InjectLocalStack;
import dev.medallion.support.testing.LocalStack;
import dev.medallion.support.testing.LocalStackResource;
import dev.medallion.support.testing.PackagedService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged catalog-service with {@code medallion.catalog.backend=glue} (the JVM jar, or the native executable with
 * {@code -Dnative}: the Glue client is built by the service, not by a Quarkus extension) keeps tables and registered
 * partitions in Glue, here the loopback Glue-protocol endpoint.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true, initArgs = @ResourceArg(name = "medallion.catalog.consumer.wait-time", value = "1s"))
@QuarkusTestResource(value = LocalGlueResource.class, restrictToAnnotatedClass = true)
class CatalogGlueBackendIT {
    @InjectLocalStack
    LocalStack stack;

    @Test
    void registersTheTableAndEachPartitionOfAnnouncedFilesInGlue() {
        try (var service = new PackagedService(stack)) {
            service.send("medallion-catalog", FilesWritten.silver("run-" + UUID.randomUUID(), "sales", "lake",
                    List.of(new FilesWritten.WrittenFile("silver/sales/year=2026/month=01/day=02/part-x-00000.parquet",
                            Map.of("year", "2026", "month", "01", "day", "02"), 10, 1024)),
                    List.of(), 0));

            var glue = LocalGlueResource.endpoint;
            await().atMost(Duration.ofSeconds(60)).until(() -> glue.partitions("lake", "sales").contains("2026/01/02"));
            assertThat(glue.operations()).contains("CreateDatabase", "CreateTable");
            assertThat(glue.requests()).allSatisfy(
                    r -> assertThat(r.body().path("CatalogId").asText()).isEqualTo("123456789012"));
        }
        given().when().get("/q/metrics").then().statusCode(200).body(containsString(
                "medallion_aws_requests_total{operation=\"CreateTable\",service=\"Glue\",status=\"200\"}"));
    }
}
