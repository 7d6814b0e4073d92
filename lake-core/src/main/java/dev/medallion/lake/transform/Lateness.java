package dev.medallion.lake.transform;

import java.time.Duration;
import java.time.Instant;

/**
 * How long after its event time a record reached the lake (ingested-at minus event time), in the bands operators
 * watch: late records still go to their true partition, but they rewrite old partitions and old Gold days.
 */
public enum Lateness {
    UNDER_1H("under_1h", Duration.ofHours(1)),
    UNDER_1D("1h_to_1d", Duration.ofDays(1)),
    UNDER_7D("1d_to_7d", Duration.ofDays(7)),
    UNDER_30D("7d_to_30d", Duration.ofDays(30)),
    OVER_30D("over_30d", Duration.ofSeconds(Long.MAX_VALUE));

    /** Called for every row: {@code values()} would copy the array each time. */
    private static final Lateness[] BANDS = values();

    private final String label;
    private final long belowSeconds;

    Lateness(String label, Duration below) {
        this.label = label;
        this.belowSeconds = below.getSeconds();
    }

    /** The metric tag value. */
    public String label() {
        return label;
    }

    /** The band of a record; one whose event time is after its ingestion (clock skew) counts as on time. */
    public static Lateness of(Instant eventTime, Instant ingestedAt) {
        // whole seconds: the bands are hours and days apart, and the difference of two instants' seconds cannot overflow
        long lateSeconds = ingestedAt.getEpochSecond() - eventTime.getEpochSecond();
        for (Lateness band : BANDS) {
            if (lateSeconds < band.belowSeconds) {
                return band;
            }
        }
        return OVER_30D;
    }
}
