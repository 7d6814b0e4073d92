package dev.medallion.lake.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;
import dev.medallion.lake.transform.BronzeToSilver;

/**
 * Group-commits segments into Bronze objects, one open batch per dataset. A batch is flushed at the first limit of
 * its dataset's {@link BufferPolicy}; flushing stores the object, announces it, and only then completes the future of
 * every segment in it, so whoever acknowledges a producer on that future acknowledges bytes that are in the store.
 * A failed flush fails those futures: nothing was acknowledged, and the producers retry.
 */
public final class BronzeBatcher implements AutoCloseable {

    /** Where a segment was stored. */
    public record Landing(String bronzeKey, Instant batchOpenedAt) {
    }

    /** Told about every flush, for metrics and logs. */
    public interface Listener {
        void flushed(String dataset, BufferPolicy.Reason reason, Batch batch, long storedBytes, Duration storeTime);

        void failed(String dataset, Batch batch, Exception error);
    }

    /** An open batch: its segments and totals. */
    public static final class Batch {
        private final Instant openedAt;
        private final List<PendingSegment> segments = new ArrayList<>();
        private final List<CompletableFuture<Landing>> waiters = new ArrayList<>();
        private long receivedBytes;
        private long records;
        private boolean lingerScheduled;

        Batch(Instant openedAt) {
            this.openedAt = openedAt;
        }

        public int segments() {
            return segments.size();
        }

        public long receivedBytes() {
            return receivedBytes;
        }

        public long records() {
            return records;
        }
    }

    private final ObjectStore store;
    private final Function<String, BufferPolicy> policies;
    private final Consumer<BronzeObjectLanded> announce;
    private final Listener listener;
    private final Clock clock;
    private final Map<String, Batch> open = new HashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService flushers;
    private boolean closed;

