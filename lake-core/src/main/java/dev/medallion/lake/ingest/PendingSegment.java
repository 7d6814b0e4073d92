package dev.medallion.lake.ingest;

import java.io.IOException;

import dev.medallion.lake.bronze.SegmentHeader;

/**
 * One request or message body, encoded as a Bronze segment and waiting in a batch.
 *
 * @param header its lineage
 * @param data the encoded gzip member
 * @param records the records it holds
 * @param receivedBytes its size as received, decompressed (what the buffer size limit counts)
 * @param clientWaiting whether a client is waiting for it to be stored (an HTTP request), so its batch flushes
 *        after the linger window rather than at the buffer interval
 * @param beforeStore run with the Bronze key once it is chosen, before the object is stored (ingest records there
 *        where an idempotent request is going, so a retry after a crash can find out whether it arrived)
 */
public record PendingSegment(SegmentHeader header, SegmentBuffer data, long records, long receivedBytes,
        boolean clientWaiting, BeforeStore beforeStore) {

    /** Work that must be done before the segment's object is stored; throwing fails the flush. */
    @FunctionalInterface
    public interface BeforeStore {
        BeforeStore NOTHING = bronzeKey -> {
        };

        void run(String bronzeKey) throws IOException;
    }

    /** The same segment, with work to do before it is stored. */
    public PendingSegment withBeforeStore(BeforeStore work) {
        return new PendingSegment(header, data, records, receivedBytes, clientWaiting, work);
    }
}
