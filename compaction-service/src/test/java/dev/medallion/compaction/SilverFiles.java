package dev.medallion.compaction;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.message.FilesWritten.WrittenFile;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.ObjectInfo;

/**
 * Silver files of {@code sales} (orders o-{from}..) or {@code refunds} (refunds of those orders, r-{from}..), written
 * as transform writes them, for compaction to merge.
 */
final class SilverFiles {
    private static final Random RANDOM = new Random();

    private final S3ObjectStore store;
    private final DatasetSpecs specs;

    SilverFiles(S3ObjectStore store, DatasetSpecs specs) {
        this.store = store;
        this.specs = specs;
    }

    /** A day of a year no other test (or earlier run, whose data persists) writes. */
    static String freshPartition() {
        return "year=" + (2100 + RANDOM.nextInt(7000)) + "/month=0" + (1 + RANDOM.nextInt(9)) + "/day="
                + (10 + RANDOM.nextInt(18));
    }

    static String hex() {
        return Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE);
    }

    /** {@code count} files of {@code rowsEach} distinct rows, ingested a minute ago. */
    List<WrittenFile> smallFiles(String dataset, String partition, int count, int rowsEach) {
        List<WrittenFile> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            files.add(file(dataset, partition, "part-" + hex() + "-00000.parquet", i * rowsEach, (i + 1) * rowsEach,
                    Instant.now().minusSeconds(60)));
        }
        return files;
    }

    /** One file holding rows {@code from} (inclusive) to {@code to}. */
    WrittenFile file(String dataset, String partition, String name, int from, int to, Instant ingestedAt) {
        DatasetSpec spec = specs.find(dataset).orElseThrow();
        String key = "silver/" + dataset + "/" + partition + "/" + name;
        try (var out = new RowWriter(store, key, SilverColumns.of(spec), Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            for (int i = from; i < to; i++) {
                Map<String, Object> values = new HashMap<>();
                values.put("order_id", "o-" + i);
                values.put("refund_id", "r-" + i);
                values.put("amount", new BigDecimal("1.00"));
                values.put("ts", Instant.parse("2026-11-20T10:00:00Z"));
                values.put(SilverColumns.INGEST_ID, name + ":" + i);
                values.put(SilverColumns.SOURCE_OBJECT, "bronze/" + dataset + "/" + name);
                values.put(SilverColumns.INGESTED_AT, ingestedAt);
                out.add(SilverColumns.of(spec).stream().map(c -> values.get(c.name())).toArray());
            }
        }
        long size = store.stat(key).orElseThrow().size();
        PartitionLayout layout = PartitionLayout.of(spec);
        return new WrittenFile(key, layout.values(layout.parse(partition)), to - from, size);
    }

    /**
     * The Parquet files in a partition's own folder (the local S3 server also lists an object being written, under a
     * temporary name).
     */
    List<ObjectInfo> files(String dataset, String partition) {
        try (var objects = store.list("silver/" + dataset + "/" + partition + "/")) {
            return objects.filter(o -> o.key().endsWith(".parquet")).toList();
        }
    }
}
