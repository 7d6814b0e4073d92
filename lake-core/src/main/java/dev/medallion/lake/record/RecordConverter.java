package dev.medallion.lake.record;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.UnknownFieldPolicy;

/**
 * Turns a parsed JSON object into a typed row of a dataset's Silver columns, or says exactly why it cannot.
 *
 * <p>
 * Coercion rules (documented in docs/architecture.md):
 * <ul>
 * <li>string: any JSON scalar, as its text; objects and arrays are a mismatch.</li>
 * <li>boolean: {@code true}/{@code false}, or those words in a string (any case).</li>
 * <li>int, long: integral numbers, or numbers in strings, in range; a fraction is a mismatch.</li>
 * <li>double: finite numbers, or numbers in strings; NaN and infinities are rejected.</li>
 * <li>decimal(p,s): numbers or numeric strings with at most s decimals (never rounded) and at most p digits.</li>
 * <li>date: {@code YYYY-MM-DD}.</li>
 * <li>timestamp: ISO-8601 with {@code Z} or an offset (normalised to UTC), without one (taken as UTC, a space
 * instead of {@code T} accepted), or epoch numbers: seconds below 10^11 in magnitude, milliseconds above; years
 * 1000 to 9999.</li>
 * <li>null and a missing field are the same; a required field must have a value.</li>
 * <li>unknown top-level fields follow the dataset's policy; unknown fields inside structs are dropped, or rejected
 * under {@code quarantine}.</li>
 * </ul>
 * Row layout: {@link SilverColumns#of}; the lineage columns at the end are left {@code null} for the caller.
 */
public final class RecordConverter {
    private static final DateTimeFormatter LOCAL_TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .toFormatter();
    /** Bound on a number's decimal exponent, far beyond every type's range. */
    private static final int MAX_EXPONENT = 1000;
    private static final Instant MIN_TIME = Instant.parse(Partition.MIN_YEAR + "-01-01T00:00:00Z");
    private static final Instant MAX_TIME = Instant.parse(Partition.MAX_YEAR + "-12-31T23:59:59.999999Z");

    private final DatasetSpec spec;
    private final int width;
    private final int extraIndex;
    private final int eventTimeIndex;

    public RecordConverter(DatasetSpec spec) {
        this.spec = spec;
        List<FieldType.Field> columns = SilverColumns.of(spec);
        this.width = columns.size();
        this.extraIndex = spec.unknownFields() == UnknownFieldPolicy.KEEP ? spec.fields().size() : -1;
        this.eventTimeIndex = spec.indexOf(spec.eventTimeField());
    }

    /** The outcome of converting one record: a row, or an error. */
    public record Result(Object[] row, RecordError error) {
        public boolean ok() {
            return error == null;
        }
    }

    /** Thrown inside conversion and caught at the top, so nested values can fail with their path. */
    private static final class Rejected extends RuntimeException {
        private final RecordError error;

        Rejected(RecordError.Kind kind, String field, String reason) {
            super(reason, null, false, false);
            this.error = new RecordError(kind, field, reason);
        }
    }

    /** Converts one object. */
    public Result convert(ObjectNode record) {
        try {
            Object[] row = new Object[width];
            List<FieldType.Field> fields = spec.fields();
            for (int i = 0; i < fields.size(); i++) {
                FieldType.Field field = fields.get(i);
                row[i] = value(field, record.get(field.name()), field.name());
            }
            ObjectNode extra = unknownFields(record);
            if (extra != null) {
                row[extraIndex] = extra.toString();
            }
            return new Result(row, null);
        } catch (Rejected e) {
            return new Result(null, e.error);
        }
    }

    /** The event time of a converted row. */
    public Instant eventTime(Object[] row) {
        return (Instant) row[eventTimeIndex];
    }

