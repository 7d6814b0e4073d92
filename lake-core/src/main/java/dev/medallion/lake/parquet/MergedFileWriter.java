package dev.medallion.lake.parquet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;

/**
 * Writes the rows of many Parquet files into one Snappy file with large row groups, as {@link RowWriter} would write
 * them, but column by column: a file of the output's schema has each column's values, with their repetition and
 * definition levels, handed from its column reader to the output's column writer, without assembling a record (the
 * bulk of the cost of reading and writing rows). Rows can be left out, and a row group of the output's size is copied
 * as it is, without decoding. A file of another schema (written before the table gained a column) is read as rows
 * ({@link RowReader}, nulls for what it lacks) into the same row groups. Lifecycle as {@link RowWriter}: append, then
 * {@link #close()} (the object becomes visible) or {@link #abort()}.
 */
public final class MergedFileWriter implements AutoCloseable {
    private final String key;
    private final List<FieldType.Field> columns;
    private final MessageType schema;
    private final ObjectStoreOutputFile file;
    private final ParquetFileWriter writer;
    private final ParquetProperties properties;
    private final CodecFactory codecs;
    private final BytesInputCompressor compressor;
    private final long rowGroupBytes;
    private final ValuesOnlyConverter converter;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore group;
    /** Writes rows into {@link #group}, for files of another schema; made when first needed for a group. */
    private RecordConsumer rowConsumer;
    private long groupRows;
    private long rows;
    private RowWriter.Result result;
    private boolean finished;

    /** Starts a new object; arguments as {@link RowWriter}'s. */
    public MergedFileWriter(ObjectStore store, String key, List<FieldType.Field> columns, Set<String> uniqueColumns,
            Map<String, String> objectMetadata, RowWriter.Settings settings) {
        this.key = key;
        this.columns = columns;
        this.schema = ParquetSchemas.of("row", columns);
        this.rowGroupBytes = settings.rowGroupBytes();
        this.converter = new ValuesOnlyConverter(schema);
        this.file = new ObjectStoreOutputFile(store, key, objectMetadata);
        ParquetProperties.Builder props = ParquetProperties.builder().withPageSize(settings.pageBytes())
                .withDictionaryEncoding(true).withDictionaryPageSize(RowWriter.DICTIONARY_PAGE_BYTES);
        uniqueColumns.forEach(column -> props.withDictionaryEncoding(column, false));
        this.properties = props.build();
        this.codecs = new CodecFactory(new PlainParquetConfiguration(), settings.pageBytes());
        this.compressor = codecs.getCompressor(CompressionCodecName.SNAPPY);
        try {
            this.writer = new ParquetFileWriter(file, schema, ParquetFileWriter.Mode.OVERWRITE, rowGroupBytes, 0,
                    null, properties);
            writer.start();
        } catch (IOException e) {
            abort();
            throw new UncheckedIOException("Cannot create Parquet object '" + key + "'", e);
        }
    }

