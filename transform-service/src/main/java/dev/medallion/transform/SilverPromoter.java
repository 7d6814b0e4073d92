package dev.medallion.transform;

import java.util.List;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.transform.BronzeToSilver;
import dev.medallion.lake.transform.TransformResult;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Handles one transform-queue message: promotes the Bronze object to Silver, then tells the catalog and compaction
 * queues which files were written. A redelivered message reruns to the same object names, so it overwrites rather
 * than duplicates.
 */
@Singleton
public class SilverPromoter {
    private static final Logger LOG = Logger.getLogger(SilverPromoter.class);

    private final BronzeToSilver transform;
    private final DatasetSpecs specs;
    private final Queues queues;
    private final LakeConfig lake;
    private final MeterRegistry metrics;

    public SilverPromoter(S3ObjectStore store, DatasetSpecs specs, Queues queues, LakeConfig lake,
            TransformConfig config, MeterRegistry metrics) {
        this.transform = new BronzeToSilver(store, new BronzeToSilver.Settings(config.maxRecordBytes(),
                new RowWriter.Settings(config.rowGroupBytes(), RowWriter.Settings.defaults().pageBytes()),
                config.targetFileBytes(), config.maxBufferedBytes()));
        this.specs = specs;
        this.queues = queues;
        this.lake = lake;
        this.metrics = metrics;
    }

    /** Promotes the Bronze object a message names; throws {@link ValidationException} for a message it cannot use. */
    public TransformResult handle(LakeMessage message) {
        if (!(message instanceof BronzeObjectLanded landed)) {
            throw new ValidationException("Cannot transform a " + message.type() + " message: expected "
                    + BronzeObjectLanded.TYPE);
        }
        DatasetSpec spec = specs.find(landed.dataset()).orElseThrow(() -> new ValidationException(
                "Cannot transform '" + landed.key() + "': dataset '" + landed.dataset() + "' is not configured"));
        Timer.Sample sample = Timer.start(metrics);
        TransformResult result = transform.run(spec, landed.key());
        sample.stop(metrics.timer("medallion.transform.run.duration", "dataset", spec.name(), "zone", "silver"));
        record(spec, result);
        if (!result.files().isEmpty()) {
            var written = FilesWritten.of(result.runId(), spec.name(), spec.database(), "silver", result.files(),
                    List.copyOf(result.sources()), result.rowsQuarantined());
            queues.send(lake.queues().catalog(), written);
            queues.send(lake.queues().compaction(), written);
        }
        LOG.infof("Promoted %s: %d rows read, %d written to %d Silver files, %d quarantined %s", landed.key(),
                result.rowsRead(), result.rowsWritten(), result.files().size(), result.rowsQuarantined(),
                result.quarantinedByKind());
        return result;
    }

    private void record(DatasetSpec spec, TransformResult result) {
        metrics.counter("medallion.transform.runs", "dataset", spec.name(), "zone", "silver").increment();
        metrics.counter("medallion.transform.rows", "dataset", spec.name(), "outcome", "written")
                .increment(result.rowsWritten());
        result.quarantinedByKind().forEach((kind, count) -> metrics.counter("medallion.transform.rows", "dataset",
                spec.name(), "outcome", "quarantined_" + kind).increment(count));
        metrics.counter("medallion.transform.files", "dataset", spec.name(), "zone", "silver")
                .increment(result.files().size());
    }
}
