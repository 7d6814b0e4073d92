package dev.medallion.lake.catalog;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.FieldNames;

/**
 * How Athena computes the values of one partition column instead of reading partitions from the catalog (partition
 * projection). One record per Athena projection type; each validates itself on construction, so a value that exists
 * is one Athena accepts, and renders the {@code projection.<column>.*} table properties Athena reads.
 * {@link #read} parses those properties back to an equal value.
 */
public sealed interface Projection {

    /** Athena's name of this projection type: {@code integer}, {@code date}, {@code enum} or {@code injected}. */
    String typeName();

    /** The {@code projection.<column>.*} table properties of this projection, {@code type} first. */
    Map<String, String> properties(String column);

    /**
     * Whether a partition value, as it appears in a location, is one Athena projects: so a query that filters on it
     * finds the data. A date range relative to {@code NOW} is checked for the format only.
     */
    boolean projects(String value);

    /**
     * The properties that turn projection on for a table: {@code projection.enabled=true}, every column's
     * properties, and {@code storage.location.template}, which must hold a {@code ${column}} placeholder for each
     * projected column.
     */
    static Map<String, String> tableProperties(Map<String, Projection> byColumn, String locationTemplate) {
        if (byColumn.isEmpty()) {
            throw new ValidationException("Cannot define projection: no column is projected");
        }
        if (locationTemplate == null || !locationTemplate.startsWith("s3://")) {
            throw new ValidationException(
                    "Cannot use storage.location.template '" + locationTemplate + "': it must start with s3://");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("projection.enabled", "true");
        byColumn.forEach((column, projection) -> {
            if (!locationTemplate.contains("${" + column + "}")) {
                throw new ValidationException("Cannot use storage.location.template '" + locationTemplate
                        + "': it has no ${" + column + "} placeholder for projected column '" + column + "'");
            }
            properties.putAll(projection.properties(column));
        });
        properties.put("storage.location.template", locationTemplate);
        return properties;
    }

    /**
     * The projection of {@code column} described by table properties, or empty if they do not project it.
     *
     * @throws ValidationException naming the property at fault if the properties are not a valid projection
     */
    static Optional<Projection> read(String column, Map<String, String> properties) {
        String prefix = "projection." + FieldNames.validate(column) + ".";
        String type = properties.get(prefix + "type");
        if (type == null) {
            return Optional.empty();
        }
        Function<String, String> get = name -> properties.get(prefix + name);
        try {
            return Optional.of(switch (type.trim().toLowerCase(Locale.ROOT)) {
                case "integer" -> IntegerProjection.read(prefix, get);
                case "date" -> DateProjection.read(prefix, get);
                case "enum" -> new EnumProjection(List.of(required(prefix, "values", get).split(",", -1)));
                case "injected" -> new InjectedProjection();
                default -> throw new ValidationException("Cannot use " + prefix + "type '" + type
                        + "': expected integer, date, enum or injected");
            });
        } catch (ValidationException e) {
            throw new ValidationException("Cannot read projection of column '" + column + "': " + e.getMessage(), e);
        }
    }

    private static String required(String prefix, String name, Function<String, String> get) {
        String value = get.apply(name);
        if (value == null) {
            throw new ValidationException("Cannot read " + prefix + name + ": it is missing");
        }
        return value;
    }

    /**
     * Whole numbers from {@code min} to {@code max} inclusive, every {@code interval}, optionally zero-padded to
     * {@code digits}.
     *
     * @param min the smallest value
     * @param max the largest value, at least {@code min}
     * @param interval the step between values, positive
     * @param digits if present, values are zero-padded to this many digits (1 to 10)
     */
    record IntegerProjection(long min, long max, long interval, OptionalInt digits) implements Projection {
        public IntegerProjection {
            if (min > max) {
                throw new ValidationException("Cannot use integer projection range " + min + "," + max
                        + ": the minimum is greater than the maximum");
            }
            if (interval <= 0) {
                throw new ValidationException(
                        "Cannot use integer projection interval " + interval + ": it must be positive");
            }
            if (digits.isPresent() && (digits.getAsInt() < 1 || digits.getAsInt() > 10)) {
                throw new ValidationException(
                        "Cannot use integer projection digits " + digits.getAsInt() + ": it must be 1 to 10");
            }
        }

        /** {@code min..max} every 1, not padded. */
        public static IntegerProjection range(long min, long max) {
            return new IntegerProjection(min, max, 1, OptionalInt.empty());
        }

        /** {@code min..max} every 1, zero-padded to {@code digits}. */
        public static IntegerProjection padded(long min, long max, int digits) {
            return new IntegerProjection(min, max, 1, OptionalInt.of(digits));
        }

        /** Whether Athena projects {@code value}. */
        public boolean contains(long value) {
            return value >= min && value <= max && (value - min) % interval == 0;
        }

        @Override
        public boolean projects(String value) {
            try {
                long parsed = Long.parseLong(value);
                return contains(parsed) && render(parsed).equals(value);
            } catch (NumberFormatException e) {
                return false;
            }
        }

        /** {@code value} as Athena renders it into a location: zero-padded to {@code digits} if set. */
        public String render(long value) {
            if (digits.isEmpty()) {
                return Long.toString(value);
            }
            String text = Long.toString(Math.abs(value));
            String padded = "0".repeat(Math.max(0, digits.getAsInt() - text.length())) + text;
            return value < 0 ? "-" + padded : padded;
        }

        @Override
        public String typeName() {
            return "integer";
        }

        /** {@code type}, {@code range}, then {@code interval} if not 1 and {@code digits} if set. */
        @Override
        public Map<String, String> properties(String column) {
            String prefix = "projection." + FieldNames.validate(column) + ".";
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put(prefix + "type", typeName());
            properties.put(prefix + "range", min + "," + max);
            if (interval != 1) {
                properties.put(prefix + "interval", Long.toString(interval));
            }
            digits.ifPresent(d -> properties.put(prefix + "digits", Integer.toString(d)));
            return properties;
        }

        private static IntegerProjection read(String prefix, Function<String, String> get) {
            String[] range = required(prefix, "range", get).split(",", -1);
            if (range.length != 2) {
                throw new ValidationException("Cannot read " + prefix + "range: expected min,max");
            }
            String interval = get.apply("interval");
            String digits = get.apply("digits");
            return new IntegerProjection(number(prefix, "range", range[0]), number(prefix, "range", range[1]),
                    interval == null ? 1 : number(prefix, "interval", interval),
                    digits == null ? OptionalInt.empty() : OptionalInt.of(clamp(number(prefix, "digits", digits))));
        }

        private static int clamp(long value) {
            return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
        }

        private static long number(String prefix, String name, String text) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new ValidationException("Cannot read " + prefix + name + ": '" + text + "' is not an integer");
            }
        }
    }

    /**
     * Dates or times from {@code rangeStart} to {@code rangeEnd}, every {@code interval} {@code intervalUnit},
     * written with {@code format} (a {@link DateTimeFormatter} pattern).
     *
     * @param rangeStart the first value: {@code NOW}, {@code NOW-3YEARS} style, or a date written in {@code format}
     * @param rangeEnd the last value, in the same forms
     * @param format the pattern values are written with, e.g. {@code yyyy-MM-dd}
     * @param interval the step between values, positive
     * @param intervalUnit the unit of the step
     */
    record DateProjection(String rangeStart, String rangeEnd, String format, int interval, DateUnit intervalUnit)
            implements
                Projection {

        private static final Pattern RELATIVE = Pattern
                .compile("NOW([+-][0-9]{1,9}(YEARS|MONTHS|WEEKS|DAYS|HOURS|MINUTES|SECONDS))?");

        public DateProjection {
            if (format == null || format.isBlank() || format.contains(",")) {
                throw new ValidationException(
                        "Cannot use date projection format '" + format + "': it must be a non-empty pattern without commas");
            }
            DateTimeFormatter formatter;
            try {
                formatter = DateTimeFormatter.ofPattern(format, Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new ValidationException(
                        "Cannot use date projection format '" + format + "': " + e.getMessage(), e);
            }
            checkRangeValue(rangeStart, format, formatter);
            checkRangeValue(rangeEnd, format, formatter);
            if (interval <= 0) {
                throw new ValidationException("Cannot use date projection interval " + interval + ": it must be positive");
            }
            if (intervalUnit == null) {
                throw new ValidationException("Cannot use date projection: interval.unit is missing");
            }
        }

        private static void checkRangeValue(String value, String format, DateTimeFormatter formatter) {
            if (value == null || value.contains(",")) {
                throw new ValidationException("Cannot use date projection range value '" + value
                        + "': expected NOW, NOW[+-]<n><unit> or a date in format " + format);
            }
            if (RELATIVE.matcher(value).matches()) {
                return;
            }
            try {
                formatter.parse(value);
            } catch (DateTimeParseException e) {
                throw new ValidationException("Cannot use date projection range value '" + value
                        + "': expected NOW, NOW[+-]<n>(YEARS|MONTHS|WEEKS|DAYS|HOURS|MINUTES|SECONDS) or a date in format "
                        + format);
            }
        }

        @Override
        public boolean projects(String value) {
            var formatter = DateTimeFormatter.ofPattern(format, Locale.ROOT);
            TemporalAccessor parsed;
            try {
                parsed = formatter.parse(value);
            } catch (DateTimeException e) {
                return false;
            }
            if (!parsed.isSupported(ChronoField.EPOCH_DAY)) {
                // a format coarser than a day (yyyy-MM): its fields are not resolved into a date, so check each
                for (ChronoField field : ChronoField.values()) {
                    if (parsed.isSupported(field) && !field.range().isValidValue(parsed.getLong(field))) {
                        return false;
                    }
                }
                return true;
            }
            LocalDate day = LocalDate.from(parsed);
            return (RELATIVE.matcher(rangeStart).matches() || !day.isBefore(LocalDate.from(formatter.parse(rangeStart))))
                    && (RELATIVE.matcher(rangeEnd).matches() || !day.isAfter(LocalDate.from(formatter.parse(rangeEnd))));
        }

        @Override
        public String typeName() {
            return "date";
        }

        /** {@code type}, {@code range}, {@code format}, {@code interval}, {@code interval.unit}. */
        @Override
        public Map<String, String> properties(String column) {
            String prefix = "projection." + FieldNames.validate(column) + ".";
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put(prefix + "type", typeName());
            properties.put(prefix + "range", rangeStart + "," + rangeEnd);
            properties.put(prefix + "format", format);
            properties.put(prefix + "interval", Integer.toString(interval));
            properties.put(prefix + "interval.unit", intervalUnit.name());
            return properties;
        }

        private static DateProjection read(String prefix, Function<String, String> get) {
            String[] range = required(prefix, "range", get).split(",", -1);
            if (range.length != 2) {
                throw new ValidationException("Cannot read " + prefix + "range: expected start,end");
            }
            String interval = get.apply("interval");
            String unit = get.apply("interval.unit");
            int step;
            try {
                step = interval == null ? 1 : Integer.parseInt(interval.trim());
            } catch (NumberFormatException e) {
                throw new ValidationException("Cannot read " + prefix + "interval: '" + interval + "' is not an integer");
            }
            return new DateProjection(range[0].trim(), range[1].trim(), required(prefix, "format", get), step,
                    unit == null ? DateUnit.DAYS : DateUnit.parse(prefix + "interval.unit", unit));
        }
    }

    /** The interval units Athena's date projection accepts. */
    enum DateUnit {
        YEARS,
        MONTHS,
        WEEKS,
        DAYS,
        HOURS,
        MINUTES,
        SECONDS,
        MILLISECONDS;

        /** Reads a unit name, case-insensitively; {@code property} names the source in the error. */
        public static DateUnit parse(String property, String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException("Cannot use " + property + " '" + text + "': expected one of "
                        + List.of(values()));
            }
        }
    }

    /**
     * A fixed set of values.
     *
     * @param values the values, at least one, none empty, none containing a comma, no duplicates
     */
    record EnumProjection(List<String> values) implements Projection {
        public EnumProjection {
            if (values == null || values.isEmpty() || values.stream().anyMatch(Objects::isNull)) {
                throw new ValidationException("Cannot use enum projection values: there must be at least one, and none null");
            }
            values = List.copyOf(values);
            for (String value : values) {
                if (value.isEmpty() || value.contains(",")) {
                    throw new ValidationException("Cannot use enum projection value '" + value
                            + "': values must be non-empty and hold no comma");
                }
            }
            if (values.stream().distinct().count() != values.size()) {
                throw new ValidationException("Cannot use enum projection values " + values + ": a value repeats");
            }
        }

        @Override
        public String typeName() {
            return "enum";
        }

        @Override
        public boolean projects(String value) {
            return values.contains(value);
        }

        /** {@code type} and {@code values}. */
        @Override
        public Map<String, String> properties(String column) {
            String prefix = "projection." + FieldNames.validate(column) + ".";
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put(prefix + "type", typeName());
            properties.put(prefix + "values", String.join(",", values));
            return properties;
        }
    }

    /** Values taken from the query's {@code WHERE} clause; queries must name them. */
    record InjectedProjection() implements Projection {
        @Override
        public String typeName() {
            return "injected";
        }

        @Override
        public boolean projects(String value) {
            return true; // the query supplies it
        }

        /** {@code type} only. */
        @Override
        public Map<String, String> properties(String column) {
            return Map.of("projection." + FieldNames.validate(column) + ".type", typeName());
        }
    }
}
