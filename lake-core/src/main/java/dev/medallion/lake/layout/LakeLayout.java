package dev.medallion.lake.layout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.medallion.lake.Hashing;
import dev.medallion.lake.ValidationException;
import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.record.RecordError;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.Granularity;
import dev.medallion.lake.store.ObjectKeys;

/**
 * Where every object of the lake lives, in one place:
 *
 * <pre>
 * bronze/{dataset}/ingest_date=YYYY-MM-DD/hour=HH/{bronze-id}.ndjson.gz    (other tools: bronze/{dataset}/{any name})
 * silver/{dataset}/year=YYYY/month=MM/day=DD[/hour=HH][/{partition-by field}={value}...][/_gen={id}]/part-{run-id}-{seq}.parquet
 * gold/{table}/year=YYYY/month=MM/day=DD/part-00000.parquet     (one object per table and day, replaced whole)
 * quarantine/{dataset}/error_type={kind}/ingest_date=YYYY-MM-DD/{run-id}.ndjson
 * _state/ingest/idempotency/{dataset}/{sha256(idempotency-key)}.json
 * _state/transform/promoted/{dataset}/{sha256(bronze-key)}.json
 * _state/{transform|compaction}/runs/{dataset}/{run-id}.json | .decision    (runs not finished yet: see RunJournal)
 * _state/compaction/leases/{sha256(dataset/partition)}/{n}.json                (who compacts a partition: see Leases)
 * _state/compaction/due/{dataset}/{sha256(partition)}.json                     (partitions with new files: DuePartitions)
 * _state/generations/{dataset}/{sha256(partition)}.json                        (a partition's current folder: Generations)
 * _state/catalog/registered/{dataset}/{sha256(partition)}.json                 (the generation the catalog registered)
 * </pre>
 *
 * Names derived from inputs (run ids) make a retried step overwrite its own output instead of adding to it.
 * Dataset names are validated, so no key built here can leave its zone and dataset prefix.
 */
public final class LakeLayout {
    public static final String BRONZE = "bronze/";
    public static final String SILVER = "silver/";
    public static final String QUARANTINE = "quarantine/";
    public static final String GOLD = "gold/";
    /** Service state kept in the lake: not data, never queried. */
    public static final String STATE = "_state/";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern BRONZE_KEY = Pattern.compile(
            "bronze/([a-z][a-z0-9_]{0,63})/ingest_date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/([A-Za-z0-9_-]{1,128})\\.ndjson(\\.gz)?");
    /** Any object under a dataset's Bronze prefix, as other tools (DMS, AppFlow, aws s3 cp) name them. */
    private static final Pattern FOREIGN_BRONZE_KEY = Pattern.compile("bronze/([a-z][a-z0-9_]{0,63})/(.+)");

    private LakeLayout() {
    }

    /** A new Bronze object id: sortable by receive time, unique by a random suffix. */
    public static String newBronzeId(Instant receivedAt) {
        return STAMP.format(receivedAt) + "-" + UUID.randomUUID();
    }

    /** The key of a Bronze object received at {@code receivedAt}. */
    public static String bronzeKey(String dataset, Instant receivedAt, String bronzeId) {
        return BRONZE + DatasetName.validate(dataset) + "/ingest_date=" + DATE.format(receivedAt) + "/hour="
                + HOUR.format(receivedAt) + "/" + bronzeId + ".ndjson.gz";
    }

    /**
     * A parsed Bronze key.
     *
     * @param bronzeId the object's id: ours for objects ingest wrote, else the key below the dataset's prefix; ids of
     *        records without lineage headers derive from it
     * @param headerlessFormat how to read data without a lineage header: CSV for {@code .csv} and {@code .csv.gz}
     *        names, NDJSON for everything else
     */
    public record BronzeKey(String key, String dataset, String bronzeId, BronzeFormat headerlessFormat) {
    }

    /**
     * Parses a Bronze key: one ingest-service wrote ({@code bronze/{dataset}/ingest_date=.../hour=../{id}.ndjson.gz})
     * or any valid key below a dataset's Bronze prefix, as other tools write them. Rejects anything else, and every
     * key that could leave its prefix ({@link ObjectKeys}).
     */
    public static BronzeKey parseBronzeKey(String key) {
        var ours = BRONZE_KEY.matcher(key == null ? "" : key);
        if (ours.matches()) {
            return new BronzeKey(key, ours.group(1), ours.group(2), BronzeFormat.NDJSON);
        }
        var foreign = FOREIGN_BRONZE_KEY.matcher(key == null ? "" : key);
        if (!foreign.matches() || key.endsWith("/")) {
            throw new ValidationException("Cannot use Bronze key '" + printable(key)
                    + "': expected bronze/{dataset}/{name}, with a dataset name of [a-z][a-z0-9_]{0,63}");
        }
        try {
            ObjectKeys.validate(key);
        } catch (ValidationException e) {
            throw new ValidationException("Cannot use Bronze key '" + printable(key) + "': " + e.getMessage(), e);
        }
        String path = foreign.group(2);
        String name = path.toLowerCase(Locale.ROOT);
        BronzeFormat format = name.endsWith(".csv") || name.endsWith(".csv.gz") ? BronzeFormat.CSV : BronzeFormat.NDJSON;
        return new BronzeKey(key, foreign.group(1), path, format);
    }

