package dev.medallion.lake.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.FieldType.Decimal;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.spec.FieldType.Primitive;

class DatasetSpecsTest {
    /** The specs the local stack deploys; tests run in the module directory. */
    private static final Path DEPLOYED = Path.of("../deploy/local/datasets.yaml");

    private static DatasetSpecs parse(String yaml) {
        return DatasetSpecs.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    }

    /** A valid dataset with {@code extra} lines added to its entry (indented by four spaces). */
    private static String dataset(String name, String extra) {
        return """
                datasets:
                  %s:
                    event-time: ts
                %s    schema:
                      id: { type: string, required: true }
                      ts: { type: timestamp, required: true }
                """.formatted(name, extra);
    }

    @Test
    void aCompactionTargetSizeIsReadInBinaryUnitsAndMustBe128To512MiB() {
        assertThat(parse(dataset("sales", "    compaction: { target-file-size: 256MB }\n")).find("sales")
                .orElseThrow().compactionTargetBytes()).hasValue(256L << 20);
        assertThat(parse(dataset("sales", "    compaction: { target-file-size: 512 MiB }\n")).find("sales")
                .orElseThrow().compactionTargetBytes()).hasValue(512L << 20);
        assertThat(parse(dataset("sales", "")).find("sales").orElseThrow().compactionTargetBytes()).isEmpty();
        assertThatThrownBy(() -> parse(dataset("sales", "    compaction: { target-file-size: 64MB }\n")))
                .hasMessageContaining("outside 128MiB to 512MiB");
        assertThatThrownBy(() -> parse(dataset("sales", "    compaction: { target-file-size: 1GB }\n")))
                .hasMessageContaining("outside 128MiB to 512MiB");
        assertThatThrownBy(() -> parse(dataset("sales", "    compaction: { target-file-size: big }\n")))
                .hasMessageContaining("'big' is not a size");
        assertThatThrownBy(() -> parse(dataset("sales", "    compaction: { target: 256MB }\n")))
                .hasMessageContaining("target");
    }

