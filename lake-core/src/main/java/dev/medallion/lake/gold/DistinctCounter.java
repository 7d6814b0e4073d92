package dev.medallion.lake.gold;

import java.util.HashSet;
import java.util.Set;

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

    private Set<Long> exact = new HashSet<>();
    private byte[] registers;

    void add(String value) {
        long hash = Hashing.hash64(value);
        if (exact != null) {
            exact.add(hash);
            if (exact.size() > EXACT_LIMIT) {
                registers = new byte[M];
                exact.forEach(this::addToRegisters);
                exact = null;
            }
        } else {
            addToRegisters(hash);
        }
    }

    long count() {
        if (exact != null) {
            return exact.size();
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
