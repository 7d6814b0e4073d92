package dev.medallion.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finds when each record of the load run became queryable in Silver: lists {@code silver/<dataset>/} through the S3
 * API every poll, and reads the {@code order_id} column of every Parquet object it has not read before with DuckDB,
 * straight from the local S3 server's data directory (S3Proxy's filesystem backend keeps each object as a plain
 * file). An object's records count as queryable at the moment the listing that first showed it returned, so a
 * latency is overstated by at most one poll interval.
 *
 * <p>
 * An object that cannot be read yet (DuckDB fails on it while it still exists) is tried again at the next poll; one
 * that is gone (compaction merged it away) is dropped: its rows are in the merged file, which is read in turn. Rows
 * of merged files were mostly seen before; only a record's first sighting counts.
 */
final class SilverWatcher implements AutoCloseable {
    private static final int MAX_ATTEMPTS = 20;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Path bucketDir;
    private final LoadRecords records;
    private final LoadLedger ledger;
    private final IntSupplier clockMs;
    private final Connection duck;
    private final Set<String> read = new HashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final AtomicLong firstSightings = new AtomicLong();
    private long objectsRead;
    private long rowsRead;
    private long foreignRows;
    private long unreadable;
    private long vanished;
    private long polls;

    SilverWatcher(S3Client s3, String bucket, String dataset, Path bucketDir, LoadRecords records, LoadLedger ledger,
            IntSupplier clockMs) throws SQLException {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = "silver/" + dataset + "/";
        this.bucketDir = bucketDir;
        this.records = records;
        this.ledger = ledger;
        this.clockMs = clockMs;
        this.duck = DuckDb.open(1);
    }

    /** Records seen for the first time so far; safe to read from any thread. */
    long firstSightings() {
        return firstSightings.get();
    }

    /** One listing, then every new object read; returns how many new objects were read. */
    int poll() throws SQLException {
        polls++;
        List<String> fresh = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            if (o.key().endsWith(".parquet") && !read.contains(o.key())) {
                fresh.add(o.key());
            }
        }
        int now = clockMs.getAsInt();
        if (fresh.isEmpty()) {
            return 0;
        }
        try {
            readKeys(fresh, now);
            read.addAll(fresh);
            fresh.forEach(failures::remove);
            objectsRead += fresh.size();
        } catch (SQLException batchFailed) {
            // one of them is half there or gone: take them one at a time
            for (String key : fresh) {
                try {
                    readKeys(List.of(key), now);
                    read.add(key);
                    failures.remove(key);
                    objectsRead++;
                } catch (SQLException e) {
                    if (!Files.exists(file(key))) {
                        read.add(key);
                        vanished++;
                    } else if (failures.merge(key, 1, Integer::sum) >= MAX_ATTEMPTS) {
                        read.add(key);
                        unreadable++;
                    }
                }
            }
        }
        return fresh.size();
    }

    private void readKeys(List<String> keys, int now) throws SQLException {
        StringBuilder files = new StringBuilder("[");
        for (String key : keys) {
            files.append(files.length() > 1 ? ", " : "").append(DuckDb.literal(file(key)));
        }
        files.append(']');
        String keyPrefix = records.keyPrefix();
        int producerAt = keyPrefix.length() + 1; // SQL strings count from 1
        int seqAt = producerAt + LoadRecords.PRODUCER_DIGITS + 1;
        String sql = "SELECT starts_with(order_id, " + DuckDb.literal(keyPrefix) + ") AS ours, "
                + "TRY_CAST(substr(order_id, " + producerAt + ", " + LoadRecords.PRODUCER_DIGITS + ") AS INTEGER), "
                + "TRY_CAST(substr(order_id, " + seqAt + ") AS BIGINT) FROM read_parquet(" + files + ")";
        // collect first, apply after: a query that fails half-way must leave the ledger untouched
        int[] producers = new int[1024];
        long[] seqs = new long[1024];
        int ours = 0;
        long rows = 0;
        try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows++;
                boolean prefixed = rs.getBoolean(1) && !rs.wasNull();
                int producer = rs.getInt(2);
                boolean producerValid = !rs.wasNull() && producer >= 0 && producer < ledger.producerCount();
                long seq = rs.getLong(3);
                if (prefixed && producerValid && !rs.wasNull()) {
                    if (ours == producers.length) {
                        producers = Arrays.copyOf(producers, ours * 2);
                        seqs = Arrays.copyOf(seqs, ours * 2);
                    }
                    producers[ours] = producer;
                    seqs[ours] = seq;
                    ours++;
                }
            }
        }
        rowsRead += rows;
        foreignRows += rows - ours;
        for (int i = 0; i < ours; i++) {
            if (ledger.producer(producers[i]).seen(seqs[i], now)) {
                firstSightings.incrementAndGet();
            }
        }
    }

    private Path file(String key) {
        return bucketDir.resolve(key);
    }

    /** What the watcher did, for the report. */
    Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("polls", polls);
        m.put("objects_read", objectsRead);
        m.put("rows_read", rowsRead);
        m.put("rows_not_from_this_run", foreignRows);
        m.put("objects_gone_before_read", vanished);
        m.put("objects_unreadable", unreadable);
        return m;
    }

    @Override
    public void close() throws SQLException {
        duck.close();
    }
}
