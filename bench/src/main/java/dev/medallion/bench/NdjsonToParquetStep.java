package dev.medallion.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.transform.BronzeToSilver;
import dev.medallion.lake.transform.TransformResult;

/**
 * Bronze to Silver: gzip NDJSON sales events in, typed Snappy Parquet partitioned by UTC event day out, bad records
 * left out of the table.
 *
 * <p>
 * Ours is {@link BronzeToSilver} over a {@link LocalObjectStore} rooted at the run directory, the input hard-linked
 * to its Bronze key. DuckDB runs one {@code COPY ... TO ... (FORMAT parquet, COMPRESSION snappy, PARTITION_BY ...)}
 * over the same file, writing to the same layout ({@code silver/sales/year=YYYY/month=MM/day=DD/}), so one
 * verification query reads both.
 */
public final class NdjsonToParquetStep implements Step {

    /** Where our side finds the input, relative to its store root. */
    static final String BRONZE_KEY = "bronze/sales/ingest_date=2026-11-01/hour=00/bench.ndjson.gz";
    static final String SILVER_PREFIX = "silver/sales";

    /** How DuckDB reads the NDJSON. */
    public enum DuckDbReader {
        /**
         * Each line as text, then {@code json_valid} and {@code json_transform}: exact on any input, bad lines
         * included. The default.
         */
        LINES,
        /**
         * {@code read_json} with typed columns and {@code ignore_errors}: DuckDB's fast path, but with malformed lines
         * in the input it also loses good rows (seen with DuckDB 1.4.4), which verification reports. Exact only for
         * inputs without malformed lines, e.g. {@code --bad-fraction 0}.
         */
        READ_JSON
    }

    private static final String JSON_STRUCTURE = """
            {"order_id":"VARCHAR","customer_id":"VARCHAR","amount":"DECIMAL(12,2)","currency":"VARCHAR",\
            "quantity":"INTEGER","ts":"TIMESTAMPTZ","channel":"VARCHAR",\
            "items":[{"sku":"VARCHAR","qty":"INTEGER","price":"DECIMAL(12,2)"}],\
            "shipping":{"country":"VARCHAR","city":"VARCHAR","express":"BOOLEAN"}}""";
    private static final String READ_JSON_COLUMNS = "{order_id: 'VARCHAR', customer_id: 'VARCHAR', "
            + "amount: 'DECIMAL(12,2)', currency: 'VARCHAR', quantity: 'INTEGER', ts: 'TIMESTAMPTZ', "
            + "channel: 'VARCHAR', items: 'STRUCT(sku VARCHAR, qty INTEGER, price DECIMAL(12,2))[]', "
            + "shipping: 'STRUCT(country VARCHAR, city VARCHAR, express BOOLEAN)'}";
    private static final String COLUMNS = "order_id, customer_id, amount, currency, quantity, ts, channel, items, "
            + "shipping";

    private final SalesGenerator.Options generator;
    private final DatasetSpec spec;
    private final int duckdbThreads;
    private final DuckDbReader reader;

    private Path input;
    private GenerationStats expected;
    private TransformResult lastOurs;

    /**
     * @param generator what input to generate
     * @param spec the {@code sales} dataset spec our side runs with
     * @param duckdbThreads DuckDB threads, 0 for its default
     * @param reader how DuckDB reads the input
     */
    public NdjsonToParquetStep(SalesGenerator.Options generator, DatasetSpec spec, int duckdbThreads,
            DuckDbReader reader) {
        this.generator = generator;
        this.spec = spec;
        this.duckdbThreads = duckdbThreads;
        this.reader = reader;
    }

    @Override
    public String name() {
        return "ndjson-to-parquet";
    }

    @Override
    public StepInput prepare(Path workDir) throws IOException {
        input = workDir.resolve("input").resolve(String.format(Locale.ROOT, "sales-%d-seed%d-bad%s-%s.ndjson.gz",
                generator.records(), generator.seed(), BigDecimal.valueOf(generator.badFraction()).toPlainString(),
                order()));
        expected = new SalesGenerator(generator).writeFile(input);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("seed", generator.seed());
        details.put("bad_fraction", generator.badFraction());
        details.put("duckdb_reader", reader.name().toLowerCase(Locale.ROOT));
        details.put("order", order());
        details.put("expected", expected.toMap());
        String description = String.format(Locale.ROOT,
                "%,d sales records (seed %d, bad fraction %s: %,d bad, %s order), %,d good rows, sum(amount) %s",
                expected.records(), generator.seed(), generator.badFraction(), expected.badRows(), order(),
                expected.goodRows(),
                expected.goodAmountSum().toPlainString());
        return new StepInput(description, expected.records(), Files.size(input), expected.bytes(), details);
    }

    private String order() {
        return generator.timeOrdered() ? "time" : "random";
    }

    /** What the generator says a correct run must produce; available after {@link #prepare}. */
    public GenerationStats expected() {
        return expected;
    }

    @Override
    public RunOutput ours(Path runDir) throws IOException {
        Path bronze = runDir.resolve(BRONZE_KEY);
        Files.createDirectories(bronze.getParent());
        try {
            Files.createLink(bronze, input);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(input, bronze);
        }
        TransformResult result = new BronzeToSilver(new LocalObjectStore(runDir)).run(spec, BRONZE_KEY);
        lastOurs = result;
        return output(runDir, result.rowsWritten());
    }

