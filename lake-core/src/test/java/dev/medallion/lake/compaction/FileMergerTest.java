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

import org.junit.jupiter.api.Test;

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.journal.RunObserver;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.parquet.RowWriter;
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
        try (var out = new RowWriter(store, PREFIX + name, SilverColumns.of(spec), Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            for (int i = 0; i < rows; i++) {
                Map<String, Object> values = new HashMap<>(Map.of("page", "/p/" + i + "/" + "x".repeat(40), "ts",
                        Instant.parse("2026-11-20T10:00:00Z"), SilverColumns.INGEST_ID, name + ":" + i,
                        SilverColumns.SOURCE_OBJECT, "bronze/clicks/" + name, SilverColumns.INGESTED_AT,
                        Instant.parse("2026-11-20T11:00:00Z")));
                values.put("referrer", "r-" + i);
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
        List<ObjectInfo> inputs = List.of(file(before, "a.parquet", 20_000), file(after, "b.parquet", 20_000));
        var merger = new FileMerger(store, new RowWriter.Settings(256 * 1024, 64 * 1024), 512 * 1024, 100_000);

        Merge merge = merger.merge(after, PARTITION, inputs, "0123abcd", observer);

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
    void aFailedMergeLeavesNoOutputBehind() throws Exception {
        DatasetSpec spec = spec("");
        ObjectInfo good = file(spec, "a.parquet", 5_000);
        try (var out = store.create(PREFIX + "b.parquet", Map.of())) {
            out.write("PAR1 not really".getBytes(StandardCharsets.UTF_8));
        }
        var merger = new FileMerger(store, RowWriter.Settings.defaults(), 128L * 1024 * 1024, 100_000);

        assertThatThrownBy(() -> merger.merge(spec, PARTITION,
                List.of(good, store.stat(PREFIX + "b.parquet").orElseThrow()), "0123abcd", observer))
                .hasMessageContaining("b.parquet");

        assertThat(store.list(PREFIX)).extracting(ObjectInfo::key).containsExactlyInAnyOrder(PREFIX + "a.parquet",
                PREFIX + "b.parquet");
    }
}
