package dev.medallion.lake.compaction;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

import dev.medallion.lake.store.ObjectInfo;

/**
 * How far a table is from having no small files: what operators watch and alert on.
 *
 * @param partitions partitions holding files
 * @param files files in all
 * @param smallFiles files under the small-file threshold
 * @param smallBytes their bytes
 * @param maxFilesPerPartition files in the partition with the most
 * @param medianFilesPerPartition the median of the partitions' file counts (0 without partitions)
 * @param p95FilesPerPartition the 95th percentile of the partitions' file counts
 * @param medianFileBytes the median file size (0 without files)
 * @param p95FileBytes the 95th percentile of file sizes
 * @param oldestSmallFileAge how long the oldest small file has waited, zero without small files
 */
public record SmallFileDebt(int partitions, long files, long smallFiles, long smallBytes, int maxFilesPerPartition,
        long medianFilesPerPartition, long p95FilesPerPartition, long medianFileBytes, long p95FileBytes,
        Duration oldestSmallFileAge) {

    /** The debt of a table's partitions' files at {@code now}, with {@code smallBelow} bytes as the threshold. */
    public static SmallFileDebt of(Collection<List<ObjectInfo>> partitions, long smallBelow, Instant now) {
        long[] sizes = partitions.stream().flatMap(List::stream).mapToLong(ObjectInfo::size).sorted().toArray();
        long[] counts = partitions.stream().mapToLong(List::size).sorted().toArray();
        List<ObjectInfo> small = partitions.stream().flatMap(List::stream).filter(f -> f.size() < smallBelow)
                .toList();
        Instant oldest = small.stream().map(ObjectInfo::lastModified).min(Instant::compareTo).orElse(now);
        return new SmallFileDebt(partitions.size(), sizes.length, small.size(),
                small.stream().mapToLong(ObjectInfo::size).sum(),
                partitions.stream().mapToInt(List::size).max().orElse(0), percentile(counts, 0.5),
                percentile(counts, 0.95), percentile(sizes, 0.5),
                percentile(sizes, 0.95), oldest.isBefore(now) ? Duration.between(oldest, now) : Duration.ZERO);
    }

    /** Nearest-rank percentile of sorted values. */
    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
