package dev.medallion.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Deployments configure the services through environment variables only (deploy/k8s Secrets and ConfigMaps,
 * deploy/ecs secrets): the API keys, a map keyed by name, must be read from them as from properties.
 */
class LakeConfigTest {

    @Test
    void apiKeysAndQueuesAreReadFromTheEnvironment() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of(
                        "MEDALLION_AUTH_KEYS_PRODUCERS_SHA256",
                        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                        "MEDALLION_AUTH_KEYS_PRODUCERS_DATASETS", "sales,clicks",
                        "MEDALLION_QUEUES_USED", "medallion-ingest,medallion-transform",
                        "MEDALLION_LAKE_BUCKET", "medallion-lake-123456789012-eu-west-1"), 300))
                .withMapping(LakeConfig.class).build();

        LakeConfig lake = config.getConfigMapping(LakeConfig.class);

        assertThat(lake.auth().keys()).containsOnlyKeys("producers");
        assertThat(lake.auth().keys().get("producers").sha256()).startsWith("9f86d08");
        assertThat(lake.auth().keys().get("producers").datasets()).containsExactly("sales", "clicks");
        assertThat(lake.queues().used()).containsExactly("medallion-ingest", "medallion-transform");
        assertThat(lake.lake().bucket()).isEqualTo("medallion-lake-123456789012-eu-west-1");
    }
}
