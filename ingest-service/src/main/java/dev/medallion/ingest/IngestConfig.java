package dev.medallion.ingest;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.medallion.lake.ingest.BufferPolicy;
import dev.medallion.support.ConsumerConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** ingest-service settings (all under {@code medallion.ingest}). */
@ConfigMapping(prefix = "medallion.ingest")
public interface IngestConfig {

    /** Buffering of every dataset, unless overridden in {@link #datasets()}. */
    Buffer buffer();

    /** Per-dataset overrides of {@link #buffer()}, by dataset name. */
    Map<String, BufferOverride> datasets();

    /** Most bytes held in memory across all datasets (bodies being read and batches waiting); above it, 503/pause. */
    @WithDefault("256M")
    MemorySize maxBufferedBytes();

    /** Largest request body as sent. */
    @WithDefault("64M")
    MemorySize maxRequestBytes();

    /** Largest body once decompressed: a gzip body that inflates past it is refused (no gzip bombs). */
    @WithDefault("256M")
    MemorySize maxInflatedBytes();

    /** Largest single record (Firehose's limit is 1,000 KiB). */
    @WithDefault("1000K")
    MemorySize maxRecordBytes();

    /** Gzip level of Bronze segments: 1 is fastest, 9 smallest. */
    @WithDefault("1")
    int compressionLevel();

    /** How many Bronze objects may be stored at once. */
    @WithDefault("4")
    int flushThreads();

    /** What 429/503 answers tell clients to wait. */
    @WithDefault("1s")
    Duration retryAfter();

    /** The producer queue. */
    ProducerQueue sqs();

    interface Buffer {
        /** Flush once this many bytes (decompressed, as received) are buffered; Firehose's default is 5 MiB. */
        @WithDefault("5M")
        MemorySize bytes();

        /** Flush once this many records are buffered. */
        @WithDefault("500000")
        long records();

        /** Flush a batch this long after it opened; Firehose's default is 300 s. */
        @WithDefault("300s")
        Duration interval();

        /** While an HTTP client waits on a batch, flush it this long after the client's request joined. */
        @WithDefault("20ms")
        Duration linger();
    }

    interface BufferOverride {
        Optional<MemorySize> bytes();

        Optional<Long> records();

        Optional<Duration> interval();

        Optional<Duration> linger();
    }

    interface ProducerQueue {
        /** Whether to consume the producer queue ({@code medallion.queues.ingest}). */
        @WithDefault("true")
        boolean enabled();

        /** The dataset of messages that name none (no envelope, no {@code dataset} attribute). */
        Optional<String> defaultDataset();

        /** Polling; the visibility of buffered messages is extended until their batch is stored. */
        ConsumerConfig consumer();
    }

    /** The buffer policy of a dataset. */
    default BufferPolicy policy(String dataset) {
        Buffer defaults = buffer();
        Optional<BufferOverride> override = Optional.ofNullable(datasets().get(dataset));
        return new BufferPolicy(
                override.flatMap(BufferOverride::bytes).orElse(defaults.bytes()).asLongValue(),
                override.flatMap(BufferOverride::records).orElse(defaults.records()),
                override.flatMap(BufferOverride::interval).orElse(defaults.interval()),
                override.flatMap(BufferOverride::linger).orElse(defaults.linger()));
    }
}
