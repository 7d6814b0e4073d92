package dev.medallion.lake.catalog;

import java.util.stream.Collectors;

import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.Type;

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

    /**
     * The Hive type engines read a Parquet column as: what a crawler would infer from a file footer. Lists and maps in
     * the standard three-level form and the legacy two-level one; a binary without a string annotation is
     * {@code binary}.
     */
    public static String ofParquet(Type type) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        if (type.isPrimitive()) {
            if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
                return "decimal(" + d.getPrecision() + "," + d.getScale() + ")";
            }
            return switch (type.asPrimitiveType().getPrimitiveTypeName()) {
                case BINARY -> logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                        || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation ? "string" : "binary";
                case BOOLEAN -> "boolean";
                case INT32 -> logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation ? "date"
                        : logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && i.getBitWidth() == 8
                                ? "tinyint"
                                : logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
                                        && i.getBitWidth() == 16 ? "smallint" : "int";
                case INT64 -> logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ? "timestamp"
                        : "bigint";
                case INT96 -> "timestamp";
                case FLOAT -> "float";
                case DOUBLE -> "double";
                case FIXED_LEN_BYTE_ARRAY -> "binary";
            };
        }
        GroupType group = type.asGroupType();
        if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
            Type repeated = group.getType(0);
            boolean threeLevel = !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1;
            return "array<" + ofParquet(threeLevel ? repeated.asGroupType().getType(0) : repeated) + ">";
        }
        if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) {
            GroupType entry = group.getType(0).asGroupType();
            return "map<" + ofParquet(entry.getType(0)) + "," + ofParquet(entry.getType(1)) + ">";
        }
        return group.getFields().stream().map(f -> f.getName() + ":" + ofParquet(f))
                .collect(Collectors.joining(",", "struct<", ">"));
    }
}
