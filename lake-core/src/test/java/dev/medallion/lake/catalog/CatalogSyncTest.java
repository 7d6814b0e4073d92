package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.lake.spec.PartitionRegistration;
import dev.medallion.lake.store.InMemoryObjectStore;

class CatalogSyncTest {
    private static final DatasetSpec SALES = Fixtures.sales();
    private final EmbeddedCatalog catalog = new EmbeddedCatalog(new InMemoryObjectStore());

    private static Map<String, String> day(String year, String month, String day) {
        return Map.of("year", year, "month", month, "day", day);
    }

    private TableInput sync(List<Map<String, String>> written) {
        return CatalogSync.silverFromValues(catalog.table("lake", "sales"), SALES, Fixtures.BUCKET, written).table();
    }

    @Test
    void newTableCoversTheYearsWritten() {
        TableInput table = sync(List.of(day("2025", "12", "31"), day("2026", "01", "01")));

        assertThat(table).isEqualTo(TableDefinitions.silver(SALES, Fixtures.BUCKET, 2025, 2026));
    }

    @Test
    void widensTheYearRangeToCoverNewPartitions() {
        catalog.put("lake", sync(List.of(day("2025", "06", "01"))));

        TableInput later = sync(List.of(day("2027", "01", "01")));
        assertThat(later.parameters()).containsEntry("projection.year.range", "2025,2027");
        assertThat(catalog.put("lake", later)).isTrue();

        TableInput earlier = sync(List.of(day("2023", "05", "05"), day("2026", "05", "05")));
        assertThat(earlier.parameters()).containsEntry("projection.year.range", "2023,2027");
        assertThat(earlier).isEqualTo(TableDefinitions.silver(SALES, Fixtures.BUCKET, 2023, 2027));
        assertThat(catalog.put("lake", earlier)).isTrue();
        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(3);
    }

    @Test
    void partitionsAlreadyCoveredChangeNothing() {
        catalog.put("lake", sync(List.of(day("2024", "01", "01"), day("2026", "12", "31"))));
        TableInput before = catalog.table("lake", "sales").orElseThrow();

        TableInput after = sync(List.of(day("2025", "03", "07"), day("2024", "01", "01")));

        assertThat(after).isEqualTo(before);
        assertThat(catalog.put("lake", after)).isFalse();
        assertThat(sync(List.of())).isEqualTo(before);
        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(1);
    }

    @Test
    void neverNarrowsAndKeepsEverythingElse() {
        TableInput current = TableDefinitions.silver(SALES, Fixtures.BUCKET, 2020, 2030);
        var parameters = new TreeMap<>(current.parameters());
        parameters.put("owner.note", "kept");
        current = current.withParameters(parameters);

        TableInput synced = CatalogSync.silver(Optional.of(current), SALES, "another-bucket",
                List.of(Partition.day(2025, 1, 1))).table();

        assertThat(synced).isEqualTo(current);
    }

    @Test
    void columnsFollowTheSpec() {
        TableInput current = TableDefinitions.silver(SALES, Fixtures.BUCKET, 2025, 2025);
        DatasetSpec evolved = new DatasetSpec(SALES.name(), SALES.eventTimeField(), SALES.granularity(), SALES.key(),
                SALES.unknownFields(),
                Stream.concat(SALES.fields().stream(),
                        Stream.of(new FieldType.Field("channel", FieldType.Primitive.STRING, false))).toList(),
                SALES.database());

        TableInput synced = CatalogSync.silver(Optional.of(current), evolved, Fixtures.BUCKET, List.of()).table();

        assertThat(synced.storageDescriptor().columns()).extracting(TableInput.Column::name).containsSequence("items",
                "channel", "_extra");
        assertThat(synced.parameters()).isEqualTo(current.parameters());
    }

