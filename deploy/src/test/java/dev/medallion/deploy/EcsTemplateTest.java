package dev.medallion.deploy;

import static dev.medallion.deploy.CloudFormation.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** deploy/ecs/medallion-ecs.yaml: Fargate tasks as hardened as the Kubernetes pods, scaled on queue backlog. */
class EcsTemplateTest {
    private static final CloudFormation ECS = CloudFormation.read("ecs/medallion-ecs.yaml");
    private static final CloudFormation FOUNDATION = CloudFormation.read("aws/medallion.yaml");
    private static final List<String> SERVICES = List.of("Ingest", "Transform", "Compaction", "Catalog");

    @Test
    void everyTaskRunsAsItsServiceRoleNonRootReadOnlyWithHealthLogsAndTimeToDrain() {
        List<String> roles = FOUNDATION.ofType("AWS::IAM::Role").stream()
                .map(id -> FOUNDATION.properties(id).path("RoleName").asText()).toList();
        for (String service : SERVICES) {
            String name = service.toLowerCase() + "-service";
            JsonNode task = ECS.properties(service + "Task");
            assertThat(DeployFiles.list(task.path("RequiresCompatibilities"))).extracting(JsonNode::asText)
                    .containsExactly("FARGATE");
            assertThat(text(task.path("TaskRoleArn"))).as("the role deploy/aws makes")
                    .endsWith(":role/medallion-" + name);
            assertThat(roles).contains("medallion-" + name);
            JsonNode container = task.path("ContainerDefinitions").get(0);
            assertThat(container.path("User").asText()).isNotIn("", "0", "root");
            assertThat(container.path("ReadonlyRootFilesystem").asBoolean()).isTrue();
            assertThat(DeployFiles.list(container.path("LinuxParameters").path("Capabilities").path("Drop")))
                    .extracting(JsonNode::asText).contains("ALL");
            assertThat(text(container.path("Image"))).isEqualTo("${ImageRegistry}/" + name + ":${ImageTag}");
            assertThat(container.path("HealthCheck").path("Command").get(1).asText()).contains("/q/health/ready");
            assertThat(container.path("StopTimeout").asInt()).isGreaterThanOrEqualTo(90);
            assertThat(container.path("LogConfiguration").path("LogDriver").asText()).isEqualTo("awslogs");
            List<String> environment = DeployFiles.list(container.path("Environment")).stream()
                    .map(e -> e.path("Name").asText()).toList();
            assertThat(environment).contains("MEDALLION_LAKE_BUCKET", "MEDALLION_LAKE_KMS_KEY_ID")
                    .noneMatch(n -> n.startsWith("MEDALLION_AUTH_KEYS"));
            assertThat(DeployFiles.list(container.path("Secrets"))).as("API keys and specs come from secret stores")
                    .extracting(s -> text(s.path("ValueFrom")))
                    .anyMatch(v -> v.startsWith("${ApiKeysSecretArn}")).anyMatch(v -> v.contains(":ssm:"));
            JsonNode network = ECS.properties(service + "Service").path("NetworkConfiguration")
                    .path("AwsvpcConfiguration");
            assertThat(network.path("AssignPublicIp").asText()).isEqualTo("DISABLED");
            assertThat(ECS.properties(service + "Service").path("DeploymentConfiguration")
                    .path("DeploymentCircuitBreaker").path("Rollback").asBoolean()).isTrue();
        }
        assertThat(ECS.template().path("Rules").path("NoLatestTag").path("Assertions").get(0).toString())
                .contains("latest");
    }

    @Test
    void queueServicesScaleOnTheBacklogPerTaskOfTheirOwnQueue() {
        for (String service : List.of("Ingest", "Transform", "Compaction")) {
            JsonNode policy = ECS.properties(service + "BacklogPerTask").path("TargetTrackingScalingPolicyConfiguration");
            List<JsonNode> metrics = DeployFiles.list(policy.path("CustomizedMetricSpecification").path("Metrics"));
            assertThat(metrics).filteredOn(m -> m.path("ReturnData").asBoolean()).singleElement()
                    .satisfies(m -> assertThat(m.path("Expression").asText()).isEqualTo("waiting / tasks"));
            JsonNode queue = metrics.stream().filter(m -> m.path("Id").asText().equals("waiting")).findFirst()
                    .orElseThrow().path("MetricStat").path("Metric");
            assertThat(queue.path("MetricName").asText()).isEqualTo("ApproximateNumberOfMessagesVisible");
            assertThat(queue.path("Dimensions").get(0).path("Value").asText())
                    .isEqualTo("medallion-" + service.toLowerCase());
            assertThat(policy.path("TargetValue").asInt()).isPositive();
            assertThat(ECS.properties(service + "Scaling").path("MinCapacity").asInt()).isPositive();
        }
    }

    @Test
    void theExecutionRoleReadsOnlyImagesLogsAndTheTwoConfigurationItems() {
        List<CloudFormation.Statement> statements = DeployFiles.list(ECS.properties("ExecutionRole").path("Policies"))
                .stream().flatMap(p -> CloudFormation.statements("ExecutionRole", p.path("PolicyDocument")).stream())
                .toList();

        assertThat(statements).allSatisfy(s -> {
            assertThat(s.actions()).noneMatch(a -> a.equals("*") || a.endsWith(":*"));
            if (s.resources().stream().map(CloudFormation::text).anyMatch("*"::equals)) {
                assertThat(s.actions()).as("only where the action has no resource").containsExactly(
                        "ecr:GetAuthorizationToken");
            }
        });
        assertThat(statements.stream().flatMap(s -> s.actions().stream()).collect(Collectors.toSet()))
                .allMatch(a -> a.startsWith("ecr:") || a.startsWith("logs:") || a.equals("secretsmanager:GetSecretValue")
                        || a.equals("ssm:GetParameters"));
    }
}
