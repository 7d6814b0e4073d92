package dev.medallion.lake.compaction;

import java.util.List;

import dev.medallion.lake.message.FilesWritten.WrittenFile;

/**
 * What one merge of a partition's small files did. A committed merge's record is kept in its journal decision, so a
 * crash after the commit is finished from it: the inputs are deleted or, for a partition moved to a new generation,
 * the partition is pointed at it.
 *
 * @param dataset the dataset
 * @param runId the merge's id, in its outputs' names
 * @param partition the partition's path, e.g. {@code year=2026/month=03/day=07}
 * @param inputs the files merged, replaced by the outputs
 * @param outputs the files written
 * @param rowsRead rows in the inputs
 * @param rowsDeduplicated rows dropped because a later version of their key (or lineage id) was among the inputs
 * @param bytesRead the inputs' size
 * @param generation the generation the outputs were written into ({@code ""}: the partition's own folder, beside the
 *        inputs; else the partition moves to it, see {@link dev.medallion.lake.generations.Generations})
 * @param carried the files not merged but copied as they are into the new generation
 */
public record Merge(String dataset, String runId, String partition, List<String> inputs, List<WrittenFile> outputs,
        long rowsRead, long rowsDeduplicated, long bytesRead, String generation, List<String> carried) {

    public Merge {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        generation = generation == null ? "" : generation;
        carried = carried == null ? List.of() : List.copyOf(carried);
    }

    /** The merges of several groups of a partition as one, moving the partition to {@code generation}. */
    static Merge combined(String dataset, String runId, String partition, List<Merge> groups, String generation,
            List<String> carried) {
        return new Merge(dataset, runId, partition, groups.stream().flatMap(m -> m.inputs().stream()).toList(),
                groups.stream().flatMap(m -> m.outputs().stream()).toList(),
                groups.stream().mapToLong(Merge::rowsRead).sum(), groups.stream().mapToLong(Merge::rowsDeduplicated).sum(),
                groups.stream().mapToLong(Merge::bytesRead).sum(), generation, carried);
    }

    /** Whether the merge moves its partition to a new generation rather than replacing files beside the others. */
    public boolean moves() {
        return !generation.isEmpty();
    }

    public long rowsWritten() {
        return outputs.stream().mapToLong(WrittenFile::rows).sum();
    }

    public long bytesWritten() {
        return outputs.stream().mapToLong(WrittenFile::bytes).sum();
    }
}
