package dev.medallion.lake.compaction;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.journal.Leases;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.journal.RunObserver;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.parquet.UnreadableFileException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.SupportsPrefixListing;
import dev.medallion.lake.transform.TransformResult;

/**
 * Replaces a Silver partition's small files with large ones, crash-safely. For each partition:
 * <ol>
 * <li>its lease is taken ({@link Leases}): two replicas never work on one partition at once;</li>
 * <li>merges left unfinished in the {@link RunJournal} are dealt with: a committed one is finished (its inputs are
 * deleted), any other whose owner stopped beating is abandoned and its outputs deleted;</li>
 * <li>the {@link CompactionPlanner} groups the small, settled files, leaving out any a transform run still in its
 * journal wrote (it may yet roll them back);</li>
 * <li>per group: an intent is recorded, the outputs are written ({@link FileMerger}), each listed in the intent before
 * it becomes visible; the merge commits (a create-only decision, only while the lease is still held); the inputs are
 * deleted in one batch; the merge leaves the journal.</li>
 * </ol>
 * After a crash at any step, the partition ends with the inputs or the outputs, never both and never neither. A
 * reader listing the partition between an output becoming visible and the inputs being deleted sees both: the
 * window lasts one create-only PUT and one batch delete (1,000 keys a request on S3).
 */
public final class Compaction {
    /** The journal and the leases' folder, under {@code _state/}. */
    public static final String STEP = "compaction";

    /**
     * @param plan which files to merge, and the target size
     * @param writer the outputs' row-group and page sizes: a row group is buffered in memory while it is written
     * @param maxKeys most keys of one merge remembered for deduplication (48 to 96 bytes each)
     */
    public record Settings(CompactionPlanner.Settings plan, RowWriter.Settings writer, int maxKeys) {
        /** Planner defaults, 128 MiB row groups with 1 MiB pages, 2 million keys. */
        public static Settings defaults() {
            return new Settings(CompactionPlanner.Settings.defaults(),
                    new RowWriter.Settings(128L * 1024 * 1024, 1024 * 1024), 2_000_000);
        }
    }

    /** Hears what compaction did, for metrics and logs. */
    public interface Listener {
        /** A merge starts (its intent is recorded): long work is announced before it begins. */
        default void merging(DatasetSpec spec, String partition, List<ObjectInfo> inputs) {
        }

        /** A merge committed and its inputs are gone. */
        void merged(DatasetSpec spec, Merge merge, Duration took);

        /**
         * A merge failed. Before its commit, its outputs were removed and the partition is as it was; after it (the
         * inputs could not all be deleted), the next compaction of the partition finishes it.
         */
        void failed(DatasetSpec spec, String partition, List<String> inputs, RuntimeException failure);

        /** A file cannot be read: it is left where it is, out of every merge this process plans. */
        default void unreadable(DatasetSpec spec, String key, UnreadableFileException problem) {
        }

        /** An unfinished merge was finished ({@code committed}) or rolled back. */
        void recovered(DatasetSpec spec, RunJournal.Intent run, boolean committed);
    }

    /** What {@link #compact} did in a partition; {@code skipped} says why nothing was tried. */
    public record Outcome(String partition, CompactionPlanner.Plan plan, List<Merge> merges, int failed,
            Optional<String> skipped) {
    }

    /** A partition's plan, without doing it: what a dry run shows. */
    public record PartitionPlan(String partition, int files, long bytes, CompactionPlanner.Plan plan) {
    }

    private final ObjectStore store;
    private final SupportsPrefixListing listing;
    private final RunJournal<Merge> journal;
    private final RunJournal<TransformResult> transformRuns;
    private final Leases leases;
    private final Settings settings;
    /** Files found unreadable since start-up: never planned again (an operator removes or repairs them). */
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();
    private final Listener listener;
    private final Clock clock;

