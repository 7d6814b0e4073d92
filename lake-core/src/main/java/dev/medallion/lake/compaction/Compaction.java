package dev.medallion.lake.compaction;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.generations.Generations;
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
 * <li>merges left unfinished in the {@link RunJournal} are dealt with: a committed one is finished, any other whose
 * owner stopped beating is abandoned and its outputs deleted;</li>
 * <li>the {@link CompactionPlanner} groups the small, settled files of the partition's current generation, leaving
 * out any a transform run still in its journal wrote (it may yet roll them back);</li>
 * <li>an intent is recorded, the outputs are written ({@link FileMerger}), each listed in the intent before it
 * becomes visible; the merge commits (a create-only decision, only while the lease is still held); then it is
 * finished, and leaves the journal.</li>
 * </ol>
 * Finishing depends on how engines find the partition. Where they list its folder (partition projection), each group
 * is one merge whose outputs are written beside its inputs, which are deleted in one batch after the commit: a reader
 * listing the partition in between sees both, for one create-only PUT and one batch delete (1,000 keys a request on
 * S3). Where they go by the location registered in the catalog ({@code registered} mode), the whole partition is
 * one merge into a new generation folder ({@link Generations}): the outputs, and copies of the files not merged; after
 * the commit the partition is pointed at it and the catalog told, files that reached the old generation meanwhile are
 * carried over, and the old generation stays whole for a grace period, so a reader sees the old files or the new
 * ones, never both. After a crash at any step, the partition ends with the old files or the new ones, never both and
 * never neither.
 */
public final class Compaction {
    /** The journal and the leases' folder, under {@code _state/}. */
    public static final String STEP = "compaction";

    /**
     * @param plan which files to merge, and the target size
     * @param writer the outputs' row-group and page sizes: a row group is buffered in memory while it is written
     * @param maxKeys most keys of one merge remembered for deduplication (48 to 96 bytes each)
     * @param grace how long a partition's old generation is kept after it moved, for queries still reading it
     */
    public record Settings(CompactionPlanner.Settings plan, RowWriter.Settings writer, int maxKeys, Duration grace) {

        /** The smallest row group a merge writes: engines read smaller ones markedly slower. */
        public static final long MIN_ROW_GROUP_BYTES = 64L * 1024 * 1024;

        public Settings {
            if (writer.rowGroupBytes() < MIN_ROW_GROUP_BYTES || writer.rowGroupBytes() > plan.targetBytes()) {
                throw new ValidationException("Cannot use compaction row groups of " + writer.rowGroupBytes()
                        + " bytes: they must be 64 MiB to the target file size (" + plan.targetBytes() + " bytes)");
            }
        }

        /** Planner defaults, 128 MiB row groups with 1 MiB pages, 2 million keys, one hour's grace. */
        public static Settings defaults() {
            return new Settings(CompactionPlanner.Settings.defaults(),
                    new RowWriter.Settings(128L * 1024 * 1024, 1024 * 1024), 2_000_000, Duration.ofHours(1));
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

        /**
         * A committed merge moved its partition to a new generation: the catalog must register the partition's new
         * folder. Called before the merge leaves the journal, so a failure here is repeated until it succeeds.
         */
        void moved(DatasetSpec spec, Merge merge);

        /**
         * A partition's retired generations are past their grace period, but the catalog has not yet registered its
         * current one: they stay, since readers that go by the catalog may still be sent there.
         */
        default void awaitingCatalog(DatasetSpec spec, String partition, String generation) {
        }
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
    private final Generations generations;
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
        this.generations = new Generations(store);
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

    /** The partitions of a dataset's Silver table that hold files, with the files of their current generation. */
    public Map<String, List<ObjectInfo>> partitions(DatasetSpec spec) {
        PartitionLayout layout = PartitionLayout.of(spec);
        Map<String, List<ObjectInfo>> partitions = generations.currentFilesBelow(spec, "");
        partitions.keySet().removeIf(path -> !isPartition(layout, path));
        return partitions;
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
            if (Generations.moves(spec)) {
                retireExpired(spec, partitionPath);
            }
            List<ObjectInfo> files = generations.currentFiles(spec, partitionPath);
            // read after the listing: a file a run published is in its intent before it is visible
            Set<String> writing = filesOfOpenTransformRuns(spec);
            CompactionPlanner.Plan plan = planner(spec).plan(settled(files, writing), clock.instant());
            return Generations.moves(spec) ? moveToNewGeneration(spec, partitionPath, files, writing, plan, lease)
                    : mergeInPlace(spec, partitionPath, plan, lease);
        }
    }

