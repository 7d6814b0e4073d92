package dev.medallion.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import dev.medallion.lake.catalog.SilverColumns;
import dev.medallion.lake.compaction.Compaction;
import dev.medallion.lake.compaction.CompactionPlanner;
import dev.medallion.lake.compaction.Merge;
import dev.medallion.lake.journal.RunJournal;
import dev.medallion.lake.parquet.RowReader;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.transform.BronzeToSilver;
import dev.medallion.lake.transform.Promotion;
import dev.medallion.lake.transform.TransformResult;

/**
 * Compaction: one partition of many small Silver files (1,000 by default, about 100 KB each for 1M records) merged
 * into one file.
 *
 * <p>
 * The input is made once, untimed: the generator's records promoted by {@link BronzeToSilver}, then dealt into
 * {@code --files} files of one partition. Ours is the whole of {@link Compaction#compact} over hard links to the
 * input (lease, journal, both merge passes with deduplication on the key, commit, deletes). DuckDB runs the plain
 * {@code COPY ... FROM read_parquet(...)} a user would, without deduplication.
 */
public final class CompactionStep {
    static final String PARTITION = "year=2026/month=01/day=01";
    private static final String TABLE = "silver/sales/";

    private CompactionStep() {
    }

    /** The step over {@code files} input files. */
    static Step of(SalesGenerator.Options generator, DatasetSpec spec, int duckdbThreads, int files,
            long rowGroupBytes) {
        return new Impl(generator, spec, duckdbThreads, files, rowGroupBytes);
    }

    private static final class Impl implements Step {
        private final SalesGenerator.Options generator;
        private final DatasetSpec spec;
        private final int duckdbThreads;
        private final int fileCount;
        private final long rowGroupBytes;
        private Path input;
        private long rows;
        private BigDecimal amount;

        Impl(SalesGenerator.Options generator, DatasetSpec spec, int duckdbThreads, int files, long rowGroupBytes) {
            this.generator = generator;
            this.spec = spec;
            this.duckdbThreads = duckdbThreads;
            this.fileCount = files;
            this.rowGroupBytes = rowGroupBytes;
        }

        @Override
        public String name() {
            return "compaction";
        }

        @Override
        public StepInput prepare(Path workDir) throws Exception {
            Path silver = workDir.resolve("silver-lake");
            Path bronze = silver.resolve(NdjsonToParquetStep.BRONZE_KEY);
            Files.createDirectories(bronze.getParent());
            GenerationStats stats = new SalesGenerator(generator).writeFile(bronze);
            var silverStore = new LocalObjectStore(silver);
            TransformResult promoted = new BronzeToSilver(silverStore).run(spec, NdjsonToParquetStep.BRONZE_KEY);
            input = workDir.resolve("input");
            var inputStore = new LocalObjectStore(input);
            long perFile = (promoted.rowsWritten() + fileCount - 1) / fileCount;
            RowWriter out = null;
            int written = 0;
            long inFile = 0;
            for (var file : promoted.files()) {
                try (RowReader reader = new RowReader(silverStore, file.key(), SilverColumns.of(spec))) {
                    for (Object[] row = reader.next(); row != null; row = reader.next()) {
                        if (out == null) {
                            out = new RowWriter(inputStore, String.format(Locale.ROOT, "%s%s/part-%05d.parquet",
                                    TABLE, PARTITION, written++), SilverColumns.of(spec),
                                    SilverColumns.uniqueValued(spec), Map.of(), RowWriter.Settings.defaults());
                        }
                        out.add(row);
                        if (++inFile == perFile) {
                            out.close();
                            out = null;
                            inFile = 0;
                        }
                    }
                }
            }
            if (out != null) {
                out.close();
            }
            Harness.deleteRecursively(silver);
            try (Connection c = DuckDb.open(0)) {
                Object[] r = DuckDb.row(c, "SELECT count(*), sum(amount) FROM " + table(input));
                rows = ((Number) r[0]).longValue();
                amount = (BigDecimal) r[1];
            }
            long bytes = sizeOf(input);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("seed", generator.seed());
            details.put("files", written);
            details.put("row_group_bytes", rowGroupBytes);
            details.put("records", stats.records());
            String description = String.format(Locale.ROOT, "%,d Silver rows in %,d files of ~%,d KB, one partition,"
                    + " into one file", rows, written, bytes / written / 1024);
            return new StepInput(description, rows, bytes, bytes, details);
        }