    /**
     * @param transformRuns the transform's journal: files of its unfinished runs are never merged
     */
    public Compaction(ObjectStore store, RunJournal<Merge> journal, RunJournal<TransformResult> transformRuns,
            Leases leases, Settings settings, Listener listener, Clock clock) {
        if (!(store instanceof SupportsPrefixListing prefixListing)) {
            throw new IllegalArgumentException("Compaction needs a store that lists keys");
        }
        this.store = store;
        this.listing = prefixListing;
        this.journal = journal;
        this.transformRuns = transformRuns;
        this.leases = leases;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
    }

    /** The journal of merges, at {@code _state/compaction/runs/}. */
    public static RunJournal<Merge> journal(ObjectStore store, Duration lease, Clock clock) {
        return new RunJournal<>(store, STEP, Merge.class, lease, clock);
    }

    /** The partition leases, at {@code _state/compaction/leases/}, taken as {@code owner}. */
    public static Leases leases(ObjectStore store, String owner, Duration lease, Clock clock) {
        return new Leases(store, LakeLayout.leasesPrefix(STEP), owner, lease, clock);
    }

    /** The partitions of a dataset's Silver table that hold files, with their files, by path. */
    public Map<String, List<ObjectInfo>> partitions(DatasetSpec spec) {
        String prefix = LakeLayout.silverPrefix(spec.name());
        PartitionLayout layout = PartitionLayout.of(spec);
        try (Stream<ObjectInfo> objects = listing.list(prefix)) {
            return objects.filter(o -> o.key().endsWith(".parquet") && o.key().lastIndexOf('/') > prefix.length())
                    .filter(o -> isPartition(layout, partitionOf(prefix, o.key())))
                    .collect(Collectors.groupingBy(o -> partitionOf(prefix, o.key()), TreeMap::new,
                            Collectors.toList()));
        }
    }

    /** What compacting each partition (or only {@code partition}) would do now. */
    public List<PartitionPlan> plan(DatasetSpec spec, Optional<String> partition) {
        partition.ifPresent(p -> PartitionLayout.of(spec).parse(p));
        Map<String, List<ObjectInfo>> partitions = partitions(spec);
        partition.ifPresent(only -> partitions.keySet().retainAll(Set.of(only)));
        return plan(spec, partitions);
    }

    /** What compacting each of {@code partitions} (as {@link #partitions} lists them) would do now. */
    public List<PartitionPlan> plan(DatasetSpec spec, Map<String, List<ObjectInfo>> partitions) {
        Set<String> writing = filesOfOpenTransformRuns(spec);
        List<PartitionPlan> plans = new ArrayList<>();
        partitions.forEach((path, files) -> plans.add(new PartitionPlan(path, files.size(),
                files.stream().mapToLong(ObjectInfo::size).sum(),
                planner(spec).plan(settled(files, writing), clock.instant()))));
        return plans;
    }

