package dev.medallion.compaction;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.compaction.Compaction;
import dev.medallion.lake.compaction.DuePartitions;
import dev.medallion.lake.compaction.SmallFileDebt;
import dev.medallion.lake.message.FilesWritten;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.support.LakeConfig;
import dev.medallion.support.QueueConsumer;
import dev.medallion.support.Queues;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Runs compaction from its three triggers, one partition at a time per process (which bounds memory):
 * <ul>
 * <li>files-written events from transform-service mark their partitions, due a settle period later
 * ({@link DuePartitions}); every {@code due-check-interval} the due ones are compacted;</li>
 * <li>every {@code sweep-interval}, unfinished merges are recovered, every partition of every dataset is planned,
 * those with something to merge are compacted, and each table's small-file debt is measured;</li>
 * <li>the API ({@link CompactionResource}) compacts a table or partition on request.</li>
 * </ul>
 * At start-up, merges a crash left unfinished are recovered. On shutdown, polling stops and the merge in progress
 * finishes; partitions not reached stay marked.
 */
@Singleton
public class CompactionWorker {
    private static final Logger LOG = Logger.getLogger(CompactionWorker.class);

    private final Compaction compaction;
    private final DuePartitions due;
    private final DatasetSpecs specs;
    private final CompactionEvents events;
    private final CompactionConfig config;
    private final QueueConsumer consumer;
    /** Held while a partition is compacted: one merge at a time, and shutdown waits for it. */
    private final ReentrantLock working = new ReentrantLock();
    private volatile boolean stopping;

    public CompactionWorker(SqsClient sqs, Queues queues, MeterRegistry registry, LakeConfig lake,
            CompactionConfig config, Compaction compaction, DuePartitions due, DatasetSpecs specs,
            CompactionEvents events) {
        this.compaction = compaction;
        this.due = due;
        this.specs = specs;
        this.events = events;
        this.config = config;
        this.consumer = new QueueConsumer(sqs, queues, registry, config.consumer().settings(lake.queues().compaction()),
                QueueConsumer.lakeMessages(this::handle));
    }

    void start(@Observes StartupEvent event) {
        // recovery lists each table's journal on S3: it runs beside start-up (so a replica scaled up from zero
        // answers at once), and the consumer takes work once it is done; merges wait for it (exclusively)
        Thread recovery = new Thread(this::recoverThenConsume, "compaction-recovery");
        recovery.setDaemon(true);
        recovery.start();
    }

    private void recoverThenConsume() {
        for (DatasetSpec spec : specs.all()) {
            try {
                int recovered = exclusively(() -> compaction.recoverAll(spec));
                if (recovered > 0) {
                    LOG.infof("Recovered %d unfinished merges of %s", recovered, spec.name());
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "Cannot recover the unfinished merges of %s now; each partition is recovered before it "
                        + "is next compacted", spec.name());
            }
        }
        synchronized (this) {
            if (!stopping) { // not shut down meanwhile
                consumer.start();
            }
        }
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        synchronized (this) {
            stopping = true;
        }
        consumer.stop();
        if (working.tryLock(config.consumer().drainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            working.unlock();
        } else {
            LOG.warn("Shutting down during a merge; it is rolled back or forward when a replica next starts");
        }
    }

    /** Marks the partitions a transform run wrote Silver files into. */
    private void handle(LakeMessage message) {
        if (!(message instanceof FilesWritten written) || !FilesWritten.SILVER.equals(written.zone())) {
            return; // Gold days are one file each, replaced whole: nothing to compact
        }
        DatasetSpec spec = spec(written.dataset());
        PartitionLayout layout = PartitionLayout.of(spec);
        Set<String> partitions = new LinkedHashSet<>();
        for (FilesWritten.WrittenFile file : written.files()) {
            partitions.add(layout.path(layout.fromValues(file.partition())));
        }
        partitions.forEach(partition -> due.mark(spec.name(), partition));
    }

    @Scheduled(identity = "compaction-due", every = "${medallion.compaction.due-check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void compactDue() {
        for (DuePartitions.Due partition : due.due()) {
            if (stopping) {
                return;
            }
            Optional<DatasetSpec> spec = specs.find(partition.dataset());
            due.clear(partition);
            if (spec.isPresent() && !compactLogged(spec.get(), partition.partition())) {
                due.mark(partition.dataset(), partition.partition()); // tried again a settle period from now
            }
        }
    }

    @Scheduled(identity = "compaction-sweep", every = "${medallion.compaction.sweep-interval}", delayed = "${medallion.compaction.sweep-delay}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        sweep();
    }

    /** Plans every partition of every dataset, compacts those with something to merge, and measures the debt. */
    public void sweep() {
        long start = System.nanoTime();
        int compacted = 0;
        for (DatasetSpec spec : specs.all()) {
            try {
                compacted += sweep(spec);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Cannot sweep %s: %s", spec.name(), e.getMessage());
            }
        }
        LOG.infof("Swept %d datasets in %d ms: %d partitions compacted", specs.all().size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), compacted);
    }

    private int sweep(DatasetSpec spec) {
        // merges left unfinished where nothing is left to plan are finished here, not only at start-up
        exclusively(() -> compaction.recoverAll(spec));
        Map<String, List<ObjectInfo>> partitions = compaction.partitions(spec);
        events.debt(spec, SmallFileDebt.of(partitions.values(), compaction.plan(spec).smallBelow(), Instant.now()));
        int compacted = 0;
        for (Compaction.PartitionPlan plan : compaction.plan(spec, partitions)) {
            if (stopping) {
                break;
            }
            if (!plan.plan().groups().isEmpty() && compactLogged(spec, plan.partition())) {
                compacted++;
            }
        }
        return compacted;
    }

    /** Compacts a partition for a trigger that has no caller to answer: a failure is logged, and false. */
    private boolean compactLogged(DatasetSpec spec, String partition) {
        try {
            compact(spec, partition);
            return true;
        } catch (RuntimeException e) {
            LOG.errorf(e, "Cannot compact %s/%s now: %s", spec.name(), partition, e.getMessage());
            return false;
        }
    }

    /** Compacts one partition, waiting for the merge in progress to finish first. */
    public Compaction.Outcome compact(DatasetSpec spec, String partition) {
        Compaction.Outcome outcome = exclusively(() -> compaction.compact(spec, partition));
        events.planned(spec, outcome.plan().groups().size());
        outcome.skipped().ifPresent(reason -> LOG.infof("Skipped %s/%s: %s", spec.name(), partition, reason));
        return outcome;
    }

    /** Compacts every partition of a dataset with something to merge. */
    public List<Compaction.Outcome> compactTable(DatasetSpec spec) {
        List<Compaction.Outcome> outcomes = new ArrayList<>();
        for (Compaction.PartitionPlan plan : compaction.plan(spec, Optional.empty())) {
            if (!plan.plan().groups().isEmpty()) {
                outcomes.add(compact(spec, plan.partition()));
            }
        }
        return outcomes;
    }

    DatasetSpec spec(String dataset) {
        return specs.find(dataset).orElseThrow(() -> new ValidationException("Cannot compact dataset '" + dataset
                + "': it is not configured"));
    }

    private <T> T exclusively(java.util.function.Supplier<T> work) {
        working.lock();
        try {
            return work.get();
        } finally {
            working.unlock();
        }
    }
}
