package dev.medallion.support;

import java.util.Map;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * The help text of every Medallion meter, in one place, so services register meters with a plain
 * {@code registry.counter(name, tags)}. Also replaces double quotes in any meter's description: the Prometheus text
 * format has no escape for them in HELP lines, and Micrometer's own CPU meters use them, which makes
 * {@code promtool check metrics} reject the whole page; and gives library meters that have no description (Netty,
 * Vert.x) their name as help text, so every HELP line says something.
 */
@Singleton
public class MetricDescriptions implements MeterFilter {
    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("medallion.aws.requests", "S3 and SQS requests by service, operation and HTTP status"),
            Map.entry("medallion.queue.messages", "Queue messages handled, by outcome"),
            Map.entry("medallion.queue.lag.seconds", "Now minus the sent time of the oldest message in the last receive"),
            Map.entry("medallion.queue.handling", "Time from receiving a queue message to finishing its work"),
            Map.entry("medallion.queue.held.messages", "Messages received whose work has not finished"),
            Map.entry("medallion.queue.depth.messages", "Messages waiting in the queue, as SQS reports it every 30 s"),
            Map.entry("medallion.queue.dead.letter.messages",
                    "Messages in the queue's dead-letter queue, as SQS reports it every 30 s"),
            Map.entry("medallion.ingest.records", "Records taken into stored Bronze objects, by dataset and source"),
            Map.entry("medallion.ingest.bytes", "Bytes (decompressed) taken into stored Bronze objects"),
            Map.entry("medallion.ingest.rejections", "Bodies refused, by dataset, source and reason"),
            Map.entry("medallion.ingest.flushes", "Bronze objects stored, by dataset and flush reason"),
            Map.entry("medallion.ingest.flush.failures", "Bronze objects that could not be stored"),
            Map.entry("medallion.ingest.bronze.put", "Time to store and announce one Bronze object"),
            Map.entry("medallion.ingest.bronze.object.bytes", "Stored size of Bronze objects"),
            Map.entry("medallion.ingest.buffer.bytes", "Bytes held in ingest memory buffers"),
            Map.entry("medallion.ingest.buffer.limit.bytes", "Most bytes ingest may hold in memory"),
            Map.entry("medallion.ingest.buffer.dataset.bytes", "Bytes received into the dataset's open batch"),
            Map.entry("medallion.transform.runs", "Transform runs completed"),
            Map.entry("medallion.transform.recoveries",
                    "Unfinished transform runs found in the run journal, by outcome (finished or rolled back)"),
            Map.entry("medallion.transform.sources", "Bronze objects promoted to Silver"),
            Map.entry("medallion.transform.sources.skipped", "Bronze objects skipped: already promoted in that version"),
            Map.entry("medallion.transform.rows", "Rows read, written, deduplicated or quarantined, by outcome"),
            Map.entry("medallion.transform.rows.lateness", "Rows written, by how long after their event time they arrived"),
            Map.entry("medallion.transform.files", "Files written by transform runs, by zone"),
            Map.entry("medallion.transform.bytes.written", "Bytes of the files written by transform runs, by zone"),
            Map.entry("medallion.transform.gold.rebuilds", "Gold table days recomputed from Silver"),
            Map.entry("medallion.transform.run.duration", "Duration of transform runs, Silver and Gold together"),
            Map.entry("medallion.transform.stage.duration", "Duration of a transform stage (silver, gold) in a run"),
            Map.entry("medallion.catalog.syncs", "Catalog table syncs, by outcome"),
            Map.entry("medallion.catalog.changes",
                    "Table changes: applied (a new table version) or refused (a column change that would break files)"),
            Map.entry("medallion.catalog.tables", "Tables this catalog service has synced since it started"),
            Map.entry("medallion.catalog.resyncs", "Scheduled rebuilds of a table from storage, by outcome"),
            Map.entry("medallion.catalog.columns", "Columns of a managed table"),
            Map.entry("medallion.catalog.partitions.registered",
                    "Partitions registered in the catalog (tables in registered or both mode)"),
            Map.entry("medallion.catalog.partitions.relocated",
                    "Registered partitions pointed at the generation folder compaction moved them to"),
            Map.entry("medallion.catalog.partitions.deregistered",
                    "Registered partitions removed by a rebuild because storage no longer holds them"),
            Map.entry("medallion.catalog.partitions", "Partitions of a managed table seen since the service started"),
            Map.entry("medallion.compaction.groups",
                    "Groups of small files: planned, merged, or failed (the partition is left as it was)"),
            Map.entry("medallion.compaction.files", "Files merged (read) and written by compaction"),
            Map.entry("medallion.compaction.bytes", "Bytes of the files merged (read) and written by compaction"),
            Map.entry("medallion.compaction.rows",
                    "Rows written by compaction, and rows dropped as an older version of a key (deduplicated)"),
            Map.entry("medallion.compaction.merge.duration", "Duration of one merge, from intent to inputs deleted"),
            Map.entry("medallion.compaction.unreadable.files",
                    "Silver files compaction found unreadable and leaves alone (repair or remove them)"),
            Map.entry("medallion.compaction.generations.awaiting.catalog",
                    "Times old generations past their grace period were kept because the catalog had not yet "
                            + "registered the partition's current one"),
            Map.entry("medallion.compaction.recoveries",
                    "Unfinished merges found in the journal, by outcome (rolled forward or back)"),
            Map.entry("medallion.compaction.partitions", "Partitions of the Silver table holding files, at the last sweep"),
            Map.entry("medallion.compaction.table.files", "Files in the Silver table, at the last sweep"),
            Map.entry("medallion.compaction.small.files",
                    "Files under the small-file threshold in the Silver table, at the last sweep"),
            Map.entry("medallion.compaction.small.bytes", "Bytes of the small files, at the last sweep"),
            Map.entry("medallion.compaction.partition.files.max",
                    "Files in the Silver partition with the most, at the last sweep"),
            Map.entry("medallion.compaction.partition.files",
                    "Percentiles of the files each partition of the Silver table holds, at the last sweep"),
            Map.entry("medallion.compaction.file.size.bytes", "File size percentiles of the Silver table, at the last sweep"),
            Map.entry("medallion.compaction.oldest.small.file.age.seconds",
                    "Age of the oldest small file in the Silver table, at the last sweep"),
            Map.entry("medallion.catalog.projection.covered",
                    "1 while the latest partition seen lies inside the table's projected range, else 0"));

    @Override
    public Meter.Id map(Meter.Id id) {
        String description = DESCRIPTIONS.getOrDefault(id.getName(), id.getDescription());
        if (description == null || description.isBlank()) {
            description = id.getName().replace('.', ' ');
        }
        if (description.indexOf('"') >= 0) {
            description = description.replace('"', '\'');
        }
        if (description.equals(id.getDescription())) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), description, id.getType());
    }
}
