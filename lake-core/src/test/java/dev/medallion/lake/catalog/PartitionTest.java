package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.ValidationException;

class PartitionTest {

    @Test
    void partitionsWithTheSameDayHourAndValuesAreOneMapKeyAndAnyDifferenceMakesAnother() {
        Map<Partition, String> files = new HashMap<>();
        files.put(Partition.day(2026, 11, 20).with(List.of("eu")), "a");

        assertThat(files).containsKey(Partition.day(2026, 11, 20).with(List.of("eu")));
        assertThat(Partition.day(2026, 11, 20).with(List.of("eu")))
                .hasSameHashCodeAs(Partition.day(2026, 11, 20).with(List.of("eu")));
        for (Partition other : List.of(Partition.day(2027, 11, 20).with(List.of("eu")),
                Partition.day(2026, 12, 20).with(List.of("eu")), Partition.day(2026, 11, 21).with(List.of("eu")),
                Partition.hour(2026, 11, 20, 0).with(List.of("eu")), Partition.day(2026, 11, 20).with(List.of("us")),
                Partition.day(2026, 11, 20))) {
            assertThat(files).as("%s", other).doesNotContainKey(other);
        }
    }

    @Test
    void onlyRealDatesAndSafeValuesArePartitions() {
        assertThatThrownBy(() -> Partition.day(2026, 2, 30)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("not a date");
        assertThatThrownBy(() -> Partition.day(2026, 1, 1).with(List.of(".."))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("letters, digits");
    }
}
