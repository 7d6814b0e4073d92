package dev.medallion.support.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link LocalStackResource} for a {@code @QuarkusIntegrationTest}: the packaged service (the JVM jar, or the native
 * executable with {@code -Dnative}) runs in its production profile, so it gets what a deployment gives it, as system
 * properties: the stack, the local dataset specs and one API key, {@value #API_KEY}, that may write {@code sales}.
 * A test adds settings of its own as {@code initArgs}, for example a short queue long poll, so that the service
 * stops quickly at the end of the test class (settings under a service's own prefix must exist, or it refuses to
 * start).
 */
public class PackagedServiceResource extends LocalStackResource {
    public static final String API_KEY = "test-key";
    private static final String API_KEY_SHA256 = "62af8704764faf8ea82fc61ce9c4c3908b6cb97d463a634e9e587d7c885db0ef";

    /** The dataset specs the service is given: the local demo's. */
    public static Path datasetsFile() {
        return LocalStack.repoRoot().resolve("deploy/local/datasets.yaml");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("medallion.datasets-file", datasetsFile().toString());
        config.put("medallion.auth.keys.it.sha256", API_KEY_SHA256);
        config.put("medallion.auth.keys.it.datasets", "sales");
        config.putAll(super.start()); // the test's own settings win
        return config;
    }
}
