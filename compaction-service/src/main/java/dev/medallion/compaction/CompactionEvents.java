package dev.medallion.compaction;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.compaction.Compaction;
import dev.medallion.lake.compaction.Merge;
import dev.medallion.lake.compaction.SmallFileDebt;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.parquet.UnreadableFileException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * What compaction did, as Prometheus figures and log lines, and each table's small-file debt as gauges; a partition
 * moved to a new generation is announced on the catalog queue, so its registered location follows.
 */
@Singleton
public class CompactionEvents implements Compaction.Listener {
    private static final Logger LOG = Logger.getLogger(CompactionEvents.class);

    private final MeterRegistry metrics;
    private final Queues queues;
    private final LakeConfig lake;
    private final Map<String, AtomicReference<SmallFileDebt>> debts = new ConcurrentHashMap<>();

    public CompactionEvents(MeterRegistry metrics, Queues queues, LakeConfig lake) {
        this.metrics = metrics;
        this.queues = queues;
        this.lake = lake;
    }

    @Override
    public void moved(DatasetSpec spec, Merge merge) {
        queues.send(lake.queues().catalog(), FilesWritten.silver(merge.runId(), spec.name(), spec.database(),
                merge.outputs(), merge.inputs(), 0));
        LOG.infof("Moved %s/%s to generation %s (%d files merged, %d carried over); the old one is deleted after "
                + "the grace period", spec.name(), merge.partition(), merge.generation(), merge.inputs().size(),
                merge.carried().size());
    }

    @Override
    public void merging(DatasetSpec spec, String partition, List<ObjectInfo> inputs) {
        LOG.infof("Merging %d files (%d bytes) of %s/%s", inputs.size(),
                inputs.stream().mapToLong(ObjectInfo::size).sum(), spec.name(), partition);
    }

    @Override
    public void merged(DatasetSpec spec, Merge merge, Duration took) {
        String dataset = spec.name();
        metrics.counter("medallion.compaction.groups", "dataset", dataset, "outcome", "merged").increment();
        metrics.counter("medallion.compaction.files", "dataset", dataset, "direction", "read")
                .increment(merge.inputs().size());
        metrics.counter("medallion.compaction.files", "dataset", dataset, "direction", "written")
                .increment(merge.outputs().size());
        metrics.counter("medallion.compaction.bytes", "dataset", dataset, "direction", "read")
                .increment(merge.bytesRead());
        metrics.counter("medallion.compaction.bytes", "dataset", dataset, "direction", "written")
                .increment(merge.bytesWritten());
        metrics.counter("medallion.compaction.rows", "dataset", dataset, "outcome", "written")
                .increment(merge.rowsWritten());
        metrics.counter("medallion.compaction.rows", "dataset", dataset, "outcome", "deduplicated")
                .increment(merge.rowsDeduplicated());
        Timer.builder("medallion.compaction.merge.duration").tags("dataset", dataset).publishPercentileHistogram()
                .register(metrics).record(took);
        LOG.infof("Merged %d files (%d bytes) of %s/%s into %d (%d bytes) in %d ms: %d rows, %d duplicates dropped",
                merge.inputs().size(), merge.bytesRead(), dataset, merge.partition(), merge.outputs().size(),
                merge.bytesWritten(), took.toMillis(), merge.rowsWritten(), merge.rowsDeduplicated());
    }

    @Override
    public void failed(DatasetSpec spec, String partition, List<String> inputs, RuntimeException failure) {
        metrics.counter("medallion.compaction.groups", "dataset", spec.name(), "outcome", "failed").increment();
        LOG.errorf(failure, "Cannot merge %d files of %s/%s: %s; what the merge changed is rolled back (or, once "
                + "committed, forward) by the partition's next compaction", inputs.size(), spec.name(), partition,
                failure.getMessage());
    }

    @Override
    public void unreadable(DatasetSpec spec, String key, UnreadableFileException problem) {
        metrics.counter("medallion.compaction.unreadable.files", "dataset", spec.name()).increment();
        LOG.errorf("Leaving %s out of compaction, where it stays until it is repaired or removed: %s", key,
                problem.getMessage());
    }

    @Override
    public void awaitingCatalog(DatasetSpec spec, String partition, String generation) {
        metrics.counter("medallion.compaction.generations.awaiting.catalog", "dataset", spec.name()).increment();
        LOG.warnf("Keeping the old generations of %s/%s past their grace period: the catalog has not yet registered "
                + "generation %s for a grace period (is catalog-service running?)", spec.name(), partition, generation);
    }

    @Override
    public void recovered(DatasetSpec spec, RunJournal.Intent run, boolean committed) {
        metrics.counter("medallion.compaction.recoveries", "dataset", spec.name(), "outcome",
                committed ? "rolled_forward" : "rolled_back").increment();
        LOG.warnf("Found merge %s of %s unfinished (%d inputs, %d outputs published, last heartbeat %s): %s",
                run.runId(), spec.name(), run.sources().size(), run.published().size(), run.heartbeatAt(),
                committed ? "it had committed, so its inputs were deleted" : "its outputs were deleted");
    }

    /** Groups a plan found worth merging. */
    void planned(DatasetSpec spec, int groups) {
        metrics.counter("medallion.compaction.groups", "dataset", spec.name(), "outcome", "planned").increment(groups);
    }

    /** Publishes a table's small-file debt, as a sweep measured it. */
    void debt(DatasetSpec spec, SmallFileDebt debt) {
        debts.computeIfAbsent(spec.name(), dataset -> {
            var holder = new AtomicReference<>(debt);
            Tags tags = Tags.of("dataset", dataset);
            gauge("medallion.compaction.partitions", tags, holder, SmallFileDebt::partitions);
            gauge("medallion.compaction.table.files", tags, holder, SmallFileDebt::files);
            gauge("medallion.compaction.small.files", tags, holder, SmallFileDebt::smallFiles);
            gauge("medallion.compaction.small.bytes", tags, holder, SmallFileDebt::smallBytes);
            gauge("medallion.compaction.partition.files.max", tags, holder, SmallFileDebt::maxFilesPerPartition);
            // "percentile", not "quantile": Prometheus keeps that label for summaries, and these are gauges
            gauge("medallion.compaction.partition.files", tags.and("percentile", "50"), holder,
                    SmallFileDebt::medianFilesPerPartition);
            gauge("medallion.compaction.partition.files", tags.and("percentile", "95"), holder,
                    SmallFileDebt::p95FilesPerPartition);
            gauge("medallion.compaction.file.size.bytes", tags.and("percentile", "50"), holder,
                    SmallFileDebt::medianFileBytes);
            gauge("medallion.compaction.file.size.bytes", tags.and("percentile", "95"), holder,
                    SmallFileDebt::p95FileBytes);
            // the outcomes at zero from the first sweep on, so alerts and dashboards see "none", not "no data"
            for (String outcome : List.of("planned", "merged", "failed")) {
                metrics.counter("medallion.compaction.groups", "dataset", dataset, "outcome", outcome);
            }
            gauge("medallion.compaction.oldest.small.file.age.seconds", tags, holder,
                    d -> d.oldestSmallFileAge().toSeconds());
            return holder;
        }).set(debt);
    }

    private void gauge(String name, Tags tags, AtomicReference<SmallFileDebt> holder,
            ToDoubleFunction<SmallFileDebt> value) {
        metrics.gauge(name, tags, holder, h -> value.applyAsDouble(h.get()));
    }
}
