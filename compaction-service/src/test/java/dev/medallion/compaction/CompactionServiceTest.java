package dev.medallion.compaction;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class CompactionServiceTest {

    @Test
    void isReadyOnlyWithTheLakeAndQueuesReachableAndExposesMetrics() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks[0].data.s3", containsString("reachable"))
                .body("checks[0].data.sqs", containsString("reachable"));
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"))
                .body(containsString("medallion_aws_requests_total{operation=\"HeadBucket\",service=\"S3\",status=\"200\"}"));
    }
}
