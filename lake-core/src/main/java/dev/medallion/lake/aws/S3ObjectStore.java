package dev.medallion.lake.aws;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectKeys;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;
import dev.medallion.lake.store.StagedObjectWriter;
import dev.medallion.lake.store.SupportsPrefixListing;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The lake in one S3 bucket. Writes are staged in a local temporary file (bounded memory, any size) and uploaded
 * on close, so an object is visible only once it is whole. With a KMS key id every write is SSE-KMS with an S3
 * bucket key; retries of throttling and 5xx errors are the SDK's own.
 */
public final class S3ObjectStore implements ObjectStore, SupportsPrefixListing {
    /** S3's limit of keys in one DeleteObjects request. */
    private static final int DELETE_BATCH = 1000;
    /** S3's limit of an object copied in one request. */
    private static final long MAX_COPY_BYTES = 5L * 1024 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final Optional<String> kmsKeyId;
    private final Path stagingDir;

    /**
     * @param s3 a configured client
     * @param bucket the lake bucket
     * @param kmsKeyId the KMS key for SSE-KMS writes, or empty for the bucket's default encryption
     * @param stagingDir where writes are staged before upload
     */
    public S3ObjectStore(S3Client s3, String bucket, Optional<String> kmsKeyId, Path stagingDir) {
        this.s3 = s3;
        this.bucket = bucket;
        this.kmsKeyId = kmsKeyId;
        this.stagingDir = stagingDir;
    }

    @Override
    public InputStream open(String key, long offset) {
        var request = GetObjectRequest.builder().bucket(bucket).key(ObjectKeys.validate(key));
        if (offset > 0) {
            request.range("bytes=" + offset + "-");
        }
        try {
            return s3.getObject(request.build());
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(key);
        } catch (S3Exception e) {
            // S3 answers 416 for a range that starts at or after the end; other stores read nothing there
            if (e.statusCode() == 416 && stat(key).isPresent()) {
                return InputStream.nullInputStream();
            }
            throw e;
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(ObjectKeys.validate(key)));
            return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified(), head.metadata()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public ObjectWriter create(String key, Map<String, String> metadata) {
        ObjectKeys.validate(key);
        try {
            return new StagedObjectWriter(stagingDir) {
                @Override
                protected void publish(Path staged) {
                    var put = PutObjectRequest.builder().bucket(bucket).key(key).metadata(metadata)
                            .contentLength(position());
                    kmsKeyId.ifPresent(id -> put.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(id)
                            .bucketKeyEnabled(true));
                    s3.putObject(put.build(), RequestBody.fromFile(staged));
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stage object '" + key + "'", e);
        }
    }

    /**
     * A conditional PUT ({@code If-None-Match: *}): S3 answers 412 when the key exists. A 409 means another conditional
     * write to the key was in flight; its outcome is unknown here, so it is an error the caller retries.
     */
    @Override
    public boolean createIfAbsent(String key, byte[] content) {
        var put = PutObjectRequest.builder().bucket(bucket).key(ObjectKeys.validate(key)).ifNoneMatch("*")
                .contentLength((long) content.length);
        kmsKeyId.ifPresent(id -> put.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(id)
                .bucketKeyEnabled(true));
        try {
            s3.putObject(put.build(), RequestBody.fromBytes(content));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(ObjectKeys.validate(key)));
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        List<ObjectIdentifier> ids = keys.stream().map(k -> ObjectIdentifier.builder().key(ObjectKeys.validate(k)).build())
                .toList();
        for (int from = 0; from < ids.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = ids.subList(from, Math.min(ids.size(), from + DELETE_BATCH));
            DeleteObjectsResponse response = s3.deleteObjects(
                    b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
            if (response.hasErrors() && !response.errors().isEmpty()) {
                S3Error first = response.errors().get(0);
                throw new UncheckedIOException(new IOException("Cannot delete " + response.errors().size()
                        + " objects, the first '" + first.key() + "': " + first.code() + " " + first.message()));
            }
        }
    }

    /** Server-side ({@code CopyObject}, up to S3's 5 GiB limit for one request; larger objects are streamed). */
    @Override
    public void copy(String from, String to) {
        ObjectKeys.validate(to);
        ObjectInfo source = stat(from).orElseThrow(() -> new ObjectNotFoundException(from));
        if (source.size() > MAX_COPY_BYTES) {
            ObjectStore.super.copy(from, to);
            return;
        }
        var copy = CopyObjectRequest.builder().sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                .destinationKey(to);
        kmsKeyId.ifPresent(id -> copy.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(id)
                .bucketKeyEnabled(true));
        try {
            s3.copyObject(copy.build());
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(from);
        }
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        ObjectKeys.validatePrefix(prefix);
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(o -> new ObjectInfo(o.key(), o.size(), o.lastModified(), Map.of()));
    }

    /**
     * A readiness probe: the bucket exists and the credentials can reach it. {@code GetBucketLocation}, not
     * {@code HeadBucket}: the latter needs {@code s3:ListBucket} on the whole bucket, which a service's role grants
     * only for its own prefixes.
     */
    public void checkAccess() {
        s3.getBucketLocation(b -> b.bucket(bucket));
    }
}
