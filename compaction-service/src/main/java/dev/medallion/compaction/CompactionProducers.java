package dev.medallion.compaction;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.compaction.Compaction;
import dev.medallion.lake.compaction.DuePartitions;
import dev.medallion.lake.transform.Promotion;

/** The compaction engine over the lake bucket, and the partitions transform events marked. */
public class CompactionProducers {

    @Produces
    @Singleton
    Compaction compaction(S3ObjectStore store, CompactionConfig config, CompactionEvents metrics) {
        Clock clock = Clock.systemUTC();
        // the transform journal is only read, to leave files of unfinished runs alone: its lease is not used
        return new Compaction(store, Compaction.journal(store, config.lease(), clock),
                Promotion.journal(store, config.lease(), clock),
                Compaction.leases(store, owner(), config.lease(), clock), config.settings(), metrics, clock);
    }

    @Produces
    @Singleton
    DuePartitions duePartitions(S3ObjectStore store, CompactionConfig config) {
        return new DuePartitions(store, config.settle(), Clock.systemUTC());
    }

    /** Who holds a lease, for an operator reading it: the pod or host name, and the process. */
    private static String owner() {
        String host = System.getenv().getOrDefault("HOSTNAME", "compaction-service");
        return host + "/" + ProcessHandle.current().pid();
    }
}
