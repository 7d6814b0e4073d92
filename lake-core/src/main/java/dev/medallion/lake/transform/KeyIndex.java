package dev.medallion.lake.transform;

import dev.medallion.lake.Hashing;

/**
 * Where the latest row of each business key went in one run: key fingerprint to (file, row in file, ingested-at), in
 * flat arrays, about 40 bytes a key. Keys are fingerprinted with 96 bits, so two different keys are mistaken for one
 * with a probability near 10^-16 for a run of millions of keys; the key text itself is not kept.
 *
 * <p>
 * The index holds at most {@code maxKeys}; {@link #isFull()} tells the caller to start a new one, which bounds memory
 * and narrows deduplication to the keys seen since (compaction and Gold deduplicate across runs anyway).
 */
public final class KeyIndex {
    private static final long EMPTY = 0;

    private final int maxKeys;
    private long[] hashes;
    private int[] checks;
    private int[] files;
    private int[] rows;
    private long[] times;
    private int size;

    public KeyIndex(int maxKeys) {
        this.maxKeys = maxKeys;
        allocate(1024);
    }

    /** Where the previous latest row of a key was, when {@link #put} replaced it. */
    public record Location(int file, int row, long ingestedAtMillis) {
    }

    /**
     * Records that the row at {@code file}/{@code row} holds {@code key}, ingested at {@code ingestedAtMillis}.
     *
     * @return {@code null} for a new key; otherwise the location of the row that holds the key so far. When that row
     *         was ingested later than this one it stays the latest and the index is unchanged: the caller drops this
     *         row instead (the returned location then equals the one stored).
     */
    public Location put(String key, int file, int row, long ingestedAtMillis) {
        long hash = hash64(key);
        int check = hash32(key);
        int mask = hashes.length - 1;
        for (int i = (int) (hash ^ (hash >>> 32)) & mask;; i = (i + 1) & mask) {
            if (hashes[i] == EMPTY) {
                hashes[i] = hash;
                checks[i] = check;
                set(i, file, row, ingestedAtMillis);
                if (++size * 3 > hashes.length * 2) {
                    allocate(hashes.length * 2);
                }
                return null;
            }
            if (hashes[i] == hash && checks[i] == check) {
                Location previous = new Location(files[i], rows[i], times[i]);
                if (ingestedAtMillis >= previous.ingestedAtMillis()) {
                    set(i, file, row, ingestedAtMillis);
                }
                return previous;
            }
        }
    }

    /** Where the latest row of {@code key} is, or {@code null} if the key was never put. */
    public Location get(String key) {
        long hash = hash64(key);
        int check = hash32(key);
        int mask = hashes.length - 1;
        for (int i = (int) (hash ^ (hash >>> 32)) & mask;; i = (i + 1) & mask) {
            if (hashes[i] == EMPTY) {
                return null;
            }
            if (hashes[i] == hash && checks[i] == check) {
                return new Location(files[i], rows[i], times[i]);
            }
        }
    }

    public boolean isFull() {
        return size >= maxKeys;
    }

    private void set(int i, int file, int row, long time) {
        files[i] = file;
        rows[i] = row;
        times[i] = time;
    }

    private void allocate(int capacity) {
        long[] oldHashes = hashes;
        int[] oldChecks = checks;
        int[] oldFiles = files;
        int[] oldRows = rows;
        long[] oldTimes = times;
        hashes = new long[capacity];
        checks = new int[capacity];
        files = new int[capacity];
        rows = new int[capacity];
        times = new long[capacity];
        if (oldHashes == null) {
            return;
        }
        int mask = capacity - 1;
        for (int j = 0; j < oldHashes.length; j++) {
            long hash = oldHashes[j];
            if (hash == EMPTY) {
                continue;
            }
            int i = (int) (hash ^ (hash >>> 32)) & mask;
            while (hashes[i] != EMPTY) {
                i = (i + 1) & mask;
            }
            hashes[i] = hash;
            checks[i] = oldChecks[j];
            set(i, oldFiles[j], oldRows[j], oldTimes[j]);
        }
    }

    /** {@link Hashing#hash64}, but never 0, which marks a free slot. */
    static long hash64(String key) {
        long h = Hashing.hash64(key);
        return h == EMPTY ? 1 : h;
    }

    /** A second, independent 32-bit hash (polynomial with another multiplier, and the length). */
    static int hash32(String key) {
        int h = 0x9747b28c ^ key.length();
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x5bd1e995;
            h ^= h >>> 15;
        }
        return h;
    }
}
