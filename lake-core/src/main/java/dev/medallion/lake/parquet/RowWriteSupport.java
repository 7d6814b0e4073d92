package dev.medallion.lake.parquet;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import dev.medallion.lake.spec.FieldType;

/**
 * Writes rows of typed values ({@code Object[]} in column order; see {@link RowWriter} for the Java types) through
 * Parquet's record consumer.
 */
final class RowWriteSupport extends WriteSupport<Object[]> {
    private final List<FieldType.Field> columns;
    private final MessageType schema;
    private final Map<String, String> fileMetadata;
    private RecordConsumer consumer;

    RowWriteSupport(List<FieldType.Field> columns, MessageType schema, Map<String, String> fileMetadata) {
        this.columns = columns;
        this.schema = schema;
        this.fileMetadata = fileMetadata;
    }

    @Override
    public WriteContext init(Configuration configuration) {
        return new WriteContext(schema, new HashMap<>(fileMetadata));
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, new HashMap<>(fileMetadata));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    @Override
    public void write(Object[] row) {
        consumer.startMessage();
        writeFields(columns, row);
        consumer.endMessage();
    }

    private void writeFields(List<FieldType.Field> fields, Object[] values) {
        for (int i = 0; i < fields.size(); i++) {
            Object value = values[i];
            if (value != null) {
                FieldType.Field field = fields.get(i);
                consumer.startField(field.name(), i);
                writeValue(field.type(), value);
                consumer.endField(field.name(), i);
            }
        }
    }

    private void writeValue(FieldType type, Object value) {
        if (type instanceof FieldType.Primitive primitive) {
            switch (primitive) {
                // byte-array backed: the dictionary encoder hashes and compares every value, which is slow on ByteBuffers
                case STRING -> consumer.addBinary(utf8((String) value));
                case BOOLEAN -> consumer.addBoolean((Boolean) value);
                case INT -> consumer.addInteger((Integer) value);
                case LONG -> consumer.addLong((Long) value);
                case DOUBLE -> consumer.addDouble((Double) value);
                case DATE -> consumer.addInteger((int) ((LocalDate) value).toEpochDay());
                case TIMESTAMP -> consumer.addLong(epochMicros((Instant) value));
            }
        } else if (type instanceof FieldType.Decimal decimal) {
            consumer.addBinary(Binary.fromConstantByteArray(
                    fixedBytes((BigDecimal) value, ParquetSchemas.decimalBytes(decimal.precision()))));
        } else if (type instanceof FieldType.Struct struct) {
            consumer.startGroup();
            writeFields(struct.fields(), (Object[]) value);
            consumer.endGroup();
        } else if (type instanceof FieldType.ListOf list) {
            List<?> elements = (List<?>) value;
            consumer.startGroup();
            if (!elements.isEmpty()) {
                consumer.startField("list", 0);
                for (Object element : elements) {
                    consumer.startGroup();
                    if (element != null) {
                        consumer.startField("element", 0);
                        writeValue(list.element(), element);
                        consumer.endField("element", 0);
                    }
                    consumer.endGroup();
                }
                consumer.endField("list", 0);
            }
            consumer.endGroup();
        } else {
            FieldType.MapOf map = (FieldType.MapOf) type;
            Map<?, ?> entries = (Map<?, ?>) value;
            consumer.startGroup();
            if (!entries.isEmpty()) {
                consumer.startField("key_value", 0);
                for (Map.Entry<?, ?> entry : entries.entrySet()) {
                    consumer.startGroup();
                    consumer.startField("key", 0);
                    consumer.addBinary(utf8((String) entry.getKey()));
                    consumer.endField("key", 0);
                    if (entry.getValue() != null) {
                        consumer.startField("value", 1);
                        writeValue(map.value(), entry.getValue());
                        consumer.endField("value", 1);
                    }
                    consumer.endGroup();
                }
                consumer.endField("key_value", 0);
            }
            consumer.endGroup();
        }
    }

    /**
     * Microseconds since the epoch. Not {@code ChronoUnit.MICROS.between}: on Java 17 it counts in nanoseconds first
     * and overflows for instants more than 292 years from 1970, well inside the years a record may have.
     */
    static long epochMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    private static Binary utf8(String value) {
        return Binary.fromConstantByteArray(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The unscaled value as a big-endian two's-complement array of exactly {@code length} bytes. */
    private static byte[] fixedBytes(BigDecimal value, int length) {
        byte[] minimal = value.unscaledValue().toByteArray();
        byte[] fixed = new byte[length];
        byte pad = (byte) (value.signum() < 0 ? 0xff : 0);
        int offset = length - minimal.length;
        for (int i = 0; i < offset; i++) {
            fixed[i] = pad;
        }
        System.arraycopy(minimal, 0, fixed, offset, minimal.length);
        return fixed;
    }
}
