package dev.medallion.lake.store;

import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.support.testing.LocalStack;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@link ObjectStore} contract against {@link S3ObjectStore} and a real S3 server (S3Proxy from the project's
 * local stack): atomic visibility, ranged reads, metadata, listing and key rules hold on S3 as they do in memory and
 * on disk. Lives in the contract's package to extend it; each test gets a bucket of its own.
 */
class S3ObjectStoreContractTest extends ObjectStoreContractTest {
    private static LocalStack stack;
    private static S3Client s3;

    @BeforeAll
    static void startS3() {
        stack = LocalStack.start(Path.of("target/s3-contract").toAbsolutePath());
        s3 = stack.s3Client();
    }

    @AfterAll
    static void stopS3() {
        if (s3 != null) {
            s3.close();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @Override
    protected ObjectStore newStore() {
        String bucket = "contract-" + UUID.randomUUID();
        s3.createBucket(b -> b.bucket(bucket));
        return new S3ObjectStore(s3, bucket, Optional.empty(), Path.of("target/s3-contract/staging"));
    }
}
