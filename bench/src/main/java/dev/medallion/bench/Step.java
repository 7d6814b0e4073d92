package dev.medallion.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * One unit of work the harness times twice: once with our code, once with DuckDB, on the same input. A step keeps
 * its own input between calls; the harness calls {@link #prepare} once, then {@link #ours} and {@link #duckdb} any
 * number of times, each with a fresh empty directory, and finally {@link #verify} with the last output of each.
 *
 * <p>
 * Adding a step (compaction, gold aggregation, ...) means one more implementation registered in {@link Harness}.
 */
public interface Step {

    /** Short, stable name used in reports and in {@code results.jsonl}, e.g. {@code ndjson-to-parquet}. */
    String name();

    /** Creates the input under {@code workDir}. Not timed. */
    StepInput prepare(Path workDir) throws Exception;

    /** Runs our implementation once, writing only under {@code runDir}, which exists and is empty. Timed. */
    RunOutput ours(Path runDir) throws Exception;

    /** Runs DuckDB doing the same work, writing only under {@code runDir}, which exists and is empty. Timed. */
    RunOutput duckdb(Path runDir) throws Exception;

    /**
     * Checks the outputs against the input's expected values and, when both are given, against each other. Either
     * directory may be {@code null} when that engine was not run.
     *
     * @return a one-line summary of what was checked
     * @throws VerificationException if anything differs
     */
    String verify(Path oursRunDir, Path duckdbRunDir) throws Exception;

    /**
     * What a step works on.
     *
     * @param description human-readable, e.g. {@code 1,000,000 sales records (seed 42, 1% bad)}
     * @param records input records, good and bad
     * @param bytes input size as the engines read it (e.g. gzip)
     * @param logicalBytes uncompressed input size, the basis of MB/s
     * @param details extra facts for {@code results.jsonl}
     */
    record StepInput(String description, long records, long bytes, long logicalBytes,
            java.util.Map<String, Object> details) {
    }

    /**
     * What one run produced.
     *
     * @param rows rows written to the output table
     * @param outputBytes bytes of the output table's data files
     * @param files number of data files
     */
    record RunOutput(long rows, long outputBytes, long files) {

        /** {@code rows}, and the Parquet files under {@code dir} (none if it does not exist) with their bytes. */
        static RunOutput parquetUnder(Path dir, long rows) throws IOException {
            if (!Files.isDirectory(dir)) {
                return new RunOutput(rows, 0, 0);
            }
            long bytes = 0;
            long files = 0;
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().endsWith(".parquet"))::iterator) {
                    bytes += Files.size(p);
                    files++;
                }
            }
            return new RunOutput(rows, bytes, files);
        }
    }
}
