package dev.medallion.lake.gold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DistinctCounterTest {

    @Test
    void countsExactlyUpToTheLimitWhateverTheRepeats() {
        DistinctCounter counter = new DistinctCounter();
        for (int i = 0; i < 5000; i++) {
            counter.add("customer-" + (i % DistinctCounter.EXACT_LIMIT));
        }
        assertThat(counter.count()).isEqualTo(DistinctCounter.EXACT_LIMIT);
    }

    @Test
    void estimatesLargeCountsWithinAFewPercent() {
        for (int n : new int[] { 2_000, 50_000, 1_000_000 }) {
            DistinctCounter counter = new DistinctCounter();
            for (int i = 0; i < n; i++) {
                counter.add("c" + i);
                counter.add("c" + i); // repeats change nothing
            }
            // 1.6% standard error: 5% is three standard errors
            assertThat((double) counter.count()).as("n=" + n).isCloseTo(n, within(n * 0.05));
        }
    }
}
