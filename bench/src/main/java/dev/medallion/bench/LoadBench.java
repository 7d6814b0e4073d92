package dev.medallion.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Sustained load against the running pipeline (issue 9): producers send stamped sales records to ingest-service over
 * HTTP (and optionally to its SQS queue) at a target rate for a bounded time, while a watcher finds when each
 * acknowledged record becomes queryable in Silver and a sampler records every process's RSS each second. Afterwards
 * it waits for Silver to hold every acknowledged record, checks with DuckDB that Silver (and Gold) count each exactly
 * once, and reports throughput, end-to-end latency (acknowledged to queryable in Silver) and memory against the
 * configured limit.
 *
 * <p>
 * Not a test: it needs the local stack and the four services running ({@code bench/load.sh} starts them on their
 * own ports and {@code MEDALLION_HOME}). It fails, after writing its results, when an acknowledged record is missing
 * or doubled, or a service's memory went past the limit.
 */
final class LoadBench {
    static final String STEP = "load";
    /** The deploy files give the JVM 70% of a container's memory ({@code -XX:MaxRAMPercentage=70}). */
    static final double HEAP_SHARE_OF_LIMIT = 0.7;
    private static final List<String> SERVICES = List.of("ingest-service", "transform-service",
            "compaction-service", "catalog-service");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SQS_MAX_BATCH_BYTES = 250_000;

    private final PrintStream out;
    private long startNanos;
    private volatile String phase = "start";
    private final AtomicLong ackedRecords = new AtomicLong();
    private final AtomicLong ackedBytes = new AtomicLong();
    private final AtomicLong failedRecords = new AtomicLong();
    private final AtomicLong backpressure = new AtomicLong();
    private final AtomicLong transportRetries = new AtomicLong();
    private final AtomicLong maxScheduleLagMs = new AtomicLong();

    LoadBench(PrintStream out) {
        this.out = out;
    }

    static String usage() {
        return String.join("\n",
                "       Harness load [--duration S] [--rate R] [--producers N] [--sqs-producers M]",
                "               [--records-per-request K] [--records-per-message K] [--poll-interval-ms MS]",
                "               [--sample-interval-ms MS] [--drain-timeout S] [--settle-timeout S] [--seed S]",
                "               [--ingest-url URL] [--dataset D] [--api-key K] [--s3-endpoint URL] [--sqs-endpoint URL]",
                "               [--bucket B] [--data-dir DIR] [--home DIR] [--heap-mib H] [--rss-limit-mib L]",
                "               [--results-dir DIR] [--results FILE]");
    }

    /** Everything a run needs, from the options, the environment ({@code stack.sh env}) and the defaults. */
    record Settings(int durationSeconds, int rate, int producers, int sqsProducers, int recordsPerRequest,
            int recordsPerMessage, int pollIntervalMs, int sampleIntervalMs, int drainTimeoutSeconds,
            int settleTimeoutSeconds, long seed, URI ingestUrl, String dataset, String apiKey, URI s3Endpoint,
            URI sqsEndpoint, String bucket, String accessKey, String secretKey, Path dataDir, Path home,
            String serviceJavaOpts, String runtime, long heapMib, long rssLimitMib, Map<String, String> metricsPorts,
            Path resultsDir, Path results) {

        int allProducers() {
            return producers + sqsProducers;
        }
    }

    static Settings settings(Harness.Args a, Map<String, String> env, Path defaultResults) {
        a.allow("duration", "rate", "producers", "sqs-producers", "records-per-request", "records-per-message",
                "poll-interval-ms", "sample-interval-ms", "drain-timeout", "settle-timeout", "seed", "ingest-url",
                "dataset", "api-key", "s3-endpoint", "sqs-endpoint", "bucket", "data-dir", "home", "heap-mib",
                "rss-limit-mib", "results-dir", "results");
        int duration = (int) a.longValue("duration", 300);
        int rate = (int) a.longValue("rate", 5_000);
        int producers = (int) a.longValue("producers", 8);
        int sqsProducers = (int) a.longValue("sqs-producers", 0);
        int perRequest = (int) a.longValue("records-per-request", 500);
        int perMessage = (int) a.longValue("records-per-message", 50);
        if (duration < 1 || rate < 0 || producers < 0 || sqsProducers < 0 || producers + sqsProducers < 1
                || producers + sqsProducers > LoadRecords.MAX_PRODUCERS || perRequest < 1 || perMessage < 1) {
            throw new UsageException("Cannot run load: --duration and --records-per-request/-message must be at least "
                    + "1, --rate at least 0 (0: as fast as answers come), and there must be 1 to 999 producers");
        }
        String home = a.get("home", env.getOrDefault("MEDALLION_HOME", ".medallion"));
        String opts = env.getOrDefault("MEDALLION_SERVICE_JAVA_OPTS", "-Xmx512m");
        long heap = a.has("heap-mib") ? a.longValue("heap-mib", 0) : xmxMib(opts);
        long limit = a.has("rss-limit-mib") ? a.longValue("rss-limit-mib", 0)
                : heap > 0 ? Math.round(heap / HEAP_SHARE_OF_LIMIT) : 0;
        if (limit <= 0) {
            throw new UsageException("Cannot run load: no -Xmx in MEDALLION_SERVICE_JAVA_OPTS ('" + opts
                    + "'); pass --heap-mib or --rss-limit-mib");
        }
        String dataDir = a.get("data-dir", env.get("MEDALLION_S3_DATA_DIR"));
        if (dataDir == null) {
            throw new UsageException("Cannot run load: where the local S3 server keeps its objects is unknown; "
                    + "eval \"$(deploy/local/stack.sh env)\" first or pass --data-dir");
        }
        Path results = Path.of(a.get("results", defaultResults.toString()));
        Map<String, String> ports = new LinkedHashMap<>();
        ports.put("ingest-service", env.getOrDefault("MEDALLION_INGEST_PORT", "8081"));
        ports.put("transform-service", env.getOrDefault("MEDALLION_TRANSFORM_PORT", "8082"));
        ports.put("compaction-service", env.getOrDefault("MEDALLION_COMPACTION_PORT", "8083"));
        ports.put("catalog-service", env.getOrDefault("MEDALLION_CATALOG_PORT", "8084"));
        return new Settings(duration, rate, producers, sqsProducers, perRequest, perMessage,
                (int) a.longValue("poll-interval-ms", 500), (int) a.longValue("sample-interval-ms", 1000),
                (int) a.longValue("drain-timeout", 300), (int) a.longValue("settle-timeout", 120),
                a.longValue("seed", 42),
                URI.create(a.get("ingest-url",
                        "http://127.0.0.1:" + env.getOrDefault("MEDALLION_INGEST_PORT", "8081"))),
                a.get("dataset", "sales"), a.get("api-key", env.getOrDefault("MEDALLION_API_KEY", "local-demo-key")),
                URI.create(a.get("s3-endpoint", env.getOrDefault("MEDALLION_S3_ENDPOINT", "http://127.0.0.1:9000"))),
                URI.create(a.get("sqs-endpoint", env.getOrDefault("MEDALLION_SQS_ENDPOINT", "http://127.0.0.1:9324"))),
                a.get("bucket", env.getOrDefault("MEDALLION_BUCKET", "lake")),
                env.getOrDefault("AWS_ACCESS_KEY_ID", "medallion"),
                env.getOrDefault("AWS_SECRET_ACCESS_KEY", "medallion-local-secret"), Path.of(dataDir),
                Path.of(home), opts, env.getOrDefault("MEDALLION_RUNTIME", "jvm"), heap, limit, ports,
                Path.of(a.get("results-dir", results.toAbsolutePath().getParent().toString())), results);
    }

