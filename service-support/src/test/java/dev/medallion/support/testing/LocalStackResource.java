package dev.medallion.support.testing;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs a {@link LocalStack} (real S3Proxy and ElasticMQ on free loopback ports) for a {@code @QuarkusTest} and
 * points the application's S3 and SQS clients and the lake bucket at it:
 *
 * <pre>
 * &#64;QuarkusTest
 * &#64;QuarkusTestResource(LocalStackResource.class)
 * class IngestTest { ... }
 * </pre>
 *
 * The stack's state lives under {@code target/local-stack} of the module being tested, so {@code mvn clean}
 * resets it; buckets, objects and queued messages otherwise persist between test classes and runs, so tests
 * should use keys and messages of their own.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    private LocalStack stack;

    @Override
    public Map<String, String> start() {
        stack = LocalStack.start(Path.of("target", "local-stack").toAbsolutePath());
        return stack.quarkusConfig();
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.stop();
            stack = null;
        }
    }
}
