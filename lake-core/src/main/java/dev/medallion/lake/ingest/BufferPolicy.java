package dev.medallion.lake.ingest;

import java.time.Duration;

/**
 * When a dataset's batch is flushed into a Bronze object: at the first of {@code maxBytes} received, {@code maxRecords}
 * records, or {@code interval} since the batch opened, like Firehose's buffering hints; and, while an HTTP client is
 * waiting on the batch, {@code linger} after its request joined, so concurrent requests share one object without
 * making any of them wait long.
 */
public record BufferPolicy(long maxBytes, long maxRecords, Duration interval, Duration linger) {

    public BufferPolicy {
        if (maxBytes < 1 || maxRecords < 1 || interval.isNegative() || linger.isNegative()) {
            throw new IllegalArgumentException("Buffer limits must be positive: " + maxBytes + " bytes, " + maxRecords
                    + " records, " + interval + ", linger " + linger);
        }
    }

    /** Why a batch was flushed (a metric label). */
    public enum Reason {
        BYTES,
        RECORDS,
        INTERVAL,
        LINGER,
        SHUTDOWN;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
