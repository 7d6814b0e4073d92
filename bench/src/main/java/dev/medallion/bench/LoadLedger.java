package dev.medallion.bench;

import java.util.Arrays;

/**
 * What the load run sent and what it later found in Silver, per producer: every request (its record count, when it
 * was sent and when it was acknowledged, or that it never was) and, per record, when it was first seen queryable.
 *
 * <p>
 * A producer's requests hold consecutive sequence numbers from 0, so request {@code i} holds the records after those
 * of requests {@code 0..i-1}. Times are milliseconds since the run's start. Each producer's requests are written by
 * that producer's thread only, and the seen times by the Silver watcher's thread only; they are read together once
 * both have stopped ({@link Thread#join} orders the writes before the reads).
 */
final class LoadLedger {
    static final int NOT_ACKED = -1;
    static final int NOT_SEEN = -1;

    private final Producer[] producers;

    LoadLedger(int producerCount) {
        producers = new Producer[producerCount];
        for (int i = 0; i < producerCount; i++) {
            producers[i] = new Producer();
        }
    }

    int producerCount() {
        return producers.length;
    }

    Producer producer(int p) {
        return producers[p];
    }

    /** One producer's requests and its records' first-seen times. */
    static final class Producer {
        private int requests;
        private int[] counts = new int[1024];
        private int[] sentMs = new int[1024];
        private int[] ackMs = new int[1024];
        private long records;
        private int[] seenMs = new int[0];
        private long outside;

        /** Records a request of {@code count} records sent at {@code sent}, acknowledged at {@code ack} or not. */
        void request(int count, int sent, int ack) {
            if (requests == counts.length) {
                counts = Arrays.copyOf(counts, requests * 2);
                sentMs = Arrays.copyOf(sentMs, requests * 2);
                ackMs = Arrays.copyOf(ackMs, requests * 2);
            }
            counts[requests] = count;
            sentMs[requests] = sent;
            ackMs[requests] = ack;
            requests++;
            records += count;
        }

        /** Records the first time record {@code seq} was seen; returns false if it had been seen before. */
        boolean seen(long seq, int ms) {
            if (seq < 0 || seq > Integer.MAX_VALUE - 8) {
                outside++;
                return false;
            }
            int i = (int) seq;
            if (i >= seenMs.length) {
                int size = Math.max(i + 1, seenMs.length * 2);
                int old = seenMs.length;
                seenMs = Arrays.copyOf(seenMs, Math.max(size, 1024));
                Arrays.fill(seenMs, old, seenMs.length, NOT_SEEN);
            }
            if (seenMs[i] != NOT_SEEN) {
                return false;
            }
            seenMs[i] = ms;
            return true;
        }

        int requests() {
            return requests;
        }

        int count(int request) {
            return counts[request];
        }

        int sentMs(int request) {
            return sentMs[request];
        }

        int ackMs(int request) {
            return ackMs[request];
        }

        /** When record {@code seq} was first seen, or {@link #NOT_SEEN}. */
        int seenMs(long seq) {
            return seq < seenMs.length ? seenMs[(int) seq] : NOT_SEEN;
        }

        /** Records of this producer seen in Silver whose sequence number it never sent. */
        long seenBeyondSent() {
            long n = outside;
            for (long seq = records; seq < seenMs.length; seq++) {
                if (seenMs[(int) seq] != NOT_SEEN) {
                    n++;
                }
            }
            return n;
        }
    }
}
