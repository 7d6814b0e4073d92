package dev.medallion.lake.transform;

import dev.medallion.lake.Hashing;

/**
 * Where the latest row of each business key went in one run: key fingerprint to (file, row in file, ingested-at), in
 * one flat array of four longs a slot (one cache line holds two slots), 48 to 96 bytes a key (the table is a third to two
 * thirds full). Keys are fingerprinted
 * with 96 bits, so two different keys are mistaken for one with a probability near 10^-16 for a run of millions of
 * keys; the key text itself is not kept.
 *
 * <p>
 * The index holds at most {@code maxKeys}; {@link #isFull()} tells the caller to start a new one (or stop adding),
 * which bounds memory.
 */
public final class KeyIndex {
    private static final int STRIDE = 4;

    private final int maxKeys;
    /** Per slot: hash (0 = free), check (high 32 bits) and file (low 32), row, ingested-at millis. */
    private long[] slots;
    private int capacity;
    private int size;

    /** An index that starts small and grows (each growth briefly holds the old and the new table). */
    public KeyIndex(int maxKeys) {
        this(maxKeys, 1024);
    }

    /**
     * An index with room for {@code expectedKeys} from the start. A run that may hold {@code maxKeys} allocates its
     * table once, while the heap is still empty, instead of needing twice the memory in the middle of the run.
     */
    public KeyIndex(int maxKeys, int expectedKeys) {
        this.maxKeys = maxKeys;
        allocate(Math.max(16, expectedKeys + expectedKeys / 2 + 1));
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
        long check = hash32(key);
        for (int i = home(hash);; i = next(i)) {
            int s = i * STRIDE;
            if (slots[s] == 0) {
                slots[s] = hash;
                set(s, check, file, row, ingestedAtMillis);
                if (++size * 3 > capacity * 2) {
                    allocate(capacity * 2);
                }
                return null;
            }
            if (slots[s] == hash && (int) (slots[s + 1] >>> 32) == (int) check) {
                Location previous = new Location((int) slots[s + 1], (int) slots[s + 2], slots[s + 3]);
                if (ingestedAtMillis >= previous.ingestedAtMillis()) {
                    set(s, check, file, row, ingestedAtMillis);
                }
                return previous;
            }
        }
    }

    /** Forgets every key, keeping the table (no allocation). */
    public void clear() {
        java.util.Arrays.fill(slots, 0);
        size = 0;
    }

    public boolean isFull() {
        return size >= maxKeys;
    }

    /** The high 32 bits of the hash scaled to the table, so the table can have any size, not only powers of two. */
    private int home(long hash) {
        return (int) (((hash >>> 32) * capacity) >>> 32);
    }

    private int next(int i) {
        return i + 1 == capacity ? 0 : i + 1;
    }

    private void set(int s, long check, int file, int row, long time) {
        slots[s + 1] = (check << 32) | (file & 0xffffffffL);
        slots[s + 2] = row;
        slots[s + 3] = time;
    }

    private void allocate(int newCapacity) {
        long[] old = slots;
        slots = new long[newCapacity * STRIDE];
        capacity = newCapacity;
        if (old == null) {
            return;
        }
        for (int s = 0; s < old.length; s += STRIDE) {
            long hash = old[s];
            if (hash == 0) {
                continue;
            }
            int i = home(hash);
            while (slots[i * STRIDE] != 0) {
                i = next(i);
            }
            System.arraycopy(old, s, slots, i * STRIDE, STRIDE);
        }
    }

    /** {@link Hashing#hash64}, but never 0, which marks a free slot. */
    static long hash64(String key) {
        long h = Hashing.hash64(key);
        return h == 0 ? 1 : h;
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
