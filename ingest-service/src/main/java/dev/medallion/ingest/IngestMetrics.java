package dev.medallion.ingest;

import java.time.Duration;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.ingest.BronzeBatcher;
import dev.medallion.lake.ingest.BufferPolicy;
import dev.medallion.lake.spec.DatasetSpecs;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * ingest's Prometheus figures: records and bytes accepted and rejected per dataset, source and reason; flushes by
 * reason; Bronze PUT latency and object size. Dataset tags only ever hold configured names, so a client cannot grow
 * the metric cardinality.
 */
@Singleton
public class IngestMetrics implements BronzeBatcher.Listener {
    private static final Logger LOG = Logger.getLogger(IngestMetrics.class);
    private static final String UNKNOWN = "_unknown";

    private final MeterRegistry registry;
    private final DatasetSpecs specs;

    public IngestMetrics(MeterRegistry registry, DatasetSpecs specs) {
        this.registry = registry;
        this.specs = specs;
    }

    /** Records and bytes of a body taken into a batch. */
    public void accepted(String dataset, String source, long records, long bytes) {
        registry.counter("medallion.ingest.records", "dataset", tag(dataset), "source", source, "outcome",
                "accepted").increment(records);
        registry.counter("medallion.ingest.bytes", "dataset", tag(dataset), "source", source, "outcome", "accepted")
                .increment(bytes);
    }

    /** A body refused, with the reason given to its producer. */
    public void rejected(String dataset, String source, String reason) {
        registry.counter("medallion.ingest.rejections", "dataset", tag(dataset), "source", source, "reason", reason)
                .increment();
    }

    @Override
    public void flushed(String dataset, BufferPolicy.Reason reason, BronzeBatcher.Batch batch, long storedBytes,
            Duration storeTime) {
        registry.counter("medallion.ingest.flushes", "dataset", dataset, "reason", reason.label()).increment();
        Timer.builder("medallion.ingest.bronze.put").tag("dataset", dataset)
                .description("Time to store one Bronze object and announce it").publishPercentileHistogram()
                .register(registry).record(storeTime);
        DistributionSummary.builder("medallion.ingest.bronze.object.bytes").tag("dataset", dataset).baseUnit("bytes")
                .description("Stored size of Bronze objects").register(registry).record(storedBytes);
        LOG.debugf("Stored a Bronze object for %s (%s): %d segments, %d records, %d bytes in %d ms", dataset,
                reason.label(), batch.segments(), batch.records(), storedBytes, storeTime.toMillis());
    }

    @Override
    public void failed(String dataset, BronzeBatcher.Batch batch, Exception error) {
        registry.counter("medallion.ingest.flush.failures", "dataset", dataset).increment();
        LOG.warnf("Cannot store a Bronze object for %s (%d segments, %d records); their producers will retry: %s",
                dataset, batch.segments(), batch.records(), error.toString());
    }

    private String tag(String dataset) {
        return dataset != null && specs.find(dataset).isPresent() ? dataset : UNKNOWN;
    }
}
