package dev.medallion.lake.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.gold.GoldBuilder;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.FilesWritten.WrittenFile;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;

/**
 * One Bronze to Silver run as the transform service does it, given the objects a batch of events named:
 * <ol>
 * <li>unfinished runs of the dataset in the {@link RunJournal} are dealt with first: a committed one is finished, one
 * that stopped beating is abandoned and rolled back, a live one (another replica's) keeps its objects, which fail
 * here to come back later;</li>
 * <li>objects that do not exist are reported back, to fail alone;</li>
 * <li>objects already promoted in the same version (same size and last-modified time) are skipped: the event was
 * delivered again, and promoting again would add their rows a second time;</li>
 * <li>the rest are promoted in one {@link BronzeToSilver} run, whose output names derive from its inputs, each object
 * listed in the run's intent before it becomes visible;</li>
 * <li>the run commits (a create-only decision with its result);</li>
 * <li>files written into a partition that compaction moved to a new generation meanwhile are copied into it
 * ({@link Generations});</li>
 * <li>the Gold tables of every event-time day the run wrote are recomputed from Silver ({@link GoldBuilder});</li>
 * <li>the listener announces the files written (catalog and compaction queues);</li>
 * <li>each object is recorded as promoted ({@link LakeLayout#promotedKey}), and the run leaves the journal.</li>
 * </ol>
 * So whatever stops a run, a process killed included, its rows end up in Silver once: before the commit it is rolled
 * back (by itself when it fails, by a later run when it died), after the commit it is finished (steps 6 to 9 can be
 * repeated). An object overwritten in place (a new version) is promoted again.
 */
public final class Promotion {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    /** What the service does with a finished run, with skipped objects, and with runs found unfinished. */
    public interface Listener {
        /** Called after the run committed, before its objects are recorded as promoted; a failure fails the run. */
        void promoted(DatasetSpec spec, TransformResult result, List<GoldBuilder.Rebuilt> gold, Stages took);

        void skippedAsPromoted(DatasetSpec spec, String key);

        /** An unfinished run was finished ({@code committed}) or rolled back. */
        void recovered(DatasetSpec spec, RunJournal.Intent run, boolean committed);
    }

    /** How long each stage of a run took: Bronze to Silver, then the Gold days. */
    public record Stages(Duration silver, Duration gold) {
        /** A run finished by recovery, not timed. */
        public static final Stages RECOVERED = new Stages(Duration.ZERO, Duration.ZERO);
    }

    /** The record of a promoted object: the version read and the run that read it. */
    public record Promoted(String key, long size, Instant lastModified, String runId, Instant promotedAt) {
    }

    private final ObjectStore store;
    private final Generations generations;
    private final BronzeToSilver transform;
    private final GoldBuilder gold;
    private final RunJournal<TransformResult> journal;
    private final Listener listener;
    private final Clock clock;

    /** The journal of transform runs, at {@code _state/transform/runs/}. */
    public static RunJournal<TransformResult> journal(ObjectStore store, Duration lease, Clock clock) {
        return new RunJournal<>(store, "transform", TransformResult.class, lease, clock);
    }