    @Override
    public RunOutput duckdb(Path runDir) throws Exception {
        Path out = runDir.resolve(SILVER_PREFIX);
        Files.createDirectories(out.getParent());
        String source = reader == DuckDbReader.LINES ? """
                (SELECT r.* FROM (
                    SELECT CASE WHEN json_valid(line) THEN json_transform(line, %s) END AS r
                    FROM read_csv(%s, columns = {'line': 'VARCHAR'}, header = false, delim = E'\\x01', quote = '',
                                  escape = '', auto_detect = false)))
                """.formatted(DuckDb.literal(JSON_STRUCTURE), DuckDb.literal(input))
                : "read_json(%s, format = 'newline_delimited', columns = %s, ignore_errors = true)"
                        .formatted(DuckDb.literal(input), READ_JSON_COLUMNS);
        String sql = """
                COPY (
                    SELECT %s, strftime(ts, '%%Y') AS year, strftime(ts, '%%m') AS month, strftime(ts, '%%d') AS day
                    FROM %s
                    WHERE order_id IS NOT NULL AND amount IS NOT NULL AND ts IS NOT NULL
                ) TO %s (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month, day))
                """.formatted(COLUMNS, source, DuckDb.literal(out));
        return output(runDir, DuckDb.update(duckdbThreads, sql));
    }

    @Override
    public String verify(Path oursRunDir, Path duckdbRunDir) throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> perDayOurs = null;
        List<String> perDayDuck = null;
        Summary ours = null;
        Summary duck = null;
        try (Connection c = DuckDb.open(0)) {
            if (oursRunDir != null) {
                ours = summary(c, oursRunDir);
                perDayOurs = perDay(c, oursRunDir);
                check("ours", ours, problems);
                if (lastOurs != null && lastOurs.rowsQuarantined() != expected.badRows()) {
                    problems.add("ours: quarantined " + lastOurs.rowsQuarantined() + " records, the input has "
                            + expected.badRows() + " bad lines");
                }
            }
            if (duckdbRunDir != null) {
                duck = summary(c, duckdbRunDir);
                perDayDuck = perDay(c, duckdbRunDir);
                check("duckdb", duck, problems);
            }
        }
        if (perDayOurs != null && perDayDuck != null && !perDayOurs.equals(perDayDuck)) {
            problems.add("ours and duckdb differ in rows or sum(amount) per day: " + firstDifference(perDayOurs,
                    perDayDuck));
        }
        if (!problems.isEmpty()) {
            throw new VerificationException("Cannot verify " + name() + ": " + String.join("; ", problems));
        }
        Summary any = ours != null ? ours : duck;
        return String.format(Locale.ROOT, "%s read back by DuckDB read_parquet(hive_partitioning=true): "
                + "rows %,d, sum(amount) %s, %d days, order_id unique, every row in its ts day's partition",
                ours != null && duck != null ? "ours and duckdb" : ours != null ? "ours" : "duckdb", any.rows,
                any.sum.toPlainString(), any.days);
    }

    private void check(String engine, Summary s, List<String> problems) {
        if (s.rows != expected.goodRows()) {
            problems.add(engine + ": " + s.rows + " rows, expected " + expected.goodRows());
        }
        if (s.sum == null || s.sum.compareTo(expected.goodAmountSum()) != 0) {
            problems.add(engine + ": sum(amount) " + s.sum + ", expected " + expected.goodAmountSum());
        }
        if (s.distinctKeys != s.rows) {
            problems.add(engine + ": " + (s.rows - s.distinctKeys) + " duplicate order_id");
        }
        if (s.misplaced != 0) {
            problems.add(engine + ": " + s.misplaced + " rows in a partition other than their ts day");
        }
    }

    private record Summary(long rows, BigDecimal sum, long distinctKeys, long misplaced, long days) {
    }

    private static String table(Path runDir) {
        return "read_parquet(" + DuckDb.literal(runDir.resolve(SILVER_PREFIX).toString() + "/**/*.parquet")
                + ", hive_partitioning = true)";
    }

    private static Summary summary(Connection c, Path runDir) throws Exception {
        Object[] r = DuckDb.row(c, """
                SELECT count(*), sum(amount), count(DISTINCT order_id),
                       count(*) FILTER (WHERE make_date(CAST(year AS INTEGER), CAST(month AS INTEGER),
                                                        CAST(day AS INTEGER)) <> CAST(ts AS DATE)),
                       count(DISTINCT CAST(ts AS DATE))
                FROM %s""".formatted(table(runDir)));
        return new Summary(((Number) r[0]).longValue(), (BigDecimal) r[1], ((Number) r[2]).longValue(),
                ((Number) r[3]).longValue(), ((Number) r[4]).longValue());
    }

    private static List<String> perDay(Connection c, Path runDir) throws Exception {
        return DuckDb.rows(c, """
                SELECT CAST(CAST(ts AS DATE) AS VARCHAR) AS d, count(*), sum(amount)
                FROM %s GROUP BY d ORDER BY d""".formatted(table(runDir))).stream().map(Arrays::toString).toList();
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "ours " + a.get(i) + " vs duckdb " + b.get(i);
            }
        }
        return "ours has " + a.size() + " days, duckdb " + b.size();
    }

    private static RunOutput output(Path runDir, long rows) throws IOException {
        return RunOutput.parquetUnder(runDir.resolve(SILVER_PREFIX), rows);
    }
}
