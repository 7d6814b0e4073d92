package dev.medallion.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import dev.medallion.lake.aws.LocalGlueEndpoint;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs the Glue-protocol endpoint on loopback and points the catalog's Glue backend at it, with a sales dataset whose
 * partitions are both projected and registered.
 */
public class LocalGlueResource implements QuarkusTestResourceLifecycleManager {
    /** The running endpoint, for the test to inspect the requests it received. */
    static LocalGlueEndpoint endpoint;

    @Override
    public Map<String, String> start() {
        try {
            endpoint = new LocalGlueEndpoint();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("medallion.datasets-file", "src/test/resources/datasets-registered.yaml",
                "medallion.catalog.backend", "glue",
                "medallion.catalog.glue.endpoint-override", endpoint.uri().toString(),
                "medallion.catalog.glue.region", "eu-west-1",
                "medallion.catalog.glue.catalog-id", "123456789012",
                "medallion.catalog.glue.access-key-id", "test",
                "medallion.catalog.glue.secret-access-key", "test");
    }

    @Override
    public void stop() {
        endpoint.close();
    }
}