    /** The {@code -Xmx} of a JVM option string in MiB, or 0 when there is none. */
    static long xmxMib(String opts) {
        Matcher m = Pattern.compile("(?:^|\\s)-Xmx(\\d+)([kKmMgG]?)(?=\\s|$)").matcher(opts);
        long mib = 0;
        while (m.find()) { // the last one wins, as for the JVM
            long n = Long.parseLong(m.group(1));
            mib = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> n / 1024;
                case "m" -> n;
                case "g" -> n * 1024;
                default -> n / (1024 * 1024);
            };
        }
        return mib;
    }

    // ------------------------------------------------------------------------------------------------ run

    void run(Settings s) throws Exception {
        String tag = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.now()).toLowerCase(Locale.ROOT);
        Path csv = s.resultsDir().resolve("load-" + tag + ".csv");
        Path report = s.resultsDir().resolve("load-" + tag + ".md");
        Map<String, Long> pids = processes(s.home());
        for (String service : SERVICES) {
            if (!pids.containsKey(service)) {
                throw new UsageException("Cannot run load: " + service + " has no live pid in " + s.home().resolve("run")
                        + "; start the services (bench/load.sh does)");
            }
        }
        LoadRecords records = new LoadRecords(tag.replace("t", "").replace("z", ""), 10_000, s.seed());
        LoadLedger ledger = new LoadLedger(s.allProducers());
        Path bucketDir = s.dataDir().resolve(s.bucket());

        out.println("Medallion load bench, " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        out.printf(Locale.ROOT, "  %d cores, load average %.2f; services: %s runtime, %s, memory limit %,d MiB each "
                + "(heap %,d MiB / %.1f)%n", Runtime.getRuntime().availableProcessors(), LoadSampler.loadAverage(),
                s.runtime(), s.serviceJavaOpts(), s.rssLimitMib(), s.heapMib(), HEAP_SHARE_OF_LIMIT);
        out.printf(Locale.ROOT, "  %d s at %s, %d HTTP producers (%d records a request)%s; records keyed %s...%n",
                s.durationSeconds(), s.rate() == 0 ? "the highest rate answers allow" : s.rate() + " records/s",
                s.producers(), s.recordsPerRequest(),
                s.sqsProducers() == 0 ? ""
                        : String.format(Locale.ROOT, ", %d SQS producers (%d records a message)",
                                s.sqsProducers(), s.recordsPerMessage()),
                records.keyPrefix());
        out.println("  ingest " + s.ingestUrl() + ", S3 " + s.s3Endpoint() + " (data " + bucketDir + "), SQS "
                + s.sqsEndpoint() + "; processes " + pids);
        out.println("  time series: " + csv);

        StaticCredentialsProvider creds = StaticCredentialsProvider
                .create(AwsBasicCredentials.create(s.accessKey(), s.secretKey()));
        try (S3Client s3 = S3Client.builder().endpointOverride(s.s3Endpoint()).forcePathStyle(true)
                .region(Region.US_EAST_1).credentialsProvider(creds).httpClientBuilder(ApacheHttpClient.builder())
                .build();
                SqsClient sqs = SqsClient.builder().endpointOverride(s.sqsEndpoint()).region(Region.US_EAST_1)
                        .credentialsProvider(creds)
                        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(s.sqsProducers() + 8)).build();
                SilverWatcher watcher = new SilverWatcher(s3, s.bucket(), s.dataset(), bucketDir, records, ledger,
                        this::nowMs)) {
            String transformQueue = sqs.getQueueUrl(b -> b.queueName("medallion-transform")).queueUrl();
            startNanos = System.nanoTime();
            Map<String, URI> metrics = new LinkedHashMap<>();
            s.metricsPorts().forEach((service, port) -> metrics.put(service,
                    URI.create("http://127.0.0.1:" + port + "/q/metrics")));
            LoadSampler sampler = new LoadSampler(pids, metrics, 5, csv, this::nowMs, () -> phase,
                    ackedRecords::get, watcher::firstSightings, () -> depth(sqs, transformQueue));
            ExecutorService sampling = Executors.newSingleThreadExecutor();
            ExecutorService watching = Executors.newSingleThreadExecutor();
            ExecutorService producers = Executors.newFixedThreadPool(s.allProducers());
            try (sampler) {
                sampling.submit(() -> every(s.sampleIntervalMs(), sampler::sample));
                watching.submit(() -> every(s.pollIntervalMs(), () -> {
                    try {
                        watcher.poll();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }));
                phase = "load";
                CpuTimes cpu = CpuTimes.start(pids);
                long loadEnd = startNanos + s.durationSeconds() * 1_000_000_000L;
                List<Future<?>> sending = new ArrayList<>();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                for (int p = 0; p < s.allProducers(); p++) {
                    int producer = p;
                    sending.add(producers.submit(() -> {
                        if (producer < s.producers()) {
                            httpProducer(s, http, records, ledger.producer(producer), producer, loadEnd);
                        } else {
                            sqsProducer(s, sqs, records, ledger.producer(producer), producer, loadEnd);
                        }
                        return null;
                    }));
                }
                progressUntil(loadEnd, watcher, () -> false);
                for (Future<?> f : sending) {
                    get(f);
                }
                int loadMs = nowMs();
                Map<String, Double> cpuSeconds = cpu.seconds();
                out.printf(Locale.ROOT, "  load phase over after %.1f s: %,d records acknowledged; waiting for Silver "
                        + "(at most %d s)%n", loadMs / 1000.0, ackedRecords.get(), s.drainTimeoutSeconds());

                phase = "drain";
                long drainEnd = System.nanoTime() + s.drainTimeoutSeconds() * 1_000_000_000L;
                progressUntil(drainEnd, watcher, () -> watcher.firstSightings() >= ackedRecords.get());
                int drainedMs = nowMs();
                phase = "check";
                boolean settled = settle(s, sqs);
                // one last poll once the queues are empty, for objects published since the previous one
                stop(watching);
                watcher.poll();
                stop(sampling);
                sampler.sample();

                Outcome outcome = outcome(s, ledger, records, loadMs, drainedMs);
                Check check = check(s, bucketDir, records, outcome, sqs);
                Summary summary = summarize(s, sampler, outcome, check, settled, cpuSeconds, watcher.stats(), csv);
                out.println();
                summary.lines().forEach(out::println);
                Files.writeString(report, String.join("\n", summary.lines()) + "\n", StandardCharsets.UTF_8);
                append(s.results(), summary.json());
                out.println("report: " + report);
                out.println("time series: " + csv);
                out.println("results appended to " + s.results().toAbsolutePath());
                if (!summary.failures().isEmpty()) {
                    throw new VerificationException("Load run failed: " + String.join("; ", summary.failures()));
                }
            } finally {
                producers.shutdownNow();
                stop(watching);
                stop(sampling);
            }
        }
    }

    private int nowMs() {
        return (int) ((System.nanoTime() - startNanos) / 1_000_000);
    }

    /** Prints progress every 10 s until {@code until} (nanoTime) or {@code done}. */
    private void progressUntil(long until, SilverWatcher watcher, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long nextPrint = System.nanoTime();
        while (System.nanoTime() < until && !done.getAsBoolean()) {
            if (System.nanoTime() >= nextPrint) {
                out.printf(Locale.ROOT, "  %6.1f s %-5s acknowledged %,11d  in Silver %,11d  load %.2f%n",
                        nowMs() / 1000.0, phase, ackedRecords.get(), watcher.firstSightings(),
                        LoadSampler.loadAverage());
                nextPrint += 10_000_000_000L;
            }
            Thread.sleep(Math.max(1, Math.min(200, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Runs {@code task} every {@code intervalMs} until interrupted; a failing task is reported and retried. */
    private void every(int intervalMs, Runnable task) {
        long next = System.nanoTime();
        int failures = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                task.run();
                failures = 0;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                if (++failures <= 3) {
                    out.println("  WARNING: " + e);
                }
            }
            next += intervalMs * 1_000_000L;
            long sleep = (next - System.nanoTime()) / 1_000_000;
            if (sleep < 0) {
                next = System.nanoTime(); // fell behind: no burst to catch up
                continue;
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ producers

    /**
     * One HTTP producer: a request of {@code --records-per-request} records every time its share of the rate is due
     * (right after the previous answer when the rate is 0, or when it has fallen behind), until the load phase ends.
     */
    private void httpProducer(Settings s, HttpClient http, LoadRecords records, LoadLedger.Producer ledger,
            int producer, long loadEnd) throws Exception {
        URI uri = s.ingestUrl().resolve("/v1/datasets/" + s.dataset() + "/records");
        long interval = intervalNanos(s, s.recordsPerRequest());
        long next = startNanos + (interval * producer) / s.allProducers(); // producers spread over one interval
        long seq = 0;
        while (true) {
            next = waitForTurn(next, interval);
            if (System.nanoTime() >= loadEnd) {
                return;
            }
            int count = s.recordsPerRequest();
            byte[] body = records.body(producer, seq, count, Instant.now());
            int sent = nowMs();
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(2))
                    .header("Authorization", "Bearer " + s.apiKey()).header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            boolean acked = post(http, request);
            int ack = nowMs();
            ledger.request(count, sent, acked ? ack : LoadLedger.NOT_ACKED);
            seq += count;
            if (acked) {
                ackedRecords.addAndGet(count);
                ackedBytes.addAndGet(body.length);
            } else {
                failedRecords.addAndGet(count);
            }
        }
    }

    /** Sends until a 2xx (true) or a failure (false); 429/503 wait for Retry-After, transport errors retry 3 times. */
    private boolean post(HttpClient http, HttpRequest request) throws InterruptedException {
        int transportFailures = 0;
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (++transportFailures > 3) {
                    out.println("  WARNING: POST failed 4 times, its records count as not acknowledged: " + e);
                    return false;
                }
                transportRetries.incrementAndGet();
                continue;
            }
            int status = response.statusCode();
            if (status / 100 == 2) {
                return true;
            }
            if (status == 429 || status == 503) {
                backpressure.incrementAndGet();
                Thread.sleep(RetryAfter.parse(response.headers().firstValue("Retry-After"), Instant.now()).toMillis());
                continue;
            }
            String body = response.body();
            out.println("  WARNING: POST answered " + status + ", its records count as not acknowledged: "
                    + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
            return false;
        }
    }

    /**
     * One SQS producer: {@code SendMessageBatch} calls of up to 10 messages of {@code --records-per-message} records
     * to {@code medallion-ingest} (message attribute {@code dataset}), paced like the HTTP producers. A message is
     * acknowledged when its batch entry succeeded.
     */
    private void sqsProducer(Settings s, SqsClient sqs, LoadRecords records, LoadLedger.Producer ledger,
            int producer, long loadEnd) throws Exception {
        String queueUrl = sqs.getQueueUrl(b -> b.queueName("medallion-ingest")).queueUrl();
        int perMessage = s.recordsPerMessage();
        int perBatch = (int) Math.max(1, Math.min(10,
                SQS_MAX_BATCH_BYTES / (perMessage * (records.averageBytes() + 40) + 1)));
        if (perMessage * (records.averageBytes() + 40) > SQS_MAX_BATCH_BYTES) {
            throw new UsageException("Cannot run load: --records-per-message " + perMessage
                    + " makes messages over SQS's 256 KiB");
        }
        long interval = intervalNanos(s, perMessage * perBatch);
        long next = startNanos + (interval * producer) / s.allProducers();
        MessageAttributeValue dataset = MessageAttributeValue.builder().dataType("String").stringValue(s.dataset())
                .build();
        long seq = 0;
        while (true) {
            next = waitForTurn(next, interval);
            if (System.nanoTime() >= loadEnd) {
                return;
            }
            List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
            long[] sizes = new long[perBatch];
            Instant now = Instant.now();
            for (int i = 0; i < perBatch; i++) {
                String body = new String(records.body(producer, seq + (long) i * perMessage, perMessage, now),
                        StandardCharsets.UTF_8);
                sizes[i] = body.length();
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(body)
                        .messageAttributes(Map.of("dataset", dataset)).build());
            }
            int sent = nowMs();
            SendMessageBatchResponse response;
            try {
                response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            } catch (RuntimeException e) {
                out.println("  WARNING: SendMessageBatch failed, its records count as not acknowledged: " + e);
                response = null;
            }
            int ack = nowMs();
            boolean[] ok = new boolean[perBatch];
            if (response != null) {
                response.successful().forEach(r -> ok[Integer.parseInt(r.id())] = true);
            }
            for (int i = 0; i < perBatch; i++) {
                ledger.request(perMessage, sent, ok[i] ? ack : LoadLedger.NOT_ACKED);
                if (ok[i]) {
                    ackedRecords.addAndGet(perMessage);
                    ackedBytes.addAndGet(sizes[i]);
                } else {
                    failedRecords.addAndGet(perMessage);
                }
            }
            seq += (long) perBatch * perMessage;
        }
    }

    /** Nanoseconds between one producer's sends of {@code records} records; 0 when the rate is unbounded. */
    private static long intervalNanos(Settings s, int records) {
        return s.rate() == 0 ? 0 : Math.round(1e9 * records * s.allProducers() / s.rate());
    }

    /** Sleeps until {@code next}, notes how far behind schedule a late turn is, and returns the turn after it. */
    private long waitForTurn(long next, long interval) throws InterruptedException {
        if (interval == 0) {
            return next;
        }
        long now = System.nanoTime();
        if (next > now) {
            Thread.sleep((next - now) / 1_000_000, (int) ((next - now) % 1_000_000));
        } else {
            maxScheduleLagMs.accumulateAndGet((now - next) / 1_000_000, Math::max);
        }
        return next + interval;
    }

    // ------------------------------------------------------------------------------------------------ after

    /**
     * Waits until every queue of the pipeline is empty, so Silver, Gold and the catalog have caught up; false when they
     * still held messages after {@code --settle-timeout}.
     */
    private boolean settle(Settings s, SqsClient sqs) throws InterruptedException {
        List<String> urls = Stream.of("medallion-ingest", "medallion-transform", "medallion-compaction",
                "medallion-catalog").map(q -> sqs.getQueueUrl(b -> b.queueName(q)).queueUrl()).toList();
        long deadline = System.nanoTime() + s.settleTimeoutSeconds() * 1_000_000_000L;
        while (urls.stream().mapToLong(u -> depth(sqs, u)).sum() > 0) {
            if (System.nanoTime() > deadline) {
                out.printf(Locale.ROOT, "  WARNING: queues not empty after %d s; checking anyway%n",
                        s.settleTimeoutSeconds());
                return false;
            }
            Thread.sleep(500);
        }
        return true;
    }

    /** Visible plus in-flight messages of a queue. */
    private static long depth(SqsClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0"))
                + Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0"));
    }

    /** What the ledger says once everything stopped: latencies of acknowledged records, lost and extra records. */
    record Outcome(long requests, long ackedRequests, long acked, long failed, long bytes, long seen, long lost,
            long extra, BigDecimal expectedAmount, int[] latencies, int[] latencyAckMs, int httpLatencies,
            int[] requestMs, int loadMs, int drainedMs, int lastAckMs, int lastSeenMs) {
    }

    private Outcome outcome(Settings s, LoadLedger ledger, LoadRecords records, int loadMs, int drainedMs) {
        long acked = ackedRecords.get();
        int[] latencies = new int[(int) Math.min(Integer.MAX_VALUE - 8, acked)];
        int[] latencyAckMs = new int[latencies.length];
        List<Integer> requestMs = new ArrayList<>();
        long requests = 0;
        long ackedRequests = 0;
        long lost = 0;
        long extra = 0;
        long seen = 0;
        long cents = 0;
        int n = 0;
        int lastAck = 0;
        int lastSeen = 0;
        int httpLatencies = 0;
        for (int p = 0; p < ledger.producerCount(); p++) {
            if (p == s.producers()) {
                httpLatencies = n; // HTTP producers come first, then SQS's
            }
            LoadLedger.Producer producer = ledger.producer(p);
            long seq = 0;
            for (int r = 0; r < producer.requests(); r++) {
                int ack = producer.ackMs(r);
                requests++;
                if (ack != LoadLedger.NOT_ACKED) {
                    ackedRequests++;
                    requestMs.add(ack - producer.sentMs(r));
                    lastAck = Math.max(lastAck, ack);
                }
                for (int i = 0; i < producer.count(r); i++, seq++) {
                    int seenMs = producer.seenMs(seq);
                    if (ack == LoadLedger.NOT_ACKED) {
                        extra += seenMs == LoadLedger.NOT_SEEN ? 0 : 1;
                        continue;
                    }
                    cents += records.amountCents(p, seq);
                    if (seenMs == LoadLedger.NOT_SEEN) {
                        lost++;
                    } else if (n < latencies.length) {
                        seen++;
                        lastSeen = Math.max(lastSeen, seenMs);
                        latencies[n] = seenMs - ack;
                        latencyAckMs[n] = ack;
                        n++;
                    }
                }
            }
            extra += producer.seenBeyondSent();
        }
        if (s.sqsProducers() == 0) {
            httpLatencies = n;
        }
        return new Outcome(requests, ackedRequests, acked, failedRecords.get(), ackedBytes.get(), seen, lost, extra,
                BigDecimal.valueOf(cents, 2), Arrays.copyOf(latencies, n), Arrays.copyOf(latencyAckMs, n), httpLatencies,
                requestMs.stream().mapToInt(Integer::intValue).toArray(), loadMs, drainedMs, lastAck, lastSeen);
    }

    /** What DuckDB reads from the lake at the end. */
    record Check(long silverRows, long silverDistinct, BigDecimal silverAmount, long silverOtherRows, long silverFiles,
            Long goldOrders, BigDecimal goldRevenue, long quarantineFiles, Map<String, Long> deadLetters,
            String error) {
    }

    private Check check(Settings s, Path bucketDir, LoadRecords records, Outcome o, SqsClient sqs)
            throws InterruptedException {
        Map<String, Long> deadLetters = new LinkedHashMap<>();
        for (String q : List.of("medallion-ingest-dlq", "medallion-transform-dlq", "medallion-compaction-dlq",
                "medallion-catalog-dlq")) {
            deadLetters.put(q, depth(sqs, sqs.getQueueUrl(b -> b.queueName(q)).queueUrl()));
        }
        Path silver = bucketDir.resolve("silver").resolve(s.dataset());
        Path gold = bucketDir.resolve("gold").resolve("daily_sales");
        String prefix = DuckDb.literal(records.keyPrefix());
        String error = null;
        // compaction may replace files while DuckDB lists and reads them: try again a few times
        for (int attempt = 1; attempt <= 5; attempt++) {
            try (Connection c = DuckDb.open(0)) {
                Object[] row = DuckDb.row(c, "SELECT count(*) FILTER (WHERE starts_with(order_id, " + prefix + ")), "
                        + "count(DISTINCT order_id) FILTER (WHERE starts_with(order_id, " + prefix + ")), "
                        + "coalesce(sum(amount) FILTER (WHERE starts_with(order_id, " + prefix + ")), 0), "
                        + "count(*) FILTER (WHERE NOT starts_with(order_id, " + prefix + ")), "
                        + "count(DISTINCT filename) FROM read_parquet("
                        + DuckDb.literal(silver.resolve("**").resolve("*.parquet")) + ", filename = true)");
                Long goldOrders = null;
                BigDecimal goldRevenue = null;
                if (s.dataset().equals("sales") && Files.isDirectory(gold)) {
                    Object[] g = DuckDb.row(c, "SELECT sum(orders), sum(revenue) FROM read_parquet("
                            + DuckDb.literal(gold.resolve("**").resolve("*.parquet")) + ")");
                    goldOrders = ((Number) g[0]).longValue();
                    goldRevenue = new BigDecimal(g[1].toString()).setScale(2);
                }
                return new Check(((Number) row[0]).longValue(), ((Number) row[1]).longValue(),
                        new BigDecimal(row[2].toString()).setScale(2), ((Number) row[3]).longValue(),
                        ((Number) row[4]).longValue(), goldOrders, goldRevenue,
                        countFiles(bucketDir.resolve("quarantine").resolve(s.dataset())), deadLetters, null);
            } catch (SQLException | IOException | RuntimeException e) {
                error = e.toString();
                out.println("  final check, attempt " + attempt + ": " + error);
                Thread.sleep(2_000);
            }
        }
        return new Check(-1, -1, null, -1, -1, null, null, -1, deadLetters, error);
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    // ------------------------------------------------------------------------------------------------ report

    record Summary(List<String> lines, Map<String, Object> json, List<String> failures) {
    }

    private Summary summarize(Settings s, LoadSampler sampler, Outcome o, Check c, boolean settled,
            Map<String, Double> cpuSeconds, Map<String, Object> watcherStats, Path csv) {
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<String, Object> json = new LinkedHashMap<>();
        double seconds = o.loadMs() / 1000.0;
        List<LoadSampler.Sample> loadSamples = sampler.samples().stream().filter(x -> x.phase().equals("load"))
                .toList();
        double[] load = loadSamples.stream().mapToDouble(LoadSampler.Sample::load1).filter(v -> v >= 0).sorted()
                .toArray();
        double loadMedian = load.length == 0 ? -1 : load[load.length / 2];
        double loadMax = load.length == 0 ? -1 : load[load.length - 1];

        lines.add(String.format(Locale.ROOT, "Sustained load, %s: %d s at %s, %d HTTP producers x %d records a "
                + "request%s; services %s, %s; load average median %.2f, max %.2f (%d cores)",
                Instant.now().truncatedTo(ChronoUnit.SECONDS), s.durationSeconds(),
                s.rate() == 0 ? "the highest rate answers allow"
                        : String.format(Locale.ROOT, "%,d records/s target",
                                s.rate()),
                s.producers(), s.recordsPerRequest(),
                s.sqsProducers() == 0 ? ""
                        : String.format(Locale.ROOT, ", %d SQS producers x %d records a message",
                                s.sqsProducers(), s.recordsPerMessage()),
                s.runtime(), s.serviceJavaOpts(), loadMedian, loadMax, Runtime.getRuntime().availableProcessors()));
        lines.add("");
        lines.add("| measure | value |");
        lines.add("| --- | ---: |");
        row(lines, "records acknowledged", String.format(Locale.ROOT, "%,d in %,d requests", o.acked(),
                o.ackedRequests()));
        row(lines, "throughput (acknowledged)", String.format(Locale.ROOT, "%,.0f records/s, %.2f MB/s", o.acked()
                / seconds, o.bytes() / 1e6 / seconds));
        row(lines, "not acknowledged (failed requests)", String.format(Locale.ROOT, "%,d records", o.failed()));
        row(lines, "backpressure answers (429/503), transport retries", backpressure.get() + ", "
                + transportRetries.get());
        if (s.rate() > 0) {
            row(lines, "furthest behind the target schedule", String.format(Locale.ROOT, "%,d ms",
                    maxScheduleLagMs.get()));
        }
        int[] req = sorted(o.requestMs());
        row(lines, "request latency (send to answer) p50 / p99 / max", String.format(Locale.ROOT,
                "%,d / %,d / %,d ms", pct(req, 50), pct(req, 99), max(req)));
        int[] lat = sorted(o.latencies());
        row(lines, "**end-to-end latency (acknowledged to queryable in Silver)** p50 / p90 / p99 / max",
                String.format(Locale.ROOT, "**%s / %s / %s / %s s**", sec(pct(lat, 50)), sec(pct(lat, 90)),
                        sec(pct(lat, 99)), sec(max(lat))));
        if (s.sqsProducers() > 0 && s.producers() > 0) {
            int[] http = sorted(Arrays.copyOf(o.latencies(), o.httpLatencies()));
            int[] queue = sorted(Arrays.copyOfRange(o.latencies(), o.httpLatencies(), o.latencies().length));
            row(lines, "of which sent over HTTP / over SQS: p50 / p99", String.format(Locale.ROOT,
                    "%s / %s s; %s / %s s", sec(pct(http, 50)), sec(pct(http, 99)), sec(pct(queue, 50)),
                    sec(pct(queue, 99))));
        }
        row(lines, settled ? "acknowledged records never seen in Silver"
                : "acknowledged records not (yet) seen in Silver: NOT DRAINED",
                String.format(Locale.ROOT, "%,d",
                        o.lost()));
        row(lines, "records seen that were never acknowledged", String.format(Locale.ROOT, "%,d", o.extra()));
        row(lines, "last record queryable after the load phase ended", String.format(Locale.ROOT, "%.1f s",
                (o.lastSeenMs() - o.loadMs()) / 1000.0));
        if (c.error() == null) {
            row(lines, "Silver (DuckDB): rows / distinct keys / sum(amount)", String.format(Locale.ROOT,
                    "%,d / %,d / %s (expected %,d / %,d / %s)", c.silverRows(), c.silverDistinct(), c.silverAmount()
                            .toPlainString(),
                    o.acked(), o.acked(), o.expectedAmount().toPlainString()));
            row(lines, "Silver files at the end; rows from elsewhere", String.format(Locale.ROOT, "%,d; %,d",
                    c.silverFiles(), c.silverOtherRows()));
            if (c.goldOrders() != null) {
                row(lines, "Gold daily_sales: sum(orders) / sum(revenue)", String.format(Locale.ROOT, "%,d / %s",
                        c.goldOrders(), c.goldRevenue().toPlainString()));
            }
            row(lines, "quarantine files; dead letters", c.quarantineFiles() + "; "
                    + c.deadLetters().values().stream().mapToLong(Long::longValue).sum());
        } else {
            row(lines, "final DuckDB check", "FAILED: " + c.error());
        }
        lines.add("");

        lines.add("End-to-end latency by minute of acknowledgement (s):");
        lines.add("");
        lines.add("| minute | records | p50 | p90 | p99 | max |");
        lines.add("| ---: | ---: | ---: | ---: | ---: | ---: |");
        Map<Integer, List<Integer>> byMinute = new TreeMap<>();
        for (int i = 0; i < o.latencies().length; i++) {
            byMinute.computeIfAbsent(o.latencyAckMs()[i] / 60_000, k -> new ArrayList<>()).add(o.latencies()[i]);
        }
        List<Map<String, Object>> minutes = new ArrayList<>();
        byMinute.forEach((minute, values) -> {
            int[] v = sorted(values.stream().mapToInt(Integer::intValue).toArray());
            lines.add(String.format(Locale.ROOT, "| %d | %,d | %s | %s | %s | %s |", minute + 1, v.length,
                    sec(pct(v, 50)), sec(pct(v, 90)), sec(pct(v, 99)), sec(max(v))));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("minute", minute + 1);
            m.put("records", v.length);
            m.put("p50_ms", pct(v, 50));
            m.put("p99_ms", pct(v, 99));
            m.put("max_ms", max(v));
            minutes.add(m);
        });
        lines.add("");

        lines.add(String.format(Locale.ROOT, "Memory (VmRSS sampled every %d ms from the start of the load to the "
                + "end of the check; peak = VmHWM since the process started); limit %,d MiB per service = heap %,d MiB "
                + "/ %.1f:", s.sampleIntervalMs(),
                s.rssLimitMib(), s.heapMib(), HEAP_SHARE_OF_LIMIT));
        lines.add("");
        lines.add("| process | RSS min | median | max | first minute | last minute | peak (VmHWM) | heap used, max | "
                + "direct buffers, max | CPU s | within limit |");
        lines.add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        Map<String, Object> memoryJson = new LinkedHashMap<>();
        for (String name : sampler.names()) {
            LoadSampler.Memory m = sampler.memory(name, null);
            if (m == null) {
                lines.add("| " + name + " | not readable | | | | | | | | | |");
                if (SERVICES.contains(name)) {
                    failures.add(name + "'s memory could not be read");
                }
                continue;
            }
            long peakKib = Math.max(m.hwmKib(), m.maxKib());
            boolean service = SERVICES.contains(name);
            boolean within = peakKib <= s.rssLimitMib() * 1024;
            if (service && !within) {
                failures.add(String.format(Locale.ROOT, "%s peaked at %,d MiB, over the %,d MiB limit", name,
                        peakKib / 1024, s.rssLimitMib()));
            }
            Double cpu = cpuSeconds.get(name);
            lines.add(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %,d | %s | %s | %s | %s |", name,
                    m.minKib() / 1024, m.medianKib() / 1024, m.maxKib() / 1024, m.firstMinuteMedianKib() / 1024,
                    m.lastMinuteMedianKib() / 1024, peakKib / 1024, mibOrBlank(m.maxHeapKib()),
                    mibOrBlank(m.maxDirectKib()), cpu == null ? "" : String.format(Locale.ROOT, "%.0f", cpu),
                    service ? (within ? "yes" : "**NO**") : "(not a service)"));
            Map<String, Object> mj = new LinkedHashMap<>();
            mj.put("rss_min_mib", m.minKib() / 1024);
            mj.put("rss_median_mib", m.medianKib() / 1024);
            mj.put("rss_max_mib", m.maxKib() / 1024);
            mj.put("rss_first_minute_median_mib", m.firstMinuteMedianKib() / 1024);
            mj.put("rss_last_minute_median_mib", m.lastMinuteMedianKib() / 1024);
            mj.put("peak_mib", peakKib / 1024);
            mj.put("heap_used_max_mib", m.maxHeapKib() < 0 ? null : m.maxHeapKib() / 1024);
            mj.put("direct_buffers_max_mib", m.maxDirectKib() < 0 ? null : m.maxDirectKib() / 1024);
            mj.put("cpu_s", cpu);
            mj.put("within_limit", service ? within : null);
            memoryJson.put(name, mj);
        }
        Double harnessCpu = cpuSeconds.get("harness");
        lines.add("");
        lines.add(String.format(Locale.ROOT, "RSS in MiB; heap and direct buffers: the services' own metrics "
                + "(/q/metrics, every 5 s); CPU s: user + system seconds during the load phase%s. "
                + "Latency is measured to the first listing of Silver that showed the record's object (polled every "
                + "%d ms), so it is overstated by up to that. Time series: %s",
                harnessCpu == null ? ""
                        : String.format(Locale.ROOT, " (the harness itself: %.0f)", harnessCpu),
                s.pollIntervalMs(), csv.getFileName()));

        if (!settled) {
            // records still queued are late, not lost: say so rather than count them as losses
            failures.add(String.format(Locale.ROOT, "NOT DRAINED: the pipeline had not caught up %d s after the load "
                    + "ended (%,d acknowledged records not yet in Silver, messages still queued); the accounting "
                    + "below compares a pipeline in mid-flight", s.drainTimeoutSeconds() + s.settleTimeoutSeconds(),
                    o.lost()));
        } else if (o.lost() > 0) {
            failures.add(String.format(Locale.ROOT, "%,d acknowledged records never reached Silver", o.lost()));
        }
        if (c.error() != null) {
            failures.add("the final DuckDB check failed: " + c.error());
        } else {
            if (settled ? c.silverRows() != o.acked() || c.silverDistinct() != o.acked()
                    : c.silverRows() != c.silverDistinct()) {
                failures.add(String.format(Locale.ROOT, "Silver holds %,d rows and %,d distinct keys of this run, "
                        + "%,d records were acknowledged", c.silverRows(), c.silverDistinct(), o.acked()));
            }
            if (settled && c.silverAmount().compareTo(o.expectedAmount()) != 0 && o.extra() == 0) {
                failures.add("Silver's sum(amount) " + c.silverAmount() + " is not the sent " + o.expectedAmount());
            }
            if (c.goldOrders() != null && c.silverOtherRows() == 0 && (c.goldOrders() != c.silverDistinct()
                    || c.goldRevenue().compareTo(c.silverAmount()) != 0)) {
                failures.add("Gold daily_sales counts " + c.goldOrders() + " orders and " + c.goldRevenue()
                        + " revenue, Silver " + c.silverDistinct() + " and " + c.silverAmount());
            }
            if (c.quarantineFiles() > 0) {
                failures.add(c.quarantineFiles() + " quarantine files, none expected");
            }
            if (c.deadLetters().values().stream().anyMatch(n -> n > 0)) {
                failures.add("dead letters: " + c.deadLetters());
            }
        }
        lines.add("");
        lines.add(failures.isEmpty() ? "Verdict: PASS (nothing lost, nothing doubled, memory within the limit)"
                : "Verdict: FAIL: " + String.join("; ", failures));

        json.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("step", STEP);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("duration_s", s.durationSeconds());
        settings.put("rate_records_per_s", s.rate());
        settings.put("http_producers", s.producers());
        settings.put("sqs_producers", s.sqsProducers());
        settings.put("records_per_request", s.recordsPerRequest());
        settings.put("records_per_message", s.recordsPerMessage());
        settings.put("poll_interval_ms", s.pollIntervalMs());
        settings.put("runtime", s.runtime());
        settings.put("service_java_opts", s.serviceJavaOpts());
        settings.put("rss_limit_mib", s.rssLimitMib());
        json.put("settings", settings);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("load_average_median_max", List.of(loadMedian, loadMax));
        json.put("acked_records", o.acked());
        json.put("acked_requests", o.ackedRequests());
        json.put("failed_records", o.failed());
        json.put("records_per_s", Math.round(o.acked() / seconds));
        json.put("mb_per_s", IngestBench.round(o.bytes() / 1e6 / seconds));
        json.put("backpressure_responses", backpressure.get());
        json.put("transport_retries", transportRetries.get());
        json.put("max_schedule_lag_ms", maxScheduleLagMs.get());
        json.put("request_ms_p50_p99_max", List.of(pct(req, 50), pct(req, 99), max(req)));
        json.put("latency_ms_p50_p90_p99_max", List.of(pct(lat, 50), pct(lat, 90), pct(lat, 99), max(lat)));
        json.put("latency_by_minute", minutes);
        json.put("lost", o.lost());
        json.put("drained", settled);
        json.put("extra", o.extra());
        json.put("silver_rows", c.silverRows());
        json.put("silver_distinct_keys", c.silverDistinct());
        json.put("silver_amount", c.silverAmount() == null ? null : c.silverAmount().toPlainString());
        json.put("expected_amount", o.expectedAmount().toPlainString());
        json.put("gold_orders", c.goldOrders());
        json.put("quarantine_files", c.quarantineFiles());
        json.put("dead_letters", c.deadLetters());
        json.put("memory", memoryJson);
        json.put("watcher", watcherStats);
        json.put("time_series", csv.toString());
        json.put("failures", failures);
        return new Summary(lines, json, failures);
    }

    private static String mibOrBlank(long kib) {
        return kib < 0 ? "" : String.format(Locale.ROOT, "%,d", kib / 1024);
    }

    private static void row(List<String> lines, String measure, String value) {
        lines.add("| " + measure + " | " + value + " |");
    }

    private static int[] sorted(int[] values) {
        int[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    /** The nearest-rank percentile of sorted values, or -1 when there are none. */
    static int pct(int[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static int max(int[] sorted) {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }

    private static String sec(int ms) {
        return ms < 0 ? "-" : String.format(Locale.ROOT, "%.2f", ms / 1000.0);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Every service and server with a live pid file in {@code <home>/run}, in a fixed order. */
    static Map<String, Long> processes(Path home) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String name : List.of("ingest-service", "transform-service", "compaction-service", "catalog-service",
                "s3", "sqs")) {
            Path file = home.resolve("run").resolve(name + ".pid");
            if (Files.isReadable(file)) {
                try {
                    long pid = Long.parseLong(Files.readString(file).trim());
                    if (RssSampler.readable(pid)) {
                        pids.put(name, pid);
                    }
                } catch (NumberFormatException e) {
                    // not a pid: left out
                }
            }
        }
        pids.put("harness", ProcessHandle.current().pid());
        return pids;
    }

    /** Interrupts a background task and waits until it has stopped. */
    private static void stop(ExecutorService pool) throws InterruptedException {
        pool.shutdownNow();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Cannot stop a background task of the load run within 60 s");
        }
    }

    private static void get(Future<?> f) throws Exception {
        try {
            f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new RuntimeException(e.getCause());
        }
    }

    private static void append(Path results, Map<String, Object> line) throws IOException {
        Files.createDirectories(results.toAbsolutePath().getParent());
        Files.writeString(results, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
