package dev.medallion.lake.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.InMemoryObjectStore;

class RowReaderTest {
    private static final List<FieldType.Field> COLUMNS = List.of(
            field("id", "string"), field("ok", "boolean"), field("n", "int"), field("big", "long"),
            field("x", "double"), field("amount", "decimal(12,2)"), field("huge", "decimal(38,10)"),
            field("day", "date"), field("ts", "timestamp"),
            field("ship", "struct<country:string,express:boolean>"),
            field("items", "list<struct<sku:string,qty:int>>"), field("tags", "map<string,long>"));

    private final InMemoryObjectStore store = new InMemoryObjectStore();

    private static FieldType.Field field(String name, String type) {
        return new FieldType.Field(name, FieldType.parse(type), false);
    }

    @Test
    void readsBackEveryTypeRowWriterWrites() {
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("a", 1L);
        tags.put("b", null);
        List<Object> items = new ArrayList<>();
        items.add(new Object[] { "s1", 2 });
        items.add(null);
        Object[] full = { "r1", true, -7, 1L << 40, 2.5, new BigDecimal("-1234.50"),
                new BigDecimal("-12345678901234567890.0123456789"), LocalDate.of(1969, 12, 31),
                Instant.parse("1900-01-01T00:00:00.123456Z"), new Object[] { "NL", false }, items, tags };
        Object[] empty = new Object[COLUMNS.size()];
        empty[0] = "r2";
        empty[10] = List.of();
        write("t.parquet", COLUMNS, full, empty);

        List<Object[]> rows = read("t.parquet", COLUMNS);

        assertThat(rows).hasSize(2);
        Object[] first = rows.get(0);
        assertThat(Arrays.copyOfRange(first, 0, 9)).containsExactly(Arrays.copyOfRange(full, 0, 9));
        assertThat((Object[]) first[9]).containsExactly("NL", false);
        @SuppressWarnings("unchecked")
        List<Object> readItems = (List<Object>) first[10];
        assertThat(readItems).hasSize(2);
        assertThat((Object[]) readItems.get(0)).containsExactly("s1", 2);
        assertThat(readItems.get(1)).isNull();
        assertThat(first[11]).isEqualTo(tags);
        assertThat(rows.get(1)[0]).isEqualTo("r2");
        assertThat(rows.get(1)[10]).isEqualTo(List.of());
        assertThat(Arrays.copyOfRange(rows.get(1), 1, 10)).containsOnlyNulls();
        assertThat(rows.get(1)[11]).isNull();
    }

    @Test
    void readsOnlyTheRequestedColumnsInTheRequestedOrderAndNullForWhatTheFileLacks() {
        List<FieldType.Field> old = List.of(field("id", "string"), field("ship", "struct<country:string>"),
                field("n", "int"));
        write("old.parquet", old, new Object[] { "r1", new Object[] { "NL" }, 5 });

        List<FieldType.Field> now = List.of(field("n", "int"), field("added", "string"),
                field("ship", "struct<country:string,express:boolean>"));
        List<Object[]> rows = read("old.parquet", now);

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)[0]).isEqualTo(5);
        assertThat(rows.get(0)[1]).isNull();
        assertThat((Object[]) rows.get(0)[2]).containsExactly("NL", null);
    }

    private void write(String key, List<FieldType.Field> columns, Object[]... rows) {
        try (RowWriter writer = new RowWriter(store, key, columns, Set.of(), Map.of(), RowWriter.Settings.defaults())) {
            for (Object[] row : rows) {
                writer.add(row);
            }
        }
    }

    private List<Object[]> read(String key, List<FieldType.Field> columns) {
        List<Object[]> rows = new ArrayList<>();
        try (RowReader reader = new RowReader(store, key, columns)) {
            for (Object[] row = reader.next(); row != null; row = reader.next()) {
                rows.add(row);
            }
        }
        return rows;
    }
}