    public Promotion(ObjectStore store, BronzeToSilver transform, GoldBuilder gold, RunJournal<TransformResult> journal,
            Listener listener, Clock clock) {
        this.store = store;
        this.generations = new Generations(store);
        this.transform = transform;
        this.gold = gold;
        this.journal = journal;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Promotes the objects of {@code keys} that need it.
     *
     * @return the objects that could not be promoted now, with why: {@link ObjectNotFoundException} when missing, a
     *         {@link LakeException} when another process's live run holds them
     */
    public Map<String, Exception> run(DatasetSpec spec, List<String> keys) {
        Map<String, RunJournal.Intent> busy = recover(spec);
        Map<String, Exception> failed = new LinkedHashMap<>();
        Map<String, ObjectInfo> toPromote = new LinkedHashMap<>();
        for (String key : keys) {
            if (busy.containsKey(key)) {
                failed.put(key, new LakeException("Cannot promote '" + key + "' now: run " + busy.get(key).runId()
                        + " of another process is promoting it"));
                continue;
            }
            Optional<ObjectInfo> info = store.stat(key);
            if (info.isEmpty()) {
                failed.put(key, new ObjectNotFoundException(key));
            } else if (alreadyPromoted(spec, info.get())) {
                listener.skippedAsPromoted(spec, key);
            } else {
                toPromote.put(key, info.get());
            }
        }
        if (toPromote.isEmpty()) {
            return failed;
        }
        List<String> sources = new ArrayList<>(toPromote.keySet());
        RunJournal<TransformResult>.Run run = journal.begin(spec.name(), LakeLayout.runId(sources), toPromote.values().stream()
                .map(i -> new RunJournal.Source(i.key(), i.size(), i.lastModified())).toList());
        long start = System.nanoTime();
        TransformResult result;
        try {
            result = transform.run(spec, sources, run);
        } catch (RuntimeException e) {
            rollBackAfter(e, spec, run.intent());
            throw e;
        }
        RunJournal.Decision<TransformResult> decision = run.commit(result);
        if (!decision.committed()) {
            var abandoned = new LakeException("Cannot commit run " + result.runId() + ": it went longer than the lease "
                    + "without a heartbeat, so it was abandoned and rolled back; its objects are promoted again later");
            rollBackAfter(abandoned, spec, run.intent());
            throw abandoned;
        }
        long silverDone = System.nanoTime();
        finish(spec, run.intent(), result, silverDone - start);
        return failed;
    }

    /** Deals with the dataset's unfinished runs; returns the sources of live ones, by key. */
    private Map<String, RunJournal.Intent> recover(DatasetSpec spec) {
        Map<String, RunJournal.Intent> busy = new LinkedHashMap<>();
        for (RunJournal.Entry<TransformResult> entry : journal.entries(spec.name())) {
            RunJournal.Intent intent = entry.intent();
            Optional<RunJournal.Decision<TransformResult>> decision = entry.decision();
            if (decision.isEmpty() && !journal.expired(intent)) {
                intent.sources().forEach(source -> busy.put(source.key(), intent));
                continue;
            }
            RunJournal.Decision<TransformResult> outcome = decision.orElseGet(() -> journal.abandon(intent));
            if (outcome.committed()) {
                finish(spec, intent, outcome.result(), -1);
            } else {
                rollBack(spec, intent);
            }
            listener.recovered(spec, intent, outcome.committed());
        }
        return busy;
    }

    /** Steps 6 to 9 for a committed run; each can be repeated. {@code silverNanos} is negative for a recovered run. */
    private void finish(DatasetSpec spec, RunJournal.Intent run, TransformResult committed, long silverNanos) {
        long goldStart = System.nanoTime();
        TransformResult result = toCurrentGenerations(spec, committed);
        List<GoldBuilder.Rebuilt> rebuilt = gold.rebuild(spec, days(spec, result.files().stream()
                .map(f -> f.key()).toList()));
        listener.promoted(spec, result, rebuilt, silverNanos < 0 ? Stages.RECOVERED
                : new Stages(Duration.ofNanos(silverNanos), Duration.ofNanos(System.nanoTime() - goldStart)));
        Instant now = clock.instant();
        run.sources().forEach(source -> record(spec,
                new Promoted(source.key(), source.size(), source.lastModified(), result.runId(), now)));
        journal.finished(run);
    }

    /**
     * Copies each file the run wrote into a partition that compaction moved to a new generation since (the run read
     * the pointer before the switch) into the partition's current generation, under the same name; the old generation
     * goes whole after its grace period. Compaction carries such files over too, under the same name, so the two never
     * add a file twice. Returns the result with the files where they are now.
     */
    private TransformResult toCurrentGenerations(DatasetSpec spec, TransformResult result) {
        if (!Generations.moves(spec)) {
            return result;
        }
        String table = LakeLayout.silverPrefix(spec.name());
        List<WrittenFile> files = new ArrayList<>();
        for (WrittenFile file : result.files()) {
            String partition = Generations.place(table, file.key()).orElseThrow().partition();
            String current = generations.currentFolder(spec, partition) + Generations.name(file.key());
            if (!current.equals(file.key())) {
                try {
                    store.copy(file.key(), current);
                } catch (ObjectNotFoundException e) {
                    if (store.stat(current).isEmpty()) {
                        throw new LakeException("Cannot find Silver file " + file.key() + " of run " + result.runId()
                                + " in its generation or the partition's current one, " + current, e);
                    } // carried over by compaction already, and its old generation deleted
                }
            }
            files.add(new WrittenFile(current, file.partition(), file.rows(), file.bytes()));
        }
        return new TransformResult(result.dataset(), result.runId(), result.sources(), result.rowsRead(),
                result.rowsWritten(), result.rowsDeduplicated(), result.quarantinedByKind(), List.copyOf(files),
                result.quarantineKeys(), result.rowsByLateness());
    }

    /**
     * Deletes every object a run published and recomputes their days' Gold (another run may have counted them), then
     * removes the run from the journal. Its events come back and promote the objects again.
     */
    private void rollBack(DatasetSpec spec, RunJournal.Intent run) {
        run.published().forEach(store::delete);
        gold.rebuild(spec, days(spec, run.published()));
        journal.rolledBack(run);
    }

    private void rollBackAfter(RuntimeException failure, DatasetSpec spec, RunJournal.Intent run) {
        try {
            rollBack(spec, run);
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup); // the intent stays: once it expires, a later run rolls it back
        }
    }

    /** The event-time days of the Silver objects among {@code keys}. */
    private static Set<LocalDate> days(DatasetSpec spec, List<String> keys) {
        String prefix = LakeLayout.silverPrefix(spec.name());
        PartitionLayout layout = PartitionLayout.of(spec);
        Set<LocalDate> days = new TreeSet<>();
        for (String key : keys) {
            Generations.place(prefix, key).ifPresent(place -> {
                Partition p = layout.parse(place.partition());
                days.add(LocalDate.of(p.year(), p.month(), p.day()));
            });
        }
        return days;
    }

    private boolean alreadyPromoted(DatasetSpec spec, ObjectInfo info) {
        try (InputStream in = store.open(LakeLayout.promotedKey(spec.name(), info.key()))) {
            Promoted promoted = JSON.readValue(in, Promoted.class);
            return promoted.key().equals(info.key()) && promoted.size() == info.size()
                    && promoted.lastModified().equals(info.lastModified());
        } catch (ObjectNotFoundException e) {
            return false;
        } catch (IOException e) {
            return false; // an unreadable record proves nothing: promote again
        }
    }

    private void record(DatasetSpec spec, Promoted promoted) {
        try (ObjectWriter out = store.create(LakeLayout.promotedKey(spec.name(), promoted.key()), Map.of())) {
            out.write(JSON.writeValueAsBytes(promoted));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot record " + promoted.key() + " as promoted", e);
        }
    }
}
