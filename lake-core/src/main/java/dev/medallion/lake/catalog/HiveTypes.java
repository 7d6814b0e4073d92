package dev.medallion.lake.catalog;

import java.util.stream.Collectors;

import dev.medallion.lake.spec.FieldType;

/** Glue/Hive column types, the type strings Glue stores and Athena DDL uses. */
public final class HiveTypes {

    private HiveTypes() {
    }

    /**
     * The Hive type of a field type: {@code string}, {@code boolean}, {@code int}, {@code bigint}, {@code double},
     * {@code decimal(p,s)}, {@code date}, {@code timestamp}, {@code struct<a:t,...>}, {@code array<t>} and
     * {@code map<string,t>}, nested as deep as the field type is.
     */
    public static String of(FieldType type) {
        if (type instanceof FieldType.Primitive p) {
            return switch (p) {
                case STRING -> "string";
                case BOOLEAN -> "boolean";
                case INT -> "int";
                case LONG -> "bigint";
                case DOUBLE -> "double";
                case DATE -> "date";
                case TIMESTAMP -> "timestamp";
            };
        }
        if (type instanceof FieldType.Decimal d) {
            return "decimal(" + d.precision() + "," + d.scale() + ")";
        }
        if (type instanceof FieldType.Struct s) {
            return s.fields().stream().map(f -> f.name() + ":" + of(f.type()))
                    .collect(Collectors.joining(",", "struct<", ">"));
        }
        if (type instanceof FieldType.ListOf l) {
            return "array<" + of(l.element()) + ">";
        }
        return "map<string," + of(((FieldType.MapOf) type).value()) + ">";
    }
}