    /**
     * @param policies the buffer policy of each dataset
     * @param announce tells the transform step about a stored object; throwing fails the flush
     * @param flushThreads how many objects may be stored at once (batches keep filling meanwhile)
     */
    public BronzeBatcher(ObjectStore store, Function<String, BufferPolicy> policies,
            Consumer<BronzeObjectLanded> announce, Listener listener, Clock clock, int flushThreads) {
        this.store = store;
        this.policies = policies;
        this.announce = announce;
        this.listener = listener;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "bronze-timer"));
        this.flushers = Executors.newFixedThreadPool(flushThreads, r -> thread(r, "bronze-flush"));
    }

    /**
     * Adds a segment to its dataset's batch. The future completes when the object holding it is stored and
     * announced; the segment's memory is released either way.
     */
    public CompletableFuture<Landing> add(String dataset, PendingSegment segment) {
        var landed = new CompletableFuture<Landing>();
        BufferPolicy policy = policies.apply(dataset);
        synchronized (this) {
            if (closed) {
                segment.data().release();
                return CompletableFuture.failedFuture(new IllegalStateException("Ingest is shutting down"));
            }
            Batch batch = open.get(dataset);
            if (batch == null) {
                batch = new Batch(clock.instant());
                open.put(dataset, batch);
                schedule(dataset, batch, policy.interval(), BufferPolicy.Reason.INTERVAL);
            }
            batch.segments.add(segment);
            batch.waiters.add(landed);
            batch.receivedBytes += segment.receivedBytes();
            batch.records += segment.records();
            if (batch.receivedBytes >= policy.maxBytes()) {
                flush(dataset, BufferPolicy.Reason.BYTES);
            } else if (batch.records >= policy.maxRecords()) {
                flush(dataset, BufferPolicy.Reason.RECORDS);
            } else if (segment.clientWaiting() && !batch.lingerScheduled) {
                batch.lingerScheduled = true;
                schedule(dataset, batch, policy.linger(), BufferPolicy.Reason.LINGER);
            }
        }
        return landed;
    }

    /**
     * Announces a stored Bronze object again, for a retried request whose first attempt may have died between
     * storing and announcing it (the transform step rewrites the same output for the same object, so a second
     * announcement costs work, never duplicates). Returns false if there is no such object.
     */
    public boolean announceAgain(String bronzeKey) {
        var parsed = LakeLayout.parseBronzeKey(bronzeKey);
        var info = store.stat(bronzeKey);
        if (info.isEmpty()) {
            return false;
        }
        Map<String, String> metadata = info.get().metadata();
        Instant receivedAt = Optional.ofNullable(metadata.get(BronzeToSilver.RECEIVED_AT_METADATA))
                .map(Instant::parse).orElse(info.get().lastModified());
        announce.accept(BronzeObjectLanded.of(parsed.bronzeId(), parsed.dataset(), bronzeKey, info.get().size(),
                receivedAt, metadata.getOrDefault("source", "http")));
        return true;
    }

    /** Bytes received into open batches, per dataset (the buffer fill). */
    public synchronized Map<String, Long> bufferedBytes() {
        Map<String, Long> fill = new HashMap<>();
        open.forEach((dataset, batch) -> fill.put(dataset, batch.receivedBytes));
        return fill;
    }

    /** Flushes every open batch and waits for all stores to finish; later adds fail. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            List.copyOf(open.keySet()).forEach(dataset -> flush(dataset, BufferPolicy.Reason.SHUTDOWN));
        }
        timer.shutdownNow();
        flushers.shutdown();
        try {
            if (!flushers.awaitTermination(5, TimeUnit.MINUTES)) {
                flushers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void schedule(String dataset, Batch batch, Duration delay, BufferPolicy.Reason reason) {
        timer.schedule(() -> {
            synchronized (this) {
                if (open.get(dataset) == batch) { // not flushed for another reason meanwhile
                    flush(dataset, reason);
                }
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Closes the dataset's batch and hands it to a flusher; the caller holds the lock. */
    private void flush(String dataset, BufferPolicy.Reason reason) {
        Batch batch = open.remove(dataset);
        if (batch != null) {
            flushers.execute(() -> store(dataset, batch, reason));
        }
    }

    private void store(String dataset, Batch batch, BufferPolicy.Reason reason) {
        long started = System.nanoTime();
        String id = LakeLayout.newBronzeId(batch.openedAt);
        String key = LakeLayout.bronzeKey(dataset, batch.openedAt, id);
        try {
            long stored;
            try {
                for (PendingSegment segment : batch.segments) {
                    segment.beforeStore().run(key);
                }
                stored = write(key, batch);
            } finally {
                // the bytes are in the store (or never will be): their memory is free before anyone is answered
                batch.segments.forEach(segment -> segment.data().release());
            }
            announce.accept(BronzeObjectLanded.of(id, dataset, key, stored, batch.openedAt, source(batch)));
            listener.flushed(dataset, reason, batch, stored, Duration.ofNanos(System.nanoTime() - started));
            var landing = new Landing(key, batch.openedAt);
            batch.waiters.forEach(waiter -> waiter.complete(landing));
        } catch (IOException | RuntimeException e) {
            Exception error = e instanceof IOException io ? new UncheckedIOException(io) : e;
            listener.failed(dataset, batch, error);
            batch.waiters.forEach(waiter -> waiter.completeExceptionally(error));
        }
    }

    /** Stores the batch's segments as one object; returns its size. */
    private long write(String key, Batch batch) throws IOException {
        ObjectWriter object = store.create(key, metadata(batch));
        try {
            for (PendingSegment segment : batch.segments) {
                segment.data().writeTo(object);
            }
            object.close();
            return object.position();
        } catch (IOException | RuntimeException e) {
            object.abort();
            throw e;
        }
    }

    private static Map<String, String> metadata(Batch batch) {
        return Map.of(BronzeToSilver.RECEIVED_AT_METADATA, batch.openedAt.toString(),
                "source", source(batch),
                "segments", Integer.toString(batch.segments.size()),
                "records", Long.toString(batch.records));
    }

    /** {@code http}, {@code sqs}, or {@code mixed}. */
    private static String source(Batch batch) {
        var sources = batch.segments.stream().map(s -> s.header().source()).distinct().toList();
        return sources.size() == 1 ? sources.get(0) : "mixed";
    }

    private static Thread thread(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
