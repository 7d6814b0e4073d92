package dev.medallion.lake.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.medallion.lake.ValidationException;

/**
 * The type of a dataset field, as written in a dataset spec: {@code string}, {@code boolean}, {@code int},
 * {@code long}, {@code double}, {@code decimal(p,s)}, {@code date}, {@code timestamp},
 * {@code struct<name:type,...>}, {@code list<type>} and {@code map<string,type>}.
 */
public sealed interface FieldType {

    /** The type in spec syntax, which {@link #parse} reads back to an equal value. */
    String spec();

    /** Scalar types with no parameters. */
    enum Primitive implements FieldType {
        STRING,
        BOOLEAN,
        INT,
        LONG,
        DOUBLE,
        DATE,
        TIMESTAMP;

        @Override
        public String spec() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A fixed-point number with {@code precision} digits, {@code scale} of them after the point. */
    record Decimal(int precision, int scale) implements FieldType {
        /** Largest precision Athena, Hive and Spark accept. */
        public static final int MAX_PRECISION = 38;

        public Decimal {
            if (precision < 1 || precision > MAX_PRECISION) {
                throw new ValidationException("Cannot use decimal(" + precision + "," + scale
                        + "): precision must be between 1 and " + MAX_PRECISION);
            }
            if (scale < 0 || scale > precision) {
                throw new ValidationException("Cannot use decimal(" + precision + "," + scale
                        + "): scale must be between 0 and the precision");
            }
        }

        @Override
        public String spec() {
            return "decimal(" + precision + "," + scale + ")";
        }
    }

    /** Named fields in a fixed order. */
    record Struct(List<Field> fields) implements FieldType {
        public Struct {
            fields = List.copyOf(fields);
            if (fields.isEmpty()) {
                throw new ValidationException("Cannot use struct<>: a struct needs at least one field");
            }
            FieldNames.requireDistinct(fields.stream().map(Field::name).toList(), "struct");
        }

        @Override
        public String spec() {
            return "struct<" + String.join(",", fields.stream().map(f -> f.name() + ":" + f.type().spec()).toList())
                    + ">";
        }
    }

    /** An ordered list of elements of one type. */
    record ListOf(FieldType element) implements FieldType {
        @Override
        public String spec() {
            return "list<" + element.spec() + ">";
        }
    }

    /** String keys to values of one type (JSON objects have string keys). */
    record MapOf(FieldType value) implements FieldType {
        @Override
        public String spec() {
            return "map<string," + value.spec() + ">";
        }
    }

    /**
     * A field of a struct or of a dataset schema.
     *
     * @param name a lower-case identifier, see {@link FieldNames#validate}; a leading underscore marks a column the
     *        pipeline adds
     * @param type its type
     * @param required whether a record without a value for it is rejected
     */
    record Field(String name, FieldType type, boolean required) {
        public Field {
            FieldNames.validate(name.startsWith("_") ? name.substring(1) : name);
        }
    }

    /** Reads a type in spec syntax; whitespace is ignored, names are case-insensitive. */
    static FieldType parse(String text) {
        var parser = new Parser(text);
        FieldType type = parser.type();
        parser.expectEnd();
        return type;
    }

    /** Recursive-descent reader of the type syntax, with errors that say where. */
    final class Parser {
        private final String text;
        private int pos;

        private Parser(String text) {
            this.text = text == null ? "" : text;
        }

        private FieldType type() {
            skipSpace();
            int start = pos;
            String word = identifier().toLowerCase(Locale.ROOT);
            switch (word) {
                case "string", "varchar":
                    return Primitive.STRING;
                case "boolean", "bool":
                    return Primitive.BOOLEAN;
                case "int", "integer":
                    return Primitive.INT;
                case "long", "bigint":
                    return Primitive.LONG;
                case "double":
                    return Primitive.DOUBLE;
                case "date":
                    return Primitive.DATE;
                case "timestamp":
                    return Primitive.TIMESTAMP;
                case "decimal": {
                    expect('(');
                    int precision = number();
                    expect(',');
                    int scale = number();
                    expect(')');
                    return at(start, () -> new Decimal(precision, scale));
                }
                case "list", "array": {
                    expect('<');
                    FieldType element = type();
                    expect('>');
                    return new ListOf(element);
                }
                case "map": {
                    expect('<');
                    FieldType key = type();
                    if (key != Primitive.STRING) {
                        throw error("map keys must be string");
                    }
                    expect(',');
                    FieldType value = type();
                    expect('>');
                    return new MapOf(value);
                }
                case "struct": {
                    expect('<');
                    List<Field> fields = new ArrayList<>();
                    do {
                        skipSpace();
                        int nameStart = pos;
                        String name = identifier().toLowerCase(Locale.ROOT);
                        expect(':');
                        FieldType fieldType = type();
                        fields.add(at(nameStart, () -> new Field(name, fieldType, false)));
                    } while (accept(','));
                    expect('>');
                    return at(start, () -> new Struct(fields));
                }
                default:
                    throw error("unknown type '" + word + "'");
            }
        }

        private String identifier() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a name");
            }
            return text.substring(start, pos);
        }

        private int number() {
            skipSpace();
            int start = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (start == pos || pos - start > 3) {
                throw error("expected a small number");
            }
            return Integer.parseInt(text.substring(start, pos));
        }

        private boolean accept(char c) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!accept(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private void expectEnd() {
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected text");
            }
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        /** Builds a value whose own checks may fail, reporting a failure at {@code start} like a syntax error. */
        private <T> T at(int start, java.util.function.Supplier<T> build) {
            try {
                return build.get();
            } catch (ValidationException e) {
                pos = start;
                throw error(e.getMessage());
            }
        }

        private ValidationException error(String reason) {
            return new ValidationException("Cannot parse type '" + text + "': " + reason + " at position " + pos);
        }
    }
}