        @Override
        public RunOutput ours(Path runDir) throws IOException {
            Path partition = runDir.resolve(TABLE + PARTITION);
            Files.createDirectories(partition);
            try (Stream<Path> files = Files.list(input.resolve(TABLE + PARTITION))) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.createLink(partition.resolve(file.getFileName()), file);
                }
            }
            var store = new LocalObjectStore(runDir);
            Clock clock = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1)); // the links are settled
            Duration lease = Duration.ofMinutes(1);
            var settings = new Compaction.Settings(new CompactionPlanner.Settings(512L * 1024 * 1024, 0.75, 5,
                    Duration.ZERO), new RowWriter.Settings(rowGroupBytes, 1024 * 1024), 2_000_000, Duration.ofHours(1));
            var compaction = new Compaction(store, Compaction.journal(store, lease, clock),
                    Promotion.journal(store, lease, clock), Compaction.leases(store, "bench", lease, clock), settings,
                    new Compaction.Listener() {
                        @Override
                        public void merged(DatasetSpec s, Merge merge, Duration took) {
                        }

                        @Override
                        public void failed(DatasetSpec s, String p, List<String> inputs, RuntimeException e) {
                            throw e;
                        }

                        @Override
                        public void recovered(DatasetSpec s, RunJournal.Intent run, boolean committed) {
                        }

                        @Override
                        public void moved(DatasetSpec s, Merge merge) {
                            throw new IllegalStateException("The bench table uses projection: it never moves");
                        }
                    }, clock);
            Compaction.Outcome outcome = compaction.compact(spec, PARTITION);
            Harness.deleteRecursively(runDir.resolve("_state"));
            return RunOutput.parquetUnder(runDir, outcome.merges().stream().mapToLong(Merge::rowsWritten).sum());
        }

        @Override
        public RunOutput duckdb(Path runDir) throws Exception {
            Path out = runDir.resolve(TABLE + PARTITION + "/part-duckdb.parquet");
            Files.createDirectories(out.getParent());
            String sql = "COPY (SELECT * FROM " + table(input) + ") TO " + DuckDb.literal(out)
                    + " (FORMAT parquet, COMPRESSION snappy)";
            return RunOutput.parquetUnder(runDir, DuckDb.update(duckdbThreads, sql));
        }

        @Override
        public String verify(Path oursRunDir, Path duckdbRunDir) throws Exception {
            List<String> problems = new ArrayList<>();
            List<String> summary = new ArrayList<>();
            try (Connection c = DuckDb.open(0)) {
                for (var engine : new Object[][] { { "ours", oursRunDir }, { "duckdb", duckdbRunDir } }) {
                    if (engine[1] == null) {
                        continue;
                    }
                    Path dir = (Path) engine[1];
                    Object[] r = DuckDb.row(c, "SELECT count(*), count(DISTINCT order_id), sum(amount) FROM "
                            + table(dir));
                    long count = ((Number) r[0]).longValue();
                    if (count != rows || ((Number) r[1]).longValue() != rows
                            || ((BigDecimal) r[2]).compareTo(amount) != 0) {
                        problems.add(engine[0] + ": " + count + " rows, " + r[1] + " keys, amount " + r[2]
                                + "; expected " + rows + " and " + amount);
                    }
                    Object[] groups = DuckDb.row(c, "SELECT count(*), min(total_compressed_size), "
                            + "max(total_compressed_size) FROM (SELECT file_name, row_group_id, "
                            + "sum(total_compressed_size) AS total_compressed_size FROM parquet_metadata("
                            + DuckDb.literal(dir + "/" + TABLE + PARTITION + "/*.parquet") + ") GROUP BY ALL)");
                    summary.add(String.format(Locale.ROOT, "%s %s row groups of %.1f-%.1f MiB", engine[0], groups[0],
                            ((Number) groups[1]).doubleValue() / (1 << 20),
                            ((Number) groups[2]).doubleValue() / (1 << 20)));
                }
            }
            if (!problems.isEmpty()) {
                throw new VerificationException("Cannot verify compaction: " + String.join("; ", problems));
            }
            return String.format(Locale.ROOT, "%,d rows, each key once, amounts as in the input; %s", rows,
                    String.join(", ", summary));
        }

        private static String table(Path lake) {
            return "read_parquet(" + DuckDb.literal(lake + "/" + TABLE + PARTITION + "/*.parquet") + ")";
        }

        private static long sizeOf(Path dir) throws IOException {
            try (Stream<Path> walk = Files.walk(dir)) {
                return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
        }
    }
}
