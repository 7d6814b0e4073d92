package dev.medallion.transform;

import java.time.Duration;

import dev.medallion.support.ConsumerConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** transform-service settings. */
@ConfigMapping(prefix = "medallion.transform")
public interface TransformConfig {

    /** Polling of the transform queue. */
    ConsumerConfig consumer();

    /** How the Bronze objects of many events are combined into one run per dataset. */
    Batch batch();

    interface Batch {
        /** Most Bronze objects in one run. */
        @WithDefault("64")
        int maxSources();

        /** A run starts once its objects' stored sizes reach this. */
        @WithDefault("536870912")
        long maxBytes();

        /** How long the first object of a run waits for others. */
        @WithDefault("2s")
        Duration linger();
    }

    /** Records longer than this are quarantined as too large, without being held in memory. */
    @WithDefault("1048576")
    int maxRecordBytes();

    /** Bytes a Parquet writer buffers before flushing a row group. */
    @WithDefault("33554432")
    long rowGroupBytes();

    /** A Silver file is closed once its encoded size reaches this; its partition continues in a new file. */
    @WithDefault("268435456")
    long targetFileBytes();

    /**
     * Most bytes the open Parquet writers of one run buffer together; above it the largest is closed early. With
     * {@code max-record-bytes}, this bounds a run's memory whatever the input size and partition count.
     */
    @WithDefault("134217728")
    long maxBufferedBytes();

    /**
     * Most business keys one run remembers to deduplicate, 48 to 96 bytes each on the heap; past it, a run
     * deduplicates against the keys seen since.
     */
    @WithDefault("1000000")
    int maxKeys();

    /**
     * How long a run may go without saving its intent (it does every third of this while it works) before another
     * replica may abandon it and roll it back. Keep it below the queue's visibility timeout, so that the redelivered
     * events of a run that died find it expired.
     */
    @WithDefault("30s")
    Duration runLease();
}
