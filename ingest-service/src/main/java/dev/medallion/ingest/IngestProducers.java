package dev.medallion.ingest;

import java.time.Clock;

import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.ingest.BronzeBatcher;
import dev.medallion.lake.ingest.IdempotencyRecords;
import dev.medallion.lake.ingest.MemoryBudget;
import dev.medallion.lake.ingest.SegmentEncoder;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** The lake-core ingest machinery, built from configuration. */
public class IngestProducers {

    @Produces
    @Singleton
    MemoryBudget memoryBudget(IngestConfig config, MeterRegistry metrics) {
        var budget = new MemoryBudget(config.maxBufferedBytes().asLongValue());
        metrics.gauge("medallion.ingest.buffer.bytes", budget, MemoryBudget::used);
        metrics.gauge("medallion.ingest.buffer.limit.bytes", budget, MemoryBudget::limit);
        return budget;
    }

    @Produces
    @Singleton
    SegmentEncoder segmentEncoder(IngestConfig config, MemoryBudget budget) {
        return new SegmentEncoder(new SegmentEncoder.Limits(config.maxRequestBytes().asLongValue(),
                config.maxInflatedBytes().asLongValue(), (int) config.maxRecordBytes().asLongValue(),
                config.compressionLevel()), budget);
    }

    @Produces
    @Singleton
    BronzeBatcher bronzeBatcher(S3ObjectStore store, IngestConfig config, Queues queues, LakeConfig lake,
            IngestMetrics listener, DatasetSpecs specs, MeterRegistry metrics) {
        var batcher = new BronzeBatcher(store, config::policy,
                landed -> queues.send(lake.queues().transform(), landed), listener, Clock.systemUTC(),
                config.flushThreads());
        for (var spec : specs.all()) {
            metrics.gauge("medallion.ingest.buffer.dataset.bytes", Tags.of("dataset", spec.name()), batcher,
                    b -> b.bufferedBytes().getOrDefault(spec.name(), 0L));
        }
        return batcher;
    }

    void closeBatcher(@Disposes BronzeBatcher batcher) {
        batcher.close();
    }

    @Produces
    @Singleton
    IdempotencyRecords idempotencyRecords(S3ObjectStore store) {
        return new IdempotencyRecords(store);
    }
}
