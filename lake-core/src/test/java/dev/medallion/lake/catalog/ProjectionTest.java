package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.catalog.Projection.DateProjection;
import dev.medallion.lake.catalog.Projection.DateUnit;
import dev.medallion.lake.catalog.Projection.EnumProjection;
import dev.medallion.lake.catalog.Projection.InjectedProjection;
import dev.medallion.lake.catalog.Projection.IntegerProjection;

class ProjectionTest {

    @Test
    void eachTypeSaysWhichLocationValuesItProjects() {
        var year = Projection.IntegerProjection.range(2020, 2030);
        assertThat(year.projects("2026")).isTrue();
        assertThat(year.projects("2031")).isFalse();
        assertThat(year.projects("02026")).isFalse();
        assertThat(year.projects("x")).isFalse();
        var month = Projection.IntegerProjection.padded(1, 12, 2);
        assertThat(month.projects("03")).isTrue();
        assertThat(month.projects("3")).isFalse();
        var channel = new Projection.EnumProjection(List.of("web", "store"));
        assertThat(channel.projects("web")).isTrue();
        assertThat(channel.projects("app")).isFalse();
        assertThat(new Projection.InjectedProjection().projects("anything")).isTrue();
        var dt = new Projection.DateProjection("2020-01-01", "NOW", "yyyy-MM-dd", 1, Projection.DateUnit.DAYS);
        assertThat(dt.projects("2026-11-24")).isTrue();
        assertThat(dt.projects("2019-12-31")).isFalse();
        assertThat(dt.projects("2026/11/24")).isFalse();
        var months = new Projection.DateProjection("2020-01", "2030-12", "yyyy-MM", 1, Projection.DateUnit.MONTHS);
        assertThat(months.projects("2026-11")).isTrue();
        assertThat(months.projects("2026-13")).isFalse();
    }

    @Test
    void integerRendersRangeAndOptionalIntervalAndDigits() {
        assertThat(IntegerProjection.range(2024, 2026).properties("year")).containsExactly(
                entry("projection.year.type", "integer"),
                entry("projection.year.range", "2024,2026"));
        assertThat(new IntegerProjection(0, 100, 5, OptionalInt.of(3)).properties("bucket")).containsExactly(
                entry("projection.bucket.type", "integer"),
                entry("projection.bucket.range", "0,100"),
                entry("projection.bucket.interval", "5"),
                entry("projection.bucket.digits", "3"));
    }

    @Test
    void integerRendersValuesAsAthenaDoes() {
        IntegerProjection month = IntegerProjection.padded(1, 12, 2);

        assertThat(month.render(3)).isEqualTo("03");
        assertThat(month.render(12)).isEqualTo("12");
        assertThat(IntegerProjection.range(2024, 2026).render(2025)).isEqualTo("2025");
        assertThat(month.contains(1)).isTrue();
        assertThat(month.contains(13)).isFalse();
        assertThat(new IntegerProjection(0, 10, 5, OptionalInt.empty()).contains(3)).isFalse();
    }

