package dev.medallion.lake.transform;

import java.util.List;
import java.util.Map;

import dev.medallion.lake.message.FilesWritten.WrittenFile;

/**
 * What a Bronze to Silver run did.
 *
 * @param dataset the dataset
 * @param runId the run id, derived from the sources
 * @param sources the Bronze objects read
 * @param rowsRead records read (good and bad)
 * @param rowsWritten rows written to Silver
 * @param rowsDeduplicated rows skipped because the same body was read before in this run (the same lineage ids)
 * @param quarantinedByKind rejected records per error kind label
 * @param files the Silver files written
 * @param quarantineKeys the quarantine objects written
 * @param rowsByLateness rows written per {@link Lateness} band label
 */
public record TransformResult(String dataset, String runId, List<String> sources, long rowsRead, long rowsWritten,
        long rowsDeduplicated, Map<String, Long> quarantinedByKind, List<WrittenFile> files, List<String> quarantineKeys,
        Map<String, Long> rowsByLateness) {

    /** Records rejected to quarantine. */
    public long rowsQuarantined() {
        return quarantinedByKind.values().stream().mapToLong(Long::longValue).sum();
    }
}
