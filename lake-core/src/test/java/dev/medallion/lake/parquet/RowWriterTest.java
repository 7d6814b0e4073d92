package dev.medallion.lake.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.store.InMemoryObjectStore;

class RowWriterTest {
    private static final String KEY = "silver/t/year=2024/month=03/day=01/part-r-00000.parquet";
    private static final List<Field> COLUMNS = List.of(
            new Field("id", FieldType.Primitive.STRING, true),
            new Field("amount", FieldType.parse("decimal(12,2)"), true),
            new Field("big", FieldType.parse("decimal(38,10)"), false),
            new Field("ts", FieldType.Primitive.TIMESTAMP, true),
            new Field("day", FieldType.Primitive.DATE, false),
            new Field("n", FieldType.Primitive.INT, false),
            new Field("l", FieldType.Primitive.LONG, false),
            new Field("x", FieldType.Primitive.DOUBLE, false),
            new Field("flag", FieldType.Primitive.BOOLEAN, false),
            new Field("items", FieldType.parse("list<struct<sku:string,qty:int,price:decimal(12,2)>>"), false),
            new Field("attrs", FieldType.parse("map<string,int>"), false));

    private final InMemoryObjectStore store = new InMemoryObjectStore();

    private static Object[] row(String id, String amount, Instant ts) {
        Object[] row = new Object[COLUMNS.size()];
        row[0] = id;
        row[1] = new BigDecimal(amount);
        row[3] = ts;
        return row;
    }

    private RowWriter writer(RowWriter.Settings settings) {
        return new RowWriter(store, KEY, COLUMNS, java.util.Set.of(), Map.of("run-id", "r"), settings);
    }

    private static List<Group> readAll(ParquetFileReader reader) throws IOException {
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        List<Group> rows = new ArrayList<>();
        PageReadStore pages;
        while ((pages = reader.readNextRowGroup()) != null) {
            RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                    .getRecordReader(pages, new GroupRecordConverter(schema));
            for (long i = 0; i < pages.getRowCount(); i++) {
                rows.add(records.read());
            }
        }
        return rows;
    }

    private static BigDecimal decimal(Group group, String field, int scale) {
        return new BigDecimal(new BigInteger(group.getBinary(field, 0).getBytes()), scale);
    }

