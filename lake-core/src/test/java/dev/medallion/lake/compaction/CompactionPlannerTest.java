package dev.medallion.lake.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.store.ObjectInfo;

class CompactionPlannerTest {
    private static final long MIB = 1024 * 1024;
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private final CompactionPlanner planner = new CompactionPlanner(CompactionPlanner.Settings.defaults());

    private static ObjectInfo file(String name, long mib, Duration age) {
        return new ObjectInfo("silver/sales/year=2026/month=11/day=20/" + name, mib * MIB, NOW.minus(age), Map.of());
    }

    @Test
    void mergesSmallSettledFilesIntoGroupsUnderTheTargetAndLeavesLargeAndFreshOnesAlone() {
        List<ObjectInfo> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            files.add(file("small-" + i, 40, Duration.ofHours(1))); // 480 MiB of small files
        }
        files.add(file("large", 200, Duration.ofHours(1))); // over 75% of 256 MiB
        files.add(file("fresh", 10, Duration.ofMinutes(2))); // not settled

        CompactionPlanner.Plan plan = planner.plan(files, NOW);

        assertThat(plan.candidates()).isEqualTo(12);
        assertThat(plan.groups()).hasSize(2).allSatisfy(g -> assertThat(g.bytes()).isLessThanOrEqualTo(256 * MIB));
        assertThat(plan.groups()).flatExtracting(CompactionPlanner.Group::files).extracting(ObjectInfo::key)
                .hasSize(12).noneMatch(k -> k.endsWith("large") || k.endsWith("fresh"));
        assertThat(plan.groups().get(0).files()).hasSize(6); // 6 x 40 MiB = 240 MiB
    }

    @Test
    void plansNothingWithTooFewSmallFilesOrWhenNoTwoFitTogether() {
        List<ObjectInfo> four = List.of(file("a", 10, Duration.ofHours(1)), file("b", 10, Duration.ofHours(1)),
                file("c", 10, Duration.ofHours(1)), file("d", 10, Duration.ofHours(1)));
        assertThat(planner.plan(four, NOW).groups()).isEmpty();
        assertThat(planner.plan(four, NOW).reason()).contains("fewer than 5");

        var wide = new CompactionPlanner(new CompactionPlanner.Settings(128 * MIB, 1.0, 2, Duration.ZERO));
        List<ObjectInfo> halves = List.of(file("a", 100, Duration.ZERO), file("b", 100, Duration.ZERO));
        assertThat(wide.plan(halves, NOW).groups()).isEmpty();
        assertThat(wide.plan(halves, NOW).reason()).contains("no two");
    }

    @Test
    void settingsOutsideWhatEnginesScanWellAreRefused() {
        assertThatThrownBy(() -> new CompactionPlanner.Settings(64 * MIB, 0.75, 5, Duration.ZERO))
                .isInstanceOf(ValidationException.class).hasMessageContaining("128 to 512 MiB");
        assertThatThrownBy(() -> new CompactionPlanner.Settings(1024 * MIB, 0.75, 5, Duration.ZERO))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> new CompactionPlanner.Settings(256 * MIB, 0, 5, Duration.ZERO))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> new CompactionPlanner.Settings(256 * MIB, 0.75, 1, Duration.ZERO))
                .isInstanceOf(ValidationException.class);
    }
}
