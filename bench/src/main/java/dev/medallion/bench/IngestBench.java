package dev.medallion.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The ingest steps: a running ingest-service against the local S3 and SQS servers it writes to, each compared with a
 * ceiling, the same bytes moved by a bare client of the same server with the same concurrency.
 *
 * <ul>
 * <li>{@code ingest-http}: generated NDJSON, cut on line boundaries into bodies of {@code --body-bytes}, POSTed by
 * {@code --clients} concurrent HTTP/1.1 clients. Ceiling: the same bodies PUT to S3 by as many threads.
 * <li>{@code ingest-sqs}: the records as SQS messages of {@code --records-per-message} lines, time until the service
 * has consumed them all. Ceiling: a bare receive-and-delete loop on a scratch queue with {@code --pollers} threads.
 * </ul>
 *
 * Not a test: it needs the local stack and the services running ({@code bench/ingest.sh} starts them), and it
 * reports numbers; it fails only when the service answers wrongly or loses records.
 */
final class IngestBench {
    static final String HTTP = "ingest-http";
    static final String SQS = "ingest-sqs";
    static final double RATIO_GOAL = 0.8;
    static final double HTTP_MB_S_GOAL = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** SQS limits: 10 entries and 256 KiB per SendMessageBatch, 256 KiB per message; keep a margin for attributes. */
    private static final int SQS_MAX_BATCH_BYTES = 250_000;
    private static final int SQS_MAX_DELAY_S = 900;

    private final PrintStream out;
    private final List<String> summary = new ArrayList<>();
    private Map<String, Long> processes = Map.of();

    IngestBench(PrintStream out) {
        this.out = out;
    }

    static String usage() {
        return String.join("\n",
                "       Harness ingest [--steps ingest-http,ingest-sqs] [--records N] [--sqs-records N] [--seed S]",
                "               [--bad-fraction F] [--body-bytes B] [--clients C] [--warmup-chunks K]",
                "               [--records-per-message M] [--pollers P] [--senders T] [--release-delay S]",
                "               [--drain-timeout S] [--stall-timeout S] [--settle-timeout S] [--ingest-url URL]",
                "               [--dataset D] [--api-key K] [--s3-endpoint URL] [--sqs-endpoint URL] [--bucket B]",
                "               [--queue Q] [--service-pid PID | --pid-file FILE] [--work-dir DIR] [--results FILE]");
    }

    /** Everything a run needs, from the options, the environment ({@code stack.sh env}) and the defaults. */
    record Settings(List<String> steps, long httpRecords, long sqsRecords, long seed, double badFraction,
            int bodyBytes, int clients, int warmupChunks, int recordsPerMessage, int pollers, int senders,
            int releaseDelaySeconds, int drainTimeoutSeconds, int stallTimeoutSeconds, int settleTimeoutSeconds,
            URI ingestUrl, String dataset, String apiKey, URI s3Endpoint, URI sqsEndpoint, String bucket,
            String accessKey, String secretKey, String queue, String transformQueue, Long servicePid,
            Path pidFile, Path workDir, Path results) {
    }

    static Settings settings(Harness.Args a, Map<String, String> env, Path defaultWorkDir, Path defaultResults) {
        a.allow("steps", "records", "sqs-records", "seed", "bad-fraction", "body-bytes", "clients", "warmup-chunks",
                "records-per-message", "pollers", "senders", "release-delay", "drain-timeout", "stall-timeout",
                "settle-timeout", "ingest-url", "dataset", "api-key", "s3-endpoint", "sqs-endpoint", "bucket",
                "queue", "service-pid", "pid-file", "work-dir", "results");
        List<String> steps = List.of(a.get("steps", HTTP + "," + SQS).split(","));
        for (String s : steps) {
            if (!s.equals(HTTP) && !s.equals(SQS)) {
                throw new UsageException("Cannot run: unknown ingest step '" + s + "', known: " + HTTP + ", " + SQS);
            }
        }
        long sqsRecords = a.longValue("sqs-records", 200_000);
        int bodyBytes = (int) a.longValue("body-bytes", 1 << 20);
        int clients = (int) a.longValue("clients", 32);
        int pollers = (int) a.longValue("pollers", 4);
        int perMessage = (int) a.longValue("records-per-message", 50);
        if (bodyBytes < 1024 || clients < 1 || pollers < 1 || perMessage < 1) {
            throw new UsageException("Cannot run: --body-bytes must be at least 1024, --clients, --pollers and "
                    + "--records-per-message at least 1");
        }
        // long enough for the send phase at a conservative 10,000 records/s, so no message is visible before it ends
        int release = (int) a.longValue("release-delay", Math.min(SQS_MAX_DELAY_S, 10 + sqsRecords / 10_000));
        if (release < 1 || release > SQS_MAX_DELAY_S) {
            throw new UsageException("Cannot run: --release-delay is 1 to 900 seconds (SQS's DelaySeconds)");
        }
        String home = env.getOrDefault("MEDALLION_HOME", repoRoot().resolve(".medallion").toString());
        String ingestPort = env.getOrDefault("MEDALLION_INGEST_PORT", "8081");
        return new Settings(steps, a.longValue("records", 1_000_000), sqsRecords, a.longValue("seed", 42),
                a.doubleValue("bad-fraction", 0), bodyBytes, clients, (int) a.longValue("warmup-chunks", 16),
                perMessage, pollers, (int) a.longValue("senders", 8), release,
                (int) a.longValue("drain-timeout", 600), (int) a.longValue("stall-timeout", 60),
                (int) a.longValue("settle-timeout", 300),
                URI.create(a.get("ingest-url", "http://127.0.0.1:" + ingestPort)), a.get("dataset", "sales"),
                a.get("api-key", env.getOrDefault("MEDALLION_API_KEY", "local-demo-key")),
                URI.create(a.get("s3-endpoint", env.getOrDefault("MEDALLION_S3_ENDPOINT", "http://127.0.0.1:9000"))),
                URI.create(a.get("sqs-endpoint", env.getOrDefault("MEDALLION_SQS_ENDPOINT", "http://127.0.0.1:9324"))),
                a.get("bucket", env.getOrDefault("MEDALLION_BUCKET", "lake")),
                env.getOrDefault("AWS_ACCESS_KEY_ID", "medallion"),
                env.getOrDefault("AWS_SECRET_ACCESS_KEY", "medallion-local-secret"), a.get("queue", "medallion-ingest"),
                "medallion-transform", a.has("service-pid") ? a.longValue("service-pid", 0) : null,
                Path.of(a.get("pid-file", Path.of(home, "run", "ingest-service.pid").toString())),
                Path.of(a.get("work-dir", defaultWorkDir.toString())),
                Path.of(a.get("results", defaultResults.toString())));
    }

