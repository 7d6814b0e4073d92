package dev.medallion.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;

/**
 * Times our pipeline steps against DuckDB doing the same work on the same input, in one JVM run, and reports the
 * ratio.
 *
 * <pre>
 * Harness [--records N] [--seed S] [--bad-fraction F] [--order random|time] [--warmup K] [--runs R] [--work-dir DIR]
 *         [--engines ours,duckdb] [--steps ndjson-to-parquet,silver-to-gold,compaction] [--duckdb-threads T]
 *         [--duckdb-reader lines|read_json] [--datasets datasets.yaml] [--results results.jsonl]
 *         [--compaction-files 1000] [--compaction-row-group-bytes 134217728]
 * Harness generate --records N | --target-bytes B [--seed S] [--bad-fraction F] [--customers C]
 *         --out file.ndjson[.gz] [--stats stats.json]
 * Harness ingest [--steps ingest-http,ingest-sqs] ... (see {@link IngestBench}; needs the running services)
 * Harness load [--duration S] [--rate R] ... (see {@link LoadBench}; needs the running services: bench/load.sh)
 * </pre>
 *
 * Every run of every engine gets a fresh empty directory; warm-up runs are untimed; timed runs alternate between the
 * engines so both see the same machine state. After the runs each step verifies both outputs (same rows, same
 * sum(amount), as the generator predicted) and fails loudly if they differ. The report goes to standard output and
 * one JSON line per step is appended to the results file.
 */
