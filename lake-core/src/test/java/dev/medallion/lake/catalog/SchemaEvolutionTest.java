package dev.medallion.lake.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

    private static TableInput.Column column(String name, String type) {
        return new TableInput.Column(name, type);
    }

    @Test
    void addedColumnsAppendedStructFieldsAndSafeWideningsAreApplied() {
        var result = SchemaEvolution.reconcile(
                List.of(column("id", "string"), column("qty", "int"), column("ratio", "float"),
                        column("ship", "struct<city:string>")),
                List.of(column("id", "string"), column("qty", "bigint"), column("ratio", "double"),
                        column("ship", "struct<city:string,zip:string>"), column("channel", "string")));

        assertThat(result.refused()).isEmpty();
        assertThat(result.columns()).containsExactly(column("id", "string"), column("qty", "bigint"),
                column("ratio", "double"), column("ship", "struct<city:string,zip:string>"),
                column("channel", "string"));
    }

    @Test
    void narrowingsOtherTypeChangesAndRemovalsAreRefusedAndTheTableKeepsWhatItHad() {
        var result = SchemaEvolution.reconcile(
                List.of(column("id", "string"), column("qty", "bigint"), column("amount", "decimal(12,2)"),
                        column("ship", "struct<city:string,zip:string>"), column("gone", "int")),
                List.of(column("id", "bigint"), column("qty", "int"), column("amount", "decimal(10,2)"),
                        column("ship", "struct<city:string>")));

        assertThat(result.columns()).containsExactly(column("id", "string"), column("qty", "bigint"),
                column("amount", "decimal(12,2)"), column("ship", "struct<city:string,zip:string>"),
                column("gone", "int"));
        assertThat(result.refused()).hasSize(5).allSatisfy(r -> assertThat(r).startsWith("column "));
    }
}
