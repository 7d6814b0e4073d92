package dev.medallion.lake.parquet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectStore;

/**
 * Writes one Snappy Parquet object of typed rows. Lifecycle: {@link #add} rows, then {@link #close()} (the object
 * becomes visible) or {@link #abort()} (nothing becomes visible), then read {@link #result()}.
 *
 * <p>
 * Java types of values, by field type: string {@code String}, boolean {@code Boolean}, int {@code Integer}, long
 * {@code Long}, double {@code Double}, decimal {@code BigDecimal} at the declared scale, date {@code LocalDate},
 * timestamp {@code Instant}, struct {@code Object[]} in field order, list {@code List}, map {@code Map<String,?>};
 * {@code null} for a missing value.
 */
public final class RowWriter implements AutoCloseable {

    /**
     * Sizes that bound a writer's memory.
     *
     * @param rowGroupBytes buffered bytes before a row group is flushed
     * @param pageBytes target page size
     */
    public record Settings(long rowGroupBytes, int pageBytes) {
        /** 32 MiB row groups, 1 MiB pages: large enough for engines to scan well, small enough for many writers. */
        public static Settings defaults() {
            return new Settings(32L * 1024 * 1024, 1024 * 1024);
        }
    }

    /**
     * What a closed writer produced.
     *
     * @param key the object written
     * @param rows rows in it
     * @param bytes its size
     */
    public record Result(String key, long rows, long bytes) {
    }

    /**
     * A column's dictionary stops growing here and the column falls back to plain encoding. A dictionary lives on the
     * heap as a hash map (about 70 bytes an entry) until its row group is written, in every open writer: with Parquet's
     * 1 MiB default, 90 open day partitions of a decimal or high-cardinality string column held hundreds of MiB.
     * Columns with few distinct values (countries, currencies) fit well below it.
     */
    static final int DICTIONARY_PAGE_BYTES = 32 * 1024;

    private final String key;
    private final ObjectStoreOutputFile file;
    private final ParquetWriter<Object[]> writer;
    private long rows;
    private Result result;
    private boolean finished;

    /**
     * Starts a new object.
     *
     * @param store where to write
     * @param key the object key
     * @param columns the row layout
     * @param uniqueColumns columns whose values never repeat (written without a dictionary)
     * @param objectMetadata object-store metadata for the new object
     * @param settings sizes
     */
    public RowWriter(ObjectStore store, String key, List<FieldType.Field> columns, Set<String> uniqueColumns,
            Map<String, String> objectMetadata, Settings settings) {
        this(store, key, columns, uniqueColumns, objectMetadata, settings, null);
    }

    /**
     * Starts a new object whose pages are compressed by {@code compression}, shared with the thread's other open
     * writers; {@code null} gives the writer its own compressor.
     */
    public RowWriter(ObjectStore store, String key, List<FieldType.Field> columns, Set<String> uniqueColumns,
            Map<String, String> objectMetadata, Settings settings, SharedCompression compression) {
        this.key = key;
        this.file = new ObjectStoreOutputFile(store, key, objectMetadata);
        var support = new RowWriteSupport(columns, ParquetSchemas.of("row", columns), Map.of());
        try {
            Builder builder = new Builder(file, support)
                    .withConf(new PlainParquetConfiguration())
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withRowGroupSize(settings.rowGroupBytes())
                    .withPageSize(settings.pageBytes())
                    .withDictionaryEncoding(true)
                    .withDictionaryPageSize(DICTIONARY_PAGE_BYTES);
            // a dictionary of values that never repeat only grows until Parquet gives up on it
            uniqueColumns.forEach(column -> builder.withDictionaryEncoding(column, false));
            builder.withCodecFactory(compression != null ? compression.forWriter()
                    : new HeapCodecs(settings.pageBytes()));
            this.writer = builder.build();
        } catch (IOException e) {
            file.abort();
            throw new UncheckedIOException("Cannot create Parquet object '" + key + "'", e);
        }
    }

    /** Adds a row; values in column order. */
    public void add(Object[] row) {
        try {
            writer.write(row);
            rows++;
        } catch (IOException | RuntimeException e) {
            abort();
            throw e instanceof IOException io ? new UncheckedIOException("Cannot write to '" + key + "'", io)
                    : (RuntimeException) e;
        }
    }

    /** The object this writer publishes. */
    public String key() {
        return key;
    }

    /** Rows added so far. */
    public long rows() {
        return rows;
    }

    /** Approximate encoded bytes so far, for rolling files on size. */
    public long dataSize() {
        return writer.getDataSize();
    }

    /** Encoded bytes held in memory, not yet flushed to the object as a row group. */
    public long bufferedBytes() {
        return Math.max(0, writer.getDataSize() - file.bytesWritten());
    }

    /** Finishes the file and publishes the object. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        finished = true;
        try {
            writer.close();
            result = new Result(key, rows, file.bytesWritten());
        } catch (IOException | RuntimeException e) {
            file.abort();
            throw new UncheckedIOException("Cannot finish Parquet object '" + key + "'",
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Discards the object. */
    public void abort() {
        if (!finished) {
            finished = true;
            file.abort();
        }
    }

    /** What was written; only after {@link #close()}. */
    public Result result() {
        if (result == null) {
            throw new IllegalStateException("Cannot read the result of '" + key + "': it is not closed");
        }
        return result;
    }

    private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
        private final WriteSupport<Object[]> support;

        private Builder(OutputFile file, WriteSupport<Object[]> support) {
            super(file);
            this.support = support;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return support;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(org.apache.parquet.conf.ParquetConfiguration conf) {
            return support;
        }
    }
}
