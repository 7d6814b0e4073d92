package dev.medallion.deploy;

import static dev.medallion.deploy.DeployFiles.list;
import static dev.medallion.deploy.DeployFiles.name;
import static dev.medallion.deploy.DeployFiles.ofKind;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.medallion.lake.spec.DatasetSpecs;

/** Every overlay of deploy/k8s rendered by kustomize, and the objects checked for what a cluster needs of them. */
class KubernetesManifestsTest {
    private static final List<String> SERVICES = List.of("ingest-service", "transform-service", "compaction-service",
            "catalog-service");
    /** KEDA's metrics the alerts may read (KEDA's operator exports them; the services do not). */
    private static final List<String> KEDA_METRICS = List.of("keda_scaler_metrics_value",
            "keda_scaler_detail_errors_total", "keda_scaler_errors");

    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = { "dev", "production" })
    void everyServiceRunsNonRootReadOnlyWithProbesLimitsAndAReleasedImage(String overlay) {
        List<JsonNode> objects = DeployFiles.render(overlay);
        Map<String, String> settings = settings(objects);
        List<JsonNode> deployments = ofKind(objects, "Deployment");

        assertThat(deployments).extracting(DeployFiles::name).containsExactlyInAnyOrderElementsOf(SERVICES);
        for (JsonNode deployment : deployments) {
            String service = name(deployment);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(service).isTrue();
            assertThat(pod.path("securityContext").path("runAsUser").asInt()).as(service).isPositive();
            assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).as(service)
                    .isEqualTo("RuntimeDefault");
            assertThat(pod.path("terminationGracePeriodSeconds").asInt()).as("%s drains before it is killed", service)
                    .isGreaterThanOrEqualTo(90);
            for (JsonNode container : list(pod.path("containers"))) {
                assertThat(container.path("image").asText()).as("%s: the release's image in the account's registry",
                        service).isEqualTo(
                                settings.get("AWS_ACCOUNT_ID") + ".dkr.ecr." + settings.get("AWS_REGION")
                                        + ".amazonaws.com/medallion/" + service + ":" + settings.get("IMAGE_TAG"));
                JsonNode security = container.path("securityContext");
                assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(service).isTrue();
                assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(service).isFalse();
                assertThat(list(security.path("capabilities").path("drop"))).extracting(JsonNode::asText)
                        .as(service).contains("ALL");
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    assertThat(container.path(probe).path("httpGet").path("path").asText()).as("%s %s", service, probe)
                            .startsWith("/q/health/");
                }
                for (String bound : List.of("requests", "limits")) {
                    JsonNode resources = container.path("resources").path(bound);
                    assertThat(resources.has("cpu") && resources.has("memory")).as("%s %s", service, bound).isTrue();
                }
                List<String> sources = list(container.path("envFrom")).stream()
                        .map(e -> e.has("configMapRef") ? e.path("configMapRef").path("name").asText()
                                : e.path("secretRef").path("name").asText())
                        .toList();
                assertThat(sources).as("%s takes its settings and API keys from objects the overlay renders", service)
                        .hasSize(2).allSatisfy(source -> assertThat(objects).anyMatch(o -> name(o).equals(source)));
            }
            JsonNode account = objects.stream().filter(o -> o.path("kind").asText().equals("ServiceAccount")
                    && name(o).equals(pod.path("serviceAccountName").asText())).findFirst().orElseThrow();
            assertThat(account.path("metadata").path("annotations").path("eks.amazonaws.com/role-arn").asText())
                    .as("the IAM role deploy/aws makes for %s", service)
                    .matches("arn:aws:iam::[0-9]{12}:role/medallion-" + service);
        }
        for (String kind : List.of("Service", "PodDisruptionBudget", "ServiceMonitor")) {
            assertThat(ofKind(objects, kind)).extracting(DeployFiles::name).as(kind)
                    .containsExactlyInAnyOrderElementsOf(SERVICES);
        }
        assertThat(ofKind(objects, "ServiceMonitor")).allSatisfy(m -> assertThat(
                m.path("spec").path("endpoints").get(0).path("path").asText()).isEqualTo("/q/metrics"));
        assertThat(settings.get("PROMETHEUS_RELEASE")).as("the Helm release of kube-prometheus-stack").isNotBlank();
        assertThat(objects).filteredOn(o -> List.of("ServiceMonitor", "PrometheusRule").contains(o.path("kind").asText()))
                .as("labelled for the Prometheus of kube-prometheus-stack, which selects its release's label")
                .hasSize(SERVICES.size() + 1).allSatisfy(o -> assertThat(o.path("metadata").path("labels")
                        .path("release").asText()).isEqualTo(settings.get("PROMETHEUS_RELEASE")));
        assertThat(ofKind(objects, "Namespace")).singleElement().satisfies(ns -> assertThat(ns.path("metadata")
                .path("labels").path("pod-security.kubernetes.io/enforce").asText()).isEqualTo("restricted"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "production" })
    void scalesOnTheDepthOfEachServicesOwnQueueTransformAndCompactionDownToZero(String overlay) {
        List<JsonNode> objects = DeployFiles.render(overlay);
        Map<String, String> settings = settings(objects);
        Map<String, JsonNode> scaled = ofKind(objects, "ScaledObject").stream()
                .collect(Collectors.toMap(DeployFiles::name, o -> o));

        assertThat(scaled).containsOnlyKeys("ingest-service", "transform-service", "compaction-service");
        scaled.forEach((service, scaler) -> {
            JsonNode queue = list(scaler.path("spec").path("triggers")).stream()
                    .filter(t -> t.path("type").asText().equals("aws-sqs-queue")).findFirst().orElseThrow();
            assertThat(queue.path("metadata").path("queueURL").asText()).as(service)
                    .isEqualTo("medallion-" + service.replace("-service", ""));
            assertThat(queue.path("metadata").path("awsRegion").asText()).as(service)
                    .isEqualTo(settings.get("AWS_REGION"));
            String auth = queue.path("authenticationRef").path("name").asText();
            assertThat(ofKind(objects, "TriggerAuthentication")).anySatisfy(a -> {
                assertThat(name(a)).isEqualTo(auth);
                assertThat(a.path("spec").path("podIdentity").path("provider").asText()).isEqualTo("aws");
                assertThat(a.path("spec").path("podIdentity").path("roleArn").asText())
                        .as("the queue-depth reader role deploy/aws makes for KEDA (AwsFoundationTest)")
                        .isEqualTo("arn:aws:iam::" + settings.get("AWS_ACCOUNT_ID") + ":role/medallion-keda-queue-reader");
            });
            JsonNode deployment = ofKind(objects, "Deployment").stream().filter(d -> name(d).equals(service))
                    .findFirst().orElseThrow();
            assertThat(deployment.path("spec").has("replicas")).as("KEDA owns %s's replica count", service).isFalse();
        });
        for (String service : List.of("transform-service", "compaction-service")) {
            String dlq = "medallion-" + service.replace("-service", "") + "-dlq";
            assertThat(list(scaled.get(service).path("spec").path("triggers")))
                    .as("KEDA reads %s while %s is at zero, for the alerts, without ever scaling on it", dlq, service)
                    .filteredOn(t -> t.path("metadata").path("queueURL").asText().equals(dlq)).singleElement()
                    .satisfies(t -> {
                        assertThat(t.path("type").asText()).isEqualTo("aws-sqs-queue");
                        assertThat(t.path("metadata").path("activationQueueLength").asLong()).as("never wakes it")
                                .isGreaterThanOrEqualTo(1_000_000);
                        assertThat(t.path("metadata").path("queueLength").asLong())
                                .as("never asks for a second replica").isGreaterThanOrEqualTo(1_000_000);
                        assertThat(t.path("metadata").path("awsRegion").asText()).isEqualTo(settings.get("AWS_REGION"));
                    });
        }
        assertThat(scaled.get("ingest-service").path("spec").path("minReplicaCount").asInt()).isPositive();
        assertThat(scaled.get("transform-service").path("spec").path("minReplicaCount").asInt()).isZero();
        JsonNode compaction = scaled.get("compaction-service").path("spec");
        assertThat(compaction.path("minReplicaCount").asInt()).isZero();
        Duration settle = Optional.ofNullable(settings.get("MEDALLION_COMPACTION_SETTLE"))
                .map(KubernetesManifestsTest::duration)
                .orElse(Duration.ofMinutes(10));
        assertThat(Duration.ofSeconds(compaction.path("cooldownPeriod").asLong()))
                .as("compaction stays up past the settle time, to compact the partitions events marked due")
                .isGreaterThan(settle);
        assertThat(list(compaction.path("triggers"))).as("a window wakes compaction for its sweep")
                .anyMatch(t -> t.path("type").asText().equals("cron"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "production" })
    void everySettingIsFilledInFromTheOverlay(String overlay) {
        List<String> values = new java.util.ArrayList<>();
        DeployFiles.render(overlay).forEach(o -> collectValues(o, values));

        assertThat(values).as("no value is left as the base's stand-in").noneMatch(
                v -> v.contains("ACCOUNT_ID") || v.contains("AWS_REGION") || v.contains("IMAGE_TAG"));
        Map<String, String> settings = settings(DeployFiles.render(overlay));
        assertThat(settings.get("AWS_ACCOUNT_ID")).matches("[0-9]{12}");
        assertThat(settings.get("MEDALLION_LAKE_BUCKET"))
                .isEqualTo("medallion-lake-" + settings.get("AWS_ACCOUNT_ID") + "-" + settings.get("AWS_REGION"));
        assertThat(settings.get("MEDALLION_LAKE_KMS_KEY_ID")).as("SSE-KMS on by default").isNotBlank();
        assertThat(settings.get("IMAGE_TAG")).as("a release, never latest").matches("[A-Za-z0-9_.-]+")
                .isNotEqualTo("latest");
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "production" })
    void theDatasetSpecsEachOverlayShipsAreValid(String overlay) {
        JsonNode config = ofKind(DeployFiles.render(overlay), "ConfigMap").stream()
                .filter(c -> name(c).startsWith("medallion-datasets")).findFirst().orElseThrow();
        String yaml = config.path("data").path("datasets.yaml").asText();

        DatasetSpecs specs = DatasetSpecs.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));

        assertThat(specs.all()).isNotEmpty();
    }

    @Test
    void alertRulesPassPromtoolAndFireOnTheFaultsTheyName() throws IOException {
        JsonNode rule = ofKind(DeployFiles.render("production"), "PrometheusRule").get(0);
        Files.writeString(work.resolve("rules.yaml"), DeployFiles.JSON.writeValueAsString(rule.path("spec")));
        try (InputStream tests = getClass().getResourceAsStream("/alerts-test.yaml")) {
            Files.copy(tests, work.resolve("alerts-test.yaml"));
        }
        String promtool = promtool();

        assertThat(DeployFiles.run(List.of(promtool, "check", "rules", work.resolve("rules.yaml").toString())))
                .contains("SUCCESS");
        assertThat(DeployFiles.run(List.of(promtool, "test", "rules", work.resolve("alerts-test.yaml").toString())))
                .contains("SUCCESS");
        List<String> alerts = list(rule.path("spec").path("groups")).stream()
                .flatMap(g -> list(g.path("rules")).stream()).map(r -> r.path("alert").asText()).toList();
        assertThat(alerts).containsExactlyInAnyOrder("MedallionQueueLagHigh", "MedallionNoProgress",
                "MedallionS3ClientErrors", "MedallionS3RequestsAboveBaseline", "MedallionHeapHigh",
                "MedallionWorkNearBudget", "MedallionDeadLetters", "MedallionSmallFileDebt",
                "MedallionQueueDepthUnreadable");

        // every alert is shown to fire on its fault, and to stay quiet through the first test's day of normal work
        List<JsonNode> tests = list(DeployFiles.YAML.readTree(work.resolve("alerts-test.yaml").toFile()).path("tests"));
        List<JsonNode> cases = tests.stream().flatMap(t -> list(t.path("alert_rule_test")).stream()).toList();
        for (String alert : alerts) {
            assertThat(cases).as("%s fires in a test", alert).anyMatch(c -> c.path("alertname").asText().equals(alert)
                    && !list(c.path("exp_alerts")).isEmpty());
            assertThat(list(tests.get(0).path("alert_rule_test"))).as("%s is quiet on a day of normal work", alert)
                    .anyMatch(c -> c.path("alertname").asText().equals(alert) && list(c.path("exp_alerts")).isEmpty()
                            && duration(c.path("eval_time").asText()).toHours() >= 24);
        }
    }

    /**
     * The services' metrics are checked against their real /q/metrics pages by the system test (every medallion_ and
     * jvm_ name); the only others the alerts and the dashboard may use are KEDA's, which deploy/README.md and the
     * header of alerts.yaml list.
     */
    @Test
    void alertsAndTheDashboardUseTheServicesMetricsOrOnlyTheDocumentedKedaMetrics() throws IOException {
        JsonNode rule = ofKind(DeployFiles.render("production"), "PrometheusRule").get(0);
        List<String> expressions = new java.util.ArrayList<>(list(rule.path("spec").path("groups")).stream()
                .flatMap(g -> list(g.path("rules")).stream()).map(r -> r.path("expr").asText()).toList());
        JsonNode dashboard = DeployFiles.JSON.readTree(DeployFiles.DEPLOY.resolve("k8s/base/medallion-dashboard.json")
                .toFile());
        list(dashboard.path("panels")).forEach(p -> list(p.path("targets")).forEach(t -> expressions.add(
                t.path("expr").asText())));
        java.util.Set<String> used = expressions.stream().flatMap(e -> PromQl.metricNames(e).stream())
                .collect(Collectors.toCollection(java.util.TreeSet::new));

        assertThat(used).as("the selectors found").contains("medallion_queue_depth_messages",
                "medallion_aws_requests_total", "jvm_memory_used_bytes", "keda_scaler_metrics_value");
        assertThat(used).allSatisfy(metric -> assertThat(metric.matches("(medallion|jvm)_[a-z0-9_]+")
                || KEDA_METRICS.contains(metric)).as("%s: a service's metric, or a documented KEDA metric", metric)
                .isTrue());
        String readme = Files.readString(DeployFiles.DEPLOY.resolve("README.md"));
        String alertsHeader = Files.readString(DeployFiles.DEPLOY.resolve("k8s/base/alerts.yaml"));
        assertThat(KEDA_METRICS).allSatisfy(metric -> {
            assertThat(readme).as("deploy/README.md documents %s", metric).contains("`" + metric + "`");
            assertThat(alertsHeader).as("alerts.yaml documents %s", metric).contains("#   " + metric + " ");
        });
    }

    @Test
    void theDashboardIsAGrafanaDashboardOverPrometheus() throws IOException {
        JsonNode config = ofKind(DeployFiles.render("production"), "ConfigMap").stream()
                .filter(c -> name(c).equals("medallion-dashboard")).findFirst().orElseThrow();

        assertThat(config.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        JsonNode dashboard = DeployFiles.JSON.readTree(config.path("data").path("medallion-dashboard.json").asText());
        assertThat(dashboard.path("uid").asText()).isEqualTo("medallion");
        assertThat(list(dashboard.path("panels"))).hasSizeGreaterThanOrEqualTo(10).allSatisfy(panel -> assertThat(
                list(panel.path("targets"))).isNotEmpty().allSatisfy(
                        t -> assertThat(t.path("expr").asText())
                                .contains("namespace=\"$namespace\"")));
    }

    private static Map<String, String> settings(List<JsonNode> objects) {
        JsonNode data = ofKind(objects, "ConfigMap").stream().filter(c -> name(c).startsWith("medallion-settings"))
                .findFirst().orElseThrow().path("data");
        return data.properties().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().asText()));
    }

    private static void collectValues(JsonNode node, List<String> values) {
        if (node.isTextual()) {
            values.add(node.asText());
        }
        node.elements().forEachRemaining(child -> collectValues(child, values));
    }

    /** A duration as Prometheus and the overlays write them: 5m, 1m30s, 25h30m, 1d. */
    private static Duration duration(String text) {
        String upper = text.toUpperCase();
        int days = upper.indexOf('D');
        Duration whole = days < 0 ? Duration.ZERO : Duration.ofDays(Long.parseLong(upper.substring(0, days)));
        String rest = upper.substring(days + 1);
        return rest.isEmpty() ? whole : whole.plus(Duration.parse("PT" + rest));
    }

    private static String promtool() {
        if (!DeployFiles.onPath("promtool")) {
            throw new IllegalStateException("Cannot check the alert rules: promtool is not on the PATH (Debian's "
                    + "prometheus package has it; .ci/run installs it)");
        }
        return "promtool";
    }
}