    /**
     * Compacts one partition of a dataset's Silver table.
     *
     * @param partitionPath e.g. {@code year=2026/month=03/day=07}
     * @throws ValidationException if the path is not one of the dataset's partitions
     */
    public Outcome compact(DatasetSpec spec, String partitionPath) {
        PartitionLayout.of(spec).parse(partitionPath);
        Optional<Leases.Lease> taken = leases.acquire(spec.name() + "/" + partitionPath);
        if (taken.isEmpty()) {
            return skipped(partitionPath, "another process holds the partition's lease");
        }
        try (Leases.Lease lease = taken.get()) {
            if (recover(spec, partitionPath) < 0) {
                return skipped(partitionPath, "a merge of another process is still running in it");
            }
            String prefix = LakeLayout.silverPrefix(spec.name()) + partitionPath + "/";
            List<ObjectInfo> files;
            try (Stream<ObjectInfo> objects = listing.list(prefix)) {
                files = objects.filter(o -> o.key().endsWith(".parquet") && o.key().indexOf('/', prefix.length()) < 0)
                        .toList();
            }
            CompactionPlanner.Plan plan = planner(spec).plan(settled(files, filesOfOpenTransformRuns(spec)),
                    clock.instant());
            List<Merge> merges = new ArrayList<>();
            int failed = 0;
            for (CompactionPlanner.Group group : plan.groups()) {
                List<ObjectInfo> inputs = group.files();
                while (inputs.size() > 1) {
                    try {
                        merges.add(merge(spec, partitionPath, inputs, lease));
                        break;
                    } catch (UnreadableFileException e) {
                        // left out from now on, and the group merged without it: one bad file blocks nothing
                        unreadable.add(e.key());
                        listener.unreadable(spec, e.key(), e);
                        inputs = inputs.stream().filter(f -> !f.key().equals(e.key())).toList();
                    } catch (Leases.LeaseLostException e) {
                        listener.failed(spec, partitionPath, keys(inputs), e);
                        return new Outcome(partitionPath, plan, merges, failed + 1, Optional.empty());
                    } catch (RuntimeException e) {
                        failed++; // the store failing, say: the group is tried again next time
                        listener.failed(spec, partitionPath, keys(inputs), e);
                        break;
                    }
                }
            }
            return new Outcome(partitionPath, plan, merges, failed, Optional.empty());
        }
    }

    /**
     * Deals with every unfinished merge of a dataset whose owner is gone, each under its partition's lease: at
     * start-up, so a crash is repaired before new work arrives, and on each sweep, for partitions with nothing left
     * to plan.
     *
     * @return how many merges were finished or rolled back
     */
    public int recoverAll(DatasetSpec spec) {
        String prefix = LakeLayout.silverPrefix(spec.name());
        Set<String> partitions = new TreeSet<>();
        for (RunJournal.Entry<Merge> entry : journal.entries(spec.name())) {
            if (entry.decision().isPresent() || journal.expired(entry.intent())) {
                entry.intent().sources().forEach(s -> partitions.add(partitionOf(prefix, s.key())));
            }
        }
        int recovered = 0;
        for (String partition : partitions) {
            Optional<Leases.Lease> taken = leases.acquire(spec.name() + "/" + partition);
            if (taken.isPresent()) {
                try (Leases.Lease lease = taken.get()) {
                    recovered += Math.max(0, recover(spec, partition));
                }
            }
        }
        return recovered;
    }

    private Merge merge(DatasetSpec spec, String partition, List<ObjectInfo> group, Leases.Lease lease) {
        List<ObjectInfo> inputs = group.stream().sorted(Comparator.comparing(ObjectInfo::key)).toList();
        // a fresh id per attempt: outputs of an attempt presumed dead never share a name with a later attempt's
        String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        RunJournal<Merge>.Run run = journal.begin(spec.name(), runId, inputs.stream()
                .map(i -> new RunJournal.Source(i.key(), i.size(), i.lastModified())).toList());
        listener.merging(spec, partition, inputs);
        long start = System.nanoTime();
        RunObserver observer = new RunObserver() {
            @Override
            public void publishing(String key) {
                lease.renewIfDue();
                run.publishing(key);
            }

            @Override
            public void progress() {
                lease.renewIfDue();
                run.progress();
            }
        };
        Merge merge;
        try {
            merge = new FileMerger(store, settings.writer(), plan(spec).targetBytes(), settings.maxKeys())
                    .merge(spec, partition, inputs, runId, observer);
            lease.confirm(); // the last moment another process could have taken over
        } catch (RuntimeException e) {
            rollBackAfter(e, run.intent(), lease);
            throw e;
        }
        RunJournal.Decision<Merge> decision = run.commit(merge);
        if (!decision.committed()) {
            var abandoned = new LakeException("Cannot commit merge " + runId + " of " + spec.name() + "/" + partition
                    + ": it went longer than the lease without a heartbeat, so it was abandoned and rolled back");
            rollBackAfter(abandoned, run.intent(), lease);
            throw abandoned;
        }
        finish(run.intent(), merge);
        listener.merged(spec, merge, Duration.ofNanos(System.nanoTime() - start));
        return merge;
    }

