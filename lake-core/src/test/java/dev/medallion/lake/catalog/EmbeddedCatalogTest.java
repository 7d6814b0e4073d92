package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.ObjectInfo;

class EmbeddedCatalogTest {
    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final EmbeddedCatalog catalog = new EmbeddedCatalog(store);

    private static TableInput sales(int minYear, int maxYear) {
        return TableDefinitions.silver(Fixtures.sales(), Fixtures.BUCKET, minYear, maxYear);
    }

    @Test
    void missingTableIsEmpty() {
        assertThat(catalog.table("lake", "sales")).isEmpty();
        assertThat(catalog.versionCount("lake", "sales")).isZero();
        assertThat(catalog.tables("lake")).isEmpty();
    }

    @Test
    void storesVersionsAsGlueJsonAndReturnsTheNewest() {
        assertThat(catalog.put("lake", sales(2024, 2026))).isTrue();
        assertThat(catalog.put("lake", sales(2024, 2027))).isTrue();

        assertThat(catalog.table("lake", "sales")).contains(sales(2024, 2027));
        assertThat(catalog.table("lake", "sales", 1)).contains(sales(2024, 2026));
        assertThat(catalog.table("lake", "sales", 3)).isEmpty();
        assertThat(catalog.table("lake", "sales", 0)).isEmpty();
        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(2);
        try (Stream<ObjectInfo> objects = store.list("")) {
            assertThat(objects.map(ObjectInfo::key)).containsExactly("catalog/lake/sales/v000001.json",
                    "catalog/lake/sales/v000002.json");
        }
        String json = new String(readAll("catalog/lake/sales/v000002.json"), StandardCharsets.UTF_8);
        assertThat(json).contains("\"StorageDescriptor\"").contains("\"projection.year.range\" : \"2024,2027\"");
    }

    @Test
    void puttingTheSameContentAgainWritesNothing() {
        assertThat(catalog.put("lake", sales(2024, 2026))).isTrue();

        assertThat(catalog.put("lake", sales(2024, 2026))).isFalse();
        assertThat(catalog.put("lake", TableInput.fromJson(sales(2024, 2026).toJson()))).isFalse();
        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(1);
    }

    @Test
    void revertingToAnOlderContentIsANewVersion() {
        catalog.put("lake", sales(2024, 2026));
        catalog.put("lake", sales(2024, 2027));

        assertThat(catalog.put("lake", sales(2024, 2026))).isTrue();
        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(3);
    }

    @Test
    void listsTablesPerDatabase() {
        catalog.put("lake", sales(2024, 2026));
        catalog.put("lake", TableDefinitions.silver(Fixtures.clicks(), Fixtures.BUCKET, 2026, 2026));
        catalog.put("other", sales(2024, 2026));
        store.create("catalog/lake/junk/readme.txt", Map.of()).abort();
        writeRaw("catalog/lake/notes/readme.txt", "not a version");

        assertThat(catalog.tables("lake")).containsExactly("clicks", "sales");
        assertThat(catalog.tables("other")).containsExactly("sales");
        assertThat(catalog.versionCount("lake", "notes")).isZero();
    }

    @Test
    void tablesWithAPrefixOfAnotherNameStaySeparate() {
        catalog.put("lake", sales(2024, 2026));
        var salesTwo = new TableInput("sales2", "x", TableInput.EXTERNAL_TABLE, Map.of(), List.of(),
                sales(2024, 2026).storageDescriptor());
        catalog.put("lake", salesTwo);
        catalog.put("lake", salesTwo.withParameters(Map.of("k", "v")));

        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(1);
        assertThat(catalog.versionCount("lake", "sales2")).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = { "../x", "a/b", "%2F", "..", "", "Sales", "a\\b", "a b" })
    void namesCannotEscapeTheirPrefix(String name) {
        assertThatThrownBy(() -> catalog.table(name, "sales")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> catalog.table("lake", name)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> catalog.tables(name)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> catalog.versionCount("lake", name)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> catalog.put(name, sales(2024, 2026))).isInstanceOf(ValidationException.class);
        var renamed = new TableInput(name, "x", TableInput.EXTERNAL_TABLE, Map.of(), List.of(),
                sales(2024, 2026).storageDescriptor());
        assertThatThrownBy(() -> catalog.put("lake", renamed)).isInstanceOf(ValidationException.class);
        try (Stream<ObjectInfo> objects = store.list("")) {
            assertThat(objects).isEmpty();
        }
    }

