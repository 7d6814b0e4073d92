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

import dev.medallion.lake.gold.GoldBuilder;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;

/**
 * One Bronze to Silver run as the transform service does it, given the objects a batch of events named:
 * <ol>
 * <li>objects that do not exist are reported back, to fail alone;</li>
 * <li>objects already promoted in the same version (same size and last-modified time) are skipped: the event was
 * delivered again, and promoting again would add their rows a second time;</li>
 * <li>the rest are promoted in one {@link BronzeToSilver} run, whose output names derive from its inputs;</li>
 * <li>the Gold tables of every event-time day the run wrote are recomputed from Silver ({@link GoldBuilder});</li>
 * <li>the listener announces the files written (catalog and compaction queues);</li>
 * <li>then each object is recorded as promoted ({@link LakeLayout#promotedKey}).</li>
 * </ol>
 * A run that fails (an object unreadable, the store or a queue unavailable) deletes what it wrote before the failure
 * is reported, and its events come back. A crash leaves what it wrote: when the events come back the objects are
 * promoted again, which for the same set of objects rewrites the same files; combined differently, rows can appear
 * twice in Silver until compaction, which deduplicates on the lineage id (Gold counts them once: it deduplicates on
 * the key or lineage id). An object overwritten in place (a new version) is promoted again.
 */
public final class Promotion {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    /** What the service does with a finished run, and with skipped objects. */
    public interface Listener {
        /** Called after the run, before its objects are recorded as promoted; a failure fails the run. */
        void promoted(DatasetSpec spec, TransformResult result, List<GoldBuilder.Rebuilt> gold, Stages took);

        void skippedAsPromoted(DatasetSpec spec, String key);
    }

    /** How long each stage of a run took: Bronze to Silver, then the Gold days. */
    public record Stages(Duration silver, Duration gold) {
    }

    /** The record of a promoted object: the version read and the run that read it. */
    public record Promoted(String key, long size, Instant lastModified, String runId, Instant promotedAt) {
    }

    private final ObjectStore store;
    private final BronzeToSilver transform;
    private final GoldBuilder gold;
    private final Listener listener;
    private final Clock clock;

    public Promotion(ObjectStore store, BronzeToSilver transform, GoldBuilder gold, Listener listener, Clock clock) {
        this.store = store;
        this.transform = transform;
        this.gold = gold;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Promotes the objects of {@code keys} that need it.
     *
     * @return the objects that could not be read, with why ({@link ObjectNotFoundException})
     */
    public Map<String, Exception> run(DatasetSpec spec, List<String> keys) {
        Map<String, Exception> failed = new LinkedHashMap<>();
        Map<String, ObjectInfo> toPromote = new LinkedHashMap<>();
        for (String key : keys) {
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
        long start = System.nanoTime();
        TransformResult result = transform.run(spec, new ArrayList<>(toPromote.keySet()));
        long silverDone = System.nanoTime();
        Set<LocalDate> days = new TreeSet<>();
        result.files().forEach(f -> days.add(LocalDate.of(Integer.parseInt(f.partition().get("year")),
                Integer.parseInt(f.partition().get("month")), Integer.parseInt(f.partition().get("day")))));
        try {
            List<GoldBuilder.Rebuilt> rebuilt = gold.rebuild(spec, days);
            listener.promoted(spec, result, rebuilt, new Stages(Duration.ofNanos(silverDone - start),
                    Duration.ofNanos(System.nanoTime() - silverDone)));
        } catch (RuntimeException e) {
            discard(spec, result, days, e);
            throw e;
        }
        Instant now = clock.instant();
        toPromote.values().forEach(info -> record(spec,
                new Promoted(info.key(), info.size(), info.lastModified(), result.runId(), now)));
        return failed;
    }

    /**
     * Deletes what a run wrote when it cannot be finished, and recomputes the days' Gold without it. The events come
     * back, and the retry may combine the objects differently, under another run id: without this their rows would be
     * in Silver twice.
     */
    private void discard(DatasetSpec spec, TransformResult result, Set<LocalDate> days, RuntimeException failure) {
        try {
            result.files().forEach(f -> store.delete(f.key()));
            result.quarantineKeys().forEach(store::delete);
            gold.rebuild(spec, days);
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
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