    /** The planner settings of a dataset: the service's, with the dataset's own target size if it has one. */
    public CompactionPlanner.Settings plan(DatasetSpec spec) {
        CompactionPlanner.Settings defaults = settings.plan();
        return new CompactionPlanner.Settings(spec.compactionTargetBytes().orElse(defaults.targetBytes()),
                defaults.smallFraction(), defaults.minFiles(), defaults.settle());
    }

    private CompactionPlanner planner(DatasetSpec spec) {
        return new CompactionPlanner(plan(spec));
    }

    /** Rolls forward: the inputs go, then the merge leaves the journal. Can be repeated. */
    private void finish(RunJournal.Intent run, Merge merge) {
        store.deleteAll(merge.inputs());
        journal.finished(run);
    }

    /** Rolls back: the outputs go, then the intent; the abandoned decision stays as a tombstone. */
    private void rollBack(RunJournal.Intent run) {
        store.deleteAll(run.published());
        journal.rolledBack(run);
    }

    private void rollBackAfter(RuntimeException failure, RunJournal.Intent run, Leases.Lease lease) {
        try {
            lease.confirm(); // a lost lease leaves the clean-up to its new holder's recovery
            RunJournal.Decision<Merge> decision = journal.abandon(run);
            if (decision.committed()) {
                finish(run, decision.result());
            } else {
                rollBack(run);
            }
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup); // the intent stays: once it expires, recovery deals with it
        }
    }

    /**
     * Finishes or rolls back the partition's merges whose owner is gone.
     *
     * @return how many were, or -1 if one is still running
     */
    private int recover(DatasetSpec spec, String partition) {
        String prefix = LakeLayout.silverPrefix(spec.name());
        int recovered = 0;
        boolean running = false;
        for (RunJournal.Entry<Merge> entry : journal.entries(spec.name())) {
            RunJournal.Intent intent = entry.intent();
            if (intent.sources().isEmpty() || !partitionOf(prefix, intent.sources().get(0).key()).equals(partition)) {
                continue;
            }
            if (entry.decision().isEmpty() && !journal.expired(intent)) {
                running = true;
                continue;
            }
            RunJournal.Decision<Merge> outcome = entry.decision().orElseGet(() -> journal.abandon(intent));
            if (outcome.committed()) {
                finish(intent, outcome.result());
            } else {
                rollBack(intent);
            }
            listener.recovered(spec, intent, outcome.committed());
            recovered++;
        }
        return running ? -1 : recovered;
    }

    /** Files that can be merged: not written by a transform run that may still roll back, and readable. */
    private List<ObjectInfo> settled(List<ObjectInfo> files, Set<String> writing) {
        return files.stream().filter(f -> !writing.contains(f.key()) && !unreadable.contains(f.key())).toList();
    }

    private Set<String> filesOfOpenTransformRuns(DatasetSpec spec) {
        return transformRuns.entries(spec.name()).stream().filter(e -> e.decision().isEmpty())
                .flatMap(e -> e.intent().published().stream()).collect(Collectors.toSet());
    }

    private static Outcome skipped(String partition, String reason) {
        return new Outcome(partition, new CompactionPlanner.Plan(List.of(), 0, reason), List.of(), 0,
                Optional.of(reason));
    }

    private static String partitionOf(String tablePrefix, String key) {
        return key.substring(tablePrefix.length(), key.lastIndexOf('/'));
    }

    private static boolean isPartition(PartitionLayout layout, String path) {
        try {
            layout.parse(path);
            return true;
        } catch (ValidationException e) {
            return false; // a file some other tool put elsewhere: not ours to merge
        }
    }

    private static List<String> keys(List<ObjectInfo> files) {
        return files.stream().map(ObjectInfo::key).toList();
    }
}