    @Test
    void aRegisteredOnlyTableHasNoProjectionAndSwitchingModesAddsOrDropsIt() {
        DatasetSpec registered = withPartitions(PartitionRegistration.REGISTERED);

        TableInput plain = CatalogSync.silver(Optional.empty(), registered, Fixtures.BUCKET,
                List.of(Partition.day(2026, 1, 2))).table();
        assertThat(plain.parameters()).doesNotContainKeys("projection.enabled", "storage.location.template")
                .containsEntry("classification", "parquet");
        assertThat(plain.description()).contains("registered in the catalog");
        CatalogSync.requireCovered(plain, Fixtures.BUCKET, "silver/sales/year=2026/month=01/day=02/part-a.parquet",
                Map.of("year", "2026", "month", "01", "day", "02"));
        assertThatThrownBy(() -> CatalogSync.requireCovered(plain, Fixtures.BUCKET,
                "silver/sales/year=2026/month=01/part-a.parquet", Map.of("year", "2026", "month", "01", "day", "02")))
                .hasMessageContaining("looks for partition");
        // a partition compaction moved to a generation folder is registered there
        CatalogSync.requireCovered(plain, Fixtures.BUCKET,
                "silver/sales/year=2026/month=01/day=02/_gen=1a2b/part-a.parquet",
                Map.of("year", "2026", "month", "01", "day", "02"));
        assertThatThrownBy(() -> CatalogSync.requireCovered(plain, Fixtures.BUCKET,
                "silver/sales/year=2026/month=01/day=02/_gen=1a2b/deeper/part-a.parquet",
                Map.of("year", "2026", "month", "01", "day", "02"))).hasMessageContaining("looks for partition");

        TableInput projected = CatalogSync.silver(Optional.of(plain), withPartitions(PartitionRegistration.BOTH),
                Fixtures.BUCKET, List.of(Partition.day(2027, 3, 4))).table();
        assertThat(projected.parameters()).containsEntry("projection.enabled", "true")
                .containsEntry("projection.year.range", "2027,2027");

        TableInput dropped = CatalogSync.silver(Optional.of(projected), registered, Fixtures.BUCKET, List.of())
                .table();
        assertThat(dropped.parameters()).isEqualTo(plain.parameters());
    }

    private static DatasetSpec withPartitions(PartitionRegistration mode) {
        return new DatasetSpec(SALES.name(), SALES.eventTimeField(), SALES.granularity(), SALES.key(),
                SALES.unknownFields(), SALES.fields(), SALES.database(), SALES.gold(), mode);
    }

    @Test
    void projectionEditedByHandIsPutBackToTheWritersLayoutKeepingTheYearsAndOtherProperties() {
        TableInput written = TableDefinitions.silver(SALES, Fixtures.BUCKET, 2024, 2026);
        var edited = new TreeMap<>(written.parameters());
        edited.put("storage.location.template", "s3://lake-bucket/silver/sales/${year}/${month}/${day}");
        edited.put("projection.month.range", "1,6");
        edited.put("projection.region.type", "enum");
        edited.put("projection.region.values", "eu");
        edited.put("owner.note", "kept");
        TableInput drifted = written.withParameters(edited);

        TableInput synced = CatalogSync.silver(Optional.of(drifted), SALES, Fixtures.BUCKET, List.of()).table();

        var expected = new TreeMap<>(written.parameters());
        expected.put("owner.note", "kept");
        assertThat(synced.parameters()).isEqualTo(expected);

        var broken = new TreeMap<>(written.parameters());
        broken.put("projection.year.range", "2026");
        TableInput repaired = CatalogSync.silver(Optional.of(written.withParameters(broken)), SALES, Fixtures.BUCKET,
                List.of(Partition.day(2025, 5, 1))).table();
        assertThat(repaired.parameters()).containsEntry("projection.year.range", "2025,2025");
    }

