package dev.medallion.lake.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.bronze.SegmentReader;
import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.generations.Generations;
import dev.medallion.lake.journal.RunObserver;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.FilesWritten.WrittenFile;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.parquet.SharedCompression;
import dev.medallion.lake.record.RecordConverter;
import dev.medallion.lake.record.RecordError;
import dev.medallion.lake.record.RecordReader;
import dev.medallion.lake.record.SourceRecord;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;

/**
 * Promotes Bronze objects of one dataset to Silver: reads each object segment by segment ({@link SegmentReader}),
 * parses every record in its segment's format, types it against the dataset spec, adds lineage columns, and writes
 * Snappy Parquet into event-time partitions; every rejected record goes to quarantine with its reason, field, source
 * object, segment and position, and good records of the same object go through.
 *
 * <p>
 * Output names derive from the inputs, so running again over the same inputs overwrites the same objects. Nothing
 * is visible unless the whole run succeeds: on failure every open output is aborted (objects closed before the
 * failure are overwritten by the retry).
 */
public final class BronzeToSilver {
    /** Bronze object metadata holding the receive time (ISO-8601), written by ingest-service. */
    public static final String RECEIVED_AT_METADATA = "received-at";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Limits of a run. Memory is bounded by {@code maxBufferedBytes} plus one record, whatever the input's size and
     * however many partitions it touches: when the open Parquet writers together buffer more, the largest is closed
     * and that partition continues in a new file.
     *
     * @param maxRecordBytes longer records are quarantined as too large
     * @param writer Parquet writer sizes
     * @param targetFileBytes a Silver file is closed once its encoded size reaches this; the next rows of its
     *        partition go to a new file
     * @param maxBufferedBytes most bytes all open writers of a run may buffer together
     * @param maxKeys most business keys a run remembers to deduplicate (48 to 96 bytes each); past it, a run
     *        deduplicates against the keys seen since
     */
    public record Settings(int maxRecordBytes, RowWriter.Settings writer, long targetFileBytes, long maxBufferedBytes,
            int maxKeys) {
        /** Sized for a 512 MiB heap: 128 MiB of buffered rows, at most 96 MiB of key index. */
        public static Settings defaults() {
            return new Settings(1024 * 1024, RowWriter.Settings.defaults(), 256L * 1024 * 1024, 128L * 1024 * 1024,
                    1_000_000);
        }
    }

    /** Rows between checks of the writers' buffered bytes; asking every row would cost more than the writing. */
    private static final int CHECK_EVERY_ROWS = 2048;

    private final ObjectStore store;
    private final Generations generations;
    private final Settings settings;

    public BronzeToSilver(ObjectStore store) {
        this(store, Settings.defaults());
    }

    public BronzeToSilver(ObjectStore store, Settings settings) {
        this.store = store;
        this.generations = new Generations(store);
        this.settings = settings;
    }

    /** Promotes one Bronze object. */
    public TransformResult run(DatasetSpec spec, String bronzeKey) {
        return run(spec, List.of(bronzeKey));
    }

    /**
     * Promotes several Bronze objects of a dataset in one run, so many small inputs make few Silver files.
     *
     * @throws ObjectNotFoundException if a source does not exist
     */
    public TransformResult run(DatasetSpec spec, List<String> bronzeKeys) {
        return run(spec, bronzeKeys, RunObserver.NONE);
    }