public final class Harness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    public Harness(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        new Harness(System.out).run(args);
    }

    /** Runs a command line; throws on bad usage or a failed verification. */
    public void run(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("generate")) {
            generate(Args.parse(Arrays.copyOfRange(args, 1, args.length)));
        } else if (args.length > 0 && args[0].equals("ingest")) {
            Path workDir = Path.of(defaultPath("medallion.bench.work-dir", "target/bench-work"));
            Path results = Path.of(defaultPath("medallion.bench.results", "results/results.jsonl"));
            new IngestBench(out).run(IngestBench.settings(Args.parse(Arrays.copyOfRange(args, 1, args.length)),
                    System.getenv(), workDir, results));
        } else if (args.length > 0 && args[0].equals("load")) {
            Path results = Path.of(defaultPath("medallion.bench.results", "results/results.jsonl"));
            new LoadBench(out).run(LoadBench.settings(Args.parse(Arrays.copyOfRange(args, 1, args.length)),
                    System.getenv(), results));
        } else if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(usage());
        } else {
            bench(Args.parse(args));
        }
    }

    static String usage() {
        return """
                usage: Harness [--records N] [--seed S] [--bad-fraction F] [--order random|time] [--warmup K] [--runs R]
                               [--work-dir DIR]
                               [--engines ours,duckdb] [--steps ndjson-to-parquet,silver-to-gold,compaction] [--duckdb-threads T]
                               [--duckdb-reader lines|read_json] [--datasets datasets.yaml] [--results results.jsonl]
                       Harness generate (--records N | --target-bytes B) [--seed S] [--bad-fraction F] [--customers C]
                               --out FILE.ndjson[.gz] [--stats stats.json]
                """
                + IngestBench.usage() + "\n" + LoadBench.usage();
    }

    private void generate(Args a) throws IOException {
        a.allow("records", "target-bytes", "seed", "bad-fraction", "customers", "out", "stats");
        SalesGenerator.Options options = a.has("target-bytes")
                ? SalesGenerator.Options.targetBytes(a.longValue("target-bytes", 0))
                : SalesGenerator.Options.records(a.longValue("records", 1_000_000));
        options = options.withSeed(a.longValue("seed", 42)).withBadFraction(a.doubleValue("bad-fraction", 0))
                .withCustomers((int) a.longValue("customers", 10_000));
        Path file = Path.of(a.require("out"));
        GenerationStats stats = new SalesGenerator(options).writeFile(file);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("file", file.toString());
        report.put("file_bytes", Files.size(file));
        report.putAll(SalesGenerator.describe(options, stats));
        String json = JSON.writeValueAsString(report);
        if (a.has("stats")) {
            Files.writeString(Path.of(a.require("stats")), json + "\n", StandardCharsets.UTF_8);
        }
        out.println(json);
    }

    private void bench(Args a) throws Exception {
        a.allow("records", "seed", "bad-fraction", "order", "warmup", "runs", "work-dir", "engines", "steps",
                "duckdb-threads", "duckdb-reader", "datasets", "results", "compaction-files",
                "compaction-row-group-bytes");
        long records = a.longValue("records", 1_000_000);
        long seed = a.longValue("seed", 42);
        double badFraction = a.doubleValue("bad-fraction", 0.01);
        int warmup = (int) a.longValue("warmup", 1);
        int runs = (int) a.longValue("runs", 3);
        int duckdbThreads = (int) a.longValue("duckdb-threads", 0);
        if (runs < 1 || warmup < 0) {
            throw new UsageException("Cannot run: --runs must be at least 1 and --warmup at least 0");
        }
        List<String> engines = List.of(a.get("engines", "ours,duckdb").split(","));
        boolean ours = engines.contains("ours");
        boolean duckdb = engines.contains("duckdb");
        if (!(ours || duckdb) || engines.stream().anyMatch(e -> !e.equals("ours") && !e.equals("duckdb"))) {
            throw new UsageException("Cannot run: --engines takes ours, duckdb or both, got " + engines);
        }
        NdjsonToParquetStep.DuckDbReader reader = switch (a.get("duckdb-reader", "lines")) {
            case "lines" -> NdjsonToParquetStep.DuckDbReader.LINES;
            case "read_json" -> NdjsonToParquetStep.DuckDbReader.READ_JSON;
            default -> throw new UsageException("Cannot run: --duckdb-reader takes lines or read_json");
        };
        Path workDir = Path.of(a.get("work-dir", defaultPath("medallion.bench.work-dir", "target/bench-work")));
        Path results = Path.of(a.get("results", defaultPath("medallion.bench.results", "results/results.jsonl")));
        DatasetSpec sales = salesSpec(a.has("datasets") ? Path.of(a.require("datasets")) : null);

        boolean timeOrdered = switch (a.get("order", "random")) {
            case "random" -> false;
            case "time" -> true;
            default -> throw new UsageException("Cannot run: --order takes random or time");
        };
        SalesGenerator.Options input = SalesGenerator.Options.records(records).withSeed(seed)
                .withBadFraction(badFraction).withTimeOrder(timeOrdered);
        List<Step> all = List.of(new NdjsonToParquetStep(input, sales, duckdbThreads, reader),
                new SilverToGoldStep(input, sales, duckdbThreads),
                CompactionStep.of(input, sales, duckdbThreads, (int) a.longValue("compaction-files", 1000),
                        a.longValue("compaction-row-group-bytes", 128L * 1024 * 1024)));
        List<String> wanted = a.has("steps") ? List.of(a.require("steps").split(","))
                : all.stream().map(Step::name).toList();
        List<Step> steps = all.stream().filter(s -> wanted.contains(s.name())).toList();
        if (steps.size() != wanted.size()) {
            throw new UsageException("Cannot run: unknown step in " + wanted + ", known: "
                    + all.stream().map(Step::name).toList());
        }

        Map<String, Object> machine = machine(duckdbThreads);
        out.println("Medallion bench, " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        machine.forEach((k, v) -> out.println("  " + k + ": " + v));
        out.printf(Locale.ROOT, "  warmup %d, timed runs %d per engine, work dir %s%n", warmup, runs,
                workDir.toAbsolutePath());

        List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-18s %-7s %8s %8s %8s %10s %8s %11s %6s %9s %8s %11s %11s",
                "step", "engine", "median s", "min s", "cpu s", "rows/s", "MB/s in", "out bytes", "files", "heap MiB",
                "RSS MiB", "ratio wall", "ratio cpu"));
        for (Step step : steps) {
            Path stepDir = workDir.resolve(step.name());
            deleteRecursively(stepDir);
            Files.createDirectories(stepDir);
            out.println();
            out.println("== " + step.name() + ": preparing input");
            Step.StepInput in = step.prepare(stepDir);
            double loadBefore = loadAverage();
            out.printf(Locale.ROOT, "  input: %s; %,d bytes as read (%,d uncompressed)%n", in.description(),
                    in.bytes(), in.logicalBytes());

            Timing oursTiming = ours ? new Timing("ours") : null;
            Timing duckTiming = duckdb ? new Timing("duckdb") : null;
            for (int i = 0; i < warmup; i++) {
                if (ours) {
                    once(step, oursTiming, stepDir, "warmup " + (i + 1), false);
                }
                if (duckdb) {
                    once(step, duckTiming, stepDir, "warmup " + (i + 1), false);
                }
            }
            for (int i = 0; i < runs; i++) {
                if (ours) {
                    once(step, oursTiming, stepDir, "run " + (i + 1), true);
                }
                if (duckdb) {
                    once(step, duckTiming, stepDir, "run " + (i + 1), true);
                }
            }
            double loadAfter = loadAverage();
            String verified = step.verify(ours ? oursTiming.lastDir : null, duckdb ? duckTiming.lastDir : null);
            out.println("  verified: " + verified);

            Double ratio = ours && duckdb ? oursTiming.median() / duckTiming.median() : null;
            Double cpuRatio = ours && duckdb ? oursTiming.medianCpu() / duckTiming.medianCpu() : null;
            for (Timing t : Stream.of(oursTiming, duckTiming).filter(t -> t != null).toList()) {
                double median = t.median();
                boolean showRatio = t.engine.equals("ours") && ratio != null;
                table.add(String.format(Locale.ROOT,
                        "%-18s %-7s %8.2f %8.2f %8.2f %,10.0f %8.1f %,11d %6d %,9d %,8d %11s %11s", step.name(),
                        t.engine, median, t.min(), t.medianCpu(), t.output.rows() / median,
                        in.logicalBytes() / 1e6 / median, t.output.outputBytes(), t.output.files(), t.peakHeapMib,
                        t.peakRssMib,
                        showRatio ? String.format(Locale.ROOT, "%.2f", ratio) : "",
                        showRatio ? String.format(Locale.ROOT, "%.2f", cpuRatio) : ""));
            }
            out.printf(Locale.ROOT, "  system load average (1 min): %.2f before the runs, %.2f after%n", loadBefore,
                    loadAfter);
            appendResult(results, step, in, machine, warmup, runs, oursTiming, duckTiming, ratio, cpuRatio,
                    verified, List.of(loadBefore, loadAfter));
        }
        out.println();
        table.forEach(out::println);
        out.println();
        out.println("median/min s: wall-clock seconds of the timed runs; cpu s: median process CPU seconds of a run "
                + "(all threads); rows/s and MB/s in (uncompressed input, 10^6 bytes): per median wall second; heap "
                + "MiB: JVM heap pools' peaks during a timed run, added up (DuckDB works mostly outside the heap); RSS "
                + "MiB: the whole process's peak resident set during a timed run (what one engine left resident counts "
                + "in the other's: compare engines run in separate processes, --engines ours and --engines duckdb); ratio "
                + "wall/cpu: ours over DuckDB, median over median, above 1 means ours is slower or costlier. On a busy "
                + "machine (load above the core count) wall times stretch and the cpu ratio is the steadier figure.");
        out.println("results appended to " + results.toAbsolutePath());
    }

    /** Wall and CPU times of one engine on one step. */
    private static final class Timing {
        final String engine;
        final List<Double> seconds = new ArrayList<>();
        final List<Double> cpuSeconds = new ArrayList<>();
        Step.RunOutput output;
        Path lastDir;
        long peakHeapMib;
        long peakRssMib;

        Timing(String engine) {
            this.engine = engine;
        }

        double median() {
            return median(seconds);
        }

        double medianCpu() {
            return median(cpuSeconds);
        }

        double min() {
            return seconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        static double median(List<Double> values) {
            List<Double> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    private void once(Step step, Timing timing, Path stepDir, String label, boolean timed) throws Exception {
        if (timing.lastDir != null) {
            deleteRecursively(timing.lastDir);
        }
        Path runDir = stepDir.resolve(timing.engine + "-" + label.replace(' ', '-'));
        deleteRecursively(runDir);
        Files.createDirectories(runDir);
        flushFileSystem();
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        var rss = new RssSampler(ProcessHandle.current().pid(), 100);
        rss.start();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        Step.RunOutput result = timing.engine.equals("ours") ? step.ours(runDir) : step.duckdb(runDir);
        long wall = System.nanoTime() - t0;
        long cpu = processCpuNanos() - cpu0;
        RssSampler.Peak peak = rss.stop();
        long peakRssMib = peak == null ? 0 : peak.peakKib() / 1024;
        long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        timing.lastDir = runDir;
        timing.output = result;
        if (timed) {
            timing.seconds.add(wall / 1e9);
            timing.cpuSeconds.add(cpu / 1e9);
            timing.peakHeapMib = Math.max(timing.peakHeapMib, peakHeap / (1024 * 1024));
            timing.peakRssMib = Math.max(timing.peakRssMib, peakRssMib);
        }
        out.printf(Locale.ROOT,
                "  %-6s %-9s %7.2f s  cpu %6.2f s  peak heap %,6d MiB  RSS %,6d MiB  rows %,d  output %,d bytes in %d "
                        + "files%n",
                timing.engine, label, wall / 1e9, cpu / 1e9, peakHeap / (1024 * 1024), peakRssMib, result.rows(),
                result.outputBytes(), result.files());
    }

    /**
     * Writes dirty pages of earlier runs to disk before a timed run, so one engine's output is not written back by the
     * kernel in the middle of the other engine's run. Best effort: skipped where there is no {@code sync} command.
     */
    private static void flushFileSystem() throws InterruptedException {
        Path sync = Path.of("/bin/sync");
        if (!Files.isExecutable(sync)) {
            return;
        }
        try {
            new ProcessBuilder(sync.toString()).inheritIO().start().waitFor();
        } catch (IOException e) {
            // not being able to flush only makes the timings noisier
        }
    }

    /** The 1-minute system load average: above the core count, other processes competed for the CPU. */
    private static double loadAverage() {
        return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    private static Map<String, Object> machine(int duckdbThreads) throws Exception {
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                + System.getProperty("java.vendor") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("cores", rt.availableProcessors());
        m.put("max_heap_mib", rt.maxMemory() / (1024 * 1024));
        m.put("gc", ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", ")));
        m.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        m.put("duckdb", DuckDb.describe(duckdbThreads));
        return m;
    }

    private void appendResult(Path results, Step step, Step.StepInput in, Map<String, Object> machine, int warmup,
            int runs, Timing oursTiming, Timing duckTiming, Double ratio, Double cpuRatio, String verified,
            List<Double> load)
            throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        line.put("step", step.name());
        line.put("records", in.records());
        line.put("input_bytes", in.bytes());
        line.put("input_uncompressed_bytes", in.logicalBytes());
        line.putAll(in.details());
        line.put("warmup", warmup);
        line.put("runs", runs);
        line.put("machine", machine);
        Map<String, Object> engines = new LinkedHashMap<>();
        for (Timing t : Stream.of(oursTiming, duckTiming).filter(t -> t != null).toList()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("median_s", round(t.median()));
            e.put("min_s", round(t.min()));
            e.put("runs_s", t.seconds.stream().map(Harness::round).toList());
            e.put("cpu_s_median", round(t.medianCpu()));
            e.put("rows", t.output.rows());
            e.put("rows_per_s", Math.round(t.output.rows() / t.median()));
            e.put("input_mb_per_s", round(in.logicalBytes() / 1e6 / t.median()));
            e.put("output_bytes", t.output.outputBytes());
            e.put("output_files", t.output.files());
            e.put("peak_heap_mib", t.peakHeapMib);
            e.put("peak_rss_mib", t.peakRssMib);
            engines.put(t.engine, e);
        }
        line.put("engines", engines);
        line.put("ratio_ours_over_duckdb", ratio == null ? null : round(ratio));
        line.put("cpu_ratio_ours_over_duckdb", cpuRatio == null ? null : round(cpuRatio));
        line.put("verified", verified);
        line.put("load_average_before_after", load);
        Path parent = results.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(results, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * The {@code sales} spec from the given file, or from {@code deploy/local/datasets.yaml} of the repository (found
     * through the {@code build.repo.root} property or by walking up from the working directory).
     */
    static DatasetSpec salesSpec(Path file) throws IOException {
        Path yaml = file != null ? file : findDatasetsYaml();
        try (InputStream in = Files.newInputStream(yaml)) {
            return DatasetSpecs.parse(in).find("sales")
                    .orElseThrow(() -> new UsageException("Cannot run: no 'sales' dataset in " + yaml));
        }
    }

    private static Path findDatasetsYaml() {
        Path relative = Path.of("deploy", "local", "datasets.yaml");
        String root = System.getProperty("build.repo.root");
        if (root != null && Files.isRegularFile(Path.of(root).resolve(relative))) {
            return Path.of(root).resolve(relative);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new UsageException("Cannot run: " + relative + " not found above " + Path.of("").toAbsolutePath()
                + "; pass --datasets");
    }

    /** A system property if set, else {@code bench/<fallback>} when run from the repository root, else fallback. */
    private static String defaultPath(String property, String fallback) {
        String value = System.getProperty(property);
        if (value != null && !value.isBlank()) {
            return value;
        }
        return Files.isRegularFile(Path.of("bench", "pom.xml")) ? Path.of("bench", fallback).toString() : fallback;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** {@code --name value} or {@code --name=value} pairs. */
    static final class Args {
        private final Map<String, String> values = new LinkedHashMap<>();

        static Args parse(String... args) {
            Args a = new Args();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--") || arg.length() == 2) {
                    throw new UsageException("Cannot parse '" + arg + "'\n" + usage());
                }
                String name = arg.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException("Cannot parse '" + arg + "': it needs a value\n" + usage());
                }
                a.values.put(name, value);
            }
            return a;
        }

        void allow(String... names) {
            List<String> allowed = List.of(names);
            for (String name : values.keySet()) {
                if (!allowed.contains(name)) {
                    throw new UsageException("Cannot run: unknown option --" + name + "\n" + usage());
                }
            }
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String get(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        String require(String name) {
            String v = values.get(name);
            if (v == null) {
                throw new UsageException("Cannot run: --" + name + " is required\n" + usage());
            }
            return v;
        }

        long longValue(String name, long fallback) {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Long.parseLong(v.replace("_", "").replace(",", ""));
            } catch (NumberFormatException e) {
                throw new UsageException("Cannot run: --" + name + " takes a whole number, got '" + v + "'");
            }
        }

        double doubleValue(String name, double fallback) {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new UsageException("Cannot run: --" + name + " takes a number, got '" + v + "'");
            }
        }
    }
}
