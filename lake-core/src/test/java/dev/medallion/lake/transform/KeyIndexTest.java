package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class KeyIndexTest {

    @Test
    void remembersTheLatestRowOfEveryKeyThroughGrowth() {
        KeyIndex index = new KeyIndex(1_000_000);
        for (int i = 0; i < 100_000; i++) {
            assertThat(index.put("order-" + i, 0, i, 1000)).isNull();
        }
        for (int i = 0; i < 100_000; i++) {
            assertThat(index.put("order-" + i, 1, i, 2000)).isEqualTo(new KeyIndex.Location(0, i, 1000));
        }
        // an older version does not replace the newer one
        assertThat(index.put("order-7", 2, 0, 1500)).isEqualTo(new KeyIndex.Location(1, 7, 2000));
        assertThat(index.put("order-7", 3, 0, 2000)).isEqualTo(new KeyIndex.Location(1, 7, 2000));
        assertThat(index.put("order-7", 4, 0, 2000)).isEqualTo(new KeyIndex.Location(3, 0, 2000));
    }

    @Test
    void saysWhenItHoldsItsLimit() {
        KeyIndex index = new KeyIndex(3);
        index.put("a", 0, 0, 0);
        index.put("b", 0, 1, 0);
        assertThat(index.isFull()).isFalse();
        index.put("a", 0, 2, 0);
        assertThat(index.isFull()).isFalse();
        index.put("c", 0, 3, 0);
        assertThat(index.isFull()).isTrue();

        index.clear();
        assertThat(index.isFull()).isFalse();
        assertThat(index.put("a", 1, 0, 0)).isNull();
    }

    @Test
    void aTableSizedForItsLimitHoldsItWithoutGrowing() {
        KeyIndex index = new KeyIndex(50_000, 50_000);
        for (int i = 0; i < 50_000; i++) {
            assertThat(index.put("k" + i, 0, i, 0)).isNull();
        }
        assertThat(index.isFull()).isTrue();
        assertThat(index.put("k49999", 1, 0, 0)).isEqualTo(new KeyIndex.Location(0, 49_999, 0));
    }

    @Test
    void fingerprintsOfManySimilarKeysDoNotCollide() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            String key = "o" + i;
            assertThat(seen.add(KeyIndex.hash64(key) + ":" + KeyIndex.hash32(key))).as(key).isTrue();
        }
    }
}
