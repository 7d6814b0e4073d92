package dev.medallion.lake.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.journal.RunObserver;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.parquet.UnreadableFileException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.ObjectInfo;

class FileMergerTest {
    private static final String PARTITION = "year=2026/month=11/day=20";
    private static final String PREFIX = "silver/clicks/" + PARTITION + "/";

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final List<String> published = new ArrayList<>();
    private final RunObserver observer = new RunObserver() {
        @Override
        public void publishing(String key) {
            published.add(key);
        }

        @Override
        public void progress() {
        }
    };

    private static DatasetSpec spec(String extraField) {
        String yaml = """
                datasets:
                  clicks:
                    event-time: ts
                    schema:
                      page: { type: string, required: true }
                      ts:   { type: timestamp, required: true }
                """ + extraField;
        return DatasetSpecs.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).find("clicks")
                .orElseThrow();
    }

    private ObjectInfo file(DatasetSpec spec, String name, int rows) {
        return file(spec, name, rows, i -> name + ":" + i, i -> List.of(), Instant.parse("2026-11-20T11:00:00Z"));
    }

    private ObjectInfo file(DatasetSpec spec, String name, int rows, IntFunction<String> lineageId,
            IntFunction<List<String>> tags, Instant ingestedAt) {
        try (var out = new RowWriter(store, PREFIX + name, SilverColumns.of(spec), Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            for (int i = 0; i < rows; i++) {
                Map<String, Object> values = new HashMap<>(Map.of("page", "/p/" + i + "/" + "x".repeat(40), "ts",
                        Instant.parse("2026-11-20T10:00:00Z"), SilverColumns.INGEST_ID, lineageId.apply(i),
                        SilverColumns.SOURCE_OBJECT, "bronze/clicks/" + name, SilverColumns.INGESTED_AT,
                        ingestedAt));
                values.put("referrer", "r-" + i);
                values.put("tags", tags.apply(i));
                out.add(SilverColumns.of(spec).stream().map(c -> values.get(c.name())).toArray());
            }
        }
        return store.stat(PREFIX + name).orElseThrow();
    }

    private List<Object[]> rows(DatasetSpec spec, String key) {
        List<Object[]> rows = new ArrayList<>();
        try (var reader = new RowReader(store, key, SilverColumns.of(spec))) {
            for (Object[] row = reader.next(); row != null; row = reader.next()) {
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void filesWrittenBeforeAColumnWasAddedMergeWithTheColumnNullAndOutputsRollAtTheTarget() {
        DatasetSpec before = spec("");
        DatasetSpec after = spec("      referrer: { type: string }\n");
        List<ObjectInfo> inputs = List.of(file(before, "a.parquet", 10_000), file(before, "b.parquet", 10_000),
                file(after, "c.parquet", 10_000), file(after, "d.parquet", 10_000));
        var merger = new FileMerger(store, new RowWriter.Settings(64 * 1024, 16 * 1024), 200 * 1024, 100_000);

        Merge merge = merger.merge(after, PARTITION, inputs, PREFIX, "0123abcd", 0, observer);

        assertThat(merge.outputs()).hasSizeGreaterThan(1);
        assertThat(published).isEqualTo(merge.outputs().stream().map(o -> o.key()).toList());
        assertThat(merge.rowsWritten()).isEqualTo(40_000);
        int referrer = SilverColumns.of(after).stream().map(c -> c.name()).toList().indexOf("referrer");
        List<Object[]> merged = merge.outputs().stream().flatMap(o -> rows(after, o.key()).stream()).toList();
        assertThat(merged).hasSize(40_000);
        assertThat(merged.subList(0, 20_000)).allMatch(r -> r[referrer] == null);
        assertThat(merged.get(20_000)[referrer]).isEqualTo("r-0");
        assertThat(merge.outputs()).allSatisfy(o -> assertThat(o.partition()).containsEntry("day", "20"));
    }

    @Test
    void rowsLeftOutTakeTheirNestedValuesWithThemAndTheRestKeepTheirsExactly() {
        DatasetSpec spec = spec("      tags: { type: \"list<string>\" }\n");
        IntFunction<List<String>> tags = i -> i % 3 == 0 ? null : i % 3 == 1 ? List.of() : List.of("t" + i, "u" + i);
        ObjectInfo first = file(spec, "a.parquet", 1_000, i -> "id-" + i, tags, Instant.parse("2026-11-20T11:00:00Z"));
        // ids 0 to 99 again, ingested later: these versions replace the first ones
        ObjectInfo again = file(spec, "b.parquet", 100, i -> "id-" + i, i -> List.of("late"),
                Instant.parse("2026-11-20T12:00:00Z"));
        var merger = new FileMerger(store, RowWriter.Settings.defaults(), 128L * 1024 * 1024, 100_000);

        Merge merge = merger.merge(spec, PARTITION, List.of(first, again), PREFIX, "0123abcd", 0, observer);

        assertThat(merge.rowsDeduplicated()).isEqualTo(100);
        List<String> columns = SilverColumns.of(spec).stream().map(c -> c.name()).toList();
        int id = columns.indexOf(SilverColumns.INGEST_ID);
        int tagsAt = columns.indexOf("tags");
        Map<String, Object> tagsById = new HashMap<>();
        for (Object[] row : rows(spec, merge.outputs().get(0).key())) {
            assertThat(tagsById.put((String) row[id], row[tagsAt])).as("each id once").isNull();
        }
        assertThat(tagsById).hasSize(1_000);
        for (int i = 0; i < 1_000; i++) {
            assertThat(tagsById.get("id-" + i)).as("id-" + i).isEqualTo(i < 100 ? List.of("late") : tags.apply(i));
        }
    }

    @Test
    void aFailedMergeLeavesNoOutputBehind() throws Exception {
        DatasetSpec spec = spec("");
        ObjectInfo good = file(spec, "a.parquet", 5_000);
        try (var out = store.create(PREFIX + "b.parquet", Map.of())) {
            out.write("PAR1 not really".getBytes(StandardCharsets.UTF_8));
        }
        var merger = new FileMerger(store, RowWriter.Settings.defaults(), 128L * 1024 * 1024, 100_000);

        assertThatThrownBy(() -> merger.merge(spec, PARTITION,
                List.of(good, store.stat(PREFIX + "b.parquet").orElseThrow()), PREFIX, "0123abcd", 0, observer))
                .isInstanceOf(UnreadableFileException.class).hasMessageContaining("b.parquet");

        assertThat(store.list(PREFIX)).extracting(ObjectInfo::key).containsExactlyInAnyOrder(PREFIX + "a.parquet",
                PREFIX + "b.parquet");
    }
}