    @Test
    void partitionByValuesAreProjectedAsTheyLandAndNeverDropped() {
        DatasetSpec clicks = Fixtures.spec("""
                datasets:
                  clicks:
                    event-time: ts
                    partition-by: [country]
                    schema:
                      id:      { type: string, required: true }
                      country: string
                      ts:      { type: timestamp, required: true }
                """);

        TableInput first = CatalogSync.silver(Optional.empty(), clicks, Fixtures.BUCKET,
                List.of(Partition.day(2026, 1, 2).with(List.of("FR")), Partition.day(2026, 1, 2).with(List.of("DE"))))
                .table();
        assertThat(first.parameters()).containsEntry("projection.country.type", "enum")
                .containsEntry("projection.country.values", "DE,FR")
                .containsEntry("storage.location.template",
                        "s3://lake-bucket/silver/clicks/year=${year}/month=${month}/day=${day}/country=${country}");
        assertThat(first.storageDescriptor().columns()).extracting(TableInput.Column::name).doesNotContain("country");
        assertThat(first.partitionKeys()).extracting(TableInput.Column::name).endsWith("country");
        assertThatThrownBy(() -> CatalogSync.requireCovered(first, Fixtures.BUCKET,
                "silver/clicks/year=2026/month=01/day=03/country=BR/part-a.parquet",
                Map.of("year", "2026", "month", "01", "day", "03", "country", "BR")))
                .hasMessageContaining("does not project country=BR");

        TableInput next = CatalogSync.silver(Optional.of(first), clicks, Fixtures.BUCKET,
                List.of(Partition.day(2026, 1, 3).with(List.of("BR")))).table();

        assertThat(next.parameters()).containsEntry("projection.country.values", "DE,FR,BR");
        CatalogSync.requireCovered(next, Fixtures.BUCKET,
                "silver/clicks/year=2026/month=01/day=03/country=BR/part-a.parquet",
                Map.of("year", "2026", "month", "01", "day", "03", "country", "BR"));
        assertThat(CatalogSync.silver(Optional.of(next), clicks, Fixtures.BUCKET, List.of()).table()).isEqualTo(next);
    }

