package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.medallion.systemtests.FaultInjectingProxy.RecordedRequest;

/**
 * With a KMS key configured, every object any service writes asks S3 for SSE-KMS with that key, checked on the wire:
 * the services reach S3 through {@link FaultInjectingProxy}, which records every request. The local S3 server has no
 * KMS and refuses SSE headers, so the proxy records them and takes them off before forwarding (the server does not
 * check signatures in this test); the data still flows end to end, so the check covers every writer on its real path.
 */
class EncryptionSystemIT {
    private static final String KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/5b7e0c1a-2222-4a4b-9c9d-0123456789ab";
    private static final String SSE = "x-amz-server-side-encryption";

    private static LocalPipeline pipeline;
    private static FaultInjectingProxy proxy;
    private static Ledger ledger;

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = new LocalPipeline(Path.of("target/encryption").toAbsolutePath());
        ServiceKillSystemIT.deleteHome(pipeline.home);
        proxy = new FaultInjectingProxy(pipeline.ports.get("s3"));
        proxy.withhold(SSE);
        pipeline.environment.putAll(Ledger.settings());
        pipeline.environment.put("MEDALLION_S3_AUTHORIZATION", "none");
        pipeline.environment.put("MEDALLION_LAKE_KMS_KEY_ID", KEY_ARN);
        pipeline.environment.put("MEDALLION_SERVICE_JAVA_OPTS",
                "-Xmx384m -XX:+UseSerialGC -Dquarkus.s3.endpoint-override=" + proxy.endpoint());
        pipeline.start();
        ledger = new Ledger(pipeline);
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (ledger != null) {
            ledger.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void everyObjectWrittenAsksForSseKmsWithTheConfiguredKey() throws Exception {
        for (int batch = 0; batch < 4; batch++) {
            ledger.postUntilAcknowledged("kms-" + batch, Ledger.sales("kms-" + batch, 500, batch),
                    Duration.ofMinutes(2));
        }
        ledger.assertExactlyOnce("sse-kms", Duration.ofMinutes(4));
        proxy.assertHealthy();

        List<RecordedRequest> writes = proxy.recordedHeaders().stream().filter(EncryptionSystemIT::createsAnObject)
                .toList();
        assertThat(writes).as("objects written through the proxy").isNotEmpty();
        assertThat(writes).allSatisfy(write -> {
            assertThat(write.headers().get(SSE)).as("%s %s", write.method(), write.target()).containsExactly("aws:kms");
            assertThat(write.headers().get(SSE + "-aws-kms-key-id")).as("%s %s", write.method(), write.target())
                    .containsExactly(KEY_ARN);
            assertThat(write.headers().get(SSE + "-bucket-key-enabled")).as("%s %s", write.method(), write.target())
                    .containsExactly("true");
        });
        Set<String> zones = new TreeSet<>();
        for (RecordedRequest write : writes) {
            String key = URI.create("http://s3" + write.target()).getPath().replaceFirst("^/lake/", "");
            zones.add(key.startsWith("_state/") ? "_state" : key.substring(0, key.indexOf('/')));
        }
        assertThat(zones).as("every writer's zone was written").contains("bronze", "silver", "gold", "_state");
        assertThat(proxy.recordedHeaders()).as("requests that create nothing ask for nothing")
                .filteredOn(request -> !createsAnObject(request))
                .allSatisfy(request -> assertThat(request.headers()).doesNotContainKey(SSE));
    }

    /** PutObject, CopyObject and CreateMultipartUpload carry the encryption of the object; parts do not. */
    private static boolean createsAnObject(RecordedRequest request) {
        String query = URI.create("http://s3" + request.target()).getQuery();
        boolean part = query != null && query.contains("partNumber=");
        boolean create = request.method().equals("PUT") && !part && !request.target().endsWith("/lake");
        boolean multipart = request.method().equals("POST") && query != null && query.startsWith("uploads");
        return create || multipart;
    }
}
