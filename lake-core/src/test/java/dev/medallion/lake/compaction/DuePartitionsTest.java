package dev.medallion.lake.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.MutableClock;

class DuePartitionsTest {
    private static final Duration SETTLE = Duration.ofMinutes(10);

    private final MutableClock clock = new MutableClock();
    private final DuePartitions due = new DuePartitions(new InMemoryObjectStore(clock), SETTLE, clock);

    @Test
    void aPartitionIsDueASettlePeriodAfterItsFirstMarkHoweverOftenItIsMarkedAgain() {
        due.mark("sales", "year=2026/month=11/day=20");
        clock.advance(Duration.ofMinutes(6));
        due.mark("sales", "year=2026/month=11/day=20");
        due.mark("clicks", "year=2026/month=11/day=20/country=DE");

        assertThat(due.due()).isEmpty();
        clock.advance(Duration.ofMinutes(4));
        assertThat(due.due()).singleElement().satisfies(d -> assertThat(d.dataset()).isEqualTo("sales"));

        due.clear(due.due().get(0));
        clock.advance(Duration.ofMinutes(6));
        assertThat(due.due()).extracting(DuePartitions.Due::partition)
                .containsExactly("year=2026/month=11/day=20/country=DE");
    }
}