    @Test
    void partitionByNamesStringFieldsOtherThanTheEventTime() {
        String base = """
                datasets:
                  clicks:
                    event-time: ts
                    partition-by: %s
                    schema:
                      country: string
                      hits:    int
                      ts:      { type: timestamp, required: true }
                """;
        assertThat(parse(base.formatted("[country]")).find("clicks").orElseThrow().partitionBy())
                .containsExactly("country");
        assertThatThrownBy(() -> parse(base.formatted("[hits]"))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("must be a string field");
        assertThatThrownBy(() -> parse(base.formatted("[ts]"))).hasMessageContaining("must be a string field");
        assertThatThrownBy(() -> parse(base.formatted("[city]"))).hasMessageContaining("not in the schema");
        assertThatThrownBy(() -> parse(base.formatted("[country, country]"))).hasMessageContaining("twice");
        assertThatThrownBy(() -> parse(base.formatted("country"))).hasMessageContaining("must be a list");
    }

    @Test
    void readsTheDeployedSalesSpec() throws IOException {
        DatasetSpecs specs;
        try (InputStream in = Files.newInputStream(DEPLOYED)) {
            specs = DatasetSpecs.parse(in);
        }

        DatasetSpec sales = specs.find("sales").orElseThrow();
        assertThat(sales.name()).isEqualTo("sales");
        assertThat(sales.eventTimeField()).isEqualTo("ts");
        assertThat(sales.granularity()).isEqualTo(Granularity.DAY);
        assertThat(sales.key()).contains("order_id");
        assertThat(sales.unknownFields()).isEqualTo(UnknownFieldPolicy.KEEP);
        assertThat(sales.database()).isEqualTo("lake");
        assertThat(sales.fields()).extracting(Field::name)
                .startsWith("order_id", "customer_id", "amount")
                .contains("ts", "items", "shipping");
        assertThat(sales.fields()).contains(
                new Field("order_id", Primitive.STRING, true),
                new Field("amount", new Decimal(12, 2), true),
                new Field("ts", Primitive.TIMESTAMP, true),
                new Field("items", FieldType.parse("list<struct<sku:string,qty:int,price:decimal(12,2)>>"), false),
                new Field("shipping", FieldType.parse("struct<country:string,city:string,express:boolean>"), false));
        assertThat(sales.indexOf("order_id")).isZero();
        assertThat(sales.indexOf("nope")).isEqualTo(-1);
    }

    @Test
    void readsAFullSpecKeepingFieldOrder() {
        DatasetSpecs specs = parse("""
                datasets:
                  clicks:
                    event-time: at
                    partitioning: hour
                    key: click_id
                    unknown-fields: quarantine
                    catalog: { database: web }
                    schema:
                      click_id: { type: string, required: true }
                      url: string
                      at: { type: timestamp, required: true }
                      tags: "map<string,string>"
                  orders:
                    event-time: ts
                    unknown-fields: DROP
                    schema:
                      ts: { type: timestamp, required: true }
                """);

        assertThat(specs.all()).extracting(DatasetSpec::name).containsExactlyInAnyOrder("clicks", "orders");
        DatasetSpec clicks = specs.find("clicks").orElseThrow();
        assertThat(clicks).isEqualTo(new DatasetSpec("clicks", "at", Granularity.HOUR, Optional.of("click_id"),
                UnknownFieldPolicy.QUARANTINE, List.of(
                        new Field("click_id", Primitive.STRING, true),
                        new Field("url", Primitive.STRING, false),
                        new Field("at", Primitive.TIMESTAMP, true),
                        new Field("tags", new FieldType.MapOf(Primitive.STRING), false)),
                "web"));
        assertThat(specs.find("orders").orElseThrow().unknownFields()).isEqualTo(UnknownFieldPolicy.DROP);
    }

    @Test
    void appliesDefaults() {
        DatasetSpec spec = parse(dataset("sales", "")).find("sales").orElseThrow();

        assertThat(spec.granularity()).isEqualTo(Granularity.DAY);
        assertThat(spec.key()).isEmpty();
        assertThat(spec.unknownFields()).isEqualTo(UnknownFieldPolicy.KEEP);
        assertThat(spec.database()).isEqualTo("lake");
    }

    @Test
    void findTreatsUntrustedNamesAsUnknown() {
        DatasetSpecs specs = parse(dataset("sales", ""));

        assertThat(specs.find("sales")).isPresent();
        assertThat(specs.find("../sales")).isEmpty();
        assertThat(specs.find("SALES")).isEmpty();
        assertThat(specs.find(null)).isEmpty();
    }

    @Test
    void readsGoldTablesWithTheirColumnTypes() {
        DatasetSpec spec = parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema:
                      id: { type: string, required: true }
                      ts: { type: timestamp, required: true }
                      channel: string
                      amount: "decimal(12,2)"
                      qty: int
                    gold:
                      daily:
                        dimensions: [channel]
                        measures: { n: count, revenue: "sum(amount)", units: "SUM( qty )", mean: avg(qty),
                                    first: min(ts), buyers: approx_count_distinct(id) }
                """).find("sales").orElseThrow();

        assertThat(spec.gold()).hasSize(1);
        assertThat(spec.gold().get(0).columns(spec.fields())).containsExactly(
                new Field("event_date", Primitive.DATE, true), new Field("channel", Primitive.STRING, false),
                new Field("n", Primitive.LONG, false), new Field("revenue", new Decimal(38, 2), false),
                new Field("units", Primitive.LONG, false), new Field("mean", Primitive.DOUBLE, false),
                new Field("first", Primitive.TIMESTAMP, false), new Field("buyers", Primitive.LONG, false));
    }

    @Test
    void rejectsGoldTablesThatCannotBeComputed() {
        String base = dataset("sales", "") + """
                      amount: "decimal(12,2)"
                      tags: "list<string>"
                    gold:
                      daily:
                """;
        assertThatThrownBy(() -> parse(base + "        measures: { n: median(amount) }\n"))
                .hasMessageContaining("unknown function 'median'");
        assertThatThrownBy(() -> parse(base + "        measures: { n: sum(id) }\n"))
                .hasMessageContaining("measure 'n' cannot sum a string");
        assertThatThrownBy(() -> parse(base + "        measures: { n: sum }\n"))
                .hasMessageContaining("sum needs a field");
        assertThatThrownBy(() -> parse(base + "        measures: { n: max(nope) }\n"))
                .hasMessageContaining("'nope' is not a field");
        assertThatThrownBy(() -> parse(base + "        dimensions: [tags]\n        measures: { n: count }\n"))
                .hasMessageContaining("dimension 'tags' is a list<string>, not a scalar");
        assertThatThrownBy(() -> parse(base + "        measures: {}\n")).hasMessageContaining("no measures");
        assertThatThrownBy(() -> parse(base.replace("daily:", "sales:") + "        measures: { n: count }\n"))
                .hasMessageContaining("'sales'");
    }

    @Test
    void rejectsAnUnknownDatasetKey() {
        assertThatThrownBy(() -> parse(dataset("sales", "    partitionning: hour\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot define dataset 'sales': unknown key 'partitionning'")
                .hasMessageContaining("partitioning");
    }

    @Test
    void anUnquotedTypeWithACommaInAFlowMapIsExplained() {
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema:
                      amount: { type: decimal(12,2), required: true }
                      ts:     { type: timestamp }
                """))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("field 'amount': type 'decimal(12' is cut at a comma")
                .hasMessageContaining("{ type: \"decimal(12,2)\" }");
        assertThat(parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema:
                      amount: decimal(12,2)
                      ts:     { type: timestamp, required: true }
                """).find("sales")).as("in block style, or quoted, the comma is no problem").isPresent();
    }

    @Test
    void rejectsAnUnknownFieldKey() {
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema:
                      ts: { type: timestamp, requried: true }
                """))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("dataset 'sales' field 'ts'")
                .hasMessageContaining("unknown key 'requried'");
    }

    @Test
    void rejectsAnUnknownCatalogKey() {
        assertThatThrownBy(() -> parse(dataset("sales", "    catalog: { databse: finance }\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("dataset 'sales' catalog")
                .hasMessageContaining("unknown key 'databse'");
        assertThatThrownBy(() -> parse(dataset("sales", "    catalog: finance\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("expected a map");
    }

    @Test
    void rejectsAKeyGivenTwice() {
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema:
                      ts: { type: timestamp, required: true }
                      amount: string
                      amount: "decimal(12,2)"
                """))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot read dataset specs")
                .hasMessageContaining("amount");
    }

    @Test
    void requiresEventTime() {
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    schema:
                      ts: { type: timestamp, required: true }
                """))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': 'event-time' is required");
    }

    @Test
    void requiresEventTimeInTheSchema() {
        assertThatThrownBy(() -> parse(dataset("sales", "").replace("event-time: ts", "event-time: at")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': event-time field 'at' is not in the schema");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{ type: timestamp }", "{ type: timestamp, required: false }",
            "{ type: string, required: true }", "{ type: date, required: true }", "timestamp" })
    void requiresEventTimeToBeARequiredTimestamp(String definition) {
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema:
                      ts: %s
                """.formatted(definition)))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': event-time field 'ts' must be a required timestamp");
    }

    @Test
    void requiresTheKeyInTheSchema() {
        assertThatThrownBy(() -> parse(dataset("sales", "    key: order_id\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': key field 'order_id' is not in the schema");
    }

    @Test
    void reservesLeadingUnderscoreForLineageColumns() {
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema:
                      ts: { type: timestamp, required: true }
                      _extra: string
                """))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("field '_extra' starts with '_'");
    }

    @ParameterizedTest
    @ValueSource(strings = { "year", "month", "day" })
    void rejectsFieldsNamedLikeAPartitionColumn(String field) {
        assertThatThrownBy(() -> parse(dataset("sales", "").replace("id:", field + ":")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot define dataset 'sales': field '" + field
                        + "' has the name of a partition column");
    }

    @Test
    void rejectsAnHourFieldOnlyWhenPartitioningByHour() {
        String withHour = dataset("sales", "").replace("id:", "hour:");

        assertThat(parse(withHour).find("sales").orElseThrow().indexOf("hour")).isZero();
        assertThatThrownBy(() -> parse(withHour.replace("event-time: ts", "event-time: ts\n    partitioning: hour")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("field 'hour' has the name of a partition column");
    }

    @ParameterizedTest
    @ValueSource(strings = { "\"../x\"", "\"a/b\"", "Sales", "\"%2F\"", "\"1x\"", "\"x y\"" })
    void rejectsBadDatasetNames(String name) {
        assertThatThrownBy(() -> parse(dataset(name, "")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot use name '");
    }

    @Test
    void rejectsABadCatalogDatabaseName() {
        assertThatThrownBy(() -> parse(dataset("sales", "    catalog: { database: \"../lake\" }\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot use name '../lake'");
    }

    @Test
    void rejectsBadFieldNames() {
        assertThatThrownBy(() -> parse(dataset("sales", "").replace("id:", "Order-Id:")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("Cannot use field name 'Order-Id'");
    }

    @Test
    void namesTheFieldWithABadType() {
        assertThatThrownBy(() -> parse(dataset("sales", "").replace("type: string", "type: \"decimal(40,2)\"")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot define dataset 'sales' field 'id': Cannot parse type 'decimal(40,2)'")
                .hasMessageContaining("precision must be between 1 and 38");
        assertThatThrownBy(() -> parse(dataset("sales", "").replace("type: string", "type: \"map<int,string>\"")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("field 'id'")
                .hasMessageContaining("map keys must be string at position 7");
    }

    @Test
    void requiresAFieldType() {
        assertThatThrownBy(() -> parse(dataset("sales", "").replace("type: string, ", "")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales' field 'id': 'type' is required");
    }

    @Test
    void requiresRequiredToBeABoolean() {
        assertThatThrownBy(() -> parse(dataset("sales", "").replace("type: string, required: true",
                "type: string, required: \"yes\"")))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("'required' must be true or false");
    }

    @Test
    void rejectsUnknownPartitioningAndPolicy() {
        assertThatThrownBy(() -> parse(dataset("sales", "    partitioning: week\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot use partitioning 'week': expected day or hour");
        assertThatThrownBy(() -> parse(dataset("sales", "    unknown-fields: ignore\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot use unknown-fields 'ignore': expected drop, keep or quarantine");
    }

    @Test
    void rejectsNonScalarValues() {
        assertThatThrownBy(() -> parse(dataset("sales", "    key: [id]\n")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': 'key' must be a plain value");
    }

    @Test
    void rejectsAMissingOrEmptySchema() {
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    event-time: ts
                """))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales' schema: expected a map");
        assertThatThrownBy(() -> parse("""
                datasets:
                  sales:
                    event-time: ts
                    schema: {}
                """))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': the schema has no fields");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "datasets:\n", "datasets: {}\n", "datasets: [sales]\n", "dataset:\n  sales: {}\n",
            "- a\n- b\n" })
    void requiresADatasetsMap(String yaml) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot read dataset specs: expected a 'datasets' map with at least one entry");
    }

    @Test
    void rejectsADatasetThatIsNotAMap() {
        assertThatThrownBy(() -> parse("datasets:\n  sales: yes\n"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': expected a map");
    }

    @Test
    void rejectsTextThatIsNotYaml() {
        assertThatThrownBy(() -> parse("datasets: { sales: [\n"))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot read dataset specs: ");
    }

    @Test
    void specConstructorValidatesToo() {
        List<Field> fields = List.of(new Field("ts", Primitive.TIMESTAMP, true));

        assertThatThrownBy(() -> new DatasetSpec("sales", "ts", Granularity.DAY, Optional.empty(),
                UnknownFieldPolicy.KEEP, List.of(), "lake"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("Cannot define dataset 'sales': the schema has no fields");
        assertThatThrownBy(() -> new DatasetSpec("sales", "ts", Granularity.DAY, Optional.empty(),
                UnknownFieldPolicy.KEEP, List.of(fields.get(0), fields.get(0)), "lake"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("field 'ts' appears twice");
        assertThatThrownBy(() -> new DatasetSpec("sales", "ts", Granularity.DAY, Optional.empty(),
                UnknownFieldPolicy.KEEP, fields, "Lake"))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot use name 'Lake'");
    }
}
