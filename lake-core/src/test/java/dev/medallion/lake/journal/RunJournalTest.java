package dev.medallion.lake.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.MutableClock;
import dev.medallion.lake.transform.TransformResult;

class RunJournalTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock();
    private final InMemoryObjectStore store = new InMemoryObjectStore(clock);
    private final RunJournal<TransformResult> journal = new RunJournal<>(store, "transform", TransformResult.class, LEASE,
            clock);

    @Test
    void anOwnerThatWentLongerThanTheLeaseBetweenTwoSavesDoesNotCommitEvenIfNobodyNoticed() {
        RunJournal<TransformResult>.Run run = journal.begin("sales", "abc", List.of(source()));
        clock.advance(LEASE.plusSeconds(1));

        RunJournal.Decision<TransformResult> decision = run.commit(result());

        assertThat(decision.committed()).isFalse();
        assertThat(journal.entries("sales")).singleElement()
                .satisfies(e -> assertThat(e.decision()).contains(decision));
    }

    @Test
    void anOwnerThatKeptBeatingCommitsAndTheFirstDecisionStands() {
        RunJournal<TransformResult>.Run run = journal.begin("sales", "abc", List.of(source()));
        for (int i = 0; i < 10; i++) {
            clock.advanceSeconds(11); // more than a lease in all, never a lease between two saves
            run.progress();
        }

        assertThat(run.commit(result()).committed()).isTrue();
        RunJournal.Intent intent = journal.entries("sales").get(0).intent();
        assertThat(journal.expired(intent)).isFalse();
        assertThat(journal.abandon(intent).committed()).isTrue();
    }

    @Test
    void anAbandonedRunsDecisionOutlivesItsIntentForAnHourThenGoes() {
        RunJournal<TransformResult>.Run run = journal.begin("sales", "abc", List.of(source()));
        run.publishing("silver/sales/year=2026/month=11/day=01/part-abc-00000.parquet");
        clock.advance(LEASE.plusSeconds(1));
        RunJournal.Intent intent = journal.entries("sales").get(0).intent();
        assertThat(journal.expired(intent)).isTrue();
        assertThat(intent.published()).hasSize(1);

        assertThat(journal.abandon(intent).committed()).isFalse();
        journal.rolledBack(intent);

        assertThat(journal.entries("sales")).isEmpty();
        assertThat(run.commit(result()).committed()).as("the slow owner finds the tombstone").isFalse();
        journal.rolledBack(run.intent());
        assertThat(store.list("_state/transform/runs/sales/")).hasSize(1);
        clock.advance(RunJournal.TOMBSTONE_AGE.plusSeconds(1));
        journal.entries("sales");
        assertThat(store.list("_state/transform/runs/sales/")).isEmpty();
    }

    private RunJournal.Source source() {
        return new RunJournal.Source("bronze/sales/a.json", 10, clock.instant());
    }

    private static TransformResult result() {
        return new TransformResult("sales", "abc", List.of("bronze/sales/a.json"), 1, 1, 0, Map.of(), List.of(),
                List.of(), Map.of());
    }
}
