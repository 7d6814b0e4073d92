package dev.medallion.lake.parquet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;

/**
 * Writes the rows of many Parquet files into one Snappy file with large row groups, as {@link RowWriter} would write
 * them, but column by column: a file of the output's schema has each column's values, with their repetition and
 * definition levels, handed from its column reader to the output's column writer, without assembling a record (the
 * bulk of the cost of reading and writing rows). The top-level fields are spread over two lanes, each a thread with
 * its own reader and column writers, so two cores share the work. A column the first input stores without a
 * dictionary goes page by page: an input page whose rows all stay is copied as it is, without decoding or encoding;
 * otherwise its kept values are encoded anew (see {@link CapturedPages}). Rows can be left out, and a row group of
 * the output's size is copied as it is, without decoding. A file of another schema (written before the table gained a column)
 * is
 * read as rows
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
    private final long rowGroupBytes;
    private final int pageBytes;
    /**
     * The output's top-level fields in runs with their own column writers, in schema order, each encoded by one of two
     * lanes (threads); made from the first input.
     */
    private List<Part> parts;
    private List<Lane> lanes;
    /**
     * Columns written as whole pages (leaves the first input stored without a dictionary): a page of an input is
     * copied into the output as it is when none of its rows is left out, and otherwise encoded anew, plain.
     */
    private Set<ColumnPath> paged = Set.of();
    private ExecutorService second;
    /** Writes rows into the current row group, for files of another schema; made when first needed for a group. */
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
        this.pageBytes = settings.pageBytes();
        this.file = new ObjectStoreOutputFile(store, key, objectMetadata);
        ParquetProperties.Builder props = ParquetProperties.builder().withPageSize(settings.pageBytes())
                .withDictionaryEncoding(true).withDictionaryPageSize(RowWriter.DICTIONARY_PAGE_BYTES);
        uniqueColumns.forEach(column -> props.withDictionaryEncoding(column, false));
        this.properties = props.build();
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
        List<Future<ParquetFileReader>> readers = new ArrayList<>();
        try {
            ParquetFileReader first = open(from, input);
            readers.add(CompletableFuture.completedFuture(first));
            if (!first.getFileMetaData().getSchema().equals(schema)) {
                return appendRows(from, input, skip, progress);
            }
            if (parts == null) {
                split(first.getFooter().getBlocks());
            }
            first.setRequestedSchema(lanes.get(0).readSchema);
            if (lanes.size() > 1) { // the other lane reads its own column chunks, opened on its own thread
                MessageType otherColumns = lanes.get(1).readSchema;
                readers.add(second().submit(() -> {
                    ParquetFileReader reader = open(from, input);
                    reader.setRequestedSchema(otherColumns);
                    return reader;
                }));
            }
            String createdBy = first.getFileMetaData().getCreatedBy();
            long appended = 0;
            long firstRow = 0;
            for (BlockMetaData block : first.getRowGroups()) {
                boolean whole = skip.nextSetBit((int) firstRow) < 0 || skip.nextSetBit((int) firstRow) >= firstRow
                        + block.getRowCount();
                if (whole && block.getCompressedSize() >= rowGroupBytes / 2) {
                    flushGroup(); // large enough as it is: copied without decoding
                    try (SeekableInputStream in = new ObjectStoreInputFile(from, input.key(), input.size())
                            .newStream()) {
                        writer.appendRowGroup(in, block, false);
                    }
                    for (Future<ParquetFileReader> reader : readers) {
                        join(reader).skipNextRowGroup();
                    }
                    appended += block.getRowCount();
                } else {
                    appended += copy(readers, block, createdBy, skip, firstRow);
                }
                firstRow += block.getRowCount();
                report(progress);
            }
            rows += appended;
            return appended;
        } catch (OutputFailure e) {
            abort();
            throw new UncheckedIOException("Cannot write Parquet object '" + key + "'", e.io());
        } catch (ProgressFailure e) {
            abort();
            throw e.callers(); // the caller's own failure (a lost lease, say): nothing to do with the input
        } catch (ObjectNotFoundException e) {
            abort();
            throw e; // gone since it was listed: not a fault of the file
        } catch (IOException | RuntimeException e) {
            abort(); // what is left fails while reading or decoding the input (Parquet names no exception for it)
            StoreReadException store = StoreReadException.in(e);
            if (store != null) {
                throw new UncheckedIOException(store); // the store failed, not the file: the merge is retried
            }
            throw new UnreadableFileException(input.key(), e);
        } finally {
            for (Future<ParquetFileReader> reader : readers) {
                try {
                    join(reader).close();
                } catch (IOException | RuntimeException e) {
                    // not opened, or read to the end already: nothing is lost
                }
            }
        }
    }

    private static ParquetFileReader open(ObjectStore from, ObjectInfo input) throws IOException {
        return ParquetFileReader.open(new ObjectStoreInputFile(from, input.key(), input.size()),
                HeapCodecs.readOptions());
    }

    /**
     * Copies the next row group of each lane's reader, the second lane on the second thread, leaving out skipped
     * rows; returns the rows written.
     */
    private long copy(List<Future<ParquetFileReader>> readers, BlockMetaData block, String createdBy, BitSet skip,
            long firstRow) throws IOException {
        Future<Long> other = null;
        if (lanes.size() > 1) {
            Lane lane = lanes.get(1);
            Future<ParquetFileReader> reader = readers.get(1);
            other = second().submit(() -> lane.copy(join(reader).readNextRowGroup(), block, createdBy, skip,
                    firstRow));
        }
        long kept;
        try {
            kept = lanes.get(0).copy(join(readers.get(0)).readNextRowGroup(), block, createdBy, skip, firstRow);
        } catch (IOException | RuntimeException e) {
            if (other != null) {
                try {
                    join(other); // the other lane stops using the readers before they are closed
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        if (other != null) {
            join(other);
        }
        groupRows += kept;
        if (bufferedBytes() >= rowGroupBytes) {
            flushGroup();
        }
        return kept;
    }

    /** The result of work on the other lane, its failure rethrown as it was. */
    private static <T> T join(Future<T> work) throws IOException {
        try {
            return work.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while merging", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }

    private ExecutorService second() {
        if (second == null) {
            second = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "merge-columns");
                thread.setDaemon(true);
                return thread;
            });
        }
        return second;
    }

    /** A file of another schema: its rows as the table's columns, through the record writer. */
    private long appendRows(ObjectStore from, ObjectInfo input, BitSet skip, Runnable progress) throws IOException {
        if (parts == null) {
            lanes = List.of(new Lane(schema));
            parts = List.of(new Part(schema, lanes.get(0)));
        }
        var support = new RowWriteSupport(columns, schema, Map.of());
        long appended = 0;
        try (RowReader reader = new RowReader(from, input, columns)) {
            int r = 0;
            for (Object[] row = reader.next(); row != null; row = reader.next(), r++) {
                if (skip.get(r)) {
                    continue;
                }
                if (rowConsumer == null) {
                    rowConsumer = new ColumnIOFactory().getColumnIO(schema).getRecordWriter(new AllParts());
                }
                support.prepareForWrite(rowConsumer);
                support.write(row);
                groupRows++;
                appended++;
                if (appended % 1024 == 0) {
                    report(progress);
                    if (bufferedBytes() >= rowGroupBytes) {
                        flushGroup();
                    }
                }
            }
        }
        for (Part part : parts) {
            part.forwardEncoded();
        }
        rowConsumer = null; // it holds the writers just forwarded
        rows += appended;
        return appended;
    }

    private long bufferedBytes() {
        return parts == null ? 0 : parts.stream().mapToLong(Part::bufferedBytes).sum();
    }

    /** Writes the buffered row group; a failure is the output's ({@link OutputFailure}), not the input's. */
    private void flushGroup() {
        if (parts == null) {
            return;
        }
        if (groupRows > 0) {
            try {
                for (Part part : parts) {
                    part.forwardEncoded();
                }
                writer.startBlock(groupRows);
                for (Part part : parts) { // in schema order, as readers expect the column chunks
                    part.flushTo(writer);
                }
                writer.endBlock();
            } catch (IOException e) {
                throw new OutputFailure(e);
            }
        }
        parts.forEach(Part::reset);
        groupRows = 0;
        rowConsumer = null;
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
            return writer.getPos() + bufferedBytes();
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
            release();
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
            release();
            file.abort();
        }
    }

    private void release() {
        if (second != null) {
            second.shutdownNow();
        }
        if (lanes != null) {
            lanes.forEach(Lane::release);
        }
    }

    /** What was written; only after {@link #close()}. */
    public RowWriter.Result result() {
        if (result == null) {
            throw new IllegalStateException("Cannot read the result of '" + key + "': it is not closed");
        }
        return result;
    }

    /**
     * Spreads the top-level fields over two lanes so that each does about half the work, by the first input's column
     * chunks (values, which cost the most, and bytes), largest first onto the lighter lane; neighbouring fields of one
     * lane make one part.
     */
    private void split(List<BlockMetaData> blocks) {
        if (!blocks.isEmpty()) {
            Set<ColumnPath> plain = new HashSet<>();
            for (ColumnChunkMetaData chunk : blocks.get(0).getColumns()) {
                if (chunk.getEncodingStats() != null && !chunk.getEncodingStats().hasDictionaryPages()) {
                    plain.add(chunk.getPath());
                }
            }
            paged = Set.copyOf(plain);
        }
        List<Type> fields = schema.getFields();
        long[] weight = new long[fields.size()];
        for (BlockMetaData block : blocks) {
            for (ColumnChunkMetaData chunk : block.getColumns()) {
                weight[schema.getFieldIndex(chunk.getPath().toArray()[0])] += chunk.getValueCount() * 16
                        + chunk.getTotalUncompressedSize();
            }
        }
        int[] laneOf = new int[fields.size()];
        long[] load = new long[2];
        Integer[] heaviestFirst = new Integer[fields.size()];
        Arrays.setAll(heaviestFirst, i -> i);
        Arrays.sort(heaviestFirst, (a, b) -> Long.compare(weight[b], weight[a]));
        for (int field : heaviestFirst) {
            laneOf[field] = load[0] <= load[1] ? 0 : 1;
            load[laneOf[field]] += weight[field];
        }
        boolean both = fields.size() > 1 && load[1] > 0;
        List<List<Type>> laneFields = List.of(new ArrayList<>(), new ArrayList<>());
        for (int f = 0; f < fields.size(); f++) {
            laneFields.get(both ? laneOf[f] : 0).add(fields.get(f));
        }
        lanes = both ? List.of(new Lane(new MessageType(schema.getName(), laneFields.get(0))),
                new Lane(new MessageType(schema.getName(), laneFields.get(1))))
                : List.of(new Lane(schema));
        List<Part> split = new ArrayList<>();
        List<Type> run = new ArrayList<>();
        for (int f = 0; f < fields.size(); f++) {
            run.add(fields.get(f));
            int lane = both ? laneOf[f] : 0;
            if (f == fields.size() - 1 || (both ? laneOf[f + 1] : 0) != lane) {
                split.add(new Part(new MessageType(schema.getName(), List.copyOf(run)), lanes.get(lane)));
                run.clear();
            }
        }
        parts = List.copyOf(split);
    }

    /** One thread's share: the columns it reads from its own reader and the parts it writes. */
    private final class Lane {
        final MessageType readSchema;
        final IgnoringConverter converter;
        final List<Part> parts = new ArrayList<>();
        /**
         * One compressor for the lane's parts: a lane's pages are compressed by one thread at a time. On the heap:
         * parquet-hadoop's would keep direct buffers the size of the largest page for good (see {@link HeapCodecs}).
         */
        final HeapCodecs codecs = new HeapCodecs(pageBytes);
        final BytesInputCompressor compressor = codecs.getCompressor(CompressionCodecName.SNAPPY);

        Lane(MessageType readSchema) {
            this.readSchema = readSchema;
            this.converter = new IgnoringConverter(readSchema);
        }

        /** Copies the lane's columns of one row group ({@code block} describes it); returns the rows kept. */
        long copy(PageReadStore rowGroup, BlockMetaData block, String createdBy, BitSet skip, long firstRow)
                throws IOException {
            var in = new ColumnReadStoreImpl(rowGroup, converter, readSchema, createdBy);
            long kept = 0;
            for (Part part : parts) {
                kept = part.copy(in, rowGroup, block, skip, firstRow);
            }
            return kept;
        }

        void release() {
            codecs.release();
        }
    }

    /**
     * A run of neighbouring top-level fields with its own page buffers: its columns with a dictionary through column
     * writers that span the row group, its {@link #paged} columns page by page.
     */
    private final class Part {
        private final MessageType schema;
        private final Lane lane;
        private final List<ColumnDescriptor> encodedColumns;
        private final List<ColumnDescriptor> pagedColumns;
        private final MessageType encodedSchema;
        private final MessageType pagedSchema;
        private ColumnChunkPageWriteStore pages;
        private ColumnWriteStore store;
        /** Paged columns' values being encoded anew, until their pages are forwarded. */
        private ColumnWriteStore encoding;
        private CapturedPages captured;

        Part(MessageType schema, Lane lane) {
            this.schema = schema;
            this.lane = lane;
            this.pagedColumns = schema.getColumns().stream()
                    .filter(c -> paged.contains(ColumnPath.get(c.getPath()))).toList();
            this.encodedColumns = schema.getColumns().stream().filter(c -> !pagedColumns.contains(c)).toList();
            this.encodedSchema = project(schema, encodedColumns);
            this.pagedSchema = project(schema, pagedColumns);
            lane.parts.add(this);
        }

        private ColumnChunkPageWriteStore pages() {
            if (pages == null) {
                pages = new ColumnChunkPageWriteStore(lane.compressor, schema, HeapByteBufferAllocator.getInstance(),
                        properties.getColumnIndexTruncateLength(), properties.getPageWriteChecksumEnabled());
            }
            return pages;
        }

        private ColumnWriteStore store() {
            if (store == null) {
                store = properties.newColumnWriteStore(encodedSchema, pages(), pages());
            }
            return store;
        }

        private ColumnWriteStore encoding() {
            if (encoding == null) {
                captured = new CapturedPages();
                encoding = ParquetProperties.copy(properties).withDictionaryEncoding(false).build()
                        .newColumnWriteStore(pagedSchema, captured);
            }
            return encoding;
        }

        boolean has(ColumnDescriptor column) {
            return schema.containsPath(column.getPath());
        }

        ColumnWriter writer(ColumnDescriptor column) {
            return pagedColumns.contains(column) ? encoding().getColumnWriter(column) : store().getColumnWriter(column);
        }

        void endRecord() {
            if (!encodedColumns.isEmpty()) {
                store().endRecord();
            }
            if (!pagedColumns.isEmpty()) {
                encoding().endRecord();
            }
        }

        /** Copies this part's columns of one row group; returns the rows kept. */
        long copy(ColumnReadStoreImpl in, PageReadStore rowGroup, BlockMetaData block, BitSet skip, long firstRow)
                throws IOException {
            long rowCount = rowGroup.getRowCount();
            long kept = rowCount;
            for (int r = skip.nextSetBit((int) firstRow); r >= 0 && r < firstRow + rowCount; r = skip.nextSetBit(r + 1)) {
                kept--;
            }
            for (ColumnDescriptor column : encodedColumns) {
                copyColumn(in.getColumnReader(column), store().getColumnWriter(column), column, skip, firstRow);
            }
            if (!pagedColumns.isEmpty() && kept == rowCount && pagedColumns.stream()
                    .allMatch(c -> singlePlainPage(chunk(block, c)))) {
                for (ColumnDescriptor column : pagedColumns) { // as they are: no decoding, no encoding
                    DataPageV1 page = (DataPageV1) rowGroup.getPageReader(column).readPage();
                    pages().getPageWriter(column).writePage(page.getBytes(), page.getValueCount(), (int) rowCount,
                            chunk(block, column).getStatistics(), page.getRlEncoding(), page.getDlEncoding(),
                            page.getValueEncoding());
                }
            } else if (!pagedColumns.isEmpty()) {
                for (ColumnDescriptor column : pagedColumns) {
                    copyColumn(in.getColumnReader(column), encoding().getColumnWriter(column), column, skip, firstRow);
                }
            }
            for (long r = 0; r < kept; r++) {
                if (!encodedColumns.isEmpty()) {
                    store().endRecord();
                }
                if (encoding != null) {
                    encoding.endRecord();
                }
            }
            forwardEncoded();
            return kept;
        }

        /** Hands the pages of paged columns encoded anew to the page buffers, behind those already there. */
        void forwardEncoded() throws IOException {
            if (encoding != null) {
                encoding.flush();
                captured.forwardTo(pages());
                encoding.close();
                encoding = null;
                captured = null;
            }
        }

        long bufferedBytes() {
            long bytes = store == null ? 0 : store.getBufferedSize();
            if (pages != null) {
                for (ColumnDescriptor column : pagedColumns) {
                    bytes += pages.getPageWriter(column).getMemSize();
                }
            }
            return bytes;
        }

        void flushTo(ParquetFileWriter writer) throws IOException {
            if (store != null) {
                store.flush();
            }
            pages().flushToFileWriter(writer);
        }

        void reset() {
            if (store != null) {
                store.close();
            }
            if (pages != null) {
                pages.close();
            }
            store = null;
            pages = null;
        }
    }

    private static ColumnChunkMetaData chunk(BlockMetaData block, ColumnDescriptor column) {
        ColumnPath path = ColumnPath.get(column.getPath());
        return block.getColumns().stream().filter(c -> c.getPath().equals(path)).findFirst().orElseThrow();
    }

    /** Whether a column chunk is one plain data page, which can be copied as it is. */
    private static boolean singlePlainPage(ColumnChunkMetaData chunk) {
        EncodingStats stats = chunk.getEncodingStats();
        return stats != null && !stats.hasDictionaryPages() && !stats.usesV2Pages()
                && stats.getDataEncodings().stream().mapToInt(stats::getNumDataPagesEncodedAs).sum() == 1;
    }

    /** The schema cut down to {@code columns}, groups without any of them left out. */
    private static MessageType project(MessageType schema, List<ColumnDescriptor> columns) {
        List<Type> kept = new ArrayList<>();
        for (Type field : schema.getFields()) {
            Type projected = project(field, new ArrayList<>(), columns);
            if (projected != null) {
                kept.add(projected);
            }
        }
        return new MessageType(schema.getName(), kept);
    }

    private static Type project(Type type, List<String> parent, List<ColumnDescriptor> columns) {
        List<String> path = new ArrayList<>(parent);
        path.add(type.getName());
        if (type.isPrimitive()) {
            return columns.stream().anyMatch(c -> Arrays.asList(c.getPath()).equals(path)) ? type : null;
        }
        List<Type> kept = new ArrayList<>();
        for (Type field : type.asGroupType().getFields()) {
            Type projected = project(field, path, columns);
            if (projected != null) {
                kept.add(projected);
            }
        }
        return kept.isEmpty() ? null : type.asGroupType().withNewFields(kept);
    }

    /** The parts' column writers as one store, for writing whole records into all of them. */
    private final class AllParts implements ColumnWriteStore {
        @Override
        public ColumnWriter getColumnWriter(ColumnDescriptor column) {
            return parts.stream().filter(p -> p.has(column)).findFirst().orElseThrow().writer(column);
        }

        @Override
        public void endRecord() {
            parts.forEach(Part::endRecord);
        }

        @Override
        public void flush() {
            throw new UnsupportedOperationException("row groups are flushed by the merged file writer");
        }

        @Override
        public void close() {
        }

        @Override
        public long getAllocatedSize() {
            return bufferedBytes();
        }

        @Override
        public long getBufferedSize() {
            return bufferedBytes();
        }

        @Override
        public String memUsageString() {
            return "merged file writer of " + key;
        }
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

    /** Writing the output failed (the staging disk, the store): distinct from an input that cannot be read. */
    /** Runs the caller's progress callback; what it throws is the caller's failure, not the input's. */
    private static void report(Runnable progress) {
        try {
            progress.run();
        } catch (RuntimeException e) {
            throw new ProgressFailure(e);
        }
    }

    /** What the caller's progress callback threw, carried past the handling of input failures. */
    private static final class ProgressFailure extends RuntimeException {
        private final RuntimeException callers;

        ProgressFailure(RuntimeException cause) {
            super(cause);
            this.callers = cause;
        }

        RuntimeException callers() {
            return callers;
        }
    }

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
}