    /**
     * Promotes several Bronze objects of a dataset in one run, telling {@code observer} before each object it
     * publishes.
     *
     * @throws ObjectNotFoundException if a source does not exist
     */
    public TransformResult run(DatasetSpec spec, List<String> bronzeKeys, RunObserver observer) {
        try (var compression = new SharedCompression(settings.writer().pageBytes())) {
            var run = new Run(spec, LakeLayout.runId(bronzeKeys), compression, observer);
            try {
                for (String key : bronzeKeys) {
                    run.read(key);
                }
                return run.finish(bronzeKeys);
            } catch (RuntimeException e) {
                try {
                    run.abort();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
    }

    /** The mutable state of one run: open writers per partition and per error kind. */
    private final class Run {
        private final DatasetSpec spec;
        private final String runId;
        private final RecordConverter converter;
        private final PartitionLayout layout;
        private final List<FieldType.Field> columns;
        private final int ingestIdIndex;
        private final Map<Partition, OpenFile> silver = new HashMap<>();
        private final Map<Partition, Integer> fileCount = new HashMap<>();
        private final List<WrittenFile> written = new ArrayList<>();
        private final Map<RecordError.Kind, Quarantine> quarantine = new EnumMap<>(RecordError.Kind.class);
        private final int keyColumn;
        private final Set<String> uniqueColumns;
        private final KeyIndex keyIndex;
        /** Columns of the partition-by fields, and the current row's values of them. */
        private final int[] partitionFields;
        private final List<String> fieldValues = new ArrayList<>();
        private final SharedCompression compression;
        private final RunObserver observer;
        /** Keys of the Silver files of this run, by slot. */
        private final List<String> fileKeys = new ArrayList<>();
        /** Per file slot, the rows a later version of their key replaced. */
        private final Map<Integer, BitSet> superseded = new HashMap<>();
        /** Lineage prefixes ({@code source:id}) of the segments read so far, to skip a body stored twice. */
        private final Set<String> segmentsRead = new HashSet<>();
        private long rowsRead;
        private long rowsDeduplicated;
        private final long[] lateness = new long[Lateness.values().length];
        private int rowsSinceCheck;

        Run(DatasetSpec spec, String runId, SharedCompression compression, RunObserver observer) {
            this.spec = spec;
            this.runId = runId;
            this.compression = compression;
            this.observer = observer;
            this.converter = new RecordConverter(spec);
            this.layout = PartitionLayout.of(spec);
            this.partitionFields = spec.partitionBy().stream().mapToInt(spec::indexOf).toArray();
            this.columns = SilverColumns.of(spec);
            this.ingestIdIndex = columns.size() - 3;
            this.keyColumn = spec.key().map(spec::indexOf).orElse(-1);
            this.uniqueColumns = SilverColumns.uniqueValued(spec);
            this.keyIndex = keyColumn < 0 ? null : new KeyIndex(settings.maxKeys(), settings.maxKeys());
        }

        void read(String key) {
            var bronze = LakeLayout.parseBronzeKey(key);
            var info = store.stat(key).orElseThrow(() -> new ObjectNotFoundException(key));
            Instant objectIngestedAt = parseInstant(info.metadata().get(RECEIVED_AT_METADATA), info.lastModified());
            try (InputStream in = store.open(key); var segments = new SegmentReader(in)) {
                int index = 0;
                while (segments.hasNext()) {
                    SegmentReader.Segment segment = segments.next();
                    index++;
                    if (segment.header().isPresent() && !segmentsRead.add(segment.header().get().lineagePrefix())) {
                        rowsDeduplicated += countRecords(segment.header().get().format(), segment.body());
                        continue; // the same body stored twice (a redelivered message): its rows are already in
                    }
                    read(key, bronze, index, segment.header(), objectIngestedAt, segment.body());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read Bronze object '" + key + "'", e);
            }
        }

        /**
         * Reads one segment. Lineage ids: {@code source:sourceId:position} from the segment header, so the same body
         * stored twice gets the same ids; for data without a header {@code bronzeId:line} (or
         * {@code bronzeId:segment:line} when it is not the object's first segment, so ids stay unique).
         */
        private void read(String key, LakeLayout.BronzeKey bronze, int index, Optional<SegmentHeader> header,
                Instant objectIngestedAt, InputStream body) {
            String bronzeId = bronze.bronzeId();
            BronzeFormat format = header.map(SegmentHeader::format).orElse(bronze.headerlessFormat());
            Instant ingestedAt = header.map(SegmentHeader::receivedAt).orElse(objectIngestedAt);
            LongFunction<String> lineage = header.isPresent() ? header.get()::lineageId
                    : index == 1 ? position -> bronzeId + ":" + position
                            : position -> bronzeId + ":" + index + ":" + position;
            try (RecordReader reader = RecordReader.open(body, format, settings.maxRecordBytes())) {
                while (reader.hasNext()) {
                    SourceRecord record = reader.next();
                    rowsRead++;
                    if (!record.ok()) {
                        reject(record.error(), key, header, record.position(), ingestedAt, record.raw());
                        continue;
                    }
                    RecordConverter.Result converted = converter.convert(record.value());
                    if (!converted.ok()) {
                        reject(converted.error(), key, header, record.position(), ingestedAt,
                                record.value().toString());
                        continue;
                    }
                    Object[] row = converted.row();
                    row[ingestIdIndex] = lineage.apply(record.position());
                    row[ingestIdIndex + 1] = key;
                    row[ingestIdIndex + 2] = ingestedAt;
                    Instant eventTime = converter.eventTime(row);
                    Partition partition = layout.partitionOf(eventTime);
                    if (partitionFields.length > 0) {
                        Optional<RecordError> bad = withFieldValues(row);
                        if (bad.isPresent()) {
                            reject(bad.get(), key, header, record.position(), ingestedAt, record.value().toString());
                            continue;
                        }
                        partition = partition.with(fieldValues);
                    }
                    OpenFile file = fileFor(partition);
                    if (keyColumn >= 0 && row[keyColumn] != null && !keepAsLatest(row, file, ingestedAt)) {
                        continue;
                    }
                    lateness[Lateness.of(eventTime, ingestedAt).ordinal()]++;
                    file.add(row);
                    if (++rowsSinceCheck == CHECK_EVERY_ROWS) {
                        rowsSinceCheck = 0;
                        silver.values().forEach(OpenFile::flush);
                        keepWithinLimits();
                        observer.progress();
                    }
                }
            }
        }

        /**
         * Reads the row's partition-by values into {@link #fieldValues}; a missing value, or one that cannot be a path
         * segment, is the record's error.
         */
        private Optional<RecordError> withFieldValues(Object[] row) {
            fieldValues.clear();
            for (int index : partitionFields) {
                String field = columns.get(index).name();
                Object value = row[index];
                if (value == null) {
                    return Optional.of(new RecordError(RecordError.Kind.MISSING_REQUIRED, field,
                            "the table is partitioned by this field, so every record needs a value"));
                }
                if (!Partition.isValue((String) value)) {
                    return Optional.of(new RecordError(RecordError.Kind.OUT_OF_RANGE, field,
                            "a partition value must be 1 to 128 letters, digits, '_', '.' or '-'"));
                }
                fieldValues.add((String) value);
            }
            return Optional.empty();
        }

        /** Records in a segment skipped as a duplicate: counted, not converted or written. */
        private long countRecords(BronzeFormat format, InputStream body) {
            long count = 0;
            try (RecordReader reader = RecordReader.open(body, format, settings.maxRecordBytes())) {
                while (reader.hasNext()) {
                    reader.next();
                    if (++count % CHECK_EVERY_ROWS == 0) {
                        observer.progress();
                    }
                }
            }
            return count;
        }

        private OpenFile fileFor(Partition partition) {
            return silver.computeIfAbsent(partition, p -> {
                String key = LakeLayout.silverKey(generations.currentFolder(spec, layout.path(p)), runId,
                        fileCount.merge(p, 1, Integer::sum) - 1);
                fileKeys.add(key);
                return new OpenFile(newWriter(key), fileKeys.size() - 1);
            });
        }

        private RowWriter newWriter(String key) {
            return new RowWriter(store, key, columns, uniqueColumns, Map.of("run-id", runId), settings.writer(),
                    compression);
        }

        /**
         * Deduplicates on the business key, the latest ingestion winning (the later one read, on a tie). Returns
         * whether to write this row; when it replaces a row already written, that row is marked for removal.
         */
        private boolean keepAsLatest(Object[] row, OpenFile file, Instant ingestedAt) {
            KeyIndex.Location previous = keyIndex.put(row[keyColumn].toString(), file.slot(), (int) file.rows(),
                    ingestedAt.toEpochMilli());
            if (keyIndex.isFull()) {
                keyIndex.clear();
            }
            if (previous == null) {
                return true;
            }
            rowsDeduplicated++;
            if (ingestedAt.toEpochMilli() < previous.ingestedAtMillis()) {
                return false; // an older version than the one kept
            }
            superseded.computeIfAbsent(previous.file(), f -> new BitSet()).set(previous.row());
            return true;
        }

        /** Rewrites each file holding rows a later version replaced, without them (rare: only with duplicates). */
        private void removeSuperseded() {
            for (var entry : superseded.entrySet()) {
                String key = fileKeys.get(entry.getKey());
                BitSet drop = entry.getValue();
                int index = written.indexOf(written.stream().filter(f -> f.key().equals(key)).findFirst()
                        .orElseThrow());
                WrittenFile before = written.get(index);
                if (drop.cardinality() == before.rows()) {
                    store.delete(key);
                    written.remove(index);
                    continue;
                }
                RowWriter rewrite = newWriter(key);
                try (RowReader reader = new RowReader(store, key, columns)) {
                    int position = 0;
                    for (Object[] row = reader.next(); row != null; row = reader.next(), position++) {
                        if (!drop.get(position)) {
                            rewrite.add(row);
                        }
                        if (position % CHECK_EVERY_ROWS == 0) {
                            observer.progress(); // a rewrite of a large file must not look like a dead run
                        }
                    }
                } catch (RuntimeException e) {
                    rewrite.abort();
                    throw e;
                }
                observer.publishing(key);
                rewrite.close();
                RowWriter.Result result = rewrite.result();
                written.set(index, new WrittenFile(key, before.partition(), result.rows(), result.bytes()));
            }
            superseded.clear();
        }

        /** Rolls files that reached their target size, then closes the largest writers while too much is buffered. */
        private void keepWithinLimits() {
            silver.entrySet().stream().filter(e -> e.getValue().writer().dataSize() >= settings.targetFileBytes())
                    .map(Map.Entry::getKey).toList().forEach(this::closeFile);
            long buffered = silver.values().stream().mapToLong(f -> f.writer().bufferedBytes()).sum();
            while (buffered > settings.maxBufferedBytes() && !silver.isEmpty()) {
                Partition largest = silver.entrySet().stream()
                        .max(Comparator.comparingLong(e -> e.getValue().writer().bufferedBytes())).orElseThrow()
                        .getKey();
                buffered -= silver.get(largest).writer().bufferedBytes();
                closeFile(largest);
            }
        }

        private void closeFile(Partition partition) {
            OpenFile file = silver.remove(partition);
            file.flush();
            RowWriter writer = file.writer();
            observer.publishing(writer.key());
            writer.close();
            RowWriter.Result result = writer.result();
            written.add(new WrittenFile(result.key(), layout.values(partition), result.rows(), result.bytes()));
        }

        private void reject(RecordError error, String source, Optional<SegmentHeader> header, long position,
                Instant ingestedAt, String raw) {
            Quarantine q = quarantine.computeIfAbsent(error.kind(), kind -> new Quarantine(
                    LakeLayout.quarantineKey(spec.name(), kind, ingestedAt, runId)));
            ObjectNode entry = JSON.createObjectNode()
                    .put("dataset", spec.name())
                    .put("error_type", error.kind().label())
                    .put("field", error.field())
                    .put("reason", error.reason())
                    .put("source_object", source);
            header.ifPresent(h -> entry.put("segment_source", h.source()).put("segment_id", h.sourceId()));
            entry.put("position", position)
                    .put("ingested_at", ingestedAt.toString())
                    .put("record", raw);
            q.write(entry.toString());
        }

        TransformResult finish(List<String> sources) {
            List.copyOf(silver.keySet()).forEach(this::closeFile);
            removeSuperseded();
            List<WrittenFile> files = new ArrayList<>(written);
            long rowsWritten = files.stream().mapToLong(WrittenFile::rows).sum();
            Map<String, Long> quarantined = new LinkedHashMap<>();
            List<String> quarantineKeys = new ArrayList<>();
            for (var entry : quarantine.entrySet()) {
                observer.publishing(entry.getValue().key);
                entry.getValue().close();
                quarantined.put(entry.getKey().label(), entry.getValue().count);
                quarantineKeys.add(entry.getValue().key);
            }
            files.sort(Comparator.comparing(WrittenFile::key));
            Map<String, Long> byLateness = new LinkedHashMap<>();
            for (Lateness band : Lateness.values()) {
                byLateness.put(band.label(), lateness[band.ordinal()]);
            }
            return new TransformResult(spec.name(), runId, List.copyOf(sources), rowsRead, rowsWritten,
                    rowsDeduplicated, quarantined, files, quarantineKeys, byLateness);
        }

        /**
         * Discards the run: open files are never published, and files already closed (rolled on size) are deleted,
         * so a retry that combines the sources differently, under another run id, cannot add their rows twice.
         */
        void abort() {
            silver.values().forEach(f -> f.writer().abort());
            quarantine.values().forEach(Quarantine::abort);
            written.forEach(f -> store.delete(f.key()));
        }
    }

    /**
     * The Silver file a partition is being written to, its slot in the run's list of files, and its newest rows, handed
     * to the writer together: random-order input changes partition nearly every row, and a run of rows keeps one
     * writer's column state in the CPU cache. Every open file's rows are handed over each {@link #CHECK_EVERY_ROWS}
     * rows, so at most that many rows wait, whatever the number of partitions.
     */
    private static final class OpenFile {
        private static final int MAX_WAITING = 128;

        private final RowWriter writer;
        private final int slot;
        private final Object[][] waiting = new Object[MAX_WAITING][];
        private int waitingRows;

        OpenFile(RowWriter writer, int slot) {
            this.writer = writer;
            this.slot = slot;
        }

        RowWriter writer() {
            return writer;
        }

        int slot() {
            return slot;
        }

        /** Rows added so far, written or waiting: the next row's position in the file. */
        long rows() {
            return writer.rows() + waitingRows;
        }

        void add(Object[] row) {
            waiting[waitingRows++] = row;
            if (waitingRows == MAX_WAITING) {
                flush();
            }
        }

        void flush() {
            for (int i = 0; i < waitingRows; i++) {
                writer.add(waiting[i]);
                waiting[i] = null;
            }
            waitingRows = 0;
        }
    }

    /** An NDJSON quarantine object, one rejected record per line. */
    private final class Quarantine {
        private final String key;
        private final ObjectWriter object;
        private final Writer text;
        private long count;

        Quarantine(String key) {
            this.key = key;
            this.object = store.create(key, Map.of());
            this.text = new OutputStreamWriter(object, StandardCharsets.UTF_8);
        }

        void write(String line) {
            try {
                text.write(line);
                text.write('\n');
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write quarantine object '" + key + "'", e);
            }
        }

        void close() {
            try {
                text.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot store quarantine object '" + key + "'", e);
            }
        }

        void abort() {
            object.abort();
        }
    }

    private static Instant parseInstant(String text, Instant fallback) {
        try {
            return text == null ? fallback : Instant.parse(text);
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
