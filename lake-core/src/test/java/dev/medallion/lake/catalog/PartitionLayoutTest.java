package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.catalog.Projection.IntegerProjection;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.Granularity;

class PartitionLayoutTest {
    private static final String LOCATION = "s3://bucket/silver/sales/";

    @Test
    void fieldsFollowTheTimeKeysAsEnumProjectedStringsAndRoundTripThroughPathsAndKeys() {
        DatasetSpec spec = Fixtures.spec("""
                datasets:
                  clicks:
                    event-time: ts
                    partition-by: [country, device]
                    schema:
                      country: string
                      device:  string
                      ts:      { type: timestamp, required: true }
                """);
        PartitionLayout layout = PartitionLayout.of(spec);
        Partition partition = Partition.day(2026, 3, 7).with(List.of("DE", "ios"));

        assertThat(layout.keys()).containsExactly("year", "month", "day", "country", "device");
        assertThat(layout.path(partition)).isEqualTo("year=2026/month=03/day=07/country=DE/device=ios");
        assertThat(layout.parse(layout.path(partition))).isEqualTo(partition);
        assertThat(layout.fromValues(layout.values(partition))).isEqualTo(partition);
        assertThat(layout.locationTemplate(LOCATION)).isEqualTo(
                LOCATION + "year=${year}/month=${month}/day=${day}/country=${country}/device=${device}");
        assertThat(layout.partitionKeys()).extracting(TableInput.Column::type)
                .containsExactly("int", "int", "int", "string", "string");
        assertThat(PartitionLayout.of(layout.partitionKeys()).path(partition)).isEqualTo(layout.path(partition));
        assertThat(layout.projections(2026, 2026, Map.of("country", List.of("DE", "FR"), "device", List.of("ios")))
                .get("country")).isEqualTo(new Projection.EnumProjection(List.of("DE", "FR")));
        assertThatThrownBy(() -> layout.projections(2026, 2026, Map.of("country", List.of("DE"))))
                .isInstanceOf(ValidationException.class).hasMessageContaining("device");
        assertThatThrownBy(() -> layout.parse("year=2026/month=03/day=07/country=DE"))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> layout.parse("year=2026/month=03/day=07/country=D E/device=ios"))
                .isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> layout.path(Partition.day(2026, 3, 7))).isInstanceOf(ValidationException.class);
    }

    @Test
    void keysPerGranularity() {
        assertThat(PartitionLayout.of(Granularity.DAY).partitionKeys()).containsExactly(
                new TableInput.Column("year", "int"), new TableInput.Column("month", "int"),
                new TableInput.Column("day", "int"));
        assertThat(PartitionLayout.of(Granularity.HOUR).keys()).containsExactly("year", "month", "day", "hour");
        assertThat(PartitionLayout.of(Granularity.HOUR).granularity()).isEqualTo(Granularity.HOUR);
    }

    @Test
    void dayTableProperties() {
        assertThat(PartitionLayout.DAY.tableProperties(LOCATION, 2024, 2026, Map.of())).containsExactly(
                entry("projection.enabled", "true"),
                entry("projection.year.type", "integer"),
                entry("projection.year.range", "2024,2026"),
                entry("projection.month.type", "integer"),
                entry("projection.month.range", "1,12"),
                entry("projection.month.digits", "2"),
                entry("projection.day.type", "integer"),
                entry("projection.day.range", "1,31"),
                entry("projection.day.digits", "2"),
                entry("storage.location.template",
                        "s3://bucket/silver/sales/year=${year}/month=${month}/day=${day}"));
    }

    @Test
    void hourAddsAnHourProjectionAndPlaceholder() {
        Map<String, String> properties = PartitionLayout.HOUR.tableProperties(LOCATION, 2026, 2026, Map.of());

        assertThat(properties).contains(entry("projection.hour.type", "integer"),
                entry("projection.hour.range", "0,23"), entry("projection.hour.digits", "2"),
                entry("storage.location.template",
                        "s3://bucket/silver/sales/year=${year}/month=${month}/day=${day}/hour=${hour}"));
    }

    @Test
    void yearRangeMustBeFourDigitYears() {
        assertThatThrownBy(() -> PartitionLayout.DAY.projections(999, 2026, Map.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("projection.year.range");
        assertThatThrownBy(() -> PartitionLayout.DAY.projections(2027, 2026, Map.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("greater than the maximum");
        assertThatThrownBy(() -> PartitionLayout.DAY.locationTemplate("s3://bucket/silver/sales"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("end with '/'");
    }

    @Test
    void rendersAndParsesPaths() {
        assertThat(PartitionLayout.DAY.path(Partition.day(2026, 3, 7))).isEqualTo("year=2026/month=03/day=07");
        assertThat(PartitionLayout.HOUR.path(Partition.hour(2026, 12, 31, 5)))
                .isEqualTo("year=2026/month=12/day=31/hour=05");
        assertThat(PartitionLayout.DAY.parse("year=2026/month=03/day=07")).isEqualTo(Partition.day(2026, 3, 7));
        assertThat(PartitionLayout.HOUR.parse("year=2026/month=12/day=31/hour=23"))
                .isEqualTo(Partition.hour(2026, 12, 31, 23));
        assertThat(PartitionLayout.DAY.values(Partition.day(2026, 3, 7)))
                .containsExactly(entry("year", "2026"), entry("month", "03"), entry("day", "07"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "year=2026/month=3/day=07", "year=2026/month=03/day=7", "year=26/month=03/day=07",
            "year=2026/month=03/day=07/", "/year=2026/month=03/day=07", "year=2026/month=03/day=07/hour=01",
            "year=2026/month=13/day=07", "year=2026/month=02/day=30", "year=2026/month=00/day=07",
            "year=2026/day=07/month=03", "year=2026/month=03/day=07/../x", "YEAR=2026/month=03/day=07",
            "year=2026/month=+3/day=07", "year=0999/month=03/day=07", "year=2026/month=03/day=07.parquet" })
    void dayLayoutRejectsAnyOtherPath(String path) {
        assertThatThrownBy(() -> PartitionLayout.DAY.parse(path)).isInstanceOf(ValidationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "year=2026/month=03/day=07", "year=2026/month=03/day=07/hour=24",
            "year=2026/month=03/day=07/hour=5" })
    void hourLayoutRejectsAnyOtherPath(String path) {
        assertThatThrownBy(() -> PartitionLayout.HOUR.parse(path)).isInstanceOf(ValidationException.class);
    }

    @Test
    void partitionsOfTheOtherGranularityAreRejected() {
        assertThatThrownBy(() -> PartitionLayout.DAY.path(Partition.hour(2026, 3, 7, 1)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("has an hour");
        assertThatThrownBy(() -> PartitionLayout.HOUR.path(Partition.day(2026, 3, 7)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("hour is missing");
    }

    @Test
    void readsPartitionValuesStrictly() {
        assertThat(PartitionLayout.DAY.fromValues(Map.of("year", "2026", "month", "03", "day", "07")))
                .isEqualTo(Partition.day(2026, 3, 7));
        assertThatThrownBy(() -> PartitionLayout.DAY.fromValues(Map.of("year", "2026", "month", "3", "day", "07")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("Cannot read partition values");
        assertThatThrownBy(() -> PartitionLayout.DAY.fromValues(Map.of("year", "2026", "month", "03")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("exactly the keys");
        assertThatThrownBy(() -> PartitionLayout.DAY
                .fromValues(Map.of("year", "2026", "month", "03", "day", "07/hour=01")))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void partitionOfAnInstantIsItsUtcDayOrHour() {
        Instant t = Instant.parse("2026-03-07T23:59:59.999Z");

        assertThat(PartitionLayout.DAY.partitionOf(t)).isEqualTo(Partition.day(2026, 3, 7));
        assertThat(PartitionLayout.HOUR.partitionOf(t)).isEqualTo(Partition.hour(2026, 3, 7, 23));
        assertThat(PartitionLayout.DAY.partitionOf(Instant.parse("2026-03-08T00:00:00Z")))
                .isEqualTo(Partition.day(2026, 3, 8));
    }

    @Test
    void partitionsAreRealDatesWithFourDigitYears() {
        assertThatThrownBy(() -> Partition.day(2026, 2, 29)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("not a date");
        assertThat(Partition.day(2024, 2, 29).day()).isEqualTo(29);
        assertThatThrownBy(() -> Partition.day(999, 1, 1)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> Partition.day(10000, 1, 1)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> Partition.hour(2026, 1, 1, 24)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> Partition.hour(2026, 1, 1, -1)).isInstanceOf(ValidationException.class);
    }

    /**
     * The proof that writer and table agree: for every day (and hour) of a leap year and the years around it, the
     * path the writer uses is the table's template with each placeholder replaced by the value Athena's projection
     * generates for it, and that value is inside the projected range. Parsing the path gives the partition back.
     */
    @Test
    void everyRenderedPathIsTheTemplateWithProjectedValuesSubstituted() {
        for (PartitionLayout layout : List.of(PartitionLayout.DAY, PartitionLayout.HOUR)) {
            Map<String, Projection> projections = layout.projections(2023, 2025, Map.of());
            String template = layout.locationTemplate(LOCATION);
            int checked = 0;
            for (LocalDate date = LocalDate.of(2023, 1, 1); date.getYear() <= 2025; date = date.plusDays(1)) {
                for (int hour = 0; hour < (layout == PartitionLayout.HOUR ? 24 : 1); hour++) {
                    Partition partition = layout == PartitionLayout.HOUR
                            ? Partition.hour(date.getYear(), date.getMonthValue(), date.getDayOfMonth(), hour)
                            : Partition.day(date.getYear(), date.getMonthValue(), date.getDayOfMonth());
                    Map<String, Integer> numbers = Map.of("year", partition.year(), "month", partition.month(), "day",
                            partition.day(), "hour", partition.hour().orElse(-1));
                    String expected = template;
                    for (String key : layout.keys()) {
                        IntegerProjection projection = (IntegerProjection) projections.get(key);
                        assertThat(projection.contains(numbers.get(key))).as("%s in %s", key, partition).isTrue();
                        expected = expected.replace("${" + key + "}", projection.render(numbers.get(key)));
                    }
                    String path = layout.path(partition);
                    assertThat(LOCATION + path).isEqualTo(expected);
                    assertThat(layout.parse(path)).isEqualTo(partition);
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(layout == PartitionLayout.HOUR ? 1096 * 24 : 1096);
        }
    }
}
