package dev.medallion.lake.parquet;

import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.Type;

/**
 * Converters that take every value and drop it: for the fields of a file a reader did not ask for, and for code that
 * takes values from the column readers directly ({@code getBinary()}, {@code getLong()}, ...), which Parquet still
 * makes build a converter for every column.
 */
public final class IgnoringConverter extends GroupConverter {
    private final Converter[] children;

    /** Converters for every field of {@code type}, nested ones included. */
    public IgnoringConverter(GroupType type) {
        children = new Converter[type.getFieldCount()];
        for (int i = 0; i < children.length; i++) {
            children[i] = of(type.getType(i));
        }
    }

    /** The converter of one field. */
    public static Converter of(Type type) {
        return type.isPrimitive() ? new IgnoringPrimitive() : new IgnoringConverter(type.asGroupType());
    }

    @Override
    public Converter getConverter(int fieldIndex) {
        return children[fieldIndex];
    }

    @Override
    public void start() {
    }

    @Override
    public void end() {
    }

    private static final class IgnoringPrimitive extends PrimitiveConverter {
        @Override
        public void addBinary(Binary value) {
        }

        @Override
        public void addBoolean(boolean value) {
        }

        @Override
        public void addDouble(double value) {
        }

        @Override
        public void addFloat(float value) {
        }

        @Override
        public void addInt(int value) {
        }

        @Override
        public void addLong(long value) {
        }
    }
}