    @Test
    void aCorruptVersionIsReportedNotSkipped() {
        writeRaw("catalog/lake/sales/v000001.json", "{\"Name\":");

        assertThatThrownBy(() -> catalog.table("lake", "sales")).isInstanceOf(LakeException.class)
                .hasMessageContaining("catalog/lake/sales/v000001.json");
    }

    @Test
    void registersEachPartitionOnceBesideTheTableAndRemovesIt() {
        TableInput table = sales(2025, 2026);
        catalog.put("lake", table);
        List<List<String>> days = List.of(List.of("2025", "12", "31"), List.of("2026", "01", "02"));

        assertThat(catalog.addPartitions("lake", table, atOwnFolders(table, days))).isEqualTo(2);
        assertThat(catalog.addPartitions("lake", table, atOwnFolders(table, days))).isZero();

        assertThat(catalog.partitions("lake", "sales")).containsOnlyKeys(days)
                .containsEntry(days.get(1), "s3://lake-bucket/silver/sales/year=2026/month=01/day=02/");
        assertThat(catalog.tables("lake")).containsExactly("sales");
        assertThat(catalog.databases()).containsExactly("lake");
        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(1);
        assertThat(store.stat("catalog/lake/sales/partitions/year=2026/month=01/day=02.json")).isPresent();
        assertThat(catalog.deletePartitions("lake", "sales", List.of(days.get(0), List.of("2020", "01", "01"))))
                .isEqualTo(1);
        assertThat(catalog.partitions("lake", "sales")).containsOnlyKeys(days.get(1));
        assertThatThrownBy(() -> catalog.addPartitions("lake", table,
                atOwnFolders(table, List.of(List.of("2026", "01", "../x"))))).isInstanceOf(ValidationException.class);
    }

    @Test
    void aRegisteredPartitionMovesToANewFolderOnlyBelowItsTable() {
        TableInput table = sales(2026, 2026);
        catalog.put("lake", table);
        List<String> day = List.of("2026", "01", "02");
        String own = PartitionInput.defaultLocation(table, day);
        catalog.addPartitions("lake", table, Map.of(day, own));

        assertThat(catalog.relocatePartitions("lake", table, Map.of(day, own + "_gen=abc/"))).isEqualTo(1);
        assertThat(catalog.relocatePartitions("lake", table, Map.of(day, own + "_gen=abc/"))).as("already there")
                .isZero();
        assertThat(catalog.relocatePartitions("lake", table, Map.of(List.of("2026", "01", "03"), own)))
                .as("not registered").isZero();

        assertThat(catalog.partitions("lake", "sales")).containsExactly(Map.entry(day, own + "_gen=abc/"));
        assertThatThrownBy(() -> catalog.relocatePartitions("lake", table, Map.of(day, "s3://elsewhere/x/")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("below the table's");
    }

    private static Map<List<String>, String> atOwnFolders(TableInput table, List<List<String>> partitions) {
        Map<List<String>, String> locations = new java.util.LinkedHashMap<>();
        partitions.forEach(values -> locations.put(values, PartitionInput.defaultLocation(table, values)));
        return locations;
    }

    private void writeRaw(String key, String content) {
        try (var writer = store.create(key, Map.of())) {
            writer.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private byte[] readAll(String key) {
        try (var in = store.open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
