package dev.medallion.lake.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.ObjectInfo;

/**
 * Direct memory (outside the heap, counted against a container's limit, not against {@code -Xmx}) stays flat however
 * large the partition a merge rewrites and however many merges run: a partition receiving files all day is merged
 * again every settle period, each time into a larger file with larger pages. parquet-hadoop's Snappy codecs kept
 * direct buffers the size of the largest page in a pool that lives as long as the process: 338 MB in the service.
 */
class MergedFileWriterMemoryTest {
    private static final List<Field> COLUMNS = List.of(new Field("id", FieldType.Primitive.STRING, true),
            new Field("country", FieldType.Primitive.STRING, false),
            new Field("quantity", FieldType.Primitive.LONG, false),
            new Field("amount", FieldType.Primitive.DOUBLE, false),
            new Field("note", FieldType.Primitive.STRING, false));
    private static final RowWriter.Settings SETTINGS = new RowWriter.Settings(128L * 1024 * 1024, 1024 * 1024);
    /** Below what parquet-hadoop's codecs kept after the first merge already (6 MB), and growing with each. */
    private static final long BOUND = 4L * 1024 * 1024;

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final Random random = new Random(20);
    private int files;

    @Test
    void repeatedMergesOfAGrowingPartitionKeepDirectMemoryFlat() {
        long before = directBytes();
        List<ObjectInfo> merged = List.of();
        long rows = 0;
        for (int round = 0; round < 3; round++) {
            List<ObjectInfo> inputs = new ArrayList<>(merged);
            inputs.add(smallFile(30_000));
            inputs.add(smallFile(30_000));
            String key = "silver/sales/day=20/part-merged-" + round + ".parquet";
            try (var out = new MergedFileWriter(store, key, COLUMNS, Set.of("id"), Map.of(), SETTINGS)) {
                for (ObjectInfo input : inputs) {
                    out.append(store, input, new BitSet(), () -> {
                    });
                }
                assertThat(directBytes() - before).as("direct memory while merging round %d", round)
                        .isLessThan(BOUND);
                out.close();
                rows = out.result().rows();
            }
            assertThat(directBytes() - before).as("direct memory after round %d", round).isLessThan(BOUND);
            inputs.forEach(input -> store.delete(input.key()));
            merged = List.of(store.stat(key).orElseThrow());
        }
        assertThat(rows).isEqualTo(180_000);
    }

    private ObjectInfo smallFile(int rows) {
        String key = "silver/sales/day=20/part-" + files++ + ".parquet";
        try (var out = new RowWriter(store, key, COLUMNS, Set.of("id"), Map.of(), SETTINGS)) {
            for (int r = 0; r < rows; r++) {
                out.add(new Object[] { Long.toHexString(random.nextLong()) + "-" + files + "-" + r,
                        "C" + random.nextInt(30), (long) random.nextInt(100), random.nextDouble() * 1000,
                        Long.toString(random.nextLong(), 36) + Long.toString(random.nextLong(), 36) });
            }
        }
        return store.stat(key).orElseThrow();
    }

    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
