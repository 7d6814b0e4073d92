package dev.medallion.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.aws.S3ObjectStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * With a KMS key configured every write asks S3 for SSE-KMS with that key and an S3 bucket key. The local S3 server
 * has no KMS, so the request is checked as signed, just before it would be sent, and then stopped.
 */
class S3ObjectStoreEncryptionTest {
    private static final String KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0b7d6c1e-1111-2222-3333-444455556666";

    @TempDir
    Path staging;

    @Test
    void everyWriteCarriesSseKmsWithTheConfiguredKeyAndABucketKey() {
        SdkHttpRequest sent = capturedPut(Optional.of(KEY_ARN));
        assertThat(sent.firstMatchingHeader("x-amz-server-side-encryption")).contains("aws:kms");
        assertThat(sent.firstMatchingHeader("x-amz-server-side-encryption-aws-kms-key-id")).contains(KEY_ARN);
        assertThat(sent.firstMatchingHeader("x-amz-server-side-encryption-bucket-key-enabled")).contains("true");
    }

    @Test
    void withoutAKeyTheBucketDefaultEncryptionApplies() {
        SdkHttpRequest sent = capturedPut(Optional.empty());
        assertThat(sent.firstMatchingHeader("x-amz-server-side-encryption")).isEmpty();
        assertThat(sent.firstMatchingHeader("x-amz-server-side-encryption-aws-kms-key-id")).isEmpty();
    }

    private SdkHttpRequest capturedPut(Optional<String> kmsKeyId) {
        var captured = new AtomicReference<SdkHttpRequest>();
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:9")) // never contacted: stopped before sending
                .forcePathStyle(true)
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context,
                            ExecutionAttributes attributes) {
                        captured.set(context.httpRequest());
                        throw new StoppedBeforeSending();
                    }
                }))
                .build()) {
            var store = new S3ObjectStore(s3, "lake", kmsKeyId, staging);
            Throwable thrown = catchThrowable(() -> {
                try (ObjectWriter out = store.create("bronze/sales/x.ndjson.gz", Map.of())) {
                    out.write("{}\n".getBytes(StandardCharsets.UTF_8));
                }
            });
            while (thrown != null && !(thrown instanceof StoppedBeforeSending)) {
                thrown = thrown.getCause();
            }
            assertThat(thrown).as("the PUT was stopped by the test, not failed otherwise").isNotNull();
        }
        assertThat(captured.get()).isNotNull();
        assertThat(captured.get().method().name()).isEqualTo("PUT");
        return captured.get();
    }

    private static final class StoppedBeforeSending extends RuntimeException {
        StoppedBeforeSending() {
            super("stopped before sending");
        }
    }
}