    /**
     * Appends the rows of {@code input} (read from {@code from}) except those whose numbers are in {@code skip},
     * calling {@code progress} after each of its row groups.
     *
     * @return the rows appended
     */
    public long append(ObjectStore from, ObjectInfo input, BitSet skip, Runnable progress) {
        try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(from, input.key(),
                input.size()), ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
            if (!reader.getFileMetaData().getSchema().equals(schema)) {
                return appendRows(from, input, skip, progress);
            }
            String createdBy = reader.getFileMetaData().getCreatedBy();
            long appended = 0;
            long firstRow = 0;
            for (BlockMetaData block : reader.getRowGroups()) {
                boolean whole = skip.nextSetBit((int) firstRow) < 0 || skip.nextSetBit((int) firstRow) >= firstRow
                        + block.getRowCount();
                if (whole && block.getCompressedSize() >= rowGroupBytes / 2) {
                    flushGroup(); // large enough as it is: copied without decoding
                    try (SeekableInputStream in = new ObjectStoreInputFile(from, input.key(), input.size())
                            .newStream()) {
                        writer.appendRowGroup(in, block, false);
                    }
                    reader.skipNextRowGroup();
                    appended += block.getRowCount();
                } else {
                    appended += copy(reader.readNextRowGroup(), createdBy, skip, firstRow);
                }
                firstRow += block.getRowCount();
                progress.run();
            }
            rows += appended;
            return appended;
        } catch (OutputFailure e) {
            abort();
            throw new UncheckedIOException("Cannot write Parquet object '" + key + "'", e.io());
        } catch (ObjectNotFoundException e) {
            abort();
            throw e; // gone since it was listed: not a fault of the file
        } catch (IOException | RuntimeException e) {
            abort(); // what is left fails while reading or decoding the input
            throw new UnreadableFileException(input.key(), e);
        }
    }

    /** Copies one row group's columns, leaving out skipped rows; returns the rows written. */
    private long copy(PageReadStore rowGroup, String createdBy, BitSet skip, long firstRow) throws IOException {
        ColumnWriteStore out = group();
        var in = new ColumnReadStoreImpl(rowGroup, converter, schema, createdBy);
        for (ColumnDescriptor column : schema.getColumns()) {
            copyColumn(in.getColumnReader(column), out.getColumnWriter(column), column, skip, firstRow);
        }
        long kept = rowGroup.getRowCount();
        for (int r = skip.nextSetBit((int) firstRow); r >= 0
                && r < firstRow + rowGroup.getRowCount(); r = skip.nextSetBit(r + 1)) {
            kept--;
        }
        for (long r = 0; r < kept; r++) {
            out.endRecord();
        }
        groupRows += kept;
        if (out.getBufferedSize() >= rowGroupBytes) {
            flushGroup();
        }
        return kept;
    }

    private static void copyColumn(ColumnReader in, ColumnWriter out, ColumnDescriptor column, BitSet skip,
            long firstRow) {
        int maxDefinition = column.getMaxDefinitionLevel();
        long values = in.getTotalValueCount();
        long row = firstRow - 1;
        boolean skipping = false;
        var type = column.getPrimitiveType().getPrimitiveTypeName();
        for (long v = 0; v < values; v++) {
            int repetition = in.getCurrentRepetitionLevel();
            int definition = in.getCurrentDefinitionLevel();
            if (repetition == 0) { // a new row starts
                row++;
                skipping = skip.get((int) row);
            }
            if (skipping) {
                if (definition == maxDefinition) {
                    in.skip(); // values are decoded only when asked for: an unread one must be passed over
                }
            } else {
                if (definition < maxDefinition) {
                    out.writeNull(repetition, definition);
                } else {
                    switch (type) {
                        case INT32 -> out.write(in.getInteger(), repetition, definition);
                        case INT64 -> out.write(in.getLong(), repetition, definition);
                        case BOOLEAN -> out.write(in.getBoolean(), repetition, definition);
                        case DOUBLE -> out.write(in.getDouble(), repetition, definition);
                        case FLOAT -> out.write(in.getFloat(), repetition, definition);
                        default -> out.write(in.getBinary(), repetition, definition);
                    }
                }
            }
            in.consume();
        }
    }

    /** A file of another schema: its rows as the table's columns, through the record writer. */
    private long appendRows(ObjectStore from, ObjectInfo input, BitSet skip, Runnable progress) throws IOException {
        var support = new RowWriteSupport(columns, schema, Map.of());
        long appended = 0;
        try (RowReader reader = new RowReader(from, input, columns)) {
            int r = 0;
            for (Object[] row = reader.next(); row != null; row = reader.next(), r++) {
                if (skip.get(r)) {
                    continue;
                }
                ColumnWriteStore out = group();
                if (rowConsumer == null) {
                    rowConsumer = new ColumnIOFactory().getColumnIO(schema).getRecordWriter(out);
                }
                support.prepareForWrite(rowConsumer);
                support.write(row);
                groupRows++;
                appended++;
                if (appended % 1024 == 0) {
                    progress.run();
                    if (out.getBufferedSize() >= rowGroupBytes) {
                        flushGroup();
                    }
                }
            }
        }
        rows += appended;
        return appended;
    }

    private ColumnWriteStore group() {
        if (group == null) {
            pages = new ColumnChunkPageWriteStore(compressor, schema, HeapByteBufferAllocator.getInstance(),
                    properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
            group = properties.newColumnWriteStore(schema, pages, pages);
            groupRows = 0;
        }
        return group;
    }

    /** Writes the buffered row group; a failure is the output's ({@link OutputFailure}), not the input's. */
    private void flushGroup() {
        if (group == null) {
            return;
        }
        if (groupRows > 0) {
            try {
                writer.startBlock(groupRows);
                group.flush();
                pages.flushToFileWriter(writer);
                writer.endBlock();
            } catch (IOException e) {
                throw new OutputFailure(e);
            }
        }
        group.close();
        pages.close();
        group = null;
        pages = null;
        rowConsumer = null;
    }

    /** Writing the output failed (the staging disk, the store): distinct from an input that cannot be read. */
    private static final class OutputFailure extends RuntimeException {
        private final IOException io;

        OutputFailure(IOException cause) {
            super(cause);
            this.io = cause;
        }

        IOException io() {
            return io;
        }
    }

    /** The object this writer publishes. */
    public String key() {
        return key;
    }

    /** Rows appended so far. */
    public long rows() {
        return rows;
    }

    /** Bytes written so far, with those buffered for the current row group: for rolling files on size. */
    public long dataSize() {
        try {
            return writer.getPos() + (group == null ? 0 : group.getBufferedSize());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Finishes the file and publishes the object. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        try {
            flushGroup();
            writer.end(Map.of());
            finished = true;
            codecs.release();
            result = new RowWriter.Result(key, rows, file.bytesWritten());
        } catch (IOException | RuntimeException e) {
            abort();
            throw new UncheckedIOException("Cannot finish Parquet object '" + key + "'",
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** Discards the object. */
    public void abort() {
        if (!finished) {
            finished = true;
            codecs.release();
            file.abort();
        }
    }

    /** What was written; only after {@link #close()}. */
    public RowWriter.Result result() {
        if (result == null) {
            throw new IllegalStateException("Cannot read the result of '" + key + "': it is not closed");
        }
        return result;
    }
}
