package dev.medallion.lake.parquet;

import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;

/**
 * The converters Parquet's column readers require, for code that takes values from the readers directly
 * ({@code getBinary()}, {@code getLong()}, ...) instead of having them pushed into records: they ignore everything.
 */
public final class ValuesOnlyConverter extends GroupConverter {
    private final Converter[] children;

    /** Converters for every field of {@code type}, nested ones included. */
    public ValuesOnlyConverter(GroupType type) {
        children = new Converter[type.getFieldCount()];
        for (int i = 0; i < children.length; i++) {
            children[i] = type.getType(i).isPrimitive() ? new PrimitiveConverter() {
            } : new ValuesOnlyConverter(type.getType(i).asGroupType());
        }
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
}
