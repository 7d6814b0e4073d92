package dev.medallion.lake.compaction;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.journal.RunObserver;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.FilesWritten.WrittenFile;
import dev.medallion.lake.parquet.MergedFileWriter;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.transform.SupersededRows;

/**
 * Merges files of one partition into as few files as the target size allows, streaming: a first pass reads only the
 * key and ingested-at columns to find superseded rows ({@link SupersededRows}), the second re-encodes the rows that
 * stay, column by column, into row groups of the configured size ({@link MergedFileWriter}). Rows keep their inputs'
 * order (inputs sorted by key), so the same inputs always give the same rows in the same order. Columns the table
 * gained after an input was written read as null (schema evolution is additive), so outputs always have the table's
 * current schema. Outputs roll over between inputs once they reach the target size.
 */
final class FileMerger {
    private final ObjectStore store;
    private final RowWriter.Settings writer;
    private final long targetBytes;
    private final int maxKeys;

    FileMerger(ObjectStore store, RowWriter.Settings writer, long targetBytes, int maxKeys) {
        this.store = store;
        this.writer = writer;
        this.targetBytes = targetBytes;
        this.maxKeys = maxKeys;
    }

    /**
     * Writes the rows of {@code inputs} that are not superseded into {@code part-{runId}-{n}.parquet} files of the
     * partition, telling {@code observer} before each becomes visible. On failure nothing written stays.
     */
    Merge merge(DatasetSpec spec, String partitionPath, List<ObjectInfo> inputs, String runId, RunObserver observer) {
        Partition partition = PartitionLayout.of(spec).parse(partitionPath);
        SupersededRows superseded = SupersededRows.of(store, spec, inputs, maxKeys);
        observer.progress();
        List<FieldType.Field> columns = SilverColumns.of(spec);
        Set<String> unique = SilverColumns.uniqueValued(spec);
        List<WrittenFile> written = new ArrayList<>();
        MergedFileWriter out = null;
        long rowsRead = 0;
        long bytesRead = 0;
        try {
            for (int f = 0; f < inputs.size(); f++) {
                if (out == null) {
                    out = new MergedFileWriter(store, LakeLayout.silverKey(spec, partition, runId, written.size()),
                            columns, unique, Map.of("run-id", runId), writer);
                }
                BitSet skip = superseded.inFile(f);
                rowsRead += out.append(store, inputs.get(f), skip, observer::progress) + skip.cardinality();
                bytesRead += inputs.get(f).size();
                if (out.dataSize() >= targetBytes) {
                    written.add(publish(out, partition, spec, observer));
                    out = null;
                }
            }
            if (out != null && out.rows() > 0) {
                written.add(publish(out, partition, spec, observer));
            } else if (out != null) {
                out.abort(); // every input was empty
            }
            out = null;
        } catch (RuntimeException e) {
            if (out != null) {
                out.abort();
            }
            written.forEach(w -> store.delete(w.key()));
            throw e;
        }
        List<String> inputKeys = inputs.stream().map(ObjectInfo::key).toList();
        return new Merge(spec.name(), runId, partitionPath, inputKeys, written, rowsRead, superseded.count(),
                bytesRead);
    }

    private static WrittenFile publish(MergedFileWriter out, Partition partition, DatasetSpec spec,
            RunObserver observer) {
        observer.publishing(out.key());
        out.close();
        RowWriter.Result result = out.result();
        return new WrittenFile(result.key(), PartitionLayout.of(spec).values(partition), result.rows(),
                result.bytes());
    }
}
