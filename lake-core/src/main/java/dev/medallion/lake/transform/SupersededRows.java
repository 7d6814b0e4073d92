package dev.medallion.lake.transform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.parquet.HeapCodecs;
import dev.medallion.lake.parquet.IgnoringConverter;
import dev.medallion.lake.parquet.ObjectStoreInputFile;
import dev.medallion.lake.parquet.StoreReadException;
import dev.medallion.lake.parquet.UnreadableFileException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;

/**
 * Which rows of a set of Silver files a later version of their key replaces: the latest ingestion wins, and on a tie
 * the row read later (later file, later row). The key is the dataset's business key or, without one, the lineage id,
 * so a record stored twice is kept once. Reads only the key and ingested-at column chunks, streaming, straight from
 * the column readers. Past {@code maxKeys} keys, new keys are not remembered and all their rows are kept, which
 * bounds memory. A row without a key (a file from before the key was declared) is kept.
 */
public final class SupersededRows {
    /** The rows of a file with none superseded; never modified. */
    private static final BitSet NONE = new BitSet();

    private final Map<Integer, BitSet> byFile;
    private final long count;

    private SupersededRows(Map<Integer, BitSet> byFile) {
        this.byFile = byFile;
        this.count = byFile.values().stream().mapToLong(BitSet::cardinality).sum();
    }

    /** Finds the superseded rows of {@code files}, numbered by their place in the list. */
    public static SupersededRows of(ObjectStore store, DatasetSpec spec, List<ObjectInfo> files, int maxKeys) {
        String keyName = keyColumn(spec).name();
        KeyIndex latest = new KeyIndex(maxKeys);
        Map<Integer, BitSet> superseded = new HashMap<>();
        for (int f = 0; f < files.size(); f++) {
            ObjectInfo file = files.get(f);
            try (ParquetFileReader reader = ParquetFileReader.open(new ObjectStoreInputFile(store, file.key(),
                    file.size()), HeapCodecs.readOptions())) {
                MessageType schema = reader.getFileMetaData().getSchema();
                if (!hasPrimitive(schema, keyName) || !hasPrimitive(schema, SilverColumns.INGESTED_AT)) {
                    continue; // no key to deduplicate on: every row stays
                }
                List<Type> read = new ArrayList<>(List.of(schema.getType(keyName),
                        schema.getType(SilverColumns.INGESTED_AT)));
                MessageType projection = new MessageType(schema.getName(), read);
                reader.setRequestedSchema(projection);
                ColumnDescriptor keyColumn = projection.getColumnDescription(new String[] { keyName });
                ColumnDescriptor timeColumn = projection.getColumnDescription(new String[] { SilverColumns.INGESTED_AT });
                long microsPerUnit = microsPerUnit(schema.getType(SilverColumns.INGESTED_AT));
                var converter = new IgnoringConverter(projection);
                int r = 0;
                for (PageReadStore group = reader.readNextRowGroup(); group != null; group = reader
                        .readNextRowGroup()) {
                    var columns = new ColumnReadStoreImpl(group, converter, projection,
                            reader.getFileMetaData().getCreatedBy());
                    ColumnReader keys = columns.getColumnReader(keyColumn);
                    ColumnReader times = columns.getColumnReader(timeColumn);
                    for (long i = 0; i < group.getRowCount(); i++, r++) {
                        String key = keys.getCurrentDefinitionLevel() == keyColumn.getMaxDefinitionLevel()
                                ? text(keys, keyColumn)
                                : null;
                        long ingestedAt = times.getCurrentDefinitionLevel() == timeColumn.getMaxDefinitionLevel()
                                ? Math.floorDiv(times.getLong() * microsPerUnit, 1000)
                                : Long.MIN_VALUE;
                        keys.consume();
                        times.consume();
                        if (key == null || latest.isFull()) {
                            continue;
                        }
                        KeyIndex.Location previous = latest.put(key, f, r, ingestedAt);
                        if (previous == null) {
                            continue;
                        }
                        boolean currentWins = ingestedAt >= previous.ingestedAtMillis();
                        int fileOfLoser = currentWins ? previous.file() : f;
                        int rowOfLoser = currentWins ? previous.row() : r;
                        superseded.computeIfAbsent(fileOfLoser, x -> new BitSet()).set(rowOfLoser);
                    }
                }
            } catch (ObjectNotFoundException e) {
                throw e; // gone since it was listed (replaced by compaction): the caller lists again
            } catch (IOException | RuntimeException e) { // Parquet names no exception for a file it cannot read
                StoreReadException failed = StoreReadException.in(e);
                if (failed != null) {
                    throw new UncheckedIOException(failed); // the store failed, not the file: worth retrying
                }
                throw new UnreadableFileException(file.key(), e);
            }
        }
        return new SupersededRows(superseded);
    }

    /** The superseded rows of the {@code file}-th file. */
    public BitSet inFile(int file) {
        return byFile.getOrDefault(file, NONE);
    }

    /** How many rows are superseded in all. */
    public long count() {
        return count;
    }

    /** The column rows are deduplicated on: the business key, or the lineage id without one. */
    public static FieldType.Field keyColumn(DatasetSpec spec) {
        String name = spec.key().orElse(SilverColumns.INGEST_ID);
        return SilverColumns.of(spec).stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static boolean hasPrimitive(MessageType schema, String name) {
        return schema.containsField(name) && schema.getType(name).isPrimitive();
    }

    /** The key as text: only compared with the other keys of the same column, so any faithful rendering will do. */
    private static String text(ColumnReader reader, ColumnDescriptor column) {
        return switch (column.getPrimitiveType().getPrimitiveTypeName()) {
            case INT32 -> Integer.toString(reader.getInteger());
            case INT64 -> Long.toString(reader.getLong());
            case BOOLEAN -> Boolean.toString(reader.getBoolean());
            case DOUBLE -> Double.toString(reader.getDouble());
            case FLOAT -> Float.toString(reader.getFloat());
            default -> reader.getBinary().toStringUsingUTF8();
        };
    }

    /** Ingested-at is written in microseconds; other units are read as what they are. */
    private static long microsPerUnit(Type type) {
        if (type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t
                && t.getUnit() == LogicalTypeAnnotation.TimeUnit.MILLIS) {
            return 1000;
        }
        return 1;
    }
}