    /** Each group merged on its own, its outputs beside its inputs. */
    private Outcome mergeInPlace(DatasetSpec spec, String partition, CompactionPlanner.Plan plan, Leases.Lease lease) {
        String folder = Generations.folder(spec, partition, "");
        List<Merge> merges = new ArrayList<>();
        int failed = 0;
        for (CompactionPlanner.Group group : plan.groups()) {
            List<ObjectInfo> inputs = sorted(group.files());
            while (inputs.size() > 1) {
                List<ObjectInfo> sources = inputs;
                try {
                    merges.add(run(spec, partition, sources, sources, lease, (runId, observer) -> merger(spec)
                            .merge(spec, partition, sources, folder, runId, 0, observer)));
                    break;
                } catch (UnreadableFileException e) {
                    // left out from now on, and the group merged without it: one bad file blocks nothing
                    markUnreadable(spec, e);
                    inputs = inputs.stream().filter(f -> !f.key().equals(e.key())).toList();
                } catch (Leases.LeaseLostException e) {
                    listener.failed(spec, partition, keys(inputs), e);
                    return new Outcome(partition, plan, merges, failed + 1, Optional.empty());
                } catch (RuntimeException e) {
                    failed++; // the store failing, say: the group is tried again next time
                    listener.failed(spec, partition, keys(inputs), e);
                    break;
                }
            }
        }
        return new Outcome(partition, plan, merges, failed, Optional.empty());
    }

    /**
     * The whole partition as one merge into a new generation: every group merged, every other file copied as it is
     * (but those of transform runs that may still roll back, which the run carries over itself once it commits).
     */
    private Outcome moveToNewGeneration(DatasetSpec spec, String partition, List<ObjectInfo> files,
            Set<String> writing, CompactionPlanner.Plan plan, Leases.Lease lease) {
        if (plan.groups().isEmpty()) {
            return new Outcome(partition, plan, List.of(), 0, Optional.empty());
        }
        List<ObjectInfo> sources = sorted(files.stream().filter(f -> !writing.contains(f.key())).toList());
        List<ObjectInfo> merging = plan.groups().stream().flatMap(g -> g.files().stream()).toList();
        try {
            Merge merge = run(spec, partition, sources, merging, lease, (runId, observer) -> {
                String folder = Generations.folder(spec, partition, runId);
                List<Merge> groups = new ArrayList<>();
                Set<String> merged = new HashSet<>();
                for (CompactionPlanner.Group group : plan.groups()) {
                    List<ObjectInfo> inputs = sorted(group.files());
                    while (inputs.size() > 1) {
                        try {
                            int sequence = groups.stream().mapToInt(m -> m.outputs().size()).sum();
                            Merge done = merger(spec).merge(spec, partition, inputs, folder, runId, sequence,
                                    observer);
                            groups.add(done);
                            merged.addAll(done.inputs());
                            break;
                        } catch (UnreadableFileException e) {
                            markUnreadable(spec, e); // carried over as it is, like any file not merged
                            inputs = inputs.stream().filter(f -> !f.key().equals(e.key())).toList();
                        }
                    }
                }
                if (groups.isEmpty()) {
                    throw new LakeException("Cannot compact " + spec.name() + "/" + partition
                            + ": no group had two readable files left");
                }
                List<String> carried = new ArrayList<>();
                for (ObjectInfo source : sources) {
                    if (!merged.contains(source.key())) {
                        String copy = folder + Generations.name(source.key());
                        observer.publishing(copy);
                        store.copy(source.key(), copy);
                        carried.add(source.key());
                    }
                }
                return Merge.combined(spec.name(), runId, partition, groups, runId, carried);
            });
            return new Outcome(partition, plan, List.of(merge), 0, Optional.empty());
        } catch (RuntimeException e) {
            listener.failed(spec, partition, keys(merging), e); // the partition stays where it is, tried again later
            return new Outcome(partition, plan, List.of(), 1, Optional.empty());
        }
    }

    /**
     * Deals with every unfinished merge of a dataset whose owner is gone, and deletes old generations past their grace
     * period, each under its partition's lease: at start-up, so a crash is repaired before new work arrives, and on
     * each sweep, for partitions with nothing left to plan.
     *
     * @return how many merges were finished or rolled back
     */
    public int recoverAll(DatasetSpec spec) {
        Set<String> partitions = new TreeSet<>();
        for (RunJournal.Entry<Merge> entry : journal.entries(spec.name())) {
            if (entry.decision().isPresent() || journal.expired(entry.intent())) {
                partitionOf(spec, entry.intent()).ifPresent(partitions::add);
            }
        }
        Instant graceBefore = clock.instant().minus(settings.grace());
        Set<String> retiring = new TreeSet<>();
        for (Generations.Pointer pointer : generations.pointers(spec)) {
            if (pointer.retired().stream().anyMatch(r -> r.retiredAt().isBefore(graceBefore))) {
                retiring.add(pointer.partition());
            }
        }
        partitions.addAll(retiring);
        int recovered = 0;
        for (String partition : partitions) {
            Optional<Leases.Lease> taken = leases.acquire(spec.name() + "/" + partition);
            if (taken.isPresent()) {
                try (Leases.Lease lease = taken.get()) {
                    int done = recover(spec, partition);
                    recovered += Math.max(0, done);
                    if (done >= 0 && retiring.contains(partition)) {
                        retireExpired(spec, partition);
                    }
                }
            }
        }
        return recovered;
    }