    @Test
    void integerValidatesItself() {
        assertThatThrownBy(() -> IntegerProjection.range(2026, 2024)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("range 2026,2024").hasMessageContaining("greater than the maximum");
        assertThatThrownBy(() -> new IntegerProjection(1, 2, 0, OptionalInt.empty()))
                .isInstanceOf(ValidationException.class).hasMessageContaining("interval 0");
        assertThatThrownBy(() -> IntegerProjection.padded(1, 2, 0)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("digits 0");
        assertThatThrownBy(() -> IntegerProjection.padded(1, 2, 11)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("digits 11");
    }

    @Test
    void dateRendersAllItsProperties() {
        var projection = new DateProjection("NOW-3YEARS", "NOW", "yyyy-MM-dd", 1, DateUnit.DAYS);

        assertThat(projection.properties("dt")).containsExactly(
                entry("projection.dt.type", "date"),
                entry("projection.dt.range", "NOW-3YEARS,NOW"),
                entry("projection.dt.format", "yyyy-MM-dd"),
                entry("projection.dt.interval", "1"),
                entry("projection.dt.interval.unit", "DAYS"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "NOW", "NOW-3YEARS", "NOW+1DAYS", "NOW-12MONTHS", "NOW-2WEEKS", "NOW+6HOURS",
            "NOW-30MINUTES", "NOW-10SECONDS", "2021/01/01/00" })
    void dateAcceptsWhatAthenaAccepts(String start) {
        assertThat(new DateProjection(start, "NOW", "yyyy/MM/dd/HH", 1, DateUnit.HOURS).rangeStart()).isEqualTo(start);
    }

    @ParameterizedTest
    @ValueSource(strings = { "now", "NOW-3", "NOW-3YEAR", "NOW - 3YEARS", "NOW-3MILLISECONDS", "2021-01-01",
            "2021/13/01/00", "yesterday", "" })
    void dateRejectsRangeValuesAthenaDoesNot(String start) {
        assertThatThrownBy(() -> new DateProjection(start, "NOW", "yyyy/MM/dd/HH", 1, DateUnit.HOURS))
                .isInstanceOf(ValidationException.class).hasMessageContaining("range value '" + start + "'");
    }

    @Test
    void dateValidatesFormatIntervalAndUnit() {
        assertThatThrownBy(() -> new DateProjection("NOW", "NOW", "yyyy-MM-dd,HH", 1, DateUnit.DAYS))
                .isInstanceOf(ValidationException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> new DateProjection("NOW", "NOW", "yyyy-MM-dd{", 1, DateUnit.DAYS))
                .isInstanceOf(ValidationException.class).hasMessageContaining("format");
        assertThatThrownBy(() -> new DateProjection("NOW", "NOW", "yyyy", 0, DateUnit.DAYS))
                .isInstanceOf(ValidationException.class).hasMessageContaining("interval 0");
        assertThatThrownBy(() -> new DateProjection("NOW", "NOW", "yyyy", 1, null))
                .isInstanceOf(ValidationException.class).hasMessageContaining("interval.unit");
        assertThatThrownBy(() -> DateUnit.parse("projection.dt.interval.unit", "FORTNIGHTS"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("projection.dt.interval.unit 'FORTNIGHTS'").hasMessageContaining("MILLISECONDS");
        assertThat(DateUnit.parse("x", " hours ")).isEqualTo(DateUnit.HOURS);
    }

    @Test
    void enumRendersValuesAndValidatesThem() {
        assertThat(new EnumProjection(List.of("eu", "us")).properties("region")).containsExactly(
                entry("projection.region.type", "enum"),
                entry("projection.region.values", "eu,us"));
        assertThatThrownBy(() -> new EnumProjection(List.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> new EnumProjection(List.of("a,b"))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("'a,b'").hasMessageContaining("comma");
        assertThatThrownBy(() -> new EnumProjection(List.of(""))).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> new EnumProjection(List.of("a", "a"))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("repeats");
    }

    @Test
    void injectedRendersItsTypeOnly() {
        assertThat(new InjectedProjection().properties("tenant"))
                .containsExactly(entry("projection.tenant.type", "injected"));
    }

    @Test
    void everyTypeReadsBackToAnEqualValue() {
        List<Projection> projections = List.of(IntegerProjection.range(2024, 2026),
                new IntegerProjection(-5, 100, 5, OptionalInt.of(3)),
                new DateProjection("2021-01-01", "NOW+1DAYS", "yyyy-MM-dd", 2, DateUnit.DAYS),
                new EnumProjection(List.of("a", "b c")), new InjectedProjection());

        for (Projection projection : projections) {
            assertThat(Projection.read("col", projection.properties("col"))).contains(projection);
        }
    }

    @Test
    void readIsLenientWhereAthenaIsAndNamesThePropertyAtFault() {
        assertThat(Projection.read("year", Map.of("projection.year.type", " Integer ", "projection.year.range",
                " 2024 , 2026 "))).contains(IntegerProjection.range(2024, 2026));
        assertThat(Projection.read("year", Map.of())).isEmpty();
        assertThatThrownBy(() -> Projection.read("year", Map.of("projection.year.type", "integer")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("projection.year.range")
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> Projection.read("year",
                Map.of("projection.year.type", "integer", "projection.year.range", "2024-2026")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("projection.year.range");
        assertThatThrownBy(() -> Projection.read("year",
                Map.of("projection.year.type", "integer", "projection.year.range", "a,b")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("projection.year.range")
                .hasMessageContaining("'a'");
        assertThatThrownBy(() -> Projection.read("year", Map.of("projection.year.type", "bitmap")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("projection.year.type 'bitmap'");
    }

    @Test
    void tablePropertiesEnableProjectionAndRequireAPlaceholderPerColumn() {
        Map<String, Projection> byColumn = new LinkedHashMap<>();
        byColumn.put("year", IntegerProjection.range(2024, 2026));
        byColumn.put("region", new EnumProjection(List.of("eu")));

        assertThat(Projection.tableProperties(byColumn, "s3://b/t/region=${region}/year=${year}")).containsExactly(
                entry("projection.enabled", "true"),
                entry("projection.year.type", "integer"),
                entry("projection.year.range", "2024,2026"),
                entry("projection.region.type", "enum"),
                entry("projection.region.values", "eu"),
                entry("storage.location.template", "s3://b/t/region=${region}/year=${year}"));
        assertThatThrownBy(() -> Projection.tableProperties(byColumn, "s3://b/t/year=${year}"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("${region}");
        assertThatThrownBy(() -> Projection.tableProperties(byColumn, "/t/region=${region}/year=${year}"))
                .isInstanceOf(ValidationException.class).hasMessageContaining("s3://");
        assertThatThrownBy(() -> Projection.tableProperties(Map.of(), "s3://b/t/"))
                .isInstanceOf(ValidationException.class);
    }
}
