package dev.medallion.lake.message;

import java.time.Instant;

/**
 * A Bronze object was stored and is ready to be promoted to Silver. Sent by ingest-service to the transform
 * queue.
 *
 * @param type always {@link #TYPE}
 * @param version always {@link #VERSION}
 * @param id the Bronze object id
 * @param dataset the dataset it belongs to
 * @param key its object key
 * @param bytes its stored size
 * @param receivedAt when ingest received it
 * @param source where it came from: {@code http} or {@code sqs}
 */
public record BronzeObjectLanded(String type, int version, String id, String dataset, String key, long bytes,
        Instant receivedAt, String source) implements LakeMessage {

    public static final String TYPE = "bronze.object.landed";
    public static final int VERSION = 1;

    public static BronzeObjectLanded of(String id, String dataset, String key, long bytes, Instant receivedAt,
            String source) {
        return new BronzeObjectLanded(TYPE, VERSION, id, dataset, key, bytes, receivedAt, source);
    }
}
