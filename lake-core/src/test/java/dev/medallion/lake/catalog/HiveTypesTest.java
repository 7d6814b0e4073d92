package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.medallion.lake.spec.FieldType;

class HiveTypesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "string | string",
            "boolean | boolean",
            "int | int",
            "long | bigint",
            "double | double",
            "decimal(12,2) | decimal(12,2)",
            "date | date",
            "timestamp | timestamp",
            "list<string> | array<string>",
            "map<string,long> | map<string,bigint>",
            "struct<a:int,b:long> | struct<a:int,b:bigint>",
            "list<struct<sku:string,qty:int,price:decimal(12,2)>> | array<struct<sku:string,qty:int,price:decimal(12,2)>>",
            "map<string,list<struct<t:timestamp,m:map<string,double>>>> | map<string,array<struct<t:timestamp,m:map<string,double>>>>",
            "struct<inner:struct<x:list<date>>> | struct<inner:struct<x:array<date>>>",
    })
    void mapsSpecTypesToHiveTypes(String spec, String hive) {
        assertThat(HiveTypes.of(FieldType.parse(spec))).isEqualTo(hive);
    }
}
