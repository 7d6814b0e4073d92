package dev.medallion.lake.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;

import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.FieldType.Field;

class ParquetSchemasTest {

    @ParameterizedTest
    @CsvSource({ "1, 1", "2, 1", "3, 2", "4, 2", "9, 4", "10, 5", "18, 8", "19, 9", "38, 16" })
    void decimalBytesFitsThePrecision(int precision, int bytes) {
        assertThat(ParquetSchemas.decimalBytes(precision)).isEqualTo(bytes);
    }

    @Test
    void decimalBytesIsTheSmallestTwosComplementWidthForEveryPrecision() {
        for (int precision = 1; precision <= FieldType.Decimal.MAX_PRECISION; precision++) {
            BigInteger largest = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE);
            int bytes = ParquetSchemas.decimalBytes(precision);

            // the largest unscaled value and its negation fit in `bytes`, and not in one byte fewer
            assertThat(largest.bitLength() + 1).as("precision %d", precision).isLessThanOrEqualTo(8 * bytes);
            assertThat(largest.bitLength() + 1).as("precision %d", precision).isGreaterThan(8 * (bytes - 1));
        }
    }

    private static MessageType schema(String... fields) {
        return ParquetSchemas.of("row", java.util.Arrays.stream(fields).map(f -> {
            String[] parts = f.split(" ", 2);
            return new Field(parts[0], FieldType.parse(parts[1]), true);
        }).toList());
    }

    @Test
    void mapsScalarsToTheirParquetTypes() {
        MessageType schema = schema("s string", "b boolean", "i int", "l long", "d double", "day date",
                "ts timestamp");

        assertThat(schema.getName()).isEqualTo("row");
        assertThat(schema.getFields()).extracting(Type::getName).containsExactly("s", "b", "i", "l", "d", "day", "ts");
        assertPrimitive(schema.getType("s"), PrimitiveTypeName.BINARY, LogicalTypeAnnotation.stringType());
        assertPrimitive(schema.getType("b"), PrimitiveTypeName.BOOLEAN, null);
        assertPrimitive(schema.getType("i"), PrimitiveTypeName.INT32, null);
        assertPrimitive(schema.getType("l"), PrimitiveTypeName.INT64, null);
        assertPrimitive(schema.getType("d"), PrimitiveTypeName.DOUBLE, null);
        assertPrimitive(schema.getType("day"), PrimitiveTypeName.INT32, LogicalTypeAnnotation.dateType());
        assertPrimitive(schema.getType("ts"), PrimitiveTypeName.INT64,
                LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS));
    }

    @Test
    void everyColumnIsOptionalEvenWhenTheFieldIsRequired() {
        MessageType schema = schema("s string", "a decimal(12,2)", "l list<int>", "m map<string,int>",
                "st struct<x:int>");

        assertThat(schema.getFields()).allSatisfy(t -> assertThat(t.getRepetition()).isEqualTo(Repetition.OPTIONAL));
    }

    @Test
    void mapsDecimalsToFixedLengthBytesWithTheirPrecision() {
        MessageType schema = schema("a decimal(12,2)", "b decimal(38,10)", "c decimal(9,0)");

        PrimitiveType a = schema.getType("a").asPrimitiveType();
        assertThat(a.getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY);
        assertThat(a.getTypeLength()).isEqualTo(6);
        assertThat(a.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.decimalType(2, 12));
        assertThat(schema.getType("b").asPrimitiveType().getTypeLength()).isEqualTo(16);
        assertThat(schema.getType("b").getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.decimalType(10, 38));
        assertThat(schema.getType("c").asPrimitiveType().getTypeLength()).isEqualTo(4);
    }

    @Test
    void writesListsAndMapsInTheStandardThreeLevelForm() {
        MessageType schema = schema("items list<struct<sku:string,qty:int>>", "attrs map<string,double>");

        GroupType items = schema.getType("items").asGroupType();
        assertThat(items.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.listType());
        GroupType repeated = items.getType(0).asGroupType();
        assertThat(repeated.getName()).isEqualTo("list");
        assertThat(repeated.getRepetition()).isEqualTo(Repetition.REPEATED);
        GroupType element = repeated.getType(0).asGroupType();
        assertThat(element.getName()).isEqualTo("element");
        assertThat(element.getRepetition()).isEqualTo(Repetition.OPTIONAL);
        assertThat(element.getFields()).extracting(Type::getName).containsExactly("sku", "qty");

        GroupType attrs = schema.getType("attrs").asGroupType();
        assertThat(attrs.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.mapType());
        GroupType keyValue = attrs.getType(0).asGroupType();
        assertThat(keyValue.getName()).isEqualTo("key_value");
        assertThat(keyValue.getRepetition()).isEqualTo(Repetition.REPEATED);
        assertThat(keyValue.getType("key").getRepetition()).isEqualTo(Repetition.REQUIRED);
        assertPrimitive(keyValue.getType("key"), PrimitiveTypeName.BINARY, LogicalTypeAnnotation.stringType());
        assertThat(keyValue.getType("value").getRepetition()).isEqualTo(Repetition.OPTIONAL);
        assertPrimitive(keyValue.getType("value"), PrimitiveTypeName.DOUBLE, null);
    }

    @Test
    void nestsStructs() {
        MessageType schema = ParquetSchemas.of("row",
                List.of(new Field("s", FieldType.parse("struct<a:struct<b:timestamp>>"), false)));

        Type b = schema.getType("s").asGroupType().getType("a").asGroupType().getType("b");
        assertPrimitive(b, PrimitiveTypeName.INT64, LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS));
    }

    private static void assertPrimitive(Type type, PrimitiveTypeName name, LogicalTypeAnnotation logical) {
        assertThat(type.isPrimitive()).isTrue();
        assertThat(type.asPrimitiveType().getPrimitiveTypeName()).isEqualTo(name);
        assertThat(type.getLogicalTypeAnnotation()).isEqualTo(logical);
    }
}
