package dev.medallion.lake.journal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;
import dev.medallion.lake.store.SupportsPrefixListing;

/**
 * What makes a run that replaces or adds objects crash-safe (a Bronze to Silver promotion, a compaction): its intent
 * lists every object before the object becomes visible, and its outcome is a create-only decision object, so of the
 * owner (committing) and another process (abandoning a run that stopped beating) exactly one wins.
 *
 * <pre>
 * _state/{step}/runs/{dataset}/{run-id}.json       intent: sources, objects published so far, heartbeat
 * _state/{step}/runs/{dataset}/{run-id}.decision   created once: committed (with the run's result) or abandoned
 * </pre>
 *
 * The owner saves its intent at the start, before each object it publishes, and at least every third of the lease
 * while it works. It commits once its objects are all in place, before anything else is changed or announced; an
 * owner that itself went longer than the lease between two saves does not commit, as another process may have taken
 * it for dead. What happens to a run found in the journal is the step's to decide: a committed run is finished (rolled
 * forward), a run abandoned (or whose heartbeat is older than the lease, once it is abandoned) is rolled back, a live
 * run's sources are left alone. An abandoned run's decision outlives its intent by {@link #TOMBSTONE_AGE}, so an owner
 * that was only slow still finds it when it tries to commit. One thread uses a {@link Run}.
 *
 * @param <R> what a committed run produced, kept in its decision for the roll-forward
 */
public final class RunJournal<R> {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();
    /** How long a decision whose intent is gone is kept. */
    static final Duration TOMBSTONE_AGE = Duration.ofHours(1);

    /** A source of a run, in the version it read. */
    public record Source(String key, long size, Instant lastModified) {
    }

    /** What a run has done so far. */
    public record Intent(String dataset, String runId, List<Source> sources, List<String> published,
            Instant heartbeatAt) {
    }

    /** How a run ended: {@code result} is set when it committed, empty when it was abandoned. */
    public record Decision<R>(boolean committed, R result) {
        static <R> Decision<R> abandoned() {
            return new Decision<>(false, null);
        }
    }

    /** A run found in the journal. */
    public record Entry<R>(Intent intent, Optional<Decision<R>> decision) {
    }

    private final ObjectStore store;
    private final String step;
    private final JavaType decisionType;
    private final Duration lease;
    private final Clock clock;

    /**
     * @param step the step whose runs these are ({@code transform}, {@code compaction}): its journal's folder
     * @param resultType what a committed run records
     * @param lease how long a run may go without saving its intent before another process may abandon it
     */
    public RunJournal(ObjectStore store, String step, Class<R> resultType, Duration lease, Clock clock) {
        if (!(store instanceof SupportsPrefixListing)) {
            throw new IllegalArgumentException("The run journal needs a store that lists keys");
        }
        this.store = store;
        this.step = step;
        this.decisionType = JSON.getTypeFactory().constructParametricType(Decision.class, resultType);
        this.lease = lease;
        this.clock = clock;
    }

    /**
     * The runs of a dataset in the journal: live, crashed, or finished but not yet cleared. Deletes decisions whose
     * intent has been gone for longer than {@link #TOMBSTONE_AGE}.
     */
    public List<Entry<R>> entries(String dataset) {
        List<ObjectInfo> listed;
        try (Stream<ObjectInfo> objects = ((SupportsPrefixListing) store).list(LakeLayout.runsPrefix(step, dataset))) {
            listed = objects.toList();
        }
        Set<String> keys = listed.stream().map(ObjectInfo::key).collect(Collectors.toSet());
        Instant tombstonesBefore = clock.instant().minus(TOMBSTONE_AGE);
        List<Entry<R>> entries = new ArrayList<>();
        for (ObjectInfo object : listed) {
            String key = object.key();
            if (key.endsWith(".json")) {
                this.<Intent> read(key, JSON.constructType(Intent.class))
                        .ifPresent(intent -> entries.add(new Entry<>(intent, decision(intent))));
            } else if (key.endsWith(".decision") && !keys.contains(key.replaceFirst("\\.decision$", ".json"))
                    && object.lastModified().isBefore(tombstonesBefore)) {
                store.delete(key);
            }
        }
        return entries;
    }

