/*
 * Prints what is in a local lake, read back by DuckDB (an engine we did not write), straight from the S3 server's
 * data directory. Run with the single-file source launcher:
 *
 *   java -cp duckdb_jdbc.jar deploy/local/LakeReport.java <data-dir>/<bucket> [--expect-records N] [--timeout S]
 *        [--expect-good ROWS --expect-sum AMOUNT --expect-bad RECORDS] [--only verdict]
 *   java -cp duckdb_jdbc.jar deploy/local/LakeReport.java <data-dir>/<bucket> --folder DIR --expect-rows N
 *
 * With --expect-records it first waits until Silver rows plus quarantined records account for N records sent; with
 * the --expect-good/sum/bad figures of what was sent it ends with a verdict, and exits 1 when they do not match.
 * With --folder it counts the rows of the Parquet files in one folder (not below it), and exits 1 unless there are N.
 */
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

public class LakeReport {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: LakeReport <lake-dir> [--expect-records N] [--timeout SECONDS]");
            System.exit(2);
        }
        Path lake = Path.of(args[0]).toAbsolutePath();
        long expect = -1;
        long timeoutSeconds = 120;
        Long expectGood = null;
        java.math.BigDecimal expectSum = null;
        Long expectBad = null;
        boolean verdictOnly = false;
        Path folder = null;
        long expectRows = -1;
        for (int i = 1; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--folder" -> folder = Path.of(args[i + 1]);
                case "--expect-rows" -> expectRows = Long.parseLong(args[i + 1]);
                case "--expect-records" -> expect = Long.parseLong(args[i + 1]);
                case "--timeout" -> timeoutSeconds = Long.parseLong(args[i + 1]);
                case "--expect-good" -> expectGood = Long.parseLong(args[i + 1]);
                case "--expect-sum" -> expectSum = new java.math.BigDecimal(args[i + 1]);
                case "--expect-bad" -> expectBad = Long.parseLong(args[i + 1]);
                case "--only" -> verdictOnly = args[i + 1].equals("verdict");
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            sql.execute("SET TimeZone = 'UTC'");
            if (folder != null) {
                long rows = count(sql, "SELECT count(*) FROM read_parquet('" + folder.resolve("*.parquet") + "')");
                long files;
                try (Stream<Path> listed = Files.list(folder)) {
                    files = listed.filter(f -> f.toString().endsWith(".parquet")).count();
                }
                System.out.printf("  DuckDB reads %d rows from %d file(s) there: %s%n", rows, files,
                        rows == expectRows ? "MATCH" : "MISMATCH, expected " + expectRows);
                System.exit(rows == expectRows ? 0 : 1);
            }
            if (expect >= 0) {
                waitFor(sql, lake, expect, timeoutSeconds);
            }
            if (!verdictOnly) {
                printZones(lake);
                printSilver(sql, lake);
                printGold(sql, lake);
                printQuarantine(sql, lake);
            }
            if (expectGood != null && expectSum != null && expectBad != null
                    && !verdict(sql, lake, expectGood, expectSum, expectBad)) {
                System.exit(1);
            }
        }
    }

    private static boolean verdict(Statement sql, Path lake, long good, java.math.BigDecimal sum, long bad)
            throws SQLException, java.io.IOException {
        long rows = silverRows(sql, lake);
        long quarantined = quarantinedRows(sql, lake);
        java.math.BigDecimal amount = java.math.BigDecimal.ZERO;
        if (rows > 0) {
            try (ResultSet r = sql.executeQuery("SELECT sum(amount) FROM read_parquet('" + glob(lake, "silver/sales",
                    "parquet") + "')")) {
                r.next();
                amount = r.getBigDecimal(1);
            }
        }
        long goldOrders = goldOrders(sql, lake);
        java.math.BigDecimal goldRevenue = java.math.BigDecimal.ZERO;
        if (goldOrders > 0) {
            try (ResultSet r = sql.executeQuery("SELECT sum(revenue) FROM read_parquet('" + glob(lake, "gold",
                    "parquet") + "')")) {
                r.next();
                goldRevenue = r.getBigDecimal(1);
            }
        }
        boolean match = rows == good && amount.compareTo(sum) == 0 && quarantined == bad && goldOrders == good
                && goldRevenue.compareTo(sum) == 0;
        System.out.println();
        System.out.printf("== Verdict: %s%n", match ? "MATCH" : "MISMATCH");
        System.out.printf("  sent good rows %d, Silver has %d in %d files%n", good, rows, silverFiles(lake));
        System.out.printf("  sent sum(amount) %s, Silver has %s%n", sum, amount);
        System.out.printf("  sent bad records %d, quarantine has %d%n", bad, quarantined);
        System.out.printf("  Gold daily_sales counts %d orders, revenue %s%n", goldOrders, goldRevenue);
        return match;
    }

    private static long silverFiles(Path lake) throws java.io.IOException {
        if (!Files.isDirectory(lake.resolve("silver/sales"))) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(lake.resolve("silver/sales"))) {
            return files.filter(f -> f.toString().endsWith(".parquet")).count();
        }
    }

    private static void waitFor(Statement sql, Path lake, long expect, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        long seen = -1;
        System.out.print("Waiting for Silver to account for " + expect + " records ");
        while (System.nanoTime() < deadline) {
            long silver = silverRows(sql, lake);
            seen = silver + quarantinedRows(sql, lake);
            // Gold is recomputed in the same run, just after its Silver files
            if (seen >= expect && goldOrders(sql, lake) == silver) {
                System.out.println(" done.");
                return;
            }
            System.out.print(".");
            Thread.sleep(1000);
        }
        System.out.println();
        throw new IllegalStateException("Only " + seen + " of " + expect + " records reached Silver or quarantine within "
                + timeoutSeconds + " s; see the service logs");
    }

    private static void printZones(Path lake) throws Exception {
        System.out.println();
        System.out.println("== Objects per zone (s3://" + lake.getFileName() + "/)");
        Map<String, long[]> zones = new TreeMap<>();
        if (Files.isDirectory(lake)) {
            try (Stream<Path> files = Files.walk(lake)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    String zone = lake.relativize(f).getName(0).toString();
                    long[] stats = zones.computeIfAbsent(zone, z -> new long[2]);
                    stats[0]++;
                    stats[1] += f.toFile().length();
                });
            }
        }
        zones.forEach((zone, s) -> System.out.printf("  %-12s %6d objects %12d bytes%n", zone + "/", s[0], s[1]));
    }

    private static void printSilver(Statement sql, Path lake) throws SQLException {
        System.out.println();
        System.out.println("== Silver, read back by DuckDB (hive_partitioning = true)");
        if (!hasFiles(lake.resolve("silver/sales"), ".parquet")) {
            System.out.println("  (no Silver files yet)");
            return;
        }
        try (ResultSet r = sql.executeQuery("SELECT count(*), sum(amount), count(DISTINCT (year, month, day)), "
                + "min(ts), max(ts), count(DISTINCT _source_object) FROM read_parquet('" + glob(lake, "silver/sales",
                        "parquet") + "', hive_partitioning = true)")) {
            r.next();
            System.out.printf("  rows: %d   sum(amount): %s   partitions: %d   event time: %s .. %s   from %d Bronze objects%n",
                    r.getLong(1), r.getBigDecimal(2), r.getLong(3), r.getString(4), r.getString(5), r.getLong(6));
        }
        try (ResultSet r = sql.executeQuery("SELECT order_id, customer_id, amount, currency, ts, channel, "
                + "len(items) AS items, shipping.country AS country FROM read_parquet('" + glob(lake, "silver/sales", "parquet")
                + "') ORDER BY ts LIMIT 3")) {
            System.out.println("  first rows by event time:");
            while (r.next()) {
                System.out.printf("    %s  %s  %10s %s  %s  %-7s items=%s  ship_to=%s%n", r.getString(1), r.getString(2),
                        r.getBigDecimal(3), r.getString(4), r.getString(5), r.getString(6), r.getString(7),
                        r.getString(8));
            }
        }
    }

    private static void printGold(Statement sql, Path lake) throws SQLException {
        System.out.println();
        System.out.println("== Gold daily_sales (one row per event-time day, channel and currency), read by DuckDB");
        if (!hasFiles(lake.resolve("gold"), ".parquet")) {
            System.out.println("  (no Gold files yet)");
            return;
        }
        try (ResultSet r = sql.executeQuery("SELECT count(*), count(DISTINCT event_date), sum(orders), sum(revenue) "
                + "FROM read_parquet('" + glob(lake, "gold", "parquet") + "')")) {
            r.next();
            System.out.printf("  rows: %d   days: %d   orders: %d   revenue: %s%n", r.getLong(1), r.getLong(2),
                    r.getLong(3), r.getBigDecimal(4));
        }
        try (ResultSet r = sql.executeQuery("SELECT channel, currency, sum(orders) AS orders, sum(revenue) AS revenue, "
                + "max(largest_order) FROM read_parquet('" + glob(lake, "gold", "parquet") + "') GROUP BY ALL "
                + "ORDER BY revenue DESC LIMIT 5")) {
            System.out.println("  top channel and currency by revenue:");
            while (r.next()) {
                System.out.printf("    %-7s %s  %7d orders  %14s  largest %s%n", r.getString(1), r.getString(2),
                        r.getLong(3), r.getBigDecimal(4), r.getBigDecimal(5));
            }
        }
    }

    private static long goldOrders(Statement sql, Path lake) throws SQLException {
        return hasFiles(lake.resolve("gold"), ".parquet")
                ? count(sql, "SELECT coalesce(sum(orders), 0) FROM read_parquet('" + glob(lake, "gold", "parquet") + "')")
                : 0;
    }

    private static void printQuarantine(Statement sql, Path lake) throws SQLException {
        System.out.println();
        System.out.println("== Quarantined records, by reason");
        if (!hasFiles(lake.resolve("quarantine/sales"), ".ndjson")) {
            System.out.println("  (none)");
            return;
        }
        try (ResultSet r = sql.executeQuery("SELECT error_type, field, count(*), any_value(reason), "
                + "any_value(source_object || ' record ' || position) FROM read_json('" + glob(lake, "quarantine/sales", "ndjson")
                + "', hive_partitioning = true, format = 'newline_delimited') GROUP BY ALL ORDER BY 3 DESC")) {
            while (r.next()) {
                System.out.printf("  %-18s field=%-10s %5d  e.g. %s%n      (%s)%n", r.getString(1), r.getString(2),
                        r.getLong(3), r.getString(4), r.getString(5));
            }
        }
    }

    private static long silverRows(Statement sql, Path lake) throws SQLException {
        return hasFiles(lake.resolve("silver/sales"), ".parquet")
                ? count(sql, "SELECT count(*) FROM read_parquet('" + glob(lake, "silver/sales", "parquet") + "')")
                : 0;
    }

    private static long quarantinedRows(Statement sql, Path lake) throws SQLException {
        return hasFiles(lake.resolve("quarantine/sales"), ".ndjson")
                ? count(sql, "SELECT count(*) FROM read_json('" + glob(lake, "quarantine/sales", "ndjson")
                        + "', format = 'newline_delimited')")
                : 0;
    }

    private static long count(Statement sql, String query) throws SQLException {
        try (ResultSet r = sql.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        }
    }

    private static String glob(Path lake, String zone, String extension) {
        return lake.resolve(zone) + "/**/*." + extension;
    }

    private static boolean hasFiles(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(suffix));
        } catch (Exception e) {
            return false;
        }
    }
}
