package dev.medallion.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Singleton;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.store.ObjectWriter;
import dev.medallion.lake.transform.BronzeToSilver;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.Queues;

/**
 * Lands one batch of raw records as one Bronze object, gzip-compressed (a gzip body is kept exactly as received),
 * then tells the transform queue. Returns only when both are stored: the caller may acknowledge its producer.
 */
@Singleton
public class BronzeWriter {
    private final S3ObjectStore store;
    private final Queues queues;
    private final LakeConfig config;
    private final Clock clock;

    public BronzeWriter(S3ObjectStore store, Queues queues, LakeConfig config) {
        this.store = store;
        this.queues = queues;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    /**
     * @param dataset a known dataset
     * @param body the raw bytes
     * @param gzipped whether {@code body} is already gzip
     * @param source {@code http} or {@code sqs}
     * @param requestId the producer's request or message id, kept as lineage
     */
    public BronzeObjectLanded land(String dataset, InputStream body, boolean gzipped, String source, String requestId)
            throws IOException {
        Instant receivedAt = clock.instant();
        String id = LakeLayout.newBronzeId(receivedAt);
        String key = LakeLayout.bronzeKey(dataset, receivedAt, id);
        ObjectWriter object = store.create(key, Map.of(BronzeToSilver.RECEIVED_AT_METADATA, receivedAt.toString(),
                "source", source, "request-id", requestId));
        try {
            OutputStream out = gzipped ? object : new GZIPOutputStream(object, 64 * 1024);
            if (body.transferTo(out) == 0) {
                throw new ValidationException("Cannot ingest into '" + dataset + "': the request body is empty");
            }
            out.close(); // publishes the object
        } catch (IOException | RuntimeException e) {
            object.abort();
            throw e;
        }
        var landed = BronzeObjectLanded.of(id, dataset, key, object.position(), receivedAt, source);
        queues.send(config.queues().transform(), landed);
        return landed;
    }

}
