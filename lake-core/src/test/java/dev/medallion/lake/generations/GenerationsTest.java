package dev.medallion.lake.generations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.ObjectInfo;

class GenerationsTest {
    private static final String DAY = "year=2026/month=11/day=20";
    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final Generations generations = new Generations(store);

    private static DatasetSpec spec(String partitions) {
        return DatasetSpecs.parse(new ByteArrayInputStream(("""
                datasets:
                  sales:
                    event-time: ts
                    catalog: { database: lake, partitions: %s }
                    schema:
                      ts: { type: timestamp, required: true }
                """.formatted(partitions)).getBytes(StandardCharsets.UTF_8))).find("sales").orElseThrow();
    }

    @Test
    void placesAFileInItsPartitionAndGeneration() {
        assertThat(Generations.place("silver/sales/", "silver/sales/" + DAY + "/part-a.parquet"))
                .contains(new Generations.Place(DAY, ""));
        assertThat(Generations.place("silver/sales/", "silver/sales/" + DAY + "/_gen=1a2b/part-a.parquet"))
                .contains(new Generations.Place(DAY, "1a2b"));
        assertThat(Generations.place("silver/sales/", "silver/sales/" + DAY + "/_gen=Bad!/part-a.parquet")).isEmpty();
        assertThat(Generations.place("silver/sales/", "silver/sales/_gen=1a2b/part-a.parquet")).isEmpty();
        assertThat(Generations.place("silver/sales/", "silver/sales/part-a.parquet")).isEmpty();
        assertThat(Generations.place("silver/sales/", "silver/sales/" + DAY + "/notes.txt")).isEmpty();
        assertThat(Generations.place("silver/sales/", "silver/other/" + DAY + "/part-a.parquet")).isEmpty();
    }

    @Test
    void onlyTablesFoundByRegisteredLocationMoveAndTheirNewFilesGoToTheCurrentGeneration() {
        assertThat(Generations.moves(spec("registered"))).isTrue();
        assertThat(Generations.moves(spec("both"))).as("projection reads the partition's own folder").isFalse();
        assertThat(Generations.moves(spec("projection"))).isFalse();
        DatasetSpec registered = spec("registered");
        assertThat(generations.currentFolder(registered, DAY)).isEqualTo("silver/sales/" + DAY + "/");

        generations.save(registered, new Generations.Pointer(DAY, "g2", List.of()));

        assertThat(generations.currentFolder(registered, DAY)).isEqualTo("silver/sales/" + DAY + "/_gen=g2/");
        assertThat(generations.currentFolder(spec("both"), DAY)).isEqualTo("silver/sales/" + DAY + "/");
        assertThatThrownBy(() -> Generations.folder(registered, DAY, "../x")).isInstanceOf(ValidationException.class);
    }

    @Test
    void readersSeeEachPartitionInItsCurrentGenerationOnly() throws IOException {
        DatasetSpec registered = spec("registered");
        String other = "year=2026/month=11/day=21";
        for (String key : List.of(DAY + "/old-1.parquet", DAY + "/old-2.parquet", DAY + "/_gen=g1/merged.parquet",
                DAY + "/_gen=g2/unfinished.parquet", other + "/never-moved.parquet")) {
            try (var out = store.create("silver/sales/" + key, Map.of())) {
                out.write(1);
            }
        }
        generations.save(registered, new Generations.Pointer(DAY, "g1",
                List.of(new Generations.Retired("", Instant.now(), List.of("old-1.parquet", "old-2.parquet")))));

        Map<String, List<ObjectInfo>> current = generations.currentFilesBelow(registered, "");

        assertThat(current).containsOnlyKeys(DAY, other);
        assertThat(current.get(DAY)).extracting(ObjectInfo::key)
                .containsExactly("silver/sales/" + DAY + "/_gen=g1/merged.parquet");
        assertThat(current.get(other)).extracting(ObjectInfo::key)
                .containsExactly("silver/sales/" + other + "/never-moved.parquet");
        assertThat(generations.files(registered, DAY, "")).extracting(ObjectInfo::key).containsExactly(
                "silver/sales/" + DAY + "/old-1.parquet", "silver/sales/" + DAY + "/old-2.parquet");
        assertThat(generations.pointers(registered)).extracting(Generations.Pointer::partition).containsExactly(DAY);
        assertThat(generations.pointer(registered, other)).isEqualTo(Optional.empty());
    }
}
