package dev.medallion.support;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.medallion.lake.aws.S3ObjectStore;

/** Ready only when the lake bucket and every queue this service uses answer with our credentials. */
@Readiness
@ApplicationScoped
public class LakeReadiness implements HealthCheck {
    private final S3ObjectStore store;
    private final Queues queues;
    private final LakeConfig config;

    public LakeReadiness(S3ObjectStore store, Queues queues, LakeConfig config) {
        this.store = store;
        this.queues = queues;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("lake");
        try {
            store.checkAccess();
            response.withData("s3", "bucket " + config.lake().bucket() + " reachable");
        } catch (RuntimeException e) {
            return response.down().withData("s3", "Cannot reach bucket " + config.lake().bucket() + ": "
                    + e.getMessage()).build();
        }
        try {
            for (String queue : config.queues().used()) {
                queues.url(queue);
            }
            response.withData("sqs", "queues reachable");
        } catch (RuntimeException e) {
            return response.down().withData("sqs", "Cannot reach queues: " + e.getMessage()).build();
        }
        return response.up().build();
    }
}
