package dev.medallion.catalog;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * Rebuilds every configured table from storage on a schedule ({@code medallion.catalog.resync-interval}, 1 hour by
 * default; {@code off} to disable), so the catalog returns to the data whatever happened in between: an event lost,
 * data deleted by hand, projection properties edited by hand, a fresh catalog backend. Never two at once.
 */
@Singleton
public class CatalogResync {
    private static final Logger LOG = Logger.getLogger(CatalogResync.class);

    private final CatalogUpdater updater;
    private final MeterRegistry metrics;

    public CatalogResync(CatalogUpdater updater, MeterRegistry metrics) {
        this.updater = updater;
        this.metrics = metrics;
    }

    @Scheduled(identity = "catalog-resync", every = "${medallion.catalog.resync-interval}", delayed = "${medallion.catalog.resync-delay}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        resyncAll();
    }

    /** Rebuilds each table in turn; a table that fails is logged and counted, and the others still run. */
    public int resyncAll() {
        int updated = 0;
        for (CatalogUpdater.TableRef table : updater.configuredTables()) {
            try {
                if (updater.rebuild(table.database(), table.table()).updated()) {
                    updated++;
                }
                metrics.counter("medallion.catalog.resyncs", "table", table.table(), "outcome", "done").increment();
            } catch (RuntimeException e) {
                metrics.counter("medallion.catalog.resyncs", "table", table.table(), "outcome", "failed").increment();
                LOG.warnf("Cannot resync table %s.%s from storage: %s", table.database(), table.table(),
                        e.getMessage());
            }
        }
        LOG.infof("Resynced %d tables from storage, %d changed", updater.configuredTables().size(), updated);
        return updated;
    }
}
