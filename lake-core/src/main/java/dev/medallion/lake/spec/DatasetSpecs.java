package dev.medallion.lake.spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.gold.GoldTable;

/**
 * The datasets a deployment knows, read from YAML:
 *
 * <pre>
 * datasets:
 *   sales:
 *     event-time: ts            # required timestamp field; partitions come from it, in UTC
 *     partitioning: day         # day (year=/month=/day=) or hour (adds hour=)
 *     key: order_id             # optional business key
 *     unknown-fields: keep      # drop | keep (JSON in _extra) | quarantine
 *     partition-by: [channel]   # optional string fields partitioning Silver after the day
 *     catalog: { database: lake, partitions: projection }   # projection | registered | both
 *     schema:
 *       order_id: { type: string, required: true }
 *       amount:   { type: "decimal(12,2)", required: true }
 *       ts:       { type: timestamp, required: true }
 *       items:    { type: "list&lt;struct&lt;sku:string,qty:int&gt;&gt;" }
 *     gold:                     # aggregated tables per event-time day, see GoldTable
 *       daily_revenue:
 *         dimensions: [currency]
 *         measures: { orders: count, revenue: sum(amount) }
 * </pre>
 *
 * Unknown keys are errors, so a typo never silently changes behaviour.
 */
public final class DatasetSpecs {
    // a key given twice is as much a typo as an unknown one: never let the last one silently win
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> DATASET_KEYS = Set.of("event-time", "partitioning", "partition-by", "key",
            "unknown-fields", "catalog", "schema", "gold", "compaction");
    private static final Set<String> GOLD_KEYS = Set.of("dimensions", "measures");
    private static final Set<String> FIELD_KEYS = Set.of("type", "required");
    private static final Set<String> CATALOG_KEYS = Set.of("database", "partitions");
    private static final Set<String> COMPACTION_KEYS = Set.of("target-file-size");
    /** A size: digits, then B, KB, MB or GB (binary multiples, as in 256MB = 256 MiB; KiB, MiB, GiB too). */
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})\\s*(B|KB|KIB|MB|MIB|GB|GIB)?");

    private final Map<String, DatasetSpec> byName;

    private DatasetSpecs(Map<String, DatasetSpec> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** Reads specs from YAML; throws {@link ValidationException} naming the dataset and field at fault. */
    public static DatasetSpecs parse(InputStream yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ValidationException("Cannot read dataset specs: " + e.getMessage(), e);
        }
        JsonNode datasets = root == null ? null : root.get("datasets");
        if (datasets == null || !datasets.isObject() || datasets.isEmpty()) {
            throw new ValidationException("Cannot read dataset specs: expected a 'datasets' map with at least one entry");
        }
        Map<String, DatasetSpec> byName = new LinkedHashMap<>();
        datasets.fields().forEachRemaining(e -> byName.put(e.getKey(), dataset(e.getKey(), e.getValue())));
        // every table, Silver or Gold, is a catalog table and a prefix: names must not meet
        List<String> tables = new ArrayList<>(byName.keySet());
        byName.values().forEach(spec -> spec.gold().forEach(g -> tables.add(g.name())));
        FieldNames.requireDistinct(tables, "the dataset specs' tables (datasets and gold tables)");
        return new DatasetSpecs(byName);
    }

    /** The spec of a dataset, if it is known. The name is not trusted: invalid names are simply unknown. */
    public Optional<DatasetSpec> find(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    /** All specs. */
    public Collection<DatasetSpec> all() {
        return byName.values();
    }

    private static DatasetSpec dataset(String name, JsonNode node) {
        String where = "dataset '" + name + "'";
        requireObject(node, where);
        rejectUnknownKeys(node, DATASET_KEYS, where);
        JsonNode schema = node.get("schema");
        requireObject(schema, where + " schema");
        List<FieldType.Field> fields = new ArrayList<>();
        schema.fields().forEachRemaining(e -> fields.add(field(e.getKey(), e.getValue(), where)));
        JsonNode catalog = node.path("catalog");
        if (!catalog.isMissingNode() && !catalog.isNull()) {
            requireObject(catalog, where + " catalog");
            rejectUnknownKeys(catalog, CATALOG_KEYS, where + " catalog");
        }
        JsonNode compaction = node.path("compaction");
        if (!compaction.isMissingNode() && !compaction.isNull()) {
            requireObject(compaction, where + " compaction");
            rejectUnknownKeys(compaction, COMPACTION_KEYS, where + " compaction");
        }
        OptionalLong compactionTarget = text(compaction, "target-file-size", where)
                .map(size -> OptionalLong.of(bytes(size, where + " compaction target-file-size")))
                .orElse(OptionalLong.empty());
        return new DatasetSpec(name, text(node, "event-time", where).orElseThrow(
                () -> new ValidationException("Cannot define " + where + ": 'event-time' is required")),
                text(node, "partitioning", where).map(Granularity::parse).orElse(Granularity.DAY),
                text(node, "key", where),
                text(node, "unknown-fields", where).map(UnknownFieldPolicy::parse).orElse(UnknownFieldPolicy.KEEP),
                fields,
                text(catalog, "database", where).orElse("lake"),
                gold(node.get("gold"), where),
                text(catalog, "partitions", where).map(PartitionRegistration::parse)
                        .orElse(PartitionRegistration.PROJECTION),
                names(node.get("partition-by"), where + " partition-by"), compactionTarget);
    }

    /** A size such as {@code 256MB} in bytes. */
    private static long bytes(String text, String where) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ValidationException("Cannot define " + where + ": '" + text
                    + "' is not a size (digits, then B, KB, MB or GB, e.g. 256MB)");
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = unit.startsWith("K") ? 10 : unit.startsWith("M") ? 20 : unit.startsWith("G") ? 30 : 0;
        return Long.parseLong(m.group(1)) << shift;
    }

    /** A YAML list of names ({@code [channel, region]}); none when absent. */
    private static List<String> names(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ValidationException("Cannot define " + where + ": it must be a list of field names");
        }
        List<String> names = new ArrayList<>();
        node.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static List<GoldTable> gold(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        requireObject(node, where + " gold");
        List<GoldTable> tables = new ArrayList<>();
        node.fields().forEachRemaining(e -> {
            String tableWhere = where + " gold table '" + e.getKey() + "'";
            JsonNode table = e.getValue();
            requireObject(table, tableWhere);
            rejectUnknownKeys(table, GOLD_KEYS, tableWhere);
            List<String> dimensions = new ArrayList<>();
            JsonNode dims = table.path("dimensions");
            if (!dims.isMissingNode() && !dims.isNull()) {
                if (!dims.isArray()) {
                    throw new ValidationException("Cannot define " + tableWhere + ": 'dimensions' must be a list");
                }
                dims.forEach(d -> dimensions.add(d.asText()));
            }
            JsonNode measures = table.get("measures");
            requireObject(measures, tableWhere + " measures");
            List<GoldTable.Measure> parsed = new ArrayList<>();
            measures.fields().forEachRemaining(m -> parsed.add(GoldTable.Measure.parse(m.getKey(), m.getValue().asText())));
            try {
                tables.add(new GoldTable(e.getKey(), dimensions, parsed));
            } catch (ValidationException ex) {
                throw new ValidationException("Cannot define " + where + ": " + ex.getMessage(), ex);
            }
        });
        return tables;
    }

    private static FieldType.Field field(String name, JsonNode node, String where) {
        String fieldWhere = where + " field '" + name + "'";
        if (node.isTextual()) {
            return new FieldType.Field(name, FieldType.parse(node.asText()), false);
        }
        requireObject(node, fieldWhere);
        String typed = node.path("type").asText("");
        if (typed.chars().filter(c -> c == '(' || c == '<').count() > typed.chars().filter(c -> c == ')' || c == '>')
                .count()) {
            // YAML's flow map { type: decimal(12,2) } splits at the comma: the rest arrives as a key of its own
            throw new ValidationException("Cannot define " + fieldWhere + ": type '" + typed + "' is cut at a comma; "
                    + "quote a type with a comma in a { ... } map, as in { type: \"decimal(12,2)\" }");
        }
        rejectUnknownKeys(node, FIELD_KEYS, fieldWhere);
        String type = text(node, "type", fieldWhere)
                .orElseThrow(() -> new ValidationException("Cannot define " + fieldWhere + ": 'type' is required"));
        JsonNode required = node.path("required");
        if (!required.isMissingNode() && !required.isBoolean()) {
            throw new ValidationException("Cannot define " + fieldWhere + ": 'required' must be true or false");
        }
        try {
            return new FieldType.Field(name, FieldType.parse(type), required.asBoolean(false));
        } catch (ValidationException e) {
            throw new ValidationException("Cannot define " + fieldWhere + ": " + e.getMessage(), e);
        }
    }

    private static Optional<String> text(JsonNode node, String key, String where) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isValueNode()) {
            throw new ValidationException("Cannot define " + where + ": '" + key + "' must be a plain value");
        }
        return Optional.of(value.asText());
    }

    private static void requireObject(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new ValidationException("Cannot define " + where + ": expected a map");
        }
    }

    private static void rejectUnknownKeys(JsonNode node, Set<String> allowed, String where) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String key = names.next();
            if (!allowed.contains(key)) {
                throw new ValidationException("Cannot define " + where + ": unknown key '" + key + "', expected one of "
                        + allowed.stream().sorted().toList());
            }
        }
    }
}