    /**
     * One merge, journaled: its intent over {@code sources} recorded, {@code work} writing the outputs under a fresh
     * run id, then the commit and the finish.
     *
     * @param merging the files being merged, announced to the listener
     */
    private Merge run(DatasetSpec spec, String partition, List<ObjectInfo> sources, List<ObjectInfo> merging,
            Leases.Lease lease, BiFunction<String, RunObserver, Merge> work) {
        // a fresh id per attempt: outputs of an attempt presumed dead never share a name with a later attempt's
        String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        RunJournal<Merge>.Run run = journal.begin(spec.name(), runId, sources.stream()
                .map(i -> new RunJournal.Source(i.key(), i.size(), i.lastModified())).toList());
        listener.merging(spec, partition, merging);
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
            merge = work.apply(runId, observer);
            lease.confirm(); // the last moment another process could have taken over
        } catch (RuntimeException e) {
            rollBackAfter(e, spec, run.intent(), lease);
            throw e;
        }
        RunJournal.Decision<Merge> decision = run.commit(merge);
        if (!decision.committed()) {
            var abandoned = new LakeException("Cannot commit merge " + runId + " of " + spec.name() + "/" + partition
                    + ": it went longer than the lease without a heartbeat, so it was abandoned and rolled back");
            rollBackAfter(abandoned, spec, run.intent(), lease);
            throw abandoned;
        }
        finish(spec, run.intent(), merge);
        listener.merged(spec, merge, Duration.ofNanos(System.nanoTime() - start));
        return merge;
    }

    private FileMerger merger(DatasetSpec spec) {
        return new FileMerger(store, settings.writer(), plan(spec).targetBytes(), settings.maxKeys());
    }

