package dev.medallion.catalog;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.message.FilesWritten;
import dev.medallion.support.testing.InjectLocalStack;
import dev.medallion.support.testing.LocalStack;
import dev.medallion.support.testing.PackagedService;
import dev.medallion.support.testing.PackagedServiceResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * The packaged catalog-service (the JVM jar, or the native executable with {@code -Dnative}) keeps the tables of
 * announced files registered, with partition projection covering them, and rebuilds a table from storage.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedServiceResource.class, restrictToAnnotatedClass = true, initArgs = @ResourceArg(name = "medallion.catalog.consumer.wait-time", value = "1s"))
class CatalogServiceIT {
    private static final Random RANDOM = new Random();

    @InjectLocalStack
    LocalStack stack;

    @Test
    void registersTheTableOfAnnouncedFilesWithProjectionCoveringThem() {
        // a year no other run announces: the projection range must widen to it
        String year = Integer.toString(2400 + RANDOM.nextInt(5000));
        try (var service = new PackagedService(stack)) {
            service.send("medallion-catalog", FilesWritten.silver("run-" + UUID.randomUUID(), "sales", "lake",
                    List.of(new FilesWritten.WrittenFile("silver/sales/year=" + year + "/month=03/day=04/part-0.parquet",
                            Map.of("year", year, "month", "03", "day", "04"), 10, 1024)),
                    List.of(), 0));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String range = given().when().get("/v1/databases/lake/tables/sales").then().statusCode(200)
                        .extract().path("projection.year.range");
                assertThat(Integer.parseInt(range.split(",")[1])).isGreaterThanOrEqualTo(Integer.parseInt(year));
            });
        }
        given().when().get("/v1/databases/lake/tables/sales").then().statusCode(200)
                .body("location", equalTo("s3://lake/silver/sales/"))
                .body("columns.name", hasItem("order_id"))
                .body("table.TableType", equalTo("EXTERNAL_TABLE"));
        given().when().get("/v1/databases/lake/tables/sales/ddl").then().statusCode(200)
                .body(startsWith("CREATE EXTERNAL TABLE `lake`.`sales`"))
                .body(containsString("'storage.location.template'="
                        + "'s3://lake/silver/sales/year=${year}/month=${month}/day=${day}'"));
        PackagedService.assertReadyWithMetrics(List.of(
                // updated or unchanged: the other test's rebuild may have widened the range further already
                "medallion_catalog_syncs_total{database=\"lake\",outcome=\"",
                "medallion_queue_messages_total{outcome=\"processed\",queue=\"medallion-catalog\"}",
                "medallion_queue_depth_messages{queue=\"medallion-catalog\"}"));
    }

    @Test
    void rebuildsATableFromStorageOnlyWithAKey() throws Exception {
        String year = Integer.toString(2400 + RANDOM.nextInt(5000));
        String key = "silver/sales/year=" + year + "/month=07/day=08/part-rebuild-00000.parquet";
        try (var service = new PackagedService(stack); var out = service.store().create(key, Map.of())) {
            out.write(new byte[] { 'P', 'A', 'R', '1' });
        }

        given().when().post("/v1/databases/lake/tables/sales/sync").then().statusCode(401);
        given().header("X-Api-Key", PackagedServiceResource.API_KEY).when()
                .post("/v1/databases/lake/tables/sales/sync").then().statusCode(200)
                .body("refused", hasSize(0))
                .body("partitionsInStorage", greaterThanOrEqualTo(1));
        String range = given().when().get("/v1/databases/lake/tables/sales").then().statusCode(200).extract()
                .path("projection.year.range");
        assertThat(Integer.parseInt(range.split(",")[1])).isGreaterThanOrEqualTo(Integer.parseInt(year));
        given().header("X-Api-Key", PackagedServiceResource.API_KEY).when()
                .post("/v1/databases/lake/tables/nosuch/sync").then().statusCode(404)
                .body("error", equalTo("unknown_table"));
    }
}
