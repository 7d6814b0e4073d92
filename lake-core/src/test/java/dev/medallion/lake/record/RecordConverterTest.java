package dev.medallion.lake.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.record.RecordError.Kind;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.lake.spec.UnknownFieldPolicy;

class RecordConverterTest {
    private static final String TS = "\"2024-03-01T00:00:00Z\"";

    private static DatasetSpec spec(UnknownFieldPolicy policy, Field... extra) {
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("ts", FieldType.Primitive.TIMESTAMP, true));
        fields.addAll(List.of(extra));
        return new DatasetSpec("t", "ts", Granularity.DAY, Optional.empty(), policy, fields, "lake");
    }

    private static Field field(String name, String type) {
        return new Field(name, FieldType.parse(type), false);
    }

    /** Parses one line the way the pipeline does: through {@link NdjsonReader}. */
    private static ObjectNode json(String line) {
        try (var reader = new NdjsonReader(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), 1 << 20)) {
            SourceRecord record = reader.next();
            assertThat(record.ok()).as("%s", record.error()).isTrue();
            return record.value();
        }
    }

    /** Converts {@code {"ts": ..., "v": json}} with {@code v} of {@code type}. */
    private static RecordConverter.Result convert(String type, String json) {
        var converter = new RecordConverter(spec(UnknownFieldPolicy.DROP, field("v", type)));
        return converter.convert(json("{\"ts\":" + TS + ",\"v\":" + json + "}"));
    }

    private static Object value(String type, String json) {
        RecordConverter.Result result = convert(type, json);
        assertThat(result.ok()).as("%s -> %s", json, result.error()).isTrue();
        return result.row()[1];
    }

    private static RecordError error(String type, String json) {
        RecordConverter.Result result = convert(type, json);
        assertThat(result.ok()).as("%s -> %s", json, result.row() == null ? null : Arrays.deepToString(result.row()))
                .isFalse();
        assertThat(result.row()).isNull();
        return result.error();
    }

    private static Instant timestamp(String json) {
        return (Instant) value("timestamp", json);
    }

    // string

    @Test
    void stringTakesAnyScalarAsText() {
        assertThat(value("string", "\"abc\"")).isEqualTo("abc");
        assertThat(value("string", "\"\"")).isEqualTo("");
        assertThat(value("string", "12")).isEqualTo("12");
        assertThat(value("string", "true")).isEqualTo("true");
        assertThat(value("string", "1.50")).isEqualTo("1.50");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"a\":1}", "[\"a\"]" })
    void stringRejectsContainers(String json) {
        RecordError error = error("string", json);

        assertThat(error.kind()).isEqualTo(Kind.TYPE_MISMATCH);
        assertThat(error.field()).isEqualTo("v");
        assertThat(error.reason()).startsWith("expected a string but found ");
    }

    // boolean

    @Test
    void booleanTakesLiteralsAndWordsInAnyCase() {
        assertThat(value("boolean", "true")).isEqualTo(true);
        assertThat(value("boolean", "false")).isEqualTo(false);
        assertThat(value("boolean", "\"TRUE\"")).isEqualTo(true);
        assertThat(value("boolean", "\" False \"")).isEqualTo(false);
    }

    @ParameterizedTest
    @ValueSource(strings = { "1", "0", "\"yes\"", "\"t\"", "\"\"", "{}" })
    void booleanRejectsEverythingElse(String json) {
        RecordError error = error("boolean", json);

        assertThat(error.kind()).isEqualTo(Kind.TYPE_MISMATCH);
        assertThat(error.reason()).startsWith("expected true or false but found");
    }

    // int, long

    @Test
    void intTakesIntegralNumbersAndNumbersInStrings() {
        assertThat(value("int", "42")).isEqualTo(42);
        assertThat(value("int", "-7")).isEqualTo(-7);
        assertThat(value("int", "\"42\"")).isEqualTo(42);
        assertThat(value("int", "\" 42 \"")).isEqualTo(42);
        assertThat(value("int", "2.0")).isEqualTo(2);
        assertThat(value("int", "\"1e3\"")).isEqualTo(1000);
        assertThat(value("int", "2147483647")).isEqualTo(Integer.MAX_VALUE);
        assertThat(value("int", "-2147483648")).isEqualTo(Integer.MIN_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = { "1.5", "\"1.5\"", "0.0001", "\"4x\"", "\"\"", "true", "[1]", "1e-400" })
    void intRejectsFractionsAndNonNumbersAsMismatches(String json) {
        RecordError error = error("int", json);

        assertThat(error.kind()).isEqualTo(Kind.TYPE_MISMATCH);
        assertThat(error.reason()).startsWith("expected an integer but found ");
    }

    @ParameterizedTest
    @ValueSource(strings = { "2147483648", "-2147483649", "\"99999999999\"", "1e10" })
    void intOverflowIsOutOfRange(String json) {
        RecordError error = error("int", json);

        assertThat(error.kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(error.reason()).endsWith("does not fit in int");
    }

    @Test
    void longHasItsOwnRange() {
        assertThat(value("long", "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(value("long", "\"-9223372036854775808\"")).isEqualTo(Long.MIN_VALUE);
        assertThat(value("long", "2147483648")).isEqualTo(2147483648L);
        assertThat(error("long", "9223372036854775808").kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(error("long", "1.5").kind()).isEqualTo(Kind.TYPE_MISMATCH);
    }

    // double

    @Test
    void doubleTakesFiniteNumbers() {
        assertThat(value("double", "1.5")).isEqualTo(1.5);
        assertThat(value("double", "\"-2.25\"")).isEqualTo(-2.25);
        assertThat(value("double", "3")).isEqualTo(3.0);
        assertThat(value("double", "1e300")).isEqualTo(1e300);
    }

    @Test
    void doubleRejectsInfinitiesAndNaN() {
        assertThat(error("double", "1e400").kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(error("double", "\"-1e400\"").kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(error("double", "\"NaN\"").kind()).isEqualTo(Kind.TYPE_MISMATCH);
        assertThat(error("double", "\"Infinity\"").kind()).isEqualTo(Kind.TYPE_MISMATCH);
    }

    @Test
    void nonFiniteDoublesFromAnotherParserAreOutOfRangeNotACrash() {
        var converter = new RecordConverter(spec(UnknownFieldPolicy.DROP, field("v", "decimal(12,2)")));
        ObjectNode record = JsonNodeFactory.instance.objectNode().put("ts", "2024-03-01T00:00:00Z")
                .put("v", Double.POSITIVE_INFINITY);

        RecordConverter.Result result = converter.convert(record);

        assertThat(result.error().kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(result.error().field()).isEqualTo("v");
    }

    // decimal

    @Test
    void decimalIsScaledToItsType() {
        assertThat(value("decimal(12,2)", "12.34")).isEqualTo(new BigDecimal("12.34"));
        assertThat(value("decimal(12,2)", "\"12.3\"")).isEqualTo(new BigDecimal("12.30"));
        assertThat(value("decimal(12,2)", "12")).isEqualTo(new BigDecimal("12.00"));
        assertThat(value("decimal(12,2)", "12.340")).isEqualTo(new BigDecimal("12.34"));
        assertThat(value("decimal(12,2)", "-0.5")).isEqualTo(new BigDecimal("-0.50"));
        assertThat(value("decimal(12,2)", "0")).isEqualTo(new BigDecimal("0.00"));
        assertThat(value("decimal(12,2)", "9999999999.99")).isEqualTo(new BigDecimal("9999999999.99"));
        assertThat(value("decimal(5,0)", "\"1.2e2\"")).isEqualTo(new BigDecimal("120"));
    }

    @Test
    void decimalKeepsEveryDigitOfLongNumbers() {
        assertThat(value("decimal(38,2)", "12345678901234567.89")).isEqualTo(new BigDecimal("12345678901234567.89"));
        assertThat(value("decimal(38,10)", "-1234567890123456789012345678.0123456789"))
                .isEqualTo(new BigDecimal("-1234567890123456789012345678.0123456789"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "12.345", "\"0.001\"", "-1.999" })
    void decimalRejectsMoreDecimalsThanItsScaleInsteadOfRounding(String json) {
        RecordError error = error("decimal(12,2)", json);

        assertThat(error.kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(error.reason()).contains("more than 2 decimal places").contains("not rounded");
    }

    @ParameterizedTest
    @ValueSource(strings = { "10000000000", "10000000000.00", "-99999999999.9", "\"1e11\"" })
    void decimalRejectsMoreDigitsThanItsPrecision(String json) {
        RecordError error = error("decimal(12,2)", json);

        assertThat(error.kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(error.reason()).contains("more digits than decimal(12,2) allows");
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"12,34\"", "\"$1\"", "true", "{}" })
    void decimalRejectsNonNumbers(String json) {
        assertThat(error("decimal(12,2)", json).kind()).isEqualTo(Kind.TYPE_MISMATCH);
    }

    @Test
    @Timeout(10)
    void hugeExponentsAreOutOfRangeQuickly() {
        for (String type : List.of("decimal(12,2)", "decimal(38,0)", "int", "long", "double", "timestamp")) {
            for (String json : List.of("1e999999999", "\"1e999999999\"", "-1E+999999999", "\"1e-999999999\"")) {
                RecordError error = error(type, json);
                assertThat(error.kind()).as("%s %s", type, json).isIn(Kind.OUT_OF_RANGE, Kind.TYPE_MISMATCH);
                assertThat(error.reason()).as("%s %s", type, json).hasSizeLessThan(2_000);
            }
        }
    }

    // date

    @Test
    void dateTakesIsoDates() {
        assertThat(value("date", "\"2024-02-29\"")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(value("date", "\" 2024-01-05 \"")).isEqualTo(LocalDate.of(2024, 1, 5));
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"2023-02-29\"", "\"2024/01/05\"", "\"05.01.2024\"", "\"2024-1-5\"", "20240105",
            "\"2024-01-05T00:00:00Z\"" })
    void dateRejectsEverythingElse(String json) {
        RecordError error = error("date", json);

        assertThat(error.kind()).isEqualTo(Kind.TYPE_MISMATCH);
        assertThat(error.reason()).startsWith("expected a date as YYYY-MM-DD");
    }

    // timestamp

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"2024-03-01T12:00:00Z\" | 2024-03-01T12:00:00Z",
            "\"2024-03-01T12:00:00+02:00\" | 2024-03-01T10:00:00Z",
            "\"2024-03-01T01:30:00-05:30\" | 2024-03-01T07:00:00Z",
            "\"2024-03-01T23:30:00-01:00\" | 2024-03-02T00:30:00Z",
            "\"2024-03-01T12:00:00\" | 2024-03-01T12:00:00Z",
            "\"2024-03-01 12:00:00\" | 2024-03-01T12:00:00Z",
            "\"2024-03-01 12:00:00+01:00\" | 2024-03-01T11:00:00Z",
            "\"2024-03-01T12:00\" | 2024-03-01T12:00:00Z",
            "\"2024-03-01T12:00:00.5Z\" | 2024-03-01T12:00:00.500Z",
            "\"2024-03-01T12:00:00.123456789Z\" | 2024-03-01T12:00:00.123456Z",
            "\"2024-03-01T12:00:00.120Z\" | 2024-03-01T12:00:00.120Z",
            "\"2024-03-01T12:00:00.000007Z\" | 2024-03-01T12:00:00.000007Z",
            "\"2024-02-29T23:59:59Z\" | 2024-02-29T23:59:59Z",
            "\" 2024-03-01T12:00:00Z \" | 2024-03-01T12:00:00Z",
    })
    void timestampReadsIsoTextIntoUtc(String json, String expected) {
        assertThat(timestamp(json)).isEqualTo(Instant.parse(expected));
    }

    @Test
    void timestampReadsEpochSecondsBelowTenToTheElevenAndMillisAbove() {
        assertThat(timestamp("1700000000")).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
        assertThat(timestamp("\"1700000000\"")).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
        assertThat(timestamp("1700000000.25")).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 250_000_000));
        assertThat(timestamp("1700000000123")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(timestamp("\"1700000000123\"")).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(timestamp("99999999999")).isEqualTo(Instant.ofEpochSecond(99_999_999_999L));
        assertThat(timestamp("100000000000")).isEqualTo(Instant.ofEpochMilli(100_000_000_000L));
        assertThat(timestamp("-86400")).isEqualTo(Instant.parse("1969-12-31T00:00:00Z"));
        assertThat(timestamp("0")).isEqualTo(Instant.EPOCH);
    }

    @Test
    void timestampAcceptsYearsOneThousandToNineThousandNineHundredNinetyNine() {
        assertThat(timestamp("\"1000-01-01T00:00:00Z\"")).isEqualTo(Instant.parse("1000-01-01T00:00:00Z"));
        assertThat(timestamp("\"9999-12-31T23:59:59.999999Z\"")).isEqualTo(Instant.parse("9999-12-31T23:59:59.999999Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"+10000-01-01T00:00:00Z\"", "253402300800000", "\"0999-12-31T23:59:59Z\"",
            "\"9999-12-31T23:00:00-01:00\"", "-40000000000000", "1e20" })
    void timestampOutsideTheYearRangeIsOutOfRange(String json) {
        RecordError error = error("timestamp", json);

        assertThat(error.kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(error.field()).isEqualTo("v");
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"yesterday\"", "\"2024-03-01\"", "\"2024-03-01T25:00:00Z\"", "\"1.7e9\"", "true",
            "{}", "\"10000-01-01T00:00:00Z\"", "\"2023-02-29T00:00:00Z\"", "\"2024-03-01T12:00:60Z\"",
            "\"2024-03-01T12:00:0xZ\"", "\"2024-03-01T12:00:00.1234567890Z\"" })
    void timestampRejectsOtherText(String json) {
        RecordError error = error("timestamp", json);

        assertThat(error.kind()).isEqualTo(Kind.TYPE_MISMATCH);
        assertThat(error.reason()).startsWith("expected an ISO-8601 timestamp or epoch number");
    }

    // nulls and required fields

    @Test
    void missingRequiredIsRejectedAndMissingOptionalIsNull() {
        var converter = new RecordConverter(spec(UnknownFieldPolicy.DROP, new Field("id",
                FieldType.Primitive.STRING, true), field("note", "string")));

        RecordConverter.Result missing = converter.convert(json("{\"ts\":" + TS + "}"));
        RecordConverter.Result nul = converter.convert(json("{\"ts\":" + TS + ",\"id\":null}"));
        RecordConverter.Result missingTs = converter.convert(json("{\"id\":\"a\"}"));
        RecordConverter.Result ok = converter.convert(json("{\"ts\":" + TS + ",\"id\":\"a\",\"note\":null}"));

        assertThat(missing.error()).isEqualTo(new RecordError(Kind.MISSING_REQUIRED, "id", "a value is required"));
        assertThat(nul.error().kind()).isEqualTo(Kind.MISSING_REQUIRED);
        assertThat(missingTs.error().field()).isEqualTo("ts");
        assertThat(ok.ok()).isTrue();
        assertThat(ok.row()[1]).isEqualTo("a");
        assertThat(ok.row()[2]).isNull();
    }

    @Test
    void anEmptyStringIsAValueNotAMissingOne() {
        var converter = new RecordConverter(spec(UnknownFieldPolicy.DROP, new Field("id",
                FieldType.Primitive.STRING, true)));

        assertThat(converter.convert(json("{\"ts\":" + TS + ",\"id\":\"\"}")).ok()).isTrue();
    }

    // nested types

    private static final String ITEMS = "list<struct<sku:string,qty:int,price:decimal(12,2)>>";

    @Test
    void convertsNestedListsStructsAndMaps() {
        var converter = new RecordConverter(spec(UnknownFieldPolicy.DROP, field("items", ITEMS),
                field("attrs", "map<string,int>"), field("shipping", "struct<country:string,express:boolean>")));

        RecordConverter.Result result = converter.convert(json("{\"ts\":" + TS + ","
                + "\"items\":[{\"sku\":\"a\",\"qty\":\"2\",\"price\":1.5},null,{\"sku\":\"b\"}],"
                + "\"attrs\":{\"x\":1,\"y\":null},"
                + "\"shipping\":{\"country\":\"DE\",\"express\":\"true\"}}"));

        assertThat(result.ok()).as("%s", result.error()).isTrue();
        @SuppressWarnings("unchecked")
        List<Object> items = (List<Object>) result.row()[1];
        assertThat(items).hasSize(3);
        assertThat((Object[]) items.get(0)).containsExactly("a", 2, new BigDecimal("1.50"));
        assertThat(items.get(1)).isNull();
        assertThat((Object[]) items.get(2)).containsExactly("b", null, null);
        @SuppressWarnings("unchecked")
        Map<String, Object> attrs = (Map<String, Object>) result.row()[2];
        assertThat(attrs.keySet()).containsExactly("x", "y");
        assertThat(attrs).containsEntry("x", 1).containsEntry("y", null);
        assertThat((Object[]) result.row()[3]).containsExactly("DE", true);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"items\":[{\"qty\":1},{\"qty\":\"many\"}]} | items[1].qty | TYPE_MISMATCH",
            "{\"items\":[{\"qty\":1},{\"qty\":1},{\"price\":0.001}]} | items[2].price | OUT_OF_RANGE",
            "{\"items\":{\"qty\":1}} | items | TYPE_MISMATCH",
            "{\"items\":[\"sku\"]} | items[0] | TYPE_MISMATCH",
            "{\"attrs\":{\"ok\":1,\"bad\":\"x\"}} | attrs[\"bad\"] | TYPE_MISMATCH",
            "{\"attrs\":[1]} | attrs | TYPE_MISMATCH",
            "{\"shipping\":{\"express\":\"maybe\"}} | shipping.express | TYPE_MISMATCH",
            "{\"shipping\":\"DE\"} | shipping | TYPE_MISMATCH",
            "{\"grid\":[[1],[2,\"x\"]]} | grid[1][1] | TYPE_MISMATCH",
    })
    void nestedErrorsSayWhere(String json, String path, Kind kind) {
        var converter = new RecordConverter(spec(UnknownFieldPolicy.DROP, field("items", ITEMS),
                field("attrs", "map<string,int>"), field("shipping", "struct<country:string,express:boolean>"),
                field("grid", "list<list<int>>")));
        ObjectNode record = json(json);
        record.put("ts", "2024-03-01T00:00:00Z");

        RecordError error = converter.convert(record).error();

        assertThat(error.kind()).isEqualTo(kind);
        assertThat(error.field()).isEqualTo(path);
    }

    // unknown fields

    private static final String WITH_UNKNOWN = "{\"ts\":" + TS
            + ",\"id\":\"a\",\"color\":\"red\",\"extra\":{\"n\":[1,2.50]},\"shipping\":{\"country\":\"DE\",\"zip\":\"1\"}}";

    private static DatasetSpec withPolicy(UnknownFieldPolicy policy) {
        return spec(policy, field("id", "string"), field("shipping", "struct<country:string>"));
    }

    @Test
    void dropIgnoresUnknownFields() throws Exception {
        DatasetSpec spec = withPolicy(UnknownFieldPolicy.DROP);

        RecordConverter.Result result = new RecordConverter(spec).convert(json(WITH_UNKNOWN));

        assertThat(result.ok()).isTrue();
        assertThat(result.row()).hasSize(SilverColumns.of(spec).size()).hasSize(spec.fields().size() + 3);
        assertThat(result.row()[1]).isEqualTo("a");
        assertThat((Object[]) result.row()[2]).containsExactly("DE");
    }

    @Test
    void keepPutsUnknownTopLevelFieldsIntoExtraAsJson() throws Exception {
        DatasetSpec spec = withPolicy(UnknownFieldPolicy.KEEP);
        int extra = SilverColumns.of(spec).stream().map(Field::name).toList().indexOf(SilverColumns.EXTRA);

        RecordConverter.Result result = new RecordConverter(spec).convert(json(WITH_UNKNOWN));
        RecordConverter.Result none = new RecordConverter(spec).convert(json("{\"ts\":" + TS + "}"));

        assertThat(result.ok()).isTrue();
        assertThat(result.row()).hasSize(SilverColumns.of(spec).size());
        assertThat(extra).isEqualTo(spec.fields().size());
        assertThat(new ObjectMapper().readTree((String) result.row()[extra]))
                .isEqualTo(new ObjectMapper().readTree("{\"color\":\"red\",\"extra\":{\"n\":[1,2.50]}}"));
        assertThat((Object[]) result.row()[2]).containsExactly("DE");
        assertThat(none.row()[extra]).isNull();
    }

    @Test
    void quarantineRejectsUnknownTopLevelFields() {
        RecordConverter.Result result = new RecordConverter(withPolicy(UnknownFieldPolicy.QUARANTINE))
                .convert(json("{\"ts\":" + TS + ",\"id\":\"a\",\"color\":\"red\"}"));

        assertThat(result.error().kind()).isEqualTo(Kind.UNKNOWN_FIELD);
        assertThat(result.error().field()).isEqualTo("color");
    }

    @Test
    void quarantineRejectsUnknownNestedFields() {
        var converter = new RecordConverter(spec(UnknownFieldPolicy.QUARANTINE, field("shipping",
                "struct<country:string>"), field("items", ITEMS)));

        RecordError inStruct = converter.convert(json("{\"ts\":" + TS + ",\"shipping\":{\"zip\":\"1\"}}")).error();
        RecordError inList = converter
                .convert(json("{\"ts\":" + TS + ",\"items\":[{\"sku\":\"a\"},{\"sku\":\"b\",\"color\":\"red\"}]}"))
                .error();

        assertThat(inStruct.kind()).isEqualTo(Kind.UNKNOWN_FIELD);
        assertThat(inStruct.field()).isEqualTo("shipping.zip");
        assertThat(inList.kind()).isEqualTo(Kind.UNKNOWN_FIELD);
        assertThat(inList.field()).isEqualTo("items[1].color");
    }

    @Test
    void quarantineAcceptsRecordsWithOnlyKnownFields() {
        var converter = new RecordConverter(withPolicy(UnknownFieldPolicy.QUARANTINE));

        assertThat(converter.convert(json("{\"ts\":" + TS + ",\"id\":\"a\",\"shipping\":{\"country\":\"DE\"}}")).ok())
                .isTrue();
    }

    // row layout

    @Test
    void leavesLineageColumnsForTheCallerAndExposesEventTime() {
        DatasetSpec spec = spec(UnknownFieldPolicy.KEEP, field("id", "string"));
        var converter = new RecordConverter(spec);

        Object[] row = converter.convert(json("{\"id\":\"a\",\"ts\":\"2024-03-01T10:00:00+01:00\"}")).row();

        assertThat(row).hasSize(SilverColumns.of(spec).size());
        assertThat(Arrays.copyOfRange(row, row.length - 3, row.length)).containsOnlyNulls();
        assertThat(converter.eventTime(row)).isEqualTo(Instant.parse("2024-03-01T09:00:00Z"));
    }
}
