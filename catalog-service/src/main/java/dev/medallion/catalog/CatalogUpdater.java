package dev.medallion.catalog;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.catalog.CatalogSync;
import dev.medallion.lake.catalog.EmbeddedCatalog;
import dev.medallion.lake.catalog.TableInput;
import dev.medallion.lake.gold.GoldTable;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.support.LakeConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Handles one catalog-queue message: brings the Silver or Gold table whose files were written up to date
 * (columns from the spec, projected year range widened to the partitions written). A redelivered message computes
 * the same table, which {@link EmbeddedCatalog#put} stores as no new version.
 */
@Singleton
public class CatalogUpdater {
    private static final Logger LOG = Logger.getLogger(CatalogUpdater.class);

    private final EmbeddedCatalog catalog;
    private final DatasetSpecs specs;
    private final LakeConfig lake;
    private final MeterRegistry metrics;

    public CatalogUpdater(EmbeddedCatalog catalog, DatasetSpecs specs, LakeConfig lake, MeterRegistry metrics) {
        this.catalog = catalog;
        this.specs = specs;
        this.lake = lake;
        this.metrics = metrics;
    }

    /** Applies a {@link FilesWritten} message; throws {@link ValidationException} for any other message. */
    public void handle(LakeMessage message) {
        if (!(message instanceof FilesWritten written)) {
            throw new ValidationException("Cannot catalog a " + message.type() + " message: expected "
                    + FilesWritten.TYPE);
        }
        apply(written);
    }

    /**
     * Stores the table that {@code written} implies, if it differs from the one in the catalog.
     *
     * @return whether a new table version was written
     * @throws ValidationException if the files are not Silver files of a configured dataset in its database, or
     *         their partitions do not fit the dataset's table; redelivery cannot help
     */
    // synchronized: the embedded catalog numbers versions by read-then-write, so one writer per table at a time
    public synchronized boolean apply(FilesWritten written) {
        if (!FilesWritten.SILVER.equals(written.zone()) && !FilesWritten.GOLD.equals(written.zone())) {
            throw new ValidationException("Cannot catalog files of run " + written.id() + " in zone '" + written.zone()
                    + "': only silver and gold tables are catalogued");
        }
        DatasetSpec spec = specs.find(written.dataset()).orElseThrow(() -> new ValidationException("Cannot catalog "
                + "files of run " + written.id() + ": dataset '" + written.dataset() + "' is not configured"));
        if (!spec.database().equals(written.database())) {
            throw new ValidationException("Cannot catalog files of run " + written.id() + ": dataset '" + spec.name()
                    + "' is in database '" + spec.database() + "', not '" + written.database() + "'");
        }
        Set<Map<String, String>> partitions = written.files().stream().map(FilesWritten.WrittenFile::partition)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String name = written.table();
        Optional<TableInput> current = catalog.table(spec.database(), name);
        TableInput table;
        if (FilesWritten.SILVER.equals(written.zone())) {
            table = CatalogSync.silverFromValues(current, spec, lake.lake().bucket(), partitions);
        } else {
            GoldTable gold = spec.gold().stream().filter(g -> g.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ValidationException("Cannot catalog files of run " + written.id()
                            + ": dataset '" + spec.name() + "' has no gold table '" + name + "'"));
            table = CatalogSync.goldFromValues(current, spec, gold, lake.lake().bucket(), partitions);
        }
        boolean updated = catalog.put(spec.database(), table);
        metrics.counter("medallion.catalog.syncs", "database", spec.database(), "table", name, "outcome",
                updated ? "updated" : "unchanged").increment();
        if (updated) {
            LOG.infof("Wrote table %s.%s version %d (projected years %s) for run %s", spec.database(), name,
                    catalog.versionCount(spec.database(), name), table.parameters().get("projection.year.range"),
                    written.id());
        } else {
            LOG.debugf("Table %s.%s already covers run %s", spec.database(), name, written.id());
        }
        return updated;
    }
}