    @Test
    void aTableOverGluesMetadataLimitIsRefused() {
        TableInput current = TableDefinitions.silver(SALES, Fixtures.BUCKET, 2025, 2025);
        var parameters = new TreeMap<>(current.parameters());
        var random = new java.util.Random(7);
        var noise = new StringBuilder();
        for (int i = 0; i < 1_600_000; i++) {
            noise.append((char) ('!' + random.nextInt(90)));
        }
        parameters.put("owner.notes", noise.toString());
        TableInput huge = current.withParameters(parameters);

        assertThatThrownBy(() -> CatalogSync.silver(Optional.of(huge), SALES, Fixtures.BUCKET, List.of()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("over the 1 MiB");
        assertThat(CatalogSync.silver(Optional.of(current), SALES, Fixtures.BUCKET, List.of()).table())
                .isEqualTo(current);
    }

    @Test
    void anObjectIsCatalogedOnlyWhereTheProjectionTemplateLooksAndWithProjectedValues() {
        TableInput table = TableDefinitions.silver(SALES, Fixtures.BUCKET, 2025, 2026);
        Map<String, String> day = Map.of("year", "2026", "month", "01", "day", "02");

        CatalogSync.requireCovered(table, Fixtures.BUCKET,
                "silver/sales/year=2026/month=01/day=02/part-abc-00000.parquet", day);

        assertThatThrownBy(() -> CatalogSync.requireCovered(table, Fixtures.BUCKET,
                "silver/sales/year=2026/month=01/day=03/part-abc-00000.parquet", day))
                .isInstanceOf(ValidationException.class).hasMessageContaining("looks for partition");
        assertThatThrownBy(() -> CatalogSync.requireCovered(table, Fixtures.BUCKET,
                "silver/sales/2026/01/02/part-abc-00000.parquet", day)).hasMessageContaining("looks for partition");
        assertThatThrownBy(() -> CatalogSync.requireCovered(table, Fixtures.BUCKET,
                "silver/sales/year=2026/month=01/day=02/nested/part-abc-00000.parquet", day))
                .hasMessageContaining("looks for partition");
        assertThatThrownBy(() -> CatalogSync.requireCovered(table, Fixtures.BUCKET,
                "silver/sales/year=2026/month=01/day=02/_gen=1a2b/part-abc-00000.parquet", day))
                .as("projection reads a partition's own folder only").hasMessageContaining("looks for partition");
        assertThatThrownBy(() -> CatalogSync.requireCovered(table, "another-bucket",
                "silver/sales/year=2026/month=01/day=02/part-abc-00000.parquet", day))
                .hasMessageContaining("looks for partition");
        assertThatThrownBy(() -> CatalogSync.requireCovered(table, Fixtures.BUCKET,
                "silver/sales/year=2027/month=01/day=02/part-abc-00000.parquet",
                Map.of("year", "2027", "month", "01", "day", "02"))).hasMessageContaining("does not project year=2027");
        assertThatThrownBy(() -> CatalogSync.requireCovered(table, Fixtures.BUCKET,
                "silver/sales/year=2026/month=1/day=02/part-abc-00000.parquet",
                Map.of("year", "2026", "month", "1", "day", "02"))).hasMessageContaining("does not project month=1");
    }

    @Test
    void anIncompatibleColumnChangeIsRefusedAndReportedWhileTheRestIsApplied() {
        TableInput current = TableDefinitions.silver(SALES, Fixtures.BUCKET, 2025, 2025);
        List<FieldType.Field> fields = new java.util.ArrayList<>(SALES.fields().stream()
                .filter(f -> !f.name().equals("items")).map(f -> f.name().equals("amount")
                        ? new FieldType.Field("amount", FieldType.Primitive.STRING, f.required())
                        : f)
                .toList());
        fields.add(new FieldType.Field("channel", FieldType.Primitive.STRING, false));
        DatasetSpec changed = new DatasetSpec(SALES.name(), SALES.eventTimeField(), SALES.granularity(), SALES.key(),
                SALES.unknownFields(), fields, SALES.database());

        CatalogSync.Result result = CatalogSync.silver(Optional.of(current), changed, Fixtures.BUCKET,
                List.of(Partition.day(2027, 1, 1)));

        Map<String, String> types = new java.util.LinkedHashMap<>();
        result.table().storageDescriptor().columns().forEach(c -> types.put(c.name(), c.type()));
        assertThat(types).containsEntry("amount", "decimal(12,2)").containsEntry("channel", "string")
                .containsKey("items");
        assertThat(result.refused()).hasSize(2).anySatisfy(r -> assertThat(r).startsWith("column amount: "))
                .anySatisfy(r -> assertThat(r).startsWith("column items: no longer in the spec"));
        assertThat(result.table().parameters()).containsEntry("projection.year.range", "2025,2027");
    }

    @Test
    void rejectsPartitionValuesThatDoNotParse() {
        catalog.put("lake", sync(List.of(day("2025", "06", "01"))));

        for (Map<String, String> bad : List.of(day("2026", "3", "07"), day("26", "03", "07"), day("2026", "02", "30"),
                day("2026", "03", "xx"), Map.of("year", "2026", "month", "03"),
                Map.of("year", "2026", "month", "03", "day", "07", "hour", "01"))) {
            assertThatThrownBy(() -> sync(List.of(day("2026", "01", "01"), bad)))
                    .as("%s", bad).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("Cannot read partition values");
        }
        assertThat(catalog.versionCount("lake", "sales")).isEqualTo(1);
    }

    @Test
    void needsATableOrAPartitionToTakeYearsFrom() {
        assertThatThrownBy(() -> sync(List.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("year range");
    }

    @Test
    void rejectsAGranularityChangeAndATableWithoutAYearProjection() {
        TableInput daily = TableDefinitions.silver(SALES, Fixtures.BUCKET, 2025, 2025);
        DatasetSpec hourly = new DatasetSpec(SALES.name(), SALES.eventTimeField(),
                Granularity.HOUR, SALES.key(), SALES.unknownFields(), SALES.fields(),
                SALES.database());

        assertThatThrownBy(() -> CatalogSync.silver(Optional.of(daily), hourly, Fixtures.BUCKET, List.of()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("granularity");
        assertThatThrownBy(() -> CatalogSync.silver(Optional.of(daily), SALES, Fixtures.BUCKET,
                List.of(Partition.hour(2025, 1, 1, 0)))).isInstanceOf(ValidationException.class);
        TableInput noProjection = daily.withParameters(Map.of("classification", "parquet"));
        assertThatThrownBy(() -> CatalogSync.silver(Optional.of(noProjection), SALES, Fixtures.BUCKET, List.of()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("no integer projection of year");
    }
}
