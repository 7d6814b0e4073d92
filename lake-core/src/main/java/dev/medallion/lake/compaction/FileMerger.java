package dev.medallion.lake.compaction;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
 * Merges files of one partition into as few files as the target size allows, streaming: one pass reads only the key
 * and ingested-at columns to find superseded rows ({@link SupersededRows}), the other re-encodes the rows that stay,
 * column by column, into row groups of the configured size ({@link MergedFileWriter}). The two run at once, on two
 * cores: rows are written on the assumption that none is superseded until the key pass is done, and in the rare
 * case that one already written is, the output is discarded and written again. Rows keep their inputs'
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
     * Writes the rows of {@code inputs} that are not superseded into {@code {folder}part-{runId}-{n}.parquet} files,
     * {@code n} counting from {@code firstSequence}, telling {@code observer} before each becomes visible. On failure
     * nothing written stays.
     *
     * @param folder the partition's folder, or the generation folder it moves to
     */
    Merge merge(DatasetSpec spec, String partitionPath, List<ObjectInfo> inputs, String folder, String runId,
            int firstSequence, RunObserver observer) {
        Partition partition = PartitionLayout.of(spec).parse(partitionPath);
        // the key pass runs on a second core while the rows are written on the assumption that none is superseded
        CompletableFuture<SupersededRows> keys = new CompletableFuture<>();
        Thread scan = new Thread(() -> {
            try {
                keys.complete(SupersededRows.of(store, spec, inputs, maxKeys));
            } catch (Throwable e) {
                keys.completeExceptionally(e);
            }
        }, "compaction-keys");
        scan.setDaemon(true);
        scan.start();
        Output output = new Output(folder, runId, firstSequence);
        Merge merge = write(spec, partition, partitionPath, inputs, output, observer, keys);
        if (merge == null) { // a row already written turned out to be superseded: write again, knowing them all
            observer.progress();
            merge = write(spec, partition, partitionPath, inputs, output, observer, keys);
        }
        return merge;
    }

    /**
     * Writes the inputs' rows, skipping the superseded ones once {@code keys} knows them.
     *
     * @return what was written, or {@code null} (and nothing written) when a row written before {@code keys} was
     *         done is superseded
     */
    private Merge write(DatasetSpec spec, Partition partition, String partitionPath, List<ObjectInfo> inputs,
            Output output, RunObserver observer, CompletableFuture<SupersededRows> keys) {
        List<FieldType.Field> columns = SilverColumns.of(spec);
        Set<String> unique = SilverColumns.uniqueValued(spec);
        List<WrittenFile> written = new ArrayList<>();
        List<Integer> unchecked = new ArrayList<>();
        MergedFileWriter out = null;
        long rowsRead = 0;
        long bytesRead = 0;
        try {
            for (int f = 0; f < inputs.size(); f++) {
                if (keys.isDone() && anySuperseded(keys, unchecked)) {
                    throw new Superseded();
                }
                if (out == null) {
                    out = new MergedFileWriter(store, LakeLayout.silverKey(output.folder(), output.runId(),
                            output.firstSequence() + written.size()), columns, unique,
                            Map.of("run-id", output.runId()), writer);
                }
                BitSet skip = keys.isDone() ? join(keys).inFile(f) : new BitSet();
                if (!keys.isDone()) {
                    unchecked.add(f);
                }
                rowsRead += out.append(store, inputs.get(f), skip, observer::progress) + skip.cardinality();
                bytesRead += inputs.get(f).size();
                if (out.dataSize() >= targetBytes) {
                    if (anySuperseded(keys, unchecked)) { // waits for the key pass: nothing unchecked is published
                        throw new Superseded();
                    }
                    written.add(publish(out, partition, spec, observer));
                    out = null;
                }
            }
            if (anySuperseded(keys, unchecked)) {
                throw new Superseded();
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
            if (e instanceof Superseded) {
                return null;
            }
            throw e;
        }
        List<String> inputKeys = inputs.stream().map(ObjectInfo::key).toList();
        return new Merge(spec.name(), output.runId(), partitionPath, inputKeys, written, rowsRead,
                join(keys).count(), bytesRead, "", List.of());
    }

    /** Whether a file written before the key pass was done has superseded rows; waits for the key pass. */
    private static boolean anySuperseded(CompletableFuture<SupersededRows> keys, List<Integer> unchecked) {
        SupersededRows known = join(keys);
        boolean any = unchecked.stream().anyMatch(f -> !known.inFile(f).isEmpty());
        unchecked.clear();
        return any;
    }

    private static SupersededRows join(CompletableFuture<SupersededRows> keys) {
        try {
            return keys.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("Cannot find superseded rows: " + e.getCause(), e.getCause());
        }
    }

    /** Where outputs go and how they are named. */
    private record Output(String folder, String runId, int firstSequence) {
    }

    /** The attempt must be made again, knowing every superseded row. */
    private static final class Superseded extends RuntimeException {
        Superseded() {
            super(null, null, false, false);
        }
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
