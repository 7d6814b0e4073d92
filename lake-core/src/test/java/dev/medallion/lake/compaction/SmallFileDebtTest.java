package dev.medallion.lake.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.store.ObjectInfo;

class SmallFileDebtTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    private static ObjectInfo file(long size, Duration age) {
        return new ObjectInfo("silver/x/" + size + "-" + age, size, NOW.minus(age), Map.of());
    }

    @Test
    void countsSmallFilesTheirAgeAndTheSpreadOfSizes() {
        List<ObjectInfo> busy = new ArrayList<>();
        for (int i = 1; i <= 19; i++) {
            busy.add(file(i * 10, Duration.ofMinutes(i)));
        }
        List<ObjectInfo> compacted = List.of(file(1_000, Duration.ofDays(3)));

        SmallFileDebt debt = SmallFileDebt.of(List.of(busy, compacted), 500, NOW);

        assertThat(debt.partitions()).isEqualTo(2);
        assertThat(debt.files()).isEqualTo(20);
        assertThat(debt.smallFiles()).isEqualTo(19);
        assertThat(debt.smallBytes()).isEqualTo(1_900);
        assertThat(debt.maxFilesPerPartition()).isEqualTo(19);
        assertThat(debt.medianFilesPerPartition()).isEqualTo(1);
        assertThat(debt.p95FilesPerPartition()).isEqualTo(19);
        assertThat(debt.medianFileBytes()).isEqualTo(100);
        assertThat(debt.p95FileBytes()).isEqualTo(190);
        assertThat(debt.oldestSmallFileAge()).isEqualTo(Duration.ofMinutes(19));
    }

    @Test
    void anEmptyTableHasNoDebt() {
        SmallFileDebt debt = SmallFileDebt.of(List.of(), 500, NOW);

        assertThat(debt.files()).isZero();
        assertThat(debt.p95FileBytes()).isZero();
        assertThat(debt.p95FilesPerPartition()).isZero();
        assertThat(debt.oldestSmallFileAge()).isZero();
    }
}
