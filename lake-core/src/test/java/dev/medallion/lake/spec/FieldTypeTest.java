package dev.medallion.lake.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.FieldType.Decimal;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.spec.FieldType.ListOf;
import dev.medallion.lake.spec.FieldType.MapOf;
import dev.medallion.lake.spec.FieldType.Primitive;
import dev.medallion.lake.spec.FieldType.Struct;

class FieldTypeTest {

    @ParameterizedTest
    @CsvSource({
            "string, STRING", "varchar, STRING",
            "boolean, BOOLEAN", "bool, BOOLEAN",
            "int, INT", "integer, INT",
            "long, LONG", "bigint, LONG",
            "double, DOUBLE",
            "date, DATE",
            "timestamp, TIMESTAMP",
            "TIMESTAMP, TIMESTAMP", "String, STRING",
    })
    void parsesEveryPrimitiveAndItsAliases(String text, Primitive expected) {
        assertThat(FieldType.parse(text)).isSameAs(expected);
    }

    @Test
    void parsesDecimal() {
        assertThat(FieldType.parse("decimal(12,2)")).isEqualTo(new Decimal(12, 2));
        assertThat(FieldType.parse("decimal(38,38)")).isEqualTo(new Decimal(38, 38));
        assertThat(FieldType.parse("decimal(1,0)")).isEqualTo(new Decimal(1, 0));
    }

    @Test
    void parsesNestedListOfStruct() {
        FieldType type = FieldType.parse("list<struct<sku:string,qty:int,price:decimal(12,2)>>");

        assertThat(type).isEqualTo(new ListOf(new Struct(List.of(
                new Field("sku", Primitive.STRING, false),
                new Field("qty", Primitive.INT, false),
                new Field("price", new Decimal(12, 2), false)))));
    }

    @Test
    void parsesMapWithStringKeys() {
        assertThat(FieldType.parse("map<string,int>")).isEqualTo(new MapOf(Primitive.INT));
        assertThat(FieldType.parse("map<varchar,list<date>>")).isEqualTo(new MapOf(new ListOf(Primitive.DATE)));
    }

    @Test
    void ignoresWhitespaceAndCase() {
        FieldType type = FieldType.parse("  Array < Struct< Sku : VARCHAR , Price : Decimal( 12 , 2 ) > >  ");

        assertThat(type.spec()).isEqualTo("list<struct<sku:string,price:decimal(12,2)>>");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "string", "boolean", "int", "long", "double", "date", "timestamp", "decimal(12,2)", "decimal(38,0)",
            "list<string>", "map<string,int>", "struct<a:int>",
            "list<struct<sku:string,qty:int,price:decimal(12,2)>>",
            "map<string,list<struct<t:timestamp,m:map<string,double>>>>",
            "struct<inner:struct<x:list<date>>,flag:boolean>",
    })
    void specIsCanonicalAndReadsBackToAnEqualType(String text) {
        FieldType type = FieldType.parse(text);

        assertThat(type.spec()).isEqualTo(text);
        assertThat(FieldType.parse(type.spec())).isEqualTo(type);
    }

    @Test
    void specOfAliasesIsCanonical() {
        assertThat(FieldType.parse("array<bigint>").spec()).isEqualTo("list<long>");
        assertThat(FieldType.parse("map<varchar,integer>").spec()).isEqualTo("map<string,int>");
        assertThat(FieldType.parse("struct<A:Bool>").spec()).isEqualTo("struct<a:boolean>");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // text | what the error says | where
            "decimal(40,2) | precision must be between 1 and 38 | 0",
            "decimal(0,0) | precision must be between 1 and 38 | 0",
            "decimal(5,6) | scale must be between 0 and the precision | 0",
            "list<decimal(39,1)> | precision must be between 1 and 38 | 5",
            "decimal(1234,2) | expected a small number | 12",
            "decimal(12) | expected ',' | 10",
            "decimal | expected '(' | 7",
            "map<int,string> | map keys must be string | 7",
            "map<string> | expected ',' | 10",
            "struct<> | expected a name | 7",
            "struct<a:int,> | expected a name | 13",
            "struct<a int> | expected ':' | 9",
            "struct<a:int,a:string> | appears twice | 0",
            "struct<x:int,1a:int> | Cannot use field name '1a' | 13",
            "foo | unknown type 'foo' | 3",
            "list<strng> | unknown type 'strng' | 10",
            "list<int | expected '>' | 8",
            "int> | unexpected text | 3",
            "decimal(12,2) x | unexpected text | 14",
            "<int> | expected a name | 0",
    })
    void rejectsBadTypesSayingWhere(String text, String reason, int position) {
        assertThatThrownBy(() -> FieldType.parse(text))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot parse type '" + text + "'")
                .hasMessageContaining(reason)
                .hasMessageEndingWith("at position " + position);
    }

    @Test
    void rejectsEmptyAndNullText() {
        assertThatThrownBy(() -> FieldType.parse("")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("expected a name at position 0");
        assertThatThrownBy(() -> FieldType.parse("   ")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("expected a name");
        assertThatThrownBy(() -> FieldType.parse(null)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("expected a name at position 0");
    }

    @Test
    void decimalChecksItsBounds() {
        assertThat(new Decimal(38, 0).precision()).isEqualTo(Decimal.MAX_PRECISION);
        assertThatThrownBy(() -> new Decimal(39, 0)).isInstanceOf(ValidationException.class)
                .hasMessage("Cannot use decimal(39,0): precision must be between 1 and 38");
        assertThatThrownBy(() -> new Decimal(10, -1)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("scale must be between 0 and the precision");
    }

    @Test
    void structNeedsFieldsAndCopiesThem() {
        assertThatThrownBy(() -> new Struct(List.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("at least one field");
        var fields = new java.util.ArrayList<>(List.of(new Field("a", Primitive.INT, false)));
        var struct = new Struct(fields);
        fields.add(new Field("b", Primitive.INT, false));

        assertThat(struct.fields()).hasSize(1);
    }

    @Test
    void fieldNamesAreValidatedWithOneLeadingUnderscoreAllowedForLineageColumns() {
        assertThat(new Field("_extra", Primitive.STRING, false).name()).isEqualTo("_extra");
        assertThatThrownBy(() -> new Field("Amount", Primitive.INT, false)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("Cannot use field name 'Amount'");
        assertThatThrownBy(() -> new Field("_", Primitive.INT, false)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> new Field("a-b", Primitive.INT, false)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> new Field("a".repeat(129), Primitive.INT, false))
                .isInstanceOf(ValidationException.class);
        assertThat(new Field("a".repeat(128), Primitive.INT, false).name()).hasSize(128);
    }
}
