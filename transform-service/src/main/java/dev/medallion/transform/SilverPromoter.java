package dev.medallion.transform;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.gold.GoldBuilder;
import dev.medallion.lake.gold.GoldTable;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.transform.BronzeToSilver;
import dev.medallion.lake.transform.Promotion;
import dev.medallion.lake.transform.TransformResult;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Runs one combined Bronze to Silver promotion ({@link Promotion}) and tells the catalog and compaction queues which
 * files it wrote; keeps the transform's meters.
 */
@Singleton
public class SilverPromoter implements Promotion.Listener {
    private static final Logger LOG = Logger.getLogger(SilverPromoter.class);

    private final Promotion promotion;
    private final DatasetSpecs specs;
    private final Queues queues;
    private final LakeConfig lake;
    private final MeterRegistry metrics;

    public SilverPromoter(S3ObjectStore store, DatasetSpecs specs, Queues queues, LakeConfig lake,
            TransformConfig config, MeterRegistry metrics) {
        var transform = new BronzeToSilver(store, new BronzeToSilver.Settings(config.maxRecordBytes(),
                new RowWriter.Settings(config.rowGroupBytes(), RowWriter.Settings.defaults().pageBytes()),
                config.targetFileBytes(), config.maxBufferedBytes(), config.maxKeys()));
        var gold = new GoldBuilder(store, RowWriter.Settings.defaults(), config.maxKeys());
        this.promotion = new Promotion(store, transform, gold,
                Promotion.journal(store, config.runLease(), Clock.systemUTC()), this, Clock.systemUTC());
        this.specs = specs;
        this.queues = queues;
        this.lake = lake;
        this.metrics = metrics;
    }

    /** The spec of a dataset the transform may promote. */
    public DatasetSpec spec(String dataset, String key) {
        return specs.find(dataset).orElseThrow(() -> new ValidationException(
                "Cannot transform '" + key + "': dataset '" + dataset + "' is not configured"));
    }

    /** Promotes the objects of one dataset; returns those that could not be read. */
    public Map<String, Exception> promote(String dataset, List<String> keys) {
        DatasetSpec spec = spec(dataset, keys.get(0));
        Timer.Sample sample = Timer.start(metrics);
        try {
            return promotion.run(spec, keys);
        } finally {
            sample.stop(metrics.timer("medallion.transform.run.duration", "dataset", dataset));
        }
    }

    @Override
    public void promoted(DatasetSpec spec, TransformResult result, List<GoldBuilder.Rebuilt> gold,
            Promotion.Stages took) {
        record(spec, result);
        if (took != Promotion.Stages.RECOVERED) {
            metrics.timer("medallion.transform.stage.duration", "dataset", spec.name(), "stage", "silver")
                    .record(took.silver());
            metrics.timer("medallion.transform.stage.duration", "dataset", spec.name(), "stage", "gold")
                    .record(took.gold());
        }
        if (!result.files().isEmpty()) {
            var written = FilesWritten.silver(result.runId(), spec.name(), spec.database(), result.files(),
                    List.copyOf(result.sources()), result.rowsQuarantined());
            queues.send(lake.queues().catalog(), written);
            queues.send(lake.queues().compaction(), written);
        }
        // Gold days are one object each, replaced whole: the catalog needs them, compaction does not
        Map<GoldTable, List<FilesWritten.WrittenFile>> byTable = new LinkedHashMap<>();
        gold.stream().filter(r -> r.file() != null)
                .forEach(r -> byTable.computeIfAbsent(r.table(), t -> new ArrayList<>()).add(r.file()));
        byTable.forEach((table, files) -> {
            queues.send(lake.queues().catalog(), FilesWritten.gold(result.runId(), spec.name(), spec.database(),
                    table.name(), files, List.copyOf(result.sources())));
            metrics.counter("medallion.transform.files", "dataset", spec.name(), "zone", "gold").increment(files.size());
            metrics.counter("medallion.transform.bytes.written", "dataset", spec.name(), "zone", "gold")
                    .increment(files.stream().mapToLong(FilesWritten.WrittenFile::bytes).sum());
        });
        if (!gold.isEmpty()) {
            metrics.counter("medallion.transform.gold.rebuilds", "dataset", spec.name()).increment(gold.size());
        }
        LOG.infof("Promoted %d Bronze objects of %s (run %s): %d rows read, %d written to %d Silver files, "
                + "%d quarantined %s, %d skipped as already read in this run", result.sources().size(), spec.name(),
                result.runId(), result.rowsRead(), result.rowsWritten(), result.files().size(),
                result.rowsQuarantined(), result.quarantinedByKind(), result.rowsDeduplicated());
    }

    @Override
    public void skippedAsPromoted(DatasetSpec spec, String key) {
        metrics.counter("medallion.transform.sources.skipped", "dataset", spec.name(), "reason", "already_promoted")
                .increment();
        LOG.debugf("Skipped %s: already promoted in this version", key);
    }

    @Override
    public void recovered(DatasetSpec spec, RunJournal.Intent run, boolean committed) {
        metrics.counter("medallion.transform.recoveries", "dataset", spec.name(), "outcome",
                committed ? "finished" : "rolled_back").increment();
        LOG.warnf("Found run %s of %s unfinished (%d sources, %d objects published, last heartbeat %s): %s",
                run.runId(), spec.name(), run.sources().size(), run.published().size(), run.heartbeatAt(),
                committed ? "it had committed, so it was finished" : "it was rolled back; its events promote again");
    }

    private void record(DatasetSpec spec, TransformResult result) {
        String dataset = spec.name();
        metrics.counter("medallion.transform.runs", "dataset", dataset, "zone", "silver").increment();
        metrics.counter("medallion.transform.sources", "dataset", dataset).increment(result.sources().size());
        metrics.counter("medallion.transform.rows", "dataset", dataset, "outcome", "read").increment(result.rowsRead());
        metrics.counter("medallion.transform.rows", "dataset", dataset, "outcome", "written")
                .increment(result.rowsWritten());
        metrics.counter("medallion.transform.rows", "dataset", dataset, "outcome", "deduplicated")
                .increment(result.rowsDeduplicated());
        result.quarantinedByKind().forEach((kind, count) -> metrics.counter("medallion.transform.rows", "dataset",
                dataset, "outcome", "quarantined_" + kind).increment(count));
        result.rowsByLateness().forEach((band, count) -> metrics.counter("medallion.transform.rows.lateness",
                "dataset", dataset, "lateness", band).increment(count));
        metrics.counter("medallion.transform.files", "dataset", dataset, "zone", "silver")
                .increment(result.files().size());
        metrics.counter("medallion.transform.bytes.written", "dataset", dataset, "zone", "silver")
                .increment(result.files().stream().mapToLong(FilesWritten.WrittenFile::bytes).sum());
    }
}
