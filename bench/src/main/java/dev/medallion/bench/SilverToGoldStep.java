package dev.medallion.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.medallion.lake.gold.GoldBuilder;
import dev.medallion.lake.gold.GoldTable;
import dev.medallion.lake.parquet.RowWriter;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.transform.BronzeToSilver;
import dev.medallion.lake.transform.TransformResult;

/**
 * Silver to Gold: the {@code sales} dataset's first Gold table, recomputed for every day from Silver, each key
 * counted once in its latest version.
 *
 * <p>
 * The Silver input is made once, untimed, by {@link BronzeToSilver} from the generator's records. Ours is
 * {@link GoldBuilder} over every day (two passes per day: latest row per key, then aggregation). DuckDB runs one
 * {@code COPY} over the same files doing the same work: keep each {@code order_id}'s latest {@code _ingested_at} row
 * ({@code QUALIFY row_number()}), group by day and dimensions, write Snappy Parquet partitioned by day.
 */
public final class SilverToGoldStep implements Step {
    private final SalesGenerator.Options generator;
    private final DatasetSpec spec;
    private final int duckdbThreads;

    private Path lake;
    private GenerationStats expected;
    private Set<LocalDate> days;

    public SilverToGoldStep(SalesGenerator.Options generator, DatasetSpec spec, int duckdbThreads) {
        if (spec.gold().isEmpty()) {
            throw new UsageException("Cannot run silver-to-gold: the sales spec declares no gold table");
        }
        this.generator = generator;
        this.spec = spec;
        this.duckdbThreads = duckdbThreads;
    }

    @Override
    public String name() {
        return "silver-to-gold";
    }

    private GoldTable table() {
        return spec.gold().get(0);
    }

    @Override
    public StepInput prepare(Path workDir) throws Exception {
        lake = workDir.resolve("lake");
        Path input = lake.resolve(NdjsonToParquetStep.BRONZE_KEY);
        Files.createDirectories(input.getParent());
        expected = new SalesGenerator(generator).writeFile(input);
        TransformResult silver = new BronzeToSilver(new LocalObjectStore(lake)).run(spec,
                NdjsonToParquetStep.BRONZE_KEY);
        days = new TreeSet<>();
        silver.files().forEach(f -> days.add(LocalDate.of(Integer.parseInt(f.partition().get("year")),
                Integer.parseInt(f.partition().get("month")), Integer.parseInt(f.partition().get("day")))));
        long bytes = silver.files().stream().mapToLong(f -> f.bytes()).sum();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("seed", generator.seed());
        details.put("bad_fraction", generator.badFraction());
        details.put("order", generator.timeOrdered() ? "time" : "random");
        details.put("silver_rows", silver.rowsWritten());
        details.put("silver_files", silver.files().size());
        details.put("gold_table", table().name());
        details.put("expected", expected.toMap());
        String description = String.format(Locale.ROOT, "%,d Silver rows in %d files over %d days (from %,d sales "
                + "records, seed %d), into Gold table %s", silver.rowsWritten(), silver.files().size(), days.size(),
                expected.records(), generator.seed(), table().name());
        return new StepInput(description, silver.rowsWritten(), bytes, bytes, details);
    }

    @Override
    public RunOutput ours(Path runDir) throws IOException {
        Harness.deleteRecursively(lake.resolve("gold"));
        List<GoldBuilder.Rebuilt> rebuilt = new GoldBuilder(new LocalObjectStore(lake),
                RowWriter.Settings.defaults(), 2_000_000).rebuild(spec, days);
        Files.move(lake.resolve("gold"), runDir.resolve("gold")); // a rename: where verify looks for it
        long rows = rebuilt.stream().filter(r -> r.table().equals(table()) && r.file() != null)
                .mapToLong(r -> r.file().rows()).sum();
        return output(runDir, rows);
    }