    private ObjectNode unknownFields(ObjectNode record) {
        ObjectNode extra = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (spec.indexOf(entry.getKey()) >= 0) {
                continue;
            }
            switch (spec.unknownFields()) {
                case QUARANTINE -> throw new Rejected(RecordError.Kind.UNKNOWN_FIELD, entry.getKey(),
                        "the field is not in the schema of dataset '" + spec.name() + "'");
                case KEEP -> {
                    if (extra == null) {
                        extra = JsonNodeFactory.instance.objectNode();
                    }
                    extra.set(entry.getKey(), entry.getValue());
                }
                case DROP -> {
                }
            }
        }
        return extra;
    }

    private Object value(FieldType.Field field, JsonNode node, String path) {
        if (node == null || node.isNull()) {
            if (field.required()) {
                throw new Rejected(RecordError.Kind.MISSING_REQUIRED, path, "a value is required");
            }
            return null;
        }
        return value(field.type(), node, path);
    }

    private Object value(FieldType type, JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (type instanceof FieldType.Primitive primitive) {
            return switch (primitive) {
                case STRING -> string(node, path);
                case BOOLEAN -> bool(node, path);
                case INT -> Math.toIntExact(integral(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE, "int"));
                case LONG -> integral(node, path, Long.MIN_VALUE, Long.MAX_VALUE, "long");
                case DOUBLE -> dbl(node, path);
                case DATE -> date(node, path);
                case TIMESTAMP -> timestamp(node, path);
            };
        }
        if (type instanceof FieldType.Decimal decimal) {
            return decimal(node, path, decimal);
        }
        if (type instanceof FieldType.Struct struct) {
            if (!node.isObject()) {
                throw mismatch(path, "an object", node);
            }
            Object[] values = new Object[struct.fields().size()];
            for (int i = 0; i < values.length; i++) {
                FieldType.Field field = struct.fields().get(i);
                values[i] = value(field, node.get(field.name()), path + "." + field.name());
            }
            if (spec.unknownFields() == UnknownFieldPolicy.QUARANTINE) {
                node.fieldNames().forEachRemaining(name -> {
                    if (struct.fields().stream().noneMatch(f -> f.name().equals(name))) {
                        throw new Rejected(RecordError.Kind.UNKNOWN_FIELD, path + "." + name,
                                "the field is not in the struct type " + struct.spec());
                    }
                });
            }
            return values;
        }
        if (type instanceof FieldType.ListOf list) {
            if (!node.isArray()) {
                throw mismatch(path, "an array", node);
            }
            List<Object> values = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                values.add(value(list.element(), node.get(i), path + "[" + i + "]"));
            }
            return values;
        }
        FieldType.MapOf map = (FieldType.MapOf) type;
        if (!node.isObject()) {
            throw mismatch(path, "an object", node);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> values.put(e.getKey(), value(map.value(), e.getValue(),
                path + "[\"" + e.getKey() + "\"]")));
        return values;
    }

    private static String string(JsonNode node, String path) {
        if (!node.isValueNode()) {
            throw mismatch(path, "a string", node);
        }
        return node.asText();
    }

    private static Boolean bool(JsonNode node, String path) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            if (text.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (text.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
        }
        throw mismatch(path, "true or false", node);
    }

    private static long integral(JsonNode node, String path, long min, long max, String typeName) {
        BigDecimal number = number(node, path, "an integer");
        BigInteger whole;
        try {
            whole = number.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw mismatch(path, "an integer", node);
        }
        if (whole.compareTo(BigInteger.valueOf(min)) < 0 || whole.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path, whole + " does not fit in " + typeName);
        }
        return whole.longValue();
    }

    private static Double dbl(JsonNode node, String path) {
        double value = number(node, path, "a number").doubleValue();
        if (!Double.isFinite(value)) {
            throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path, "the number is too large for a double");
        }
        return value;
    }

    private static BigDecimal decimal(JsonNode node, String path, FieldType.Decimal type) {
        BigDecimal number = number(node, path, "a decimal number").stripTrailingZeros();
        if (number.scale() > type.scale()) {
            throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path, number.toPlainString() + " has more than "
                    + type.scale() + " decimal places allowed by " + type.spec() + "; it is not rounded");
        }
        BigDecimal scaled = number.setScale(type.scale());
        if (scaled.precision() > type.precision()) {
            throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path, number.toPlainString()
                    + " has more digits than " + type.spec() + " allows");
        }
        return scaled;
    }

    /** Numbers and numbers in strings, exactly: JSON numbers are read as decimals, never through double. */
    private static BigDecimal number(JsonNode node, String path, String expected) {
        BigDecimal number = null;
        if (node.isNumber()) {
            if (node.isFloatingPointNumber() && !node.isBigDecimal() && !Double.isFinite(node.doubleValue())) {
                throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path, "the number is not finite");
            }
            number = node.decimalValue();
        } else if (node.isTextual()) {
            String text = node.textValue().trim();
            if (text.length() <= 100) {
                try {
                    number = new BigDecimal(text);
                } catch (NumberFormatException e) {
                    // fall through to the mismatch
                }
            }
        }
        if (number == null) {
            throw mismatch(path, expected, node);
        }
        // an exponent like 1e999999999 is short to write but costly or impossible to rescale: no type holds it
        if (number.scale() > MAX_EXPONENT || (long) number.precision() - number.scale() > MAX_EXPONENT) {
            throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path, "the number's exponent is out of range");
        }
        return number;
    }

    private static LocalDate date(JsonNode node, String path) {
        if (node.isTextual()) {
            try {
                return LocalDate.parse(node.textValue().trim());
            } catch (DateTimeParseException e) {
                // fall through to the mismatch
            }
        }
        throw mismatch(path, "a date as YYYY-MM-DD", node);
    }

    private static Instant timestamp(JsonNode node, String path) {
        Instant instant;
        if (node.isNumber() || (node.isTextual() && looksNumeric(node.textValue()))) {
            BigDecimal epoch = number(node, path, "a timestamp");
            boolean seconds = epoch.abs().compareTo(BigDecimal.valueOf(100_000_000_000L)) < 0;
            BigDecimal micros = epoch.movePointRight(seconds ? 6 : 3);
            try {
                long value = micros.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
                instant = Instant.EPOCH.plus(value, java.time.temporal.ChronoUnit.MICROS);
            } catch (ArithmeticException | DateTimeException e) {
                throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path, "the epoch value is out of range");
            }
        } else if (node.isTextual()) {
            instant = parseTimestamp(node.textValue().trim(), path);
        } else {
            throw mismatch(path, "an ISO-8601 timestamp or epoch number", node);
        }
        if (instant.isBefore(MIN_TIME) || instant.isAfter(MAX_TIME)) {
            throw new Rejected(RecordError.Kind.OUT_OF_RANGE, path,
                    instant + " is outside the years " + Partition.MIN_YEAR + " to " + Partition.MAX_YEAR);
        }
        return instant.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    private static Instant parseTimestamp(String text, String path) {
        Instant utc = plainUtc(text);
        if (utc != null) {
            return utc;
        }
        try {
            return OffsetDateTime.parse(text.replace(' ', 'T'), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text, LOCAL_TIMESTAMP).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new Rejected(RecordError.Kind.TYPE_MISMATCH, path,
                        "expected an ISO-8601 timestamp or epoch number but found \"" + shorten(text) + "\"");
            }
        }
    }

    /** What a fraction of k digits is multiplied by to give nanoseconds. */
    private static final int[] NANO_SCALE = { 1, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10,
            1 };

    /**
     * The most common timestamp, {@code YYYY-MM-DDTHH:MM:SS[.fraction]Z}, read without the general ISO parser (which
     * was a tenth of a Silver run); {@code null} for anything else, which the general parser then reads.
     */
    private static Instant plainUtc(String t) {
        int n = t.length();
        if (n < 20 || n > 30 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-'
                || t.charAt(10) != 'T' || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            if (t.charAt(19) != '.' || n == 21 || n - 21 > 9) {
                return null;
            }
            int fraction = digits(t, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * NANO_SCALE[n - 21];
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // e.g. February 30th: the general parser says why
        }
    }

    /** The number the ASCII digits {@code t[from, to)} spell, or -1 if one is not a digit. */
    private static int digits(String t, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** {@code -?\d+(\.\d+)?} after trimming, without a regular expression (asked for every timestamp). */
    private static boolean looksNumeric(String text) {
        String t = text.trim();
        int i = t.startsWith("-") ? 1 : 0;
        int start = i;
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        if (i == start) {
            return false;
        }
        if (i == t.length()) {
            return true;
        }
        if (t.charAt(i) != '.') {
            return false;
        }
        int fraction = ++i;
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        return i > fraction && i == t.length();
    }

    private static Rejected mismatch(String path, String expected, JsonNode node) {
        String found = node.isTextual() ? "\"" + shorten(node.textValue()) + "\""
                : node.isContainerNode() ? node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                        : shorten(node.toString());
        return new Rejected(RecordError.Kind.TYPE_MISMATCH, path, "expected " + expected + " but found " + found);
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