    /** Whether a run without a decision has stopped beating for longer than the lease. */
    public boolean expired(Intent intent) {
        return intent.heartbeatAt().plus(lease).isBefore(clock.instant());
    }

    /**
     * Decides that a run is abandoned, unless its owner committed first.
     *
     * @return the decision that stands
     */
    public Decision<R> abandon(Intent intent) {
        Decision<R> abandoned = Decision.abandoned();
        if (store.createIfAbsent(decisionKey(intent), bytes(abandoned))) {
            return abandoned;
        }
        return decision(intent).orElseThrow(
                () -> new IllegalStateException("The decision of run " + intent.runId() + " vanished while read"));
    }

    /** Removes a finished run from the journal: the intent first, so no intent lacks its decision. */
    public void finished(Intent intent) {
        store.delete(intentKey(intent));
        store.delete(decisionKey(intent));
    }

    /** Removes a rolled-back run's intent; an abandoned decision stays as a tombstone for its owner to find. */
    public void rolledBack(Intent intent) {
        store.delete(intentKey(intent));
    }

    /** Starts a run's record. A decision left by an earlier run over the same sources, already cleared, is removed. */
    public Run begin(String dataset, String runId, List<Source> sources) {
        store.delete(LakeLayout.runDecisionKey(step, dataset, runId));
        var run = new Run(new Intent(dataset, runId, List.copyOf(sources), List.of(), clock.instant()));
        run.save();
        return run;
    }

    /** The owner's side of one run. */
    public final class Run implements RunObserver {
        private Intent intent;
        private final LinkedHashSet<String> published = new LinkedHashSet<>();
        /** Set once two saves were further apart than the lease: another process may have abandoned this run. */
        private boolean presumedDead;

        private Run(Intent intent) {
            this.intent = intent;
        }

        public Intent intent() {
            return intent;
        }

        @Override
        public void publishing(String key) {
            if (published.add(key)) {
                save();
            }
        }

        @Override
        public void progress() {
            if (clock.instant().isAfter(intent.heartbeatAt().plus(lease.dividedBy(3)))) {
                save();
            }
        }

        /**
         * Commits the run with its result.
         *
         * @return the decision that stands: this one, or the one another process made first
         */
        public Decision<R> commit(R result) {
            save();
            Decision<R> mine = presumedDead ? Decision.abandoned() : new Decision<>(true, result);
            if (store.createIfAbsent(decisionKey(intent), bytes(mine))) {
                return mine;
            }
            return decision(intent).orElseThrow(
                    () -> new IllegalStateException("The decision of run " + intent.runId() + " vanished while read"));
        }

        private void save() {
            Instant now = clock.instant();
            if (intent.heartbeatAt().plus(lease).isBefore(now)) {
                presumedDead = true;
            }
            intent = new Intent(intent.dataset(), intent.runId(), intent.sources(), List.copyOf(published), now);
            try (ObjectWriter out = store.create(intentKey(intent), Map.of())) {
                out.write(bytes(intent));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot save the intent of run " + intent.runId(), e);
            }
        }
    }

    private Optional<Decision<R>> decision(Intent intent) {
        return read(decisionKey(intent), decisionType);
    }

    private String intentKey(Intent intent) {
        return LakeLayout.runIntentKey(step, intent.dataset(), intent.runId());
    }

    private String decisionKey(Intent intent) {
        return LakeLayout.runDecisionKey(step, intent.dataset(), intent.runId());
    }

    private <T> Optional<T> read(String key, JavaType type) {
        try (InputStream in = store.open(key)) {
            return Optional.of(JSON.readValue(in, type));
        } catch (ObjectNotFoundException e) {
            return Optional.empty(); // cleared since it was listed
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the run journal entry " + key, e);
        }
    }

    private static byte[] bytes(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