    private void markUnreadable(DatasetSpec spec, UnreadableFileException e) {
        unreadable.add(e.key());
        listener.unreadable(spec, e.key(), e);
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

    /**
     * Rolls forward, then the merge leaves the journal; can be repeated. In place, the inputs go. Into a new
     * generation, the partition is pointed at it (the old one retired, with the names of the files the new one holds),
     * files that reached the old generation since the plan are carried over, and the catalog is told.
     */
    private void finish(DatasetSpec spec, RunJournal.Intent run, Merge merge) {
        if (!merge.moves()) {
            store.deleteAll(merge.inputs());
            journal.finished(run);
            return;
        }
        String partition = merge.partition();
        String from = Generations.place(LakeLayout.silverPrefix(spec.name()), run.sources().get(0).key()).orElseThrow()
                .generation();
        Generations.Pointer pointer = generations.pointer(spec, partition)
                .orElse(new Generations.Pointer(partition, "", List.of()));
        if (!pointer.generation().equals(merge.generation())) {
            List<Generations.Retired> retired = new ArrayList<>(pointer.retired());
            retired.add(new Generations.Retired(from, clock.instant(),
                    run.sources().stream().map(s -> Generations.name(s.key())).toList()));
            pointer = new Generations.Pointer(partition, merge.generation(), retired);
            generations.save(spec, pointer);
        }
        carryOver(spec, pointer);
        listener.moved(spec, merge);
        journal.finished(run);
    }

    /**
     * Copies into the current generation each file of a retired one that none of the newer generations holds (it
     * arrived after the move), under the same name, and saves the pointer with those names. Files of transform runs
     * that may still roll back stay: the run carries them over once it commits.
     *
     * @return the pointer as saved, and the files of transform runs still open, read after the retired generations
     *         were listed
     */
    private CarriedOver carryOver(DatasetSpec spec, Generations.Pointer pointer) {
        String partition = pointer.partition();
        Map<Generations.Retired, List<ObjectInfo>> retiredFiles = new LinkedHashMap<>();
        pointer.retired().forEach(r -> retiredFiles.put(r, generations.files(spec, partition, r.generation())));
        Set<String> writing = filesOfOpenTransformRuns(spec); // after the listing: see compact
        String current = Generations.folder(spec, partition, pointer.generation());
        Set<String> present = generations.files(spec, partition, pointer.generation()).stream()
                .map(o -> Generations.name(o.key())).collect(Collectors.toSet());
        List<Generations.Retired> retired = new ArrayList<>();
        boolean changed = false;
        for (Map.Entry<Generations.Retired, List<ObjectInfo>> old : retiredFiles.entrySet()) {
            List<String> carried = new ArrayList<>(old.getKey().carried());
            for (ObjectInfo file : old.getValue()) {
                String name = Generations.name(file.key());
                if (pointer.carriedAfter(old.getKey(), name) || writing.contains(file.key())) {
                    continue;
                }
                if (!present.contains(name)) {
                    store.copy(file.key(), current + name);
                }
                carried.add(name);
                changed = true;
            }
            retired.add(new Generations.Retired(old.getKey().generation(), old.getKey().retiredAt(), carried));
        }
        if (!changed) {
            return new CarriedOver(pointer, writing);
        }
        Generations.Pointer saved = new Generations.Pointer(partition, pointer.generation(), retired);
        generations.save(spec, saved);
        return new CarriedOver(saved, writing);
    }

    private record CarriedOver(Generations.Pointer pointer, Set<String> writing) {
    }

    /**
     * Deletes a partition's generations retired longer ago than the grace period, once every file in them is held by
     * a newer one and the catalog has registered the current generation at least a grace period ago (until then,
     * readers may still be sent to a retired one); one a transform run that may still roll back is writing into waits.
     * A run that read the pointer before the move and publishes after the deletion still copies its file over itself
     * once it commits.
     */
    private void retireExpired(DatasetSpec spec, String partition) {
        Optional<Generations.Pointer> found = generations.pointer(spec, partition);
        Instant before = clock.instant().minus(settings.grace());
        if (found.isEmpty() || found.get().retired().stream().noneMatch(r -> r.retiredAt().isBefore(before))) {
            return;
        }
        CarriedOver carried = carryOver(spec, found.get());
        Generations.Pointer pointer = carried.pointer();
        boolean catalogMoved = generations.registered(spec, partition)
                .filter(r -> r.generation().equals(pointer.generation()) && r.at().isBefore(before)).isPresent();
        if (!catalogMoved) {
            listener.awaitingCatalog(spec, partition, pointer.generation());
            return;
        }
        List<Generations.Retired> kept = new ArrayList<>();
        for (Generations.Retired old : pointer.retired()) {
            List<String> files = generations.files(spec, partition, old.generation()).stream().map(ObjectInfo::key)
                    .toList();
            boolean held = files.stream().allMatch(f -> pointer.carriedAfter(old, Generations.name(f)));
            if (old.retiredAt().isBefore(before) && held && files.stream().noneMatch(carried.writing()::contains)) {
                store.deleteAll(files);
            } else {
                kept.add(old);
            }
        }
        if (kept.size() < pointer.retired().size()) {
            generations.save(spec, new Generations.Pointer(partition, pointer.generation(), kept));
        }
    }

    /** Rolls back: the outputs go, then the intent; the abandoned decision stays as a tombstone. */
    private void rollBack(RunJournal.Intent run) {
        store.deleteAll(run.published());
        journal.rolledBack(run);
    }

    private void rollBackAfter(RuntimeException failure, DatasetSpec spec, RunJournal.Intent run, Leases.Lease lease) {
        try {
            lease.confirm(); // a lost lease leaves the clean-up to its new holder's recovery
            RunJournal.Decision<Merge> decision = journal.abandon(run);
            if (decision.committed()) {
                finish(spec, run, decision.result());
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
        int recovered = 0;
        boolean running = false;
        for (RunJournal.Entry<Merge> entry : journal.entries(spec.name())) {
            RunJournal.Intent intent = entry.intent();
            if (!partitionOf(spec, intent).equals(Optional.of(partition))) {
                continue;
            }
            if (entry.decision().isEmpty() && !journal.expired(intent)) {
                running = true;
                continue;
            }
            RunJournal.Decision<Merge> outcome = entry.decision().orElseGet(() -> journal.abandon(intent));
            if (outcome.committed()) {
                finish(spec, intent, outcome.result());
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

    /** The partition a merge works in, from its first source. */
    private static Optional<String> partitionOf(DatasetSpec spec, RunJournal.Intent run) {
        return run.sources().stream().findFirst()
                .flatMap(s -> Generations.place(LakeLayout.silverPrefix(spec.name()), s.key()))
                .map(Generations.Place::partition);
    }

    private static List<ObjectInfo> sorted(List<ObjectInfo> files) {
        return files.stream().sorted(Comparator.comparing(ObjectInfo::key)).toList();
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
