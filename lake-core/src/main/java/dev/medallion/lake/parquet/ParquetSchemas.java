package dev.medallion.lake.parquet;

import java.math.BigInteger;
import java.util.List;

import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

import dev.medallion.lake.spec.FieldType;

/**
 * Dataset fields as a Parquet schema every engine reads the same way: timestamps as INT64 microseconds adjusted to
 * UTC, decimals as fixed-length byte arrays with their declared precision, dates as INT32 days, lists and maps in
 * the standard three-level form. Every column is optional so files written before a field became required stay
 * compatible.
 */
public final class ParquetSchemas {

    private ParquetSchemas() {
    }

    /** The message type for rows of {@code columns}, in order. */
    public static MessageType of(String name, List<FieldType.Field> columns) {
        return new MessageType(name, columns.stream().map(f -> type(f.name(), f.type())).toList());
    }

    /** By precision (1 to 38): the bytes a fixed-length two's-complement array needs for that many digits. */
    private static final int[] DECIMAL_BYTES = new int[FieldType.Decimal.MAX_PRECISION + 1];

    static {
        for (int precision = 1; precision < DECIMAL_BYTES.length; precision++) {
            BigInteger largest = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE);
            DECIMAL_BYTES[precision] = largest.bitLength() / 8 + 1; // plus the sign bit
        }
    }

    /** Bytes a fixed-length two's-complement array needs for {@code precision} decimal digits; asked per value. */
    static int decimalBytes(int precision) {
        return DECIMAL_BYTES[precision];
    }

    private static Type type(String name, FieldType type) {
        Repetition optional = Repetition.OPTIONAL;
        if (type instanceof FieldType.Primitive primitive) {
            return switch (primitive) {
                case STRING -> Types.primitive(PrimitiveTypeName.BINARY, optional)
                        .as(LogicalTypeAnnotation.stringType()).named(name);
                case BOOLEAN -> Types.primitive(PrimitiveTypeName.BOOLEAN, optional).named(name);
                case INT -> Types.primitive(PrimitiveTypeName.INT32, optional).named(name);
                case LONG -> Types.primitive(PrimitiveTypeName.INT64, optional).named(name);
                case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, optional).named(name);
                case DATE -> Types.primitive(PrimitiveTypeName.INT32, optional)
                        .as(LogicalTypeAnnotation.dateType()).named(name);
                case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, optional)
                        .as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named(name);
            };
        }
        if (type instanceof FieldType.Decimal decimal) {
            return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, optional)
                    .length(decimalBytes(decimal.precision()))
                    .as(LogicalTypeAnnotation.decimalType(decimal.scale(), decimal.precision())).named(name);
        }
        if (type instanceof FieldType.Struct struct) {
            return new GroupType(optional, name, struct.fields().stream().map(f -> type(f.name(), f.type())).toList());
        }
        if (type instanceof FieldType.ListOf list) {
            return Types.optionalList().element(type("element", list.element())).named(name);
        }
        FieldType.MapOf map = (FieldType.MapOf) type;
        return Types.optionalMap()
                .key(Types.primitive(PrimitiveTypeName.BINARY, Repetition.REQUIRED)
                        .as(LogicalTypeAnnotation.stringType()).named("key"))
                .value(type("value", map.value()))
                .named(name);
    }
}