    @Test
    void writesAFileParquetReadsBackThroughTheStore() throws IOException {
        Object[] full = row("a", "12.34", Instant.parse("2024-03-01T10:00:00.123456Z"));
        full[2] = new BigDecimal("-1234567890123456789012345678.0123456789");
        full[4] = LocalDate.of(2024, 2, 29);
        full[5] = -7;
        full[6] = 1L << 40;
        full[7] = 2.5;
        full[8] = true;
        full[9] = Arrays.asList(new Object[] { "s1", 2, new BigDecimal("1.50") }, null,
                new Object[] { "s2", null, new BigDecimal("-2.00") });
        full[10] = Map.of("k", 1);
        Object[] sparse = row("b", "-0.01", Instant.parse("1969-12-31T23:59:59.999999Z"));
        sparse[9] = List.of();

        RowWriter.Result result;
        try (RowWriter writer = writer(RowWriter.Settings.defaults())) {
            writer.add(full);
            writer.add(sparse);
            assertThat(writer.rows()).isEqualTo(2);
            writer.close();
            result = writer.result();
        }

        assertThat(result.key()).isEqualTo(KEY);
        assertThat(result.rows()).isEqualTo(2);
        assertThat(result.bytes()).isEqualTo(store.stat(KEY).orElseThrow().size()).isPositive();
        assertThat(store.stat(KEY).orElseThrow().metadata()).isEqualTo(Map.of("run-id", "r"));

        try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(store, KEY))) {
            assertThat(reader.getRecordCount()).isEqualTo(2);
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            assertThat(schema).isEqualTo(ParquetSchemas.of("row", COLUMNS));
            PrimitiveType ts = schema.getType("ts").asPrimitiveType();
            assertThat(ts.getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.INT64);
            assertThat(ts.getLogicalTypeAnnotation()).isEqualTo(LogicalTypeAnnotation.timestampType(true,
                    TimeUnit.MICROS));
            PrimitiveType amount = schema.getType("amount").asPrimitiveType();
            assertThat(amount.getPrimitiveTypeName()).isEqualTo(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY);
            assertThat(amount.getTypeLength()).isEqualTo(ParquetSchemas.decimalBytes(12));
            var decimalType = (LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) amount.getLogicalTypeAnnotation();
            assertThat(decimalType.getPrecision()).isEqualTo(12);
            assertThat(decimalType.getScale()).isEqualTo(2);
            for (BlockMetaData block : reader.getFooter().getBlocks()) {
                assertThat(block.getColumns()).extracting(ColumnChunkMetaData::getCodec)
                        .containsOnly(CompressionCodecName.SNAPPY);
            }

            List<Group> rows = readAll(reader);
            assertThat(rows).hasSize(2);
            Group a = rows.get(0);
            assertThat(a.getString("id", 0)).isEqualTo("a");
            assertThat(decimal(a, "amount", 2)).isEqualTo(new BigDecimal("12.34"));
            assertThat(decimal(a, "big", 10)).isEqualTo(new BigDecimal("-1234567890123456789012345678.0123456789"));
            assertThat(a.getLong("ts", 0)).isEqualTo(1_709_287_200_123_456L);
            assertThat(a.getInteger("day", 0)).isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
            assertThat(a.getInteger("n", 0)).isEqualTo(-7);
            assertThat(a.getLong("l", 0)).isEqualTo(1L << 40);
            assertThat(a.getDouble("x", 0)).isEqualTo(2.5);
            assertThat(a.getBoolean("flag", 0)).isTrue();
            Group list = a.getGroup("items", 0);
            assertThat(list.getFieldRepetitionCount("list")).isEqualTo(3);
            assertThat(list.getGroup("list", 1).getFieldRepetitionCount("element")).isZero();
            Group third = list.getGroup("list", 2).getGroup("element", 0);
            assertThat(third.getString("sku", 0)).isEqualTo("s2");
            assertThat(third.getFieldRepetitionCount("qty")).isZero();
            assertThat(decimal(third, "price", 2)).isEqualTo(new BigDecimal("-2.00"));
            Group entry = a.getGroup("attrs", 0).getGroup("key_value", 0);
            assertThat(entry.getString("key", 0)).isEqualTo("k");
            assertThat(entry.getInteger("value", 0)).isEqualTo(1);

            Group b = rows.get(1);
            assertThat(decimal(b, "amount", 2)).isEqualTo(new BigDecimal("-0.01"));
            assertThat(b.getLong("ts", 0)).isEqualTo(-1L);
            assertThat(b.getFieldRepetitionCount("big")).isZero();
            assertThat(b.getFieldRepetitionCount("attrs")).isZero();
            assertThat(b.getFieldRepetitionCount("items")).isEqualTo(1);
            assertThat(b.getGroup("items", 0).getFieldRepetitionCount("list")).isZero();
        }
    }

    @Test
    void writesTimestampsOfEveryAllowedYear() throws IOException {
        List<Instant> times = List.of(Instant.parse("1000-01-01T00:00:00Z"), Instant.parse("1500-06-15T12:00:00Z"),
                Instant.parse("2300-01-01T00:00:00.000001Z"), Instant.parse("9999-12-31T23:59:59.999999Z"));
        try (RowWriter writer = writer(RowWriter.Settings.defaults())) {
            for (Instant t : times) {
                writer.add(row("t", "0", t));
            }
        }

        try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(store, KEY))) {
            assertThat(readAll(reader)).extracting(g -> g.getLong("ts", 0)).containsExactlyElementsOf(
                    times.stream().map(t -> t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000).toList());
        }
    }

    @Test
    void splitsLargeInputIntoRowGroups() throws IOException {
        int count = 20_000;
        try (RowWriter writer = writer(new RowWriter.Settings(16 * 1024, 4 * 1024))) {
            for (int i = 0; i < count; i++) {
                Object[] row = row("id-" + i, i + ".25", Instant.ofEpochSecond(1_700_000_000L + i));
                row[6] = (long) i * 7919;
                writer.add(row);
            }
            assertThat(writer.dataSize()).isPositive();
        }

        try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(store, KEY))) {
            assertThat(reader.getRecordCount()).isEqualTo(count);
            assertThat(reader.getFooter().getBlocks()).hasSizeGreaterThan(1);
            List<Group> rows = readAll(reader);
            assertThat(rows).hasSize(count);
            for (int i = 0; i < count; i += 997) {
                assertThat(rows.get(i).getString("id", 0)).isEqualTo("id-" + i);
                assertThat(decimal(rows.get(i), "amount", 2)).isEqualTo(new BigDecimal(i + ".25"));
                assertThat(rows.get(i).getLong("l", 0)).isEqualTo((long) i * 7919);
            }
        }
    }

    @Test
    void nothingIsVisibleBeforeClose() {
        RowWriter writer = writer(RowWriter.Settings.defaults());
        writer.add(row("a", "1.00", Instant.EPOCH));

        assertThat(store.stat(KEY)).isEmpty();
        assertThatThrownBy(writer::result).isInstanceOf(IllegalStateException.class);

        writer.close();

        assertThat(store.stat(KEY)).isPresent();
    }

    @Test
    void abortLeavesNoObject() {
        RowWriter writer = writer(RowWriter.Settings.defaults());
        writer.add(row("a", "1.00", Instant.EPOCH));

        writer.abort();
        writer.close();

        assertThat(store.stat(KEY)).isEmpty();
        assertThat(store.list("")).isEmpty();
        assertThatThrownBy(writer::result).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it is not closed");
    }

    @Test
    void aBadRowAbortsTheFile() {
        RowWriter writer = writer(RowWriter.Settings.defaults());
        writer.add(row("a", "1.00", Instant.EPOCH));
        Object[] bad = row("b", "1.00", Instant.EPOCH);
        bad[5] = "not an int";

        assertThatThrownBy(() -> writer.add(bad)).isInstanceOf(ClassCastException.class);
        writer.close();

        assertThat(store.stat(KEY)).isEmpty();
    }

    @Test
    void replacesAnExistingObject() throws IOException {
        try (RowWriter writer = writer(RowWriter.Settings.defaults())) {
            writer.add(row("a", "1.00", Instant.EPOCH));
            writer.add(row("b", "1.00", Instant.EPOCH));
        }
        try (RowWriter writer = writer(RowWriter.Settings.defaults())) {
            writer.add(row("c", "1.00", Instant.EPOCH));
        }

        try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(store, KEY))) {
            assertThat(reader.getRecordCount()).isEqualTo(1);
        }
    }

    @Test
    void anEmptyFileIsStillValid() throws IOException {
        RowWriter.Result result;
        try (RowWriter writer = writer(RowWriter.Settings.defaults())) {
            writer.close();
            result = writer.result();
        }

        assertThat(result.rows()).isZero();
        try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(store, KEY))) {
            assertThat(reader.getRecordCount()).isZero();
            assertThat(reader.getFooter().getFileMetaData().getSchema()).isEqualTo(ParquetSchemas.of("row", COLUMNS));
        }
    }
}
