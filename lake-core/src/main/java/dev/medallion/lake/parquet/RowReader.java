package dev.medallion.lake.parquet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.column.Dictionary;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectStore;

/**
 * Reads the rows of a Parquet object written by {@link RowWriter}, streaming, as {@code Object[]} of the requested
 * columns in the Java types {@link RowWriter} takes. Only the requested columns are decoded. A column the file does
 * not have (written before the field was added to the spec) reads as {@code null}, and so does a struct field it
 * lacks: schema evolution is additive.
 */
public final class RowReader implements AutoCloseable {
    private final ParquetReader<Object[]> reader;

    /** Opens {@code key} for reading {@code columns}, in that order. */
    public RowReader(ObjectStore store, String key, List<FieldType.Field> columns) {
        this(new ObjectStoreInputFile(store, key), key, columns);
    }

    /** Opens an object whose size is known (from a listing), without asking the store for it. */
    public RowReader(ObjectStore store, ObjectInfo object, List<FieldType.Field> columns) {
        this(new ObjectStoreInputFile(store, object.key(), object.size()), object.key(), columns);
    }

    private RowReader(InputFile file, String key, List<FieldType.Field> columns) {
        try {
            Support support = new Support(columns);
            this.reader = new ParquetReader.Builder<Object[]>(file, new PlainParquetConfiguration()) {
                @Override
                protected ReadSupport<Object[]> getReadSupport() {
                    return support;
                }
            }.withCodecFactory(new HeapCodecs(1024 * 1024)).build();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open Parquet object '" + key + "'", e);
        }
    }

    /** The next row, or {@code null} after the last. */
    public Object[] next() {
        try {
            return reader.read();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Parquet row", e);
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close Parquet reader", e);
        }
    }

    /** Asks the file for the requested columns it has, and materializes rows of all requested columns. */
    private static final class Support extends ReadSupport<Object[]> {
        private final List<FieldType.Field> columns;

        Support(List<FieldType.Field> columns) {
            this.columns = columns;
        }

        @Override
        public ReadContext init(InitContext context) {
            MessageType file = context.getFileSchema();
            List<Type> present = columns.stream().filter(c -> file.containsField(c.name()))
                    .map(c -> file.getType(c.name())).toList();
            return new ReadContext(new MessageType(file.getName(), present));
        }

        @Override
        public RecordMaterializer<Object[]> prepareForRead(org.apache.hadoop.conf.Configuration configuration,
                Map<String, String> keyValueMetaData, MessageType fileSchema, ReadContext readContext) {
            return materializer(readContext.getRequestedSchema());
        }

        @Override
        public RecordMaterializer<Object[]> prepareForRead(org.apache.parquet.conf.ParquetConfiguration configuration,
                Map<String, String> keyValueMetaData, MessageType fileSchema, ReadContext readContext) {
            return materializer(readContext.getRequestedSchema());
        }

        private RecordMaterializer<Object[]> materializer(MessageType requested) {
            StructConverter root = new StructConverter(columns, requested, value -> {
            });
            return new RecordMaterializer<>() {
                @Override
                public Object[] getCurrentRecord() {
                    return root.current;
                }

                @Override
                public GroupConverter getRootConverter() {
                    return root;
                }
            };
        }
    }

    /** Where a converter puts the value it built. */
    private interface Sink {
        void accept(Object value);
    }

    private static Converter converter(FieldType type, Type fileType, Sink sink) {
        if (type instanceof FieldType.Struct struct) {
            return new StructConverter(struct.fields(), fileType.asGroupType(), sink);
        }
        if (type instanceof FieldType.ListOf list) {
            return new ListConverter(list.element(), fileType.asGroupType(), sink);
        }
        if (type instanceof FieldType.MapOf map) {
            return new MapConverter(map.value(), fileType.asGroupType(), sink);
        }
        return primitive(type, sink);
    }

