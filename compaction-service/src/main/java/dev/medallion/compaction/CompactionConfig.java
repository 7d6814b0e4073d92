package dev.medallion.compaction;

import java.time.Duration;

import dev.medallion.lake.compaction.Compaction;
import dev.medallion.lake.compaction.CompactionPlanner;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.support.ConsumerConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** compaction-service settings. */
@ConfigMapping(prefix = "medallion.compaction")
public interface CompactionConfig {

    /** Polling of the compaction queue (files written by transform-service). */
    ConsumerConfig consumer();

    /** The size merged files aim for: 128 to 512 MiB. */
    @WithDefault("268435456")
    long targetFileBytes();

    /** A file under this share of the target is small, and merged. */
    @WithDefault("0.75")
    double smallFileFraction();

    /** How many small files a partition needs before it is compacted. */
    @WithDefault("5")
    int minFiles();

    /**
     * How old a file must be before it is merged, and how long after files arrive a partition is compacted: files
     * that keep arriving are merged in batches, not one rewrite each.
     */
    @WithDefault("10m")
    Duration settle();

    /**
     * Bytes of a merged file's row group, buffered in memory while it is written: with {@code max-keys}, what bounds
     * the service's memory. Engines read row groups of 64 MiB and more best.
     */
    @WithDefault("134217728")
    long rowGroupBytes();

    /** Most business keys one merge remembers to deduplicate, 48 to 96 bytes each on the heap. */
    @WithDefault("2000000")
    int maxKeys();

    /**
     * How long a partition's lease, and a merge's heartbeat, last unless renewed (every third of this while a merge
     * runs). After a crash, the partition is recovered this long after the last heartbeat.
     */
    @WithDefault("60s")
    Duration lease();

    /** How often partitions marked by transform events are checked for being due. */
    @WithDefault("30s")
    String dueCheckInterval();

    /** How often every partition of every dataset is checked, whatever the events said; {@code off} disables it. */
    @WithDefault("15m")
    String sweepInterval();

    /** How long after start-up the first sweep runs. */
    @WithDefault("1m")
    String sweepDelay();

    /**
     * How long a partition's old generation is kept after compaction moved the partition (tables in
     * {@code registered} partition mode), so queries that started on it finish; then it is deleted.
     */
    @WithDefault("1h")
    Duration generationGrace();

    /** The merge settings these give. */
    default Compaction.Settings settings() {
        return new Compaction.Settings(
                new CompactionPlanner.Settings(targetFileBytes(), smallFileFraction(), minFiles(), settle()),
                new RowWriter.Settings(rowGroupBytes(), 1024 * 1024), maxKeys(), generationGrace());
    }
}