    private static String printable(String key) {
        String shown = key == null ? "" : key.length() > 200 ? key.substring(0, 200) + "..." : key;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    /** The run id of a step over these inputs: the same inputs always give the same id. */
    public static String runId(Collection<String> inputKeys) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String key : List.copyOf(inputKeys).stream().sorted().toList()) {
                digest.update(key.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** The prefix of a dataset's Silver table. */
    public static String silverPrefix(String dataset) {
        return SILVER + DatasetName.validate(dataset) + "/";
    }

    /** The key of the {@code sequence}-th Silver file a run writes into a partition's own folder. */
    public static String silverKey(DatasetSpec spec, Partition partition, String runId, int sequence) {
        return silverKey(silverPrefix(spec.name()) + PartitionLayout.of(spec).path(partition) + "/", runId, sequence);
    }

    /**
     * The key of the {@code sequence}-th Silver file a run writes into {@code folder}: a partition's folder, or one of
     * its generations' ({@code Generations}).
     */
    public static String silverKey(String folder, String runId, int sequence) {
        return folder + "part-" + runId + "-" + String.format(Locale.ROOT, "%05d", sequence) + ".parquet";
    }

    /** The pointer to a Silver partition's current generation folder. */
    public static String generationPointerKey(String dataset, String partition) {
        return generationPointersPrefix(dataset) + Hashing.sha256Hex(partition) + ".json";
    }

    /** Where the generation pointers of a dataset's partitions are. */
    public static String generationPointersPrefix(String dataset) {
        return STATE + "generations/" + DatasetName.validate(dataset) + "/";
    }

    /** The catalog's record of the generation folder it registered as a Silver partition's location. */
    public static String catalogRegistrationKey(String dataset, String partition) {
        return STATE + "catalog/registered/" + DatasetName.validate(dataset) + "/" + Hashing.sha256Hex(partition)
                + ".json";
    }

    /**
     * The key of the record of an HTTP request stored under an Idempotency-Key. The client's key is hashed, so any
     * text is safe in it.
     */
    public static String idempotencyKey(String dataset, String clientKey) {
        return STATE + "ingest/idempotency/" + DatasetName.validate(dataset) + "/" + Hashing.sha256Hex(clientKey) + ".json";
    }

    /** The prefix of a Gold table. */
    public static String goldPrefix(String table) {
        return GOLD + DatasetName.validate(table) + "/";
    }

    /**
     * The key of a Gold table's day: always the same, so a recomputed day replaces the old one in one PUT and readers
     * never see both.
     */
    public static String goldKey(String table, LocalDate day) {
        return goldPrefix(table) + PartitionLayout.of(Granularity.DAY)
                .path(Partition.day(day.getYear(), day.getMonthValue(), day.getDayOfMonth())) + "/part-00000.parquet";
    }

    /**
     * The key of the record saying a Bronze object was promoted to Silver, and in which version; a redelivered event
     * for the same version is skipped.
     */
    public static String promotedKey(String dataset, String bronzeKey) {
        return STATE + "transform/promoted/" + DatasetName.validate(dataset) + "/" + Hashing.sha256Hex(bronzeKey) + ".json";
    }

    /** Where the run journal of a step ({@code transform}, {@code compaction}) keeps a dataset's unfinished runs. */
    public static String runsPrefix(String step, String dataset) {
        return STATE + DatasetName.validate(step) + "/runs/" + DatasetName.validate(dataset) + "/";
    }

    /** Where a step keeps its leases on resources (partitions being compacted). */
    public static String leasesPrefix(String step) {
        return STATE + DatasetName.validate(step) + "/leases/";
    }

    /** The intent of a run: its sources and the objects it published so far. */
    public static String runIntentKey(String step, String dataset, String runId) {
        return runsPrefix(step, dataset) + validRunId(runId) + ".json";
    }

    /** The create-only object that decides whether a run committed or was abandoned. */
    public static String runDecisionKey(String step, String dataset, String runId) {
        return runsPrefix(step, dataset) + validRunId(runId) + ".decision";
    }

    private static String validRunId(String runId) {
        if (!runId.matches("[0-9a-f]{1,64}")) {
            throw new ValidationException("Cannot use run id '" + printable(runId) + "': expected lower-case hex");
        }
        return runId;
    }

    /** The key of the quarantine file a run writes for one kind of error. */
    public static String quarantineKey(String dataset, RecordError.Kind kind, Instant ingestedAt, String runId) {
        return QUARANTINE + DatasetName.validate(dataset) + "/error_type=" + kind.label() + "/ingest_date="
                + DATE.format(ingestedAt) + "/" + runId + ".ndjson";
    }
}