    private static PrimitiveConverter primitive(FieldType type, Sink sink) {
        if (type instanceof FieldType.Decimal decimal) {
            int scale = decimal.scale();
            return new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    sink.accept(new BigDecimal(new BigInteger(value.getBytes()), scale));
                }
            };
        }
        return switch ((FieldType.Primitive) type) {
            case STRING -> new PrimitiveConverter() {
                /** A dictionary-encoded column's values, each decoded once per row group instead of once per row. */
                private String[] dictionary;

                @Override
                public boolean hasDictionarySupport() {
                    return true;
                }

                @Override
                public void setDictionary(Dictionary values) {
                    dictionary = new String[values.getMaxId() + 1];
                    for (int id = 0; id < dictionary.length; id++) {
                        dictionary[id] = values.decodeToBinary(id).toStringUsingUTF8();
                    }
                }

                @Override
                public void addValueFromDictionary(int id) {
                    sink.accept(dictionary[id]);
                }

                @Override
                public void addBinary(Binary value) {
                    sink.accept(value.toStringUsingUTF8());
                }
            };
            case BOOLEAN -> new PrimitiveConverter() {
                @Override
                public void addBoolean(boolean value) {
                    sink.accept(value);
                }
            };
            case INT -> new PrimitiveConverter() {
                @Override
                public void addInt(int value) {
                    sink.accept(value);
                }
            };
            case LONG -> new PrimitiveConverter() {
                @Override
                public void addLong(long value) {
                    sink.accept(value);
                }
            };
            case DOUBLE -> new PrimitiveConverter() {
                @Override
                public void addDouble(double value) {
                    sink.accept(value);
                }
            };
            case DATE -> new PrimitiveConverter() {
                @Override
                public void addInt(int value) {
                    sink.accept(LocalDate.ofEpochDay(value));
                }
            };
            case TIMESTAMP -> new PrimitiveConverter() {
                @Override
                public void addLong(long micros) {
                    sink.accept(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                            Math.floorMod(micros, 1_000_000L) * 1_000L));
                }
            };
        };
    }

    /** A row or a struct: an {@code Object[]} in the order of our fields, whatever order the file has. */
    private static final class StructConverter extends GroupConverter {
        private final int width;
        private final Converter[] children;
        private final Sink sink;
        Object[] current;

        StructConverter(List<FieldType.Field> fields, GroupType fileGroup, Sink sink) {
            this.width = fields.size();
            this.sink = sink;
            this.children = new Converter[fileGroup.getFieldCount()];
            for (int i = 0; i < children.length; i++) {
                Type fileField = fileGroup.getType(i);
                int index = indexOf(fields, fileField.getName());
                if (index < 0) {
                    children[i] = IgnoringConverter.of(fileField);
                } else {
                    children[i] = converter(fields.get(index).type(), fileField, value -> current[index] = value);
                }
            }
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return children[fieldIndex];
        }

        @Override
        public void start() {
            current = new Object[width];
        }

        @Override
        public void end() {
            sink.accept(current);
        }
    }

    /** The three-level list: {@code list (repeated group) -> element}. */
    private static final class ListConverter extends GroupConverter {
        private final GroupConverter repeated;
        private final Sink sink;
        private List<Object> current;

        ListConverter(FieldType element, GroupType fileList, Sink sink) {
            this.sink = sink;
            GroupType repeatedType = fileList.getType(0).asGroupType();
            Converter elementConverter = converter(element, repeatedType.getType(0), value -> current.set(
                    current.size() - 1, value));
            this.repeated = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return elementConverter;
                }

                @Override
                public void start() {
                    current.add(null);
                }

                @Override
                public void end() {
                }
            };
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return repeated;
        }

        @Override
        public void start() {
            current = new ArrayList<>();
        }

        @Override
        public void end() {
            sink.accept(current);
        }
    }

    /** The map: {@code key_value (repeated group) -> key, value}. */
    private static final class MapConverter extends GroupConverter {
        private final GroupConverter entry;
        private final Sink sink;
        private Map<String, Object> current;
        private String key;
        private Object value;

        MapConverter(FieldType valueType, GroupType fileMap, Sink sink) {
            this.sink = sink;
            GroupType entryType = fileMap.getType(0).asGroupType();
            Converter keyConverter = primitive(FieldType.Primitive.STRING, k -> key = (String) k);
            Converter valueConverter = converter(valueType, entryType.getType(1), v -> value = v);
            this.entry = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return fieldIndex == 0 ? keyConverter : valueConverter;
                }

                @Override
                public void start() {
                    key = null;
                    value = null;
                }

                @Override
                public void end() {
                    current.put(key, value);
                }
            };
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            return entry;
        }

        @Override
        public void start() {
            current = new LinkedHashMap<>();
        }

        @Override
        public void end() {
            sink.accept(current);
        }
    }

    private static int indexOf(List<FieldType.Field> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
