package dev.medallion.support.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 * should use keys and messages of their own. A field annotated {@link InjectLocalStack} gets the stack itself.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {

    private LocalStack stack;
    private Map<String, String> settings = Map.of();

    /** {@code initArgs} of {@code @QuarkusTestResource} are settings of the application, added to the stack's. */
    @Override
    public void init(Map<String, String> initArgs) {
        settings = Map.copyOf(initArgs);
    }

    @Override
    public Map<String, String> start() {
        stack = LocalStack.start(Path.of("target", "local-stack").toAbsolutePath());
        Map<String, String> config = new LinkedHashMap<>(stack.quarkusConfig());
        config.putAll(settings);
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(stack,
                new TestInjector.AnnotatedAndMatchesType(InjectLocalStack.class, LocalStack.class));
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.stop();
            stack = null;
        }
    }
}
