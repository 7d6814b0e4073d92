package dev.medallion.lake.compaction;

import java.util.List;

import dev.medallion.lake.message.FilesWritten.WrittenFile;

/**
 * What one merge of a partition's small files did. A committed merge's record is kept in its journal decision, so a
 * crash after the commit is finished from it: the inputs are deleted.
 *
 * @param dataset the dataset
 * @param runId the merge's id, in its outputs' names
 * @param partition the partition's path, e.g. {@code year=2026/month=03/day=07}
 * @param inputs the files merged, replaced by the outputs
 * @param outputs the files written
 * @param rowsRead rows in the inputs
 * @param rowsDeduplicated rows dropped because a later version of their key (or lineage id) was among the inputs
 * @param bytesRead the inputs' size
 */
public record Merge(String dataset, String runId, String partition, List<String> inputs, List<WrittenFile> outputs,
        long rowsRead, long rowsDeduplicated, long bytesRead) {

    public Merge {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    public long rowsWritten() {
        return outputs.stream().mapToLong(WrittenFile::rows).sum();
    }

    public long bytesWritten() {
        return outputs.stream().mapToLong(WrittenFile::bytes).sum();
    }
}