    @Override
    public RunOutput duckdb(Path runDir) throws Exception {
        GoldTable table = table();
        List<String> select = new ArrayList<>();
        select.add("event_date");
        select.addAll(table.dimensions());
        for (GoldTable.Measure m : table.measures()) {
            String function = m.aggregate().name().toLowerCase(Locale.ROOT);
            select.add(function + "(" + m.field().orElse("*") + ") AS " + m.name());
        }
        Path out = runDir.resolve("gold").resolve(table.name());
        Files.createDirectories(out.getParent());
        String sql = """
                COPY (
                    SELECT %s, strftime(event_date, '%%Y') AS year, strftime(event_date, '%%m') AS month,
                           strftime(event_date, '%%d') AS day
                    FROM (SELECT *, CAST(ts AS DATE) AS event_date FROM read_parquet(%s)
                          QUALIFY row_number() OVER (PARTITION BY %s ORDER BY _ingested_at DESC) = 1)
                    GROUP BY ALL
                ) TO %s (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (year, month, day))
                """.formatted(String.join(", ", select),
                DuckDb.literal(lake.resolve("silver/sales") + "/**/*.parquet"), spec.key().orElse("_ingest_id"),
                DuckDb.literal(out));
        return output(runDir, DuckDb.update(duckdbThreads, sql));
    }

    @Override
    public String verify(Path oursRunDir, Path duckdbRunDir) throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> ours = null;
        List<String> duck = null;
        String exact = "event_date, " + String.join(", ", table().dimensions()) + ", orders, revenue";
        try (Connection c = DuckDb.open(0)) {
            if (oursRunDir != null) {
                ours = rows(c, oursRunDir, exact);
                check("ours", c, oursRunDir, problems);
            }
            if (duckdbRunDir != null) {
                duck = rows(c, duckdbRunDir, exact);
                check("duckdb", c, duckdbRunDir, problems);
            }
        }
        if (ours != null && duck != null && !ours.equals(duck)) {
            List<String> duckRows = duck;
            problems.add("ours and duckdb differ in orders or revenue per day and dimensions, e.g. ours "
                    + ours.stream().filter(r -> !duckRows.contains(r)).findFirst().orElse("(none)"));
        }
        if (!problems.isEmpty()) {
            throw new VerificationException("Cannot verify " + name() + ": " + String.join("; ", problems));
        }
        return String.format(Locale.ROOT, "%s: sum(orders) %,d and sum(revenue) %s as generated; %s per day and "
                + "dimensions", ours != null && duck != null ? "ours and duckdb" : ours != null ? "ours" : "duckdb",
                expected.goodRows(), expected.goodAmountSum().toPlainString(),
                ours != null && duck != null ? "orders and revenue equal" : "not compared");
    }

    private void check(String engine, Connection c, Path runDir, List<String> problems) throws Exception {
        Object[] r = DuckDb.row(c, "SELECT sum(orders), sum(revenue) FROM " + table(runDir));
        long orders = ((Number) r[0]).longValue();
        BigDecimal revenue = (BigDecimal) r[1];
        if (orders != expected.goodRows() || revenue.compareTo(expected.goodAmountSum()) != 0) {
            problems.add(engine + ": " + orders + " orders, revenue " + revenue + "; expected " + expected.goodRows()
                    + " and " + expected.goodAmountSum());
        }
    }

    private List<String> rows(Connection c, Path runDir, String columns) throws Exception {
        return DuckDb.rows(c, "SELECT " + columns + " FROM " + table(runDir) + " ORDER BY ALL").stream()
                .map(Arrays::toString).toList();
    }

    private String table(Path runDir) {
        return "read_parquet(" + DuckDb.literal(runDir.resolve("gold").resolve(table().name()) + "/**/*.parquet")
                + ")";
    }

    private static RunOutput output(Path runDir, long rows) throws IOException {
        return RunOutput.parquetUnder(runDir, rows);
    }
}
