package dev.medallion.lake.transform;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Combines the Bronze objects that transform-queue messages name into runs, one dataset per run, so that many small
 * objects make few Silver files. A dataset's batch runs when it holds {@code maxSources} objects or {@code maxBytes},
 * or {@code linger} after its first object arrived, whichever comes first. The future of each submitted object
 * completes when the run that read it has finished, or fails with the reason it could not be read; a message is
 * deleted only once every object it names is done.
 *
 * <p>
 * Runs execute one at a time per batcher (a run is CPU-bound and bounds its own memory), in the order their batches
 * closed. An object submitted twice while its batch is open is read once.
 */
public final class SourceBatcher implements AutoCloseable {

    /**
     * @param maxSources most objects in one run
     * @param maxBytes a batch closes once its objects' sizes (as the events state them) reach this
     * @param linger how long the first object of a batch waits for others
     */
    public record Limits(int maxSources, long maxBytes, Duration linger) {
        public Limits {
            if (maxSources < 1 || maxBytes < 1 || linger.isNegative()) {
                throw new IllegalArgumentException("A run needs at least one source and one byte, and a linger of 0 "
                        + "or more: " + maxSources + ", " + maxBytes + ", " + linger);
            }
        }
    }

    /** Does one run; returns the objects it could not read, with why, for their futures to fail alone. */
    @FunctionalInterface
    public interface Runner {
        Map<String, Exception> run(String dataset, List<String> keys) throws Exception;
    }

    private final Limits limits;
    private final Runner runner;
    private final ScheduledExecutorService timer;
    private final ExecutorService runs;
    /** The open batch of each dataset; guarded by {@code this}. */
    private final Map<String, Batch> open = new HashMap<>();
    /** Objects submitted and not yet finished; guarded by {@code this}. */
    private int pending;
    private boolean closed;

    public SourceBatcher(Limits limits, Runner runner) {
        this.limits = limits;
        this.runner = runner;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "transform-batch-timer"));
        this.runs = Executors.newSingleThreadExecutor(r -> daemon(r, "transform-run"));
    }

    /** Adds an object to its dataset's batch; the future completes when a run has read it. */
    public synchronized CompletableFuture<Void> submit(String dataset, String key, long bytes) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("The transform is shutting down"));
        }
        Batch batch = open.computeIfAbsent(dataset, this::newBatch);
        CompletableFuture<Void> existing = batch.sources.get(key);
        if (existing != null) {
            return existing;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        batch.sources.put(key, done);
        batch.bytes += bytes;
        pending++;
        if (batch.sources.size() >= limits.maxSources() || batch.bytes >= limits.maxBytes()) {
            closeBatch(batch);
        }
        return done;
    }

    /** Objects submitted whose run has not finished: the caller stops taking more work while this is high. */
    public synchronized int pending() {
        return pending;
    }

    /**
     * Runs every open batch now and waits up to {@code timeout} for all runs to finish. Later submissions fail.
     *
     * @return whether every run finished in time
     */
    public boolean close(Duration timeout) throws InterruptedException {
        synchronized (this) {
            closed = true;
            List.copyOf(open.values()).forEach(this::closeBatch);
        }
        timer.shutdownNow();
        runs.shutdown();
        return runs.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        close(Duration.ofMinutes(5));
    }

    private Batch newBatch(String dataset) {
        Batch batch = new Batch(dataset);
        batch.linger = timer.schedule(() -> {
            synchronized (this) {
                if (open.get(dataset) == batch) {
                    closeBatch(batch);
                }
            }
        }, limits.linger().toMillis(), TimeUnit.MILLISECONDS);
        return batch;
    }

    /** Takes the batch out of {@link #open} and queues its run; called holding the lock. */
    private void closeBatch(Batch batch) {
        open.remove(batch.dataset, batch);
        batch.linger.cancel(false);
        runs.execute(() -> run(batch));
    }

    private void run(Batch batch) {
        Map<String, Exception> failed;
        Throwable runFailure = null;
        try {
            failed = runner.run(batch.dataset, List.copyOf(batch.sources.keySet()));
        } catch (Exception | Error e) {
            failed = Map.of();
            runFailure = e;
        }
        finished(batch); // before completing: whoever waits on a future sees the batch no longer pending
        for (var source : batch.sources.entrySet()) {
            Throwable failure = runFailure != null ? runFailure : failed.get(source.getKey());
            if (failure == null) {
                source.getValue().complete(null);
            } else {
                source.getValue().completeExceptionally(failure);
            }
        }
    }

    private synchronized void finished(Batch batch) {
        pending -= batch.sources.size();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Objects of one dataset waiting for a run. */
    private static final class Batch {
        final String dataset;
        final Map<String, CompletableFuture<Void>> sources = new LinkedHashMap<>();
        long bytes;
        ScheduledFuture<?> linger;

        Batch(String dataset) {
            this.dataset = dataset;
        }
    }
}
