package dev.medallion.lake.gold;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.spec.FieldNames;
import dev.medallion.lake.spec.FieldType;

/**
 * An aggregated table of a dataset, per event-time day (UTC): one row per day and combination of dimension values,
 * with its measures. Declared in the dataset spec:
 *
 * <pre>
 * gold:
 *   daily_sales_by_channel:
 *     dimensions: [channel, currency]
 *     measures:
 *       orders: count
 *       revenue: sum(amount)
 *       customers: approx_count_distinct(customer_id)
 * </pre>
 *
 * @param name the table name (the rules of dataset names; unique among the deployment's tables)
 * @param dimensions group-by fields of the dataset, scalar
 * @param measures aggregates, in column order
 */
public record GoldTable(String name, List<String> dimensions, List<Measure> measures) {

    /** The first column of every Gold table: the event-time day the row aggregates. */
    public static final String EVENT_DATE = "event_date";

    /** The aggregate functions. */
    public enum Aggregate {
        /** Rows ({@code count}) or non-null values of a field ({@code count(field)}). */
        COUNT,
        SUM,
        MIN,
        MAX,
        /** The mean, as a double. */
        AVG,
        /** Distinct non-null values: exact up to 1,024 of them, then a HyperLogLog estimate (about 1.6% error). */
        APPROX_COUNT_DISTINCT;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One aggregate column.
     *
     * @param field the aggregated field; empty for {@code count} of rows
     */
    public record Measure(String name, Aggregate aggregate, Optional<String> field) {

        private static final Pattern SYNTAX = Pattern.compile("\\s*([a-z_]+)\\s*(?:\\(\\s*([a-z0-9_*]*)\\s*\\))?\\s*");

        /** Reads {@code count}, {@code count(*)}, {@code count(f)}, {@code sum(f)}, ... */
        public static Measure parse(String name, String text) {
            Matcher m = SYNTAX.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new ValidationException("Cannot read measure '" + name + "': expected function(field), got '"
                        + text + "'");
            }
            Aggregate aggregate;
            try {
                aggregate = Aggregate.valueOf(m.group(1).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException("Cannot read measure '" + name + "': unknown function '" + m.group(1)
                        + "', expected one of count, sum, min, max, avg, approx_count_distinct");
            }
            String field = m.group(2);
            if (field == null || field.isEmpty() || field.equals("*")) {
                if (aggregate != Aggregate.COUNT) {
                    throw new ValidationException("Cannot read measure '" + name + "': " + aggregate.label()
                            + " needs a field");
                }
                return new Measure(name, aggregate, Optional.empty());
            }
            return new Measure(name, aggregate, Optional.of(field));
        }

        /** The column type this measure writes, given the type of its field. */
        FieldType resultType(FieldType input) {
            return switch (aggregate) {
                case COUNT, APPROX_COUNT_DISTINCT -> FieldType.Primitive.LONG;
                case AVG -> FieldType.Primitive.DOUBLE;
                case MIN, MAX -> input;
                case SUM -> input instanceof FieldType.Decimal d ? new FieldType.Decimal(FieldType.Decimal.MAX_PRECISION,
                        d.scale()) : input == FieldType.Primitive.DOUBLE ? input : FieldType.Primitive.LONG;
            };
        }
    }

    public GoldTable {
        DatasetName.validate(name);
        dimensions = List.copyOf(dimensions);
        measures = List.copyOf(measures);
        if (measures.isEmpty()) {
            throw invalid(name, "it has no measures");
        }
        List<String> columns = new ArrayList<>();
        columns.add(EVENT_DATE);
        columns.addAll(dimensions);
        measures.forEach(m -> columns.add(m.name()));
        columns.forEach(FieldNames::validate);
        FieldNames.requireDistinct(columns, "gold table " + name);
    }

    /**
     * Checks the table against its dataset's schema: dimensions are scalar fields, sums and averages take numbers,
     * minimums and maximums take ordered scalars.
     */
    public void validate(List<FieldType.Field> schema) {
        for (String dimension : dimensions) {
            FieldType type = typeOf(schema, dimension, "dimension");
            if (!isScalar(type)) {
                throw invalid(name, "dimension '" + dimension + "' is a " + type.spec() + ", not a scalar");
            }
        }
        for (Measure measure : measures) {
            if (measure.field().isEmpty()) {
                continue;
            }
            FieldType type = typeOf(schema, measure.field().get(), "measure '" + measure.name() + "'");
            boolean ok = switch (measure.aggregate()) {
                case SUM, AVG -> isNumber(type);
                case MIN, MAX -> isScalar(type) && type != FieldType.Primitive.BOOLEAN;
                case COUNT, APPROX_COUNT_DISTINCT -> isScalar(type);
            };
            if (!ok) {
                throw invalid(name, "measure '" + measure.name() + "' cannot " + measure.aggregate().label() + " a "
                        + type.spec());
            }
        }
    }

    /** The table's columns: {@code event_date}, the dimensions, the measures. */
    public List<FieldType.Field> columns(List<FieldType.Field> schema) {
        List<FieldType.Field> columns = new ArrayList<>();
        columns.add(new FieldType.Field(EVENT_DATE, FieldType.Primitive.DATE, true));
        dimensions.forEach(d -> columns.add(new FieldType.Field(d, typeOf(schema, d, "dimension"), false)));
        for (Measure m : measures) {
            FieldType input = m.field().map(f -> typeOf(schema, f, "measure")).orElse(FieldType.Primitive.LONG);
            columns.add(new FieldType.Field(m.name(), m.resultType(input), false));
        }
        return columns;
    }

    private FieldType typeOf(List<FieldType.Field> schema, String field, String what) {
        return schema.stream().filter(f -> f.name().equals(field)).map(FieldType.Field::type).findFirst()
                .orElseThrow(() -> invalid(name, what + " '" + field + "' is not a field of the dataset"));
    }

    private static boolean isScalar(FieldType type) {
        return type instanceof FieldType.Primitive || type instanceof FieldType.Decimal;
    }

    private static boolean isNumber(FieldType type) {
        return type instanceof FieldType.Decimal || type == FieldType.Primitive.INT || type == FieldType.Primitive.LONG
                || type == FieldType.Primitive.DOUBLE;
    }

    private static ValidationException invalid(String table, String reason) {
        return new ValidationException("Cannot define gold table '" + table + "': " + reason);
    }
}
