package dev.medallion.lake.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes ingest may hold in memory across all datasets: request bodies being encoded and batches waiting to be
 * stored. A reservation that does not fit is refused rather than waited for, so a full service answers "retry later"
 * at once and never runs out of heap.
 */
public final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("A memory budget must be positive, not " + limit);
        }
        this.limit = limit;
    }

    /** Reserves {@code bytes} if they fit; returns false, reserving nothing, if they do not. */
    public boolean tryReserve(long bytes) {
        long current;
        do {
            current = used.get();
            if (current + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(current, current + bytes));
        return true;
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    /** Whether at least {@code fraction} of the budget is free. */
    public boolean hasRoom(double fraction) {
        return used.get() <= limit * (1 - fraction);
    }
}
