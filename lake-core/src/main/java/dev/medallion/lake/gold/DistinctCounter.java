package dev.medallion.lake.gold;

import dev.medallion.lake.Hashing;

/**
 * Counts distinct values: exactly while there are at most {@value #EXACT_LIMIT} of them (the usual case for one group
 * of one day), then with a HyperLogLog of 2^12 registers (4 KiB, standard error about 1.6%), so memory stays small
 * for any number of values. Values are counted by a 64-bit hash of their text.
 *
 * <p>
 * Written here rather than taken from a sketch library: the ones on Maven Central need JVM flags or native-image
 * registration on Java 17 for their memory layer, and this is all Gold needs.
 */
final class DistinctCounter {
    static final int EXACT_LIMIT = 1024;
    private static final int P = 12;
    private static final int M = 1 << P;

    /** The exact set: open addressing over hashes, 0 marking a free slot (a hash of 0 is stored as 1). */
    private long[] exact = new long[16];
    private int size;
    private byte[] registers;

    void add(String value) {
        long hash = Hashing.hash64(value);
        if (registers != null) {
            addToRegisters(hash);
            return;
        }
        if (insert(exact, hash == 0 ? 1 : hash) && ++size * 2 > exact.length) {
            if (size > EXACT_LIMIT) {
                registers = new byte[M];
                for (long h : exact) {
                    if (h != 0) {
                        addToRegisters(h);
                    }
                }
                exact = null;
            } else {
                long[] bigger = new long[exact.length * 2];
                for (long h : exact) {
                    if (h != 0) {
                        insert(bigger, h);
                    }
                }
                exact = bigger;
            }
        }
    }

    /** Adds a non-zero hash; returns whether it was new. */
    private static boolean insert(long[] table, long hash) {
        int mask = table.length - 1;
        for (int i = (int) (hash ^ (hash >>> 32)) & mask;; i = (i + 1) & mask) {
            if (table[i] == 0) {
                table[i] = hash;
                return true;
            }
            if (table[i] == hash) {
                return false;
            }
        }
    }

    long count() {
        if (registers == null) {
            return size;
        }
        double sum = 0;
        int zeros = 0;
        for (byte r : registers) {
            sum += 1.0 / (1L << r);
            if (r == 0) {
                zeros++;
            }
        }
        double alpha = 0.7213 / (1 + 1.079 / M);
        double estimate = alpha * M * M / sum;
        if (estimate <= 2.5 * M && zeros > 0) {
            estimate = M * Math.log((double) M / zeros); // linear counting is better for small counts
        }
        return Math.round(estimate);
    }

    private void addToRegisters(long hash) {
        int index = (int) (hash >>> (64 - P));
        int rank = Long.numberOfLeadingZeros((hash << P) | (1L << (P - 1))) + 1;
        if (rank > registers[index]) {
            registers[index] = (byte) rank;
        }
    }
}
