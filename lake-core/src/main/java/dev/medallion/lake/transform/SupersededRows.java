package dev.medallion.lake.transform;

import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectStore;

/**
 * Which rows of a set of Silver files a later version of their key replaces: the latest ingestion wins, and on a tie
 * the row read later (later file, later row). The key is the dataset's business key or, without one, the lineage id,
 * so a record stored twice is kept once. Reads only the key and ingested-at columns, streaming. Past {@code maxKeys}
 * keys, new keys are not remembered and all their rows are kept, which bounds memory.
 */
public final class SupersededRows {
    /** The rows of a file with none superseded; never modified. */
    private static final BitSet NONE = new BitSet();

    private final Map<Integer, BitSet> byFile;
    private final long count;

    private SupersededRows(Map<Integer, BitSet> byFile) {
        this.byFile = byFile;
        this.count = byFile.values().stream().mapToLong(BitSet::cardinality).sum();
    }

    /** Finds the superseded rows of {@code files}, numbered by their place in the list. */
    public static SupersededRows of(ObjectStore store, DatasetSpec spec, List<ObjectInfo> files, int maxKeys) {
        List<FieldType.Field> dedup = dedupColumns(spec);
        KeyIndex latest = new KeyIndex(maxKeys);
        Map<Integer, BitSet> superseded = new HashMap<>();
        for (int f = 0; f < files.size(); f++) {
            try (RowReader reader = new RowReader(store, files.get(f), dedup)) {
                int r = 0;
                for (Object[] row = reader.next(); row != null; row = reader.next(), r++) {
                    if (row[0] == null || latest.isFull()) {
                        continue;
                    }
                    long ingestedAt = row[1] == null ? Long.MIN_VALUE : ((Instant) row[1]).toEpochMilli();
                    KeyIndex.Location previous = latest.put(row[0].toString(), f, r, ingestedAt);
                    if (previous == null) {
                        continue;
                    }
                    boolean currentWins = ingestedAt >= previous.ingestedAtMillis();
                    int file = currentWins ? previous.file() : f;
                    int rowInFile = currentWins ? previous.row() : r;
                    superseded.computeIfAbsent(file, x -> new BitSet()).set(rowInFile);
                }
            }
        }
        return new SupersededRows(superseded);
    }

    /** The superseded rows of the {@code file}-th file. */
    public BitSet inFile(int file) {
        return byFile.getOrDefault(file, NONE);
    }

    /** How many rows are superseded in all. */
    public long count() {
        return count;
    }

    /** The column rows are deduplicated on: the business key, or the lineage id without one. */
    public static FieldType.Field keyColumn(DatasetSpec spec) {
        String name = spec.key().orElse(SilverColumns.INGEST_ID);
        return SilverColumns.of(spec).stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<FieldType.Field> dedupColumns(DatasetSpec spec) {
        FieldType.Field ingestedAt = SilverColumns.of(spec).stream()
                .filter(c -> c.name().equals(SilverColumns.INGESTED_AT)).findFirst().orElseThrow();
        return List.of(keyColumn(spec), ingestedAt);
    }
}