    private static Path repoRoot() {
        String root = System.getProperty("build.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath();
    }

    // ------------------------------------------------------------------------------------------------ run

    void run(Settings s) throws Exception {
        processes = processes(s);
        Map<String, Object> machine = machine();
        out.println("Medallion ingest bench, " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        machine.forEach((k, v) -> out.println("  " + k + ": " + v));
        out.println("  ingest-service: " + s.ingestUrl() + ", dataset " + s.dataset() + "; S3 " + s.s3Endpoint()
                + " bucket " + s.bucket() + "; SQS " + s.sqsEndpoint());
        Long pid = servicePid(s);
        out.println("  ingest-service pid: " + (pid == null ? "unknown, peak RSS not measured (no readable "
                + s.pidFile() + "; pass --service-pid)" : pid));
        out.println("  CPU time counted for: " + processes);
        Map<String, String> serviceEnv = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("MEDALLION_INGEST_") && !k.equals("MEDALLION_INGEST_PORT")) {
                serviceEnv.put(k, v);
            }
        });
        if (!serviceEnv.isEmpty()) {
            out.println("  service settings from the environment: " + serviceEnv);
        }
        Files.createDirectories(s.workDir());
        try (Clients c = new Clients(s)) {
            if (s.steps().contains(HTTP)) {
                http(s, c, pid, machine, serviceEnv);
            }
            if (s.steps().contains(SQS)) {
                sqs(s, c, pid, machine, serviceEnv);
            }
        }
        out.println();
        out.println("== summary");
        summary.forEach(out::println);
        out.println("results appended to " + s.results().toAbsolutePath());
    }

    /** The AWS clients, built once. */
    private static final class Clients implements AutoCloseable {
        final S3Client s3;
        final SqsClient sqs;

        Clients(Settings s) {
            StaticCredentialsProvider creds = StaticCredentialsProvider
                    .create(AwsBasicCredentials.create(s.accessKey(), s.secretKey()));
            int connections = Math.max(s.clients(), s.senders() + s.pollers() + 4) + 4;
            s3 = S3Client.builder().endpointOverride(s.s3Endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                    .credentialsProvider(creds)
                    .httpClientBuilder(ApacheHttpClient.builder().maxConnections(connections)).build();
            sqs = SqsClient.builder().endpointOverride(s.sqsEndpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(creds)
                    .httpClientBuilder(ApacheHttpClient.builder().maxConnections(connections)
                            .socketTimeout(Duration.ofSeconds(40)))
                    .build();
        }

        @Override
        public void close() {
            s3.close();
            sqs.close();
        }
    }

    /** One timed phase: what moved, how long it took, what the service's RSS peaked at, who spent the CPU. */
    record Phase(String side, double seconds, long bytes, long records, long requests, long backpressure,
            double backpressureWaitSeconds, long transportRetries, Measured measured, String note) {

        RssSampler.Peak rss() {
            return measured.rss();
        }

        double mbPerS() {
            return bytes / 1e6 / seconds;
        }

        double recordsPerS() {
            return records / seconds;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seconds", round(seconds));
            m.put("bytes", bytes);
            m.put("records", records);
            m.put("mb_per_s", round(mbPerS()));
            m.put("records_per_s", Math.round(recordsPerS()));
            m.put("requests", requests);
            m.put("backpressure_responses", backpressure);
            m.put("backpressure_wait_s", round(backpressureWaitSeconds));
            m.put("transport_retries", transportRetries);
            m.put("service_peak_rss_mib", rss() == null ? null : round(rss().peakKib() / 1024.0));
            m.put("service_rss_samples", rss() == null ? 0 : rss().samples());
            m.put("service_hwm_reset", rss() != null && rss().hwmReset());
            Map<String, Object> cpu = new LinkedHashMap<>();
            measured.cpuSeconds().forEach((process, seconds) -> cpu.put(process, round(seconds)));
            m.put("cpu_seconds", cpu);
            if (note != null) {
                m.put("note", note);
            }
            return m;
        }
    }

    /** What a phase measured besides time: the service's RSS peak and each process's CPU seconds. */
    record Measured(RssSampler.Peak rss, Map<String, Double> cpuSeconds) {
    }

    /** Started with a timed phase: samples the service's RSS and counts the CPU time of every known process. */
    private record Meter(RssSampler rss, CpuTimes cpu) {

        Measured stop() throws InterruptedException {
            return new Measured(rss == null ? null : rss.stop(), cpu.seconds());
        }
    }

    private Meter meter(Long servicePid) {
        RssSampler rss = servicePid == null ? null : new RssSampler(servicePid, 250);
        if (rss != null) {
            rss.start();
        }
        return new Meter(rss, CpuTimes.start(processes));
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    private void http(Settings s, Clients c, Long pid, Map<String, Object> machine, Map<String, String> serviceEnv)
            throws Exception {
        out.println();
        out.println("== " + HTTP + ": preparing input");
        Path dir = s.workDir().resolve(HTTP);
        Files.createDirectories(dir);
        SalesGenerator.Options options = SalesGenerator.Options.records(s.httpRecords()).withSeed(s.seed())
                .withBadFraction(s.badFraction());
        Path file = generate(dir, options);
        List<NdjsonChunks.Chunk> chunks = NdjsonChunks.split(file, s.bodyBytes(), 0);
        long bytes = Files.size(file);
        out.printf(Locale.ROOT, "  input: %,d records, %,d bytes NDJSON (%s), %,d bodies of up to %,d bytes%n",
                s.httpRecords(), bytes, file, chunks.size(), s.bodyBytes());

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        URI uri = s.ingestUrl().resolve("/v1/datasets/" + s.dataset() + "/records");
        String runId = Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14);
        double loadBefore = loadAverage();
        try (FileChannel ch = NdjsonChunks.open(file)) {
            List<NdjsonChunks.Chunk> warm = chunks.subList(0, Math.min(s.warmupChunks(), chunks.size()));
            if (!warm.isEmpty()) {
                out.printf(Locale.ROOT, "  warm-up (untimed): %d bodies to each side%n", warm.size());
                postAll(s, http, uri, ch, warm, null, "warm-up");
                putAll(s, c.s3, ch, warm, "bench-ceiling/" + runId + "-warmup/", null);
            }
            settle(s, c);
            Phase ours = postAll(s, http, uri, ch, chunks, pid, "ours");
            report(ours);
            settle(s, c);
            Phase ceiling = putAll(s, c.s3, ch, chunks, "bench-ceiling/" + runId + "/", pid);
            report(ceiling);
            double loadAfter = loadAverage();
            int deleted = deletePrefix(c.s3, s.bucket(), "bench-ceiling/");
            out.printf(Locale.ROOT, "  deleted %,d ceiling objects under s3://%s/bench-ceiling/ (untimed)%n", deleted,
                    s.bucket());

            double ratio = ours.mbPerS() / ceiling.mbPerS();
            boolean ratioMet = ratio >= RATIO_GOAL;
            boolean absMet = ours.mbPerS() >= HTTP_MB_S_GOAL;
            summary.add(String.format(Locale.ROOT,
                    "%-11s ours %7.1f MB/s %,10.0f records/s in %6.2f s (%,d requests, %,d backpressure answers, "
                            + "peak RSS %s) | ceiling S3 PUT %7.1f MB/s | ours/ceiling %.2f (goal >= %.1f: %s), "
                            + "absolute goal >= %.0f MB/s: %s",
                    HTTP, ours.mbPerS(), ours.recordsPerS(), ours.seconds(), ours.requests(), ours.backpressure(),
                    rssText(ours.rss()), ceiling.mbPerS(), ratio, RATIO_GOAL, ratioMet ? "met" : "NOT met",
                    HTTP_MB_S_GOAL, absMet ? "met" : "NOT met"));
            Map<String, Object> line = resultLine(HTTP, machine, serviceEnv, s.httpRecords(), bytes, options);
            line.put("body_bytes", s.bodyBytes());
            line.put("bodies", chunks.size());
            line.put("clients", s.clients());
            line.put("warmup_bodies", warm.size());
            line.put("ingest_url", uri.toString());
            line.put("ours", ours.json());
            line.put("ceiling", ceiling.json());
            line.put("ceiling_kind", "S3 PutObject of the same bodies, AWS SDK v2, path-style, same concurrency");
            line.put("ratio_ours_over_ceiling", round(ratio));
            line.put("goal_ratio", RATIO_GOAL);
            line.put("goal_ratio_met", ratioMet);
            line.put("goal_mb_per_s", HTTP_MB_S_GOAL);
            line.put("goal_mb_per_s_met", absMet);
            line.put("load_average_before_after", List.of(loadBefore, loadAfter));
            append(s.results(), line);
        }
    }

    /** POSTs every chunk with {@code clients} concurrent callers; fails on any answer but 2xx, 429 or 503. */
    private Phase postAll(Settings s, HttpClient http, URI uri, FileChannel ch, List<NdjsonChunks.Chunk> chunks,
            Long pid, String side) throws Exception {
        AtomicLong backpressure = new AtomicLong();
        AtomicLong waitNanos = new AtomicLong();
        AtomicLong transportRetries = new AtomicLong();
        AtomicLong acceptedRecords = new AtomicLong();
        AtomicBoolean countsReported = new AtomicBoolean(true);
        int bufSize = NdjsonChunks.maxLength(chunks);
        Phase phase = parallel(s.clients(), chunks, pid, side, "POST", () -> new byte[bufSize], (buf, chunk) -> {
            int len = NdjsonChunks.read(ch, chunk, buf);
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                    .header("Authorization", "Bearer " + s.apiKey())
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(buf, 0, len)).build();
            int transportFailures = 0;
            while (true) {
                HttpResponse<String> response;
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    // a dropped keep-alive connection; a POST that never got an answer is retried, and counted
                    if (++transportFailures > 3) {
                        throw new IOException("POST " + uri + " failed 4 times: " + e, e);
                    }
                    transportRetries.incrementAndGet();
                    continue;
                }
                int status = response.statusCode();
                if (status / 100 == 2) {
                    Long records = recordsOf(response.body());
                    if (records == null) {
                        countsReported.set(false);
                    } else {
                        acceptedRecords.addAndGet(records);
                    }
                    return;
                }
                if (status == 429 || status == 503) {
                    Duration wait = RetryAfter.parse(response.headers().firstValue("Retry-After"), Instant.now());
                    backpressure.incrementAndGet();
                    waitNanos.addAndGet(wait.toNanos());
                    Thread.sleep(wait.toMillis());
                    continue;
                }
                String body = response.body();
                throw new IOException("POST " + uri + " answered " + status + ": "
                        + (body.length() > 500 ? body.substring(0, 500) + "..." : body));
            }
        });
        long expected = chunks.stream().mapToLong(NdjsonChunks.Chunk::records).sum();
        String note = null;
        if (countsReported.get() && acceptedRecords.get() != expected) {
            throw new VerificationException("ingest-service accepted " + acceptedRecords.get() + " records in its "
                    + "answers, " + expected + " were sent");
        } else if (countsReported.get()) {
            note = "answers accounted for all " + expected + " records";
        } else {
            note = "answers did not carry a record count; not verified";
        }
        return new Phase(phase.side(), phase.seconds(), phase.bytes(), phase.records(), phase.requests(),
                backpressure.get(), waitNanos.get() / 1e9, transportRetries.get(), phase.measured(), note);
    }

    private static Long recordsOf(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.path("records").isNumber() ? n.path("records").asLong() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private Phase putAll(Settings s, S3Client s3, FileChannel ch, List<NdjsonChunks.Chunk> chunks, String prefix,
            Long pid) throws Exception {
        int bufSize = NdjsonChunks.maxLength(chunks);
        AtomicInteger seq = new AtomicInteger();
        return parallel(s.clients(), chunks, pid, "ceiling", "S3 PUT", () -> new byte[bufSize], (buf, chunk) -> {
            int len = NdjsonChunks.read(ch, chunk, buf);
            String key = String.format(Locale.ROOT, "%s%08d.ndjson", prefix, seq.getAndIncrement());
            s3.putObject(b -> b.bucket(s.bucket()).key(key).contentType("application/x-ndjson"),
                    RequestBody.fromBytes(Arrays.copyOf(buf, len)));
        });
    }

    interface ChunkTask {
        void run(byte[] buf, NdjsonChunks.Chunk chunk) throws Exception;
    }

    /**
     * Runs {@code task} over every chunk with {@code threads} workers taking the next chunk in turn; times the whole
     * and samples the service's RSS meanwhile. The first failure stops the others and is rethrown.
     */
    private Phase parallel(int threads, List<NdjsonChunks.Chunk> chunks, Long pid, String side, String what,
            java.util.function.Supplier<byte[]> buffers, ChunkTask task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Meter meter = meter(pid);
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    byte[] buf = buffers.get();
                    int i;
                    while (!failed.get() && (i = next.getAndIncrement()) < chunks.size()) {
                        try {
                            task.run(buf, chunks.get(i));
                        } catch (Exception | Error e) {
                            failed.set(true);
                            throw e;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Measured measured = meter.stop();
        long bytes = chunks.stream().mapToLong(NdjsonChunks.Chunk::length).sum();
        long records = chunks.stream().mapToLong(NdjsonChunks.Chunk::records).sum();
        return new Phase(side + " (" + what + ")", seconds, bytes, records, chunks.size(), 0, 0, 0, measured, null);
    }

    private static int deletePrefix(S3Client s3, String bucket, String prefix) {
        int deleted = 0;
        List<ObjectIdentifier> batch = new ArrayList<>();
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            batch.add(ObjectIdentifier.builder().key(o.key()).build());
            if (batch.size() == 1000) {
                deleted += deleteBatch(s3, bucket, batch);
            }
        }
        if (!batch.isEmpty()) {
            deleted += deleteBatch(s3, bucket, batch);
        }
        return deleted;
    }

    private static int deleteBatch(S3Client s3, String bucket, List<ObjectIdentifier> batch) {
        List<ObjectIdentifier> copy = List.copyOf(batch);
        batch.clear();
        s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(copy).quiet(true).build()));
        return copy.size();
    }

    // ------------------------------------------------------------------------------------------------ SQS

    private void sqs(Settings s, Clients c, Long pid, Map<String, Object> machine, Map<String, String> serviceEnv)
            throws Exception {
        out.println();
        out.println("== " + SQS + ": preparing input");
        Path dir = s.workDir().resolve(SQS);
        Files.createDirectories(dir);
        SalesGenerator.Options options = SalesGenerator.Options.records(s.sqsRecords()).withSeed(s.seed())
                .withBadFraction(s.badFraction());
        Path file = generate(dir, options);
        List<NdjsonChunks.Chunk> messages = NdjsonChunks.split(file, SQS_MAX_BATCH_BYTES, s.recordsPerMessage());
        List<List<NdjsonChunks.Chunk>> batches = NdjsonChunks.batches(messages, 10, SQS_MAX_BATCH_BYTES);
        long bytes = Files.size(file);
        out.printf(Locale.ROOT, "  input: %,d records, %,d bytes NDJSON, %,d messages of up to %d records, %,d "
                + "SendMessageBatch calls; release delay %d s%n", s.sqsRecords(), bytes, messages.size(),
                s.recordsPerMessage(), batches.size(), s.releaseDelaySeconds());

        String queueUrl = queueUrl(c.sqs, s.queue());
        String dlqUrl = optionalQueueUrl(c.sqs, s.queue() + "-dlq");
        long[] depth = depth(c.sqs, queueUrl);
        if (depth[0] + depth[1] + depth[2] > 0) {
            throw new UsageException("Cannot run " + SQS + ": queue " + s.queue() + " is not empty (" + depth[0]
                    + " visible, " + depth[1] + " in flight, " + depth[2] + " delayed); wait for it to drain or "
                    + "purge it");
        }
        long dlqBefore = dlqUrl == null ? 0 : total(depth(c.sqs, dlqUrl));
        double loadBefore = loadAverage();
        settle(s, c);

        Phase ours;
        String oursFailure = null;
        try (FileChannel ch = NdjsonChunks.open(file)) {
            Instant release = send(s, c.sqs, queueUrl, ch, batches, "ours");
            ours = drainByService(s, c.sqs, queueUrl, release, pid, messages, bytes);
        }
        if (ours.note() != null && ours.note().startsWith("NOT DRAINED")) {
            oursFailure = ours.note();
            c.sqs.purgeQueue(b -> b.queueUrl(queueUrl));
            out.println("  " + oursFailure);
            out.println("  purged " + s.queue() + " so the bench messages do not linger");
        } else {
            report(ours);
        }
        long dlqAfter = dlqUrl == null ? 0 : total(depth(c.sqs, dlqUrl));
        if (dlqAfter > dlqBefore) {
            out.printf(Locale.ROOT, "  WARNING: %,d messages went to %s-dlq during the run%n", dlqAfter - dlqBefore,
                    s.queue());
        }

        settle(s, c);
        String ceilingQueue = "bench-ceiling-sqs";
        String ceilingUrl = c.sqs.createQueue(b -> b.queueName(ceilingQueue)
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"))).queueUrl();
        c.sqs.purgeQueue(b -> b.queueUrl(ceilingUrl));
        Phase ceiling;
        try (FileChannel ch = NdjsonChunks.open(file)) {
            Instant release = send(s, c.sqs, ceilingUrl, ch, batches, "ceiling");
            ceiling = drainBare(s, c.sqs, ceilingUrl, release, pid, messages, bytes);
        } finally {
            c.sqs.deleteQueue(b -> b.queueUrl(ceilingUrl));
        }
        report(ceiling);
        double loadAfter = loadAverage();

        Double ratio = oursFailure == null ? ours.recordsPerS() / ceiling.recordsPerS() : null;
        summary.add(oursFailure != null
                ? String.format(Locale.ROOT, "%-11s ours: %s | ceiling receive+delete %,10.0f records/s "
                        + "(%d pollers)", SQS, oursFailure, ceiling.recordsPerS(), s.pollers())
                : String.format(Locale.ROOT, "%-11s ours %,10.0f records/s (%7.1f MB/s) in %6.2f s (peak RSS %s) | "
                        + "ceiling receive+delete %,10.0f records/s (%d pollers) | ours/ceiling %.2f (goal >= %.1f: %s)",
                        SQS, ours.recordsPerS(), ours.mbPerS(), ours.seconds(), rssText(ours.rss()),
                        ceiling.recordsPerS(), s.pollers(), ratio, RATIO_GOAL, ratio >= RATIO_GOAL ? "met" : "NOT met"));
        Map<String, Object> line = resultLine(SQS, machine, serviceEnv, s.sqsRecords(), bytes, options);
        line.put("records_per_message", s.recordsPerMessage());
        line.put("messages", messages.size());
        line.put("send_batches", batches.size());
        line.put("pollers", s.pollers());
        line.put("release_delay_s", s.releaseDelaySeconds());
        line.put("queue", s.queue());
        line.put("drained", oursFailure == null);
        line.put("ours", ours.json());
        line.put("ceiling", ceiling.json());
        line.put("ceiling_kind", "ReceiveMessage(10, long poll) + DeleteMessageBatch loop on " + ceilingQueue + ", "
                + s.pollers() + " threads");
        line.put("dead_lettered", dlqAfter - dlqBefore);
        line.put("ratio_ours_over_ceiling", ratio == null ? null : round(ratio));
        line.put("goal_ratio", RATIO_GOAL);
        line.put("goal_ratio_met", ratio != null && ratio >= RATIO_GOAL);
        line.put("load_average_before_after", List.of(loadBefore, loadAfter));
        append(s.results(), line);
    }

    /**
     * Sends every batch with {@code senders} threads, each message delayed so that all become visible at the same
     * instant, after the send phase: whoever consumes the queue starts on a full queue, and the send is not timed.
     * Returns that instant; fails if the send phase outran it (raise {@code --release-delay}).
     */
    private Instant send(Settings s, SqsClient sqs, String queueUrl, FileChannel ch,
            List<List<NdjsonChunks.Chunk>> batches, String side) throws Exception {
        long t0 = System.nanoTime();
        Instant release = Instant.now().plusSeconds(s.releaseDelaySeconds());
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean late = new AtomicBoolean();
        AtomicBoolean failed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(s.senders());
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < s.senders(); t++) {
                futures.add(pool.submit(() -> {
                    byte[] buf = new byte[SQS_MAX_BATCH_BYTES];
                    int i;
                    while (!failed.get() && (i = next.getAndIncrement()) < batches.size()) {
                        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                        long millisLeft = Duration.between(Instant.now(), release).toMillis();
                        // rounded up: no message is visible before the release instant
                        int delay = (int) Math.max(0, Math.min(SQS_MAX_DELAY_S, (millisLeft + 999) / 1000));
                        if (millisLeft <= 0) {
                            late.set(true);
                        }
                        int n = 0;
                        for (NdjsonChunks.Chunk chunk : batches.get(i)) {
                            int len = NdjsonChunks.read(ch, chunk, buf);
                            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(n++))
                                    .messageBody(new String(buf, 0, len, StandardCharsets.UTF_8))
                                    .delaySeconds(delay)
                                    .messageAttributes(Map.of("dataset", MessageAttributeValue.builder()
                                            .dataType("String").stringValue(s.dataset()).build()))
                                    .build());
                        }
                        SendMessageBatchResponse r;
                        try {
                            r = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                        } catch (RuntimeException e) {
                            failed.set(true);
                            throw e;
                        }
                        if (!r.failed().isEmpty()) {
                            failed.set(true);
                            throw new IOException("SendMessageBatch to " + queueUrl + " failed for "
                                    + r.failed().size() + " entries, e.g. " + r.failed().get(0));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        double sendSeconds = (System.nanoTime() - t0) / 1e9;
        if (late.get() || Instant.now().isAfter(release)) {
            throw new UsageException(String.format(Locale.ROOT, "Cannot time %s (%s): sending took %.1f s, longer "
                    + "than --release-delay %d s, so consumption started during the send; raise --release-delay",
                    SQS, side, sendSeconds, s.releaseDelaySeconds()));
        }
        out.printf(Locale.ROOT, "  %s: sent %,d batches in %.1f s (untimed); messages become visible at %s%n", side,
                batches.size(), sendSeconds, release.truncatedTo(ChronoUnit.MILLIS));
        return release;
    }

    /**
     * Waits for the release instant, then polls the queue's depth every 100 ms until nothing is visible, in flight or
     * delayed. Gives up after {@code --drain-timeout}, or after {@code --stall-timeout} with messages visible, none
     * in flight and the count unchanged (nobody is receiving).
     */
    private Phase drainByService(Settings s, SqsClient sqs, String queueUrl, Instant release, Long pid,
            List<NdjsonChunks.Chunk> messages, long bytes) throws Exception {
        sleepUntil(release);
        Meter meter = meter(pid);
        long t0 = System.nanoTime();
        long deadline = t0 + s.drainTimeoutSeconds() * 1_000_000_000L;
        long lastChange = t0;
        long[] last = null;
        String failure = null;
        long end;
        while (true) {
            long[] d = depth(sqs, queueUrl);
            long now = System.nanoTime();
            if (total(d) == 0) {
                end = now;
                break;
            }
            if (last == null || !Arrays.equals(d, last)) {
                last = d;
                lastChange = now;
            } else if (d[0] > 0 && d[1] == 0 && d[2] == 0 && now - lastChange > s.stallTimeoutSeconds() * 1e9) {
                end = now;
                failure = String.format(Locale.ROOT, "NOT DRAINED: %,d of %,d messages still visible and none in "
                        + "flight for %d s; nobody receives from %s (is ingest-service's SQS consumer running?)",
                        d[0], messages.size(), s.stallTimeoutSeconds(), s.queue());
                break;
            }
            if (now > deadline) {
                end = now;
                failure = String.format(Locale.ROOT, "NOT DRAINED within --drain-timeout %d s: %,d visible, %,d in "
                        + "flight, %,d delayed of %,d messages", s.drainTimeoutSeconds(), d[0], d[1], d[2],
                        messages.size());
                break;
            }
            Thread.sleep(100);
        }
        Measured measured = meter.stop();
        long records = messages.stream().mapToLong(NdjsonChunks.Chunk::records).sum();
        return new Phase("ours (service consumes " + s.queue() + ")", (end - t0) / 1e9, bytes, records,
                messages.size(), 0, 0, 0, measured, failure);
    }

    /** Waits for the release instant, then receives and deletes with {@code --pollers} threads until all are gone. */
    private Phase drainBare(Settings s, SqsClient sqs, String queueUrl, Instant release, Long pid,
            List<NdjsonChunks.Chunk> messages, long bytes) throws Exception {
        sleepUntil(release);
        int total = messages.size();
        AtomicInteger deleted = new AtomicInteger();
        AtomicLong endNanos = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        Meter meter = meter(pid);
        long t0 = System.nanoTime();
        long deadline = t0 + s.drainTimeoutSeconds() * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(s.pollers());
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < s.pollers(); t++) {
            futures.add(pool.submit(() -> {
                while (deleted.get() < total && System.nanoTime() < deadline) {
                    List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                            .waitTimeSeconds(2).messageAttributeNames("All")).messages();
                    requests.incrementAndGet();
                    if (got.isEmpty()) {
                        continue;
                    }
                    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = 0; i < got.size(); i++) {
                        entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                                .receiptHandle(got.get(i).receiptHandle()).build());
                    }
                    DeleteMessageBatchResponse r = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                    requests.incrementAndGet();
                    if (deleted.addAndGet(r.successful().size()) >= total) {
                        endNanos.compareAndSet(0, System.nanoTime());
                    }
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Measured measured = meter.stop();
        if (deleted.get() < total) {
            throw new VerificationException("The ceiling drained only " + deleted.get() + " of " + total
                    + " messages within --drain-timeout " + s.drainTimeoutSeconds() + " s");
        }
        long records = messages.stream().mapToLong(NdjsonChunks.Chunk::records).sum();
        return new Phase("ceiling (receive + delete, " + s.pollers() + " pollers)", (endNanos.get() - t0) / 1e9,
                bytes, records, requests.get(), 0, 0, 0, measured, null);
    }

    private static String queueUrl(SqsClient sqs, String name) {
        try {
            return sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            throw new UsageException("Cannot run " + SQS + ": queue " + name + " does not exist; is the local stack "
                    + "running (deploy/local/stack.sh start)?");
        }
    }

    private static String optionalQueueUrl(SqsClient sqs, String name) {
        try {
            return sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            return null;
        }
    }

    /** Visible, in flight, delayed. */
    private static long[] depth(SqsClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return new long[] { count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES),
                count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE),
                count(a, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED) };
    }

    private static long count(Map<QueueAttributeName, String> a, QueueAttributeName name) {
        String v = a.get(name);
        return v == null ? 0 : Long.parseLong(v);
    }

    private static long total(long[] depth) {
        return depth[0] + depth[1] + depth[2];
    }

    /**
     * Before a timed phase, waits until the transform step has caught up with what earlier phases stored (its queue
     * is empty), so a phase does not share the CPU with the previous one's aftermath. Gives up after
     * {@code --settle-timeout} and says so.
     */
    private void settle(Settings s, Clients c) throws InterruptedException {
        String url = optionalQueueUrl(c.sqs, s.transformQueue());
        if (url == null) {
            return;
        }
        long t0 = System.nanoTime();
        long deadline = t0 + s.settleTimeoutSeconds() * 1_000_000_000L;
        while (true) {
            long[] d = depth(c.sqs, url);
            if (d[0] + d[1] == 0) {
                double waited = (System.nanoTime() - t0) / 1e9;
                if (waited > 1) {
                    out.printf(Locale.ROOT, "  waited %.1f s for %s to empty before the next phase%n", waited,
                            s.transformQueue());
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                out.printf(Locale.ROOT, "  WARNING: %s still holds %,d messages after %d s; timing anyway, the "
                        + "transform step competes for the CPU%n", s.transformQueue(), d[0] + d[1],
                        s.settleTimeoutSeconds());
                return;
            }
            Thread.sleep(500);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Generates the input once per options; a later run with the same options reuses the file. */
    private Path generate(Path dir, SalesGenerator.Options options) throws IOException {
        Path file = dir.resolve(String.format(Locale.ROOT, "sales-%d-seed%d-bad%s.ndjson", options.records(),
                options.seed(), Double.toString(options.badFraction())));
        Path done = dir.resolve(file.getFileName() + ".done");
        if (Files.exists(file) && Files.exists(done)) {
            return file;
        }
        Files.deleteIfExists(done);
        long t0 = System.nanoTime();
        new SalesGenerator(options).writeFile(file);
        Files.writeString(done, Long.toString(Files.size(file)));
        out.printf(Locale.ROOT, "  generated %s in %.1f s%n", file, (System.nanoTime() - t0) / 1e9);
        return file;
    }

    private void report(Phase p) {
        out.printf(Locale.ROOT, "  %-40s %7.2f s  %7.1f MB/s  %,10.0f records/s  %,d requests", p.side(),
                p.seconds(), p.mbPerS(), p.recordsPerS(), p.requests());
        if (p.backpressure() > 0 || p.transportRetries() > 0) {
            out.printf(Locale.ROOT, "  backpressure %,d (waited %.1f s)  transport retries %,d", p.backpressure(),
                    p.backpressureWaitSeconds(), p.transportRetries());
        }
        out.printf(Locale.ROOT, "  service peak RSS %s%n", rssText(p.rss()));
        if (!p.measured().cpuSeconds().isEmpty()) {
            StringBuilder cpu = new StringBuilder("    CPU seconds:");
            double total = 0;
            for (Map.Entry<String, Double> e : p.measured().cpuSeconds().entrySet()) {
                cpu.append(String.format(Locale.ROOT, " %s %.1f,", e.getKey(), e.getValue()));
                total += e.getValue();
            }
            out.printf(Locale.ROOT, "%s total %.1f (%.2f cores busy on average)%n", cpu, total, total / p.seconds());
        }
        if (p.note() != null) {
            out.println("    " + p.note());
        }
    }

    private static String rssText(RssSampler.Peak rss) {
        if (rss == null) {
            return "not measured";
        }
        return String.format(Locale.ROOT, "%,.0f MiB%s", rss.peakKib() / 1024.0,
                rss.hwmReset() ? "" : " (sampled every 250 ms)");
    }

    /**
     * The processes whose CPU time each phase reports: the harness itself, and the local stack's servers and services
     * that have a pid file next to ingest-service's (stack.sh and services.sh write them to the same directory).
     */
    private static Map<String, Long> processes(Settings s) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("harness", ProcessHandle.current().pid());
        Path run = s.pidFile().toAbsolutePath().getParent();
        for (String name : List.of("ingest-service", "transform-service", "s3", "sqs")) {
            Path file = run.resolve(name + ".pid");
            if (Files.isReadable(file)) {
                try {
                    pids.put(name, Long.parseLong(Files.readString(file).trim()));
                } catch (NumberFormatException e) {
                    // not a pid: that process is left out of the CPU figures
                }
            }
        }
        return pids;
    }

    private static Long servicePid(Settings s) throws IOException {
        Long pid = s.servicePid();
        if (pid == null && Files.isReadable(s.pidFile())) {
            String text = Files.readString(s.pidFile()).trim();
            try {
                pid = Long.parseLong(text);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return pid != null && RssSampler.readable(pid) ? pid : null;
    }

    private static Map<String, Object> resultLine(String step, Map<String, Object> machine,
            Map<String, String> serviceEnv, long records, long bytes, SalesGenerator.Options options) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        line.put("step", step);
        line.put("records", records);
        line.put("input_bytes", bytes);
        line.put("seed", options.seed());
        line.put("bad_fraction", options.badFraction());
        line.put("machine", machine);
        line.put("service_env", serviceEnv);
        return line;
    }

    private static void append(Path results, Map<String, Object> line) throws IOException {
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.writeString(results, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static Map<String, Object> machine() {
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("cores", rt.availableProcessors());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            m.put("ram_mib", os.getTotalMemorySize() / (1024 * 1024));
        }
        m.put("bench_max_heap_mib", rt.maxMemory() / (1024 * 1024));
        return m;
    }

    private static double loadAverage() {
        return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
