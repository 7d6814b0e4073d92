package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.medallion.systemtests.FaultInjectingProxy.Fault;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Faults, scenarios 2 to 5, one after another on one pipeline whose services reach S3 through a
 * {@link FaultInjectingProxy} and stage their uploads in a small filesystem of their own: the S3 and SQS servers
 * stopped and restarted mid-run; S3 throttling, server errors, connection resets and slow answers; SQS redelivery,
 * duplicate and out-of-order delivery; a full staging directory. Records flow during each fault, and after each
 * scenario {@link Ledger} checks the exact accounting of everything sent since the pipeline started.
 *
 * <p>
 * Fast (CI): 8,000 records per scenario. Soak ({@code -Psoak}): 200,000.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsSystemIT {
    private static final int RECORDS = Soak.pick(8_000, 200_000);
    private static final int HTTP_BATCH = 500;
    private static final int QUEUE_BATCH = 250;
    private static final Duration DRAIN = Duration.ofMinutes(Soak.pick(4, 20));

    private static LocalPipeline pipeline;
    private static FaultInjectingProxy proxy;
    private static Ledger ledger;
    private static StagingDisk staging;
    private static S3Client s3;
    private static final Random RANDOM = new Random();

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = new LocalPipeline(Path.of("target/faults").toAbsolutePath());
        StagingDisk.release(pipeline.home.resolve("staging"));
        ServiceKillSystemIT.deleteHome(pipeline.home);
        staging = StagingDisk.create(pipeline.home.resolve("staging"), 128);
        proxy = new FaultInjectingProxy(pipeline.ports.get("s3"));
        pipeline.environment.putAll(Ledger.settings());
        // the services (only they) reach S3 through the proxy: a system property outranks services.sh's environment
        pipeline.environment.put("MEDALLION_SERVICE_JAVA_OPTS",
                "-Xmx384m -XX:+UseSerialGC -Dquarkus.s3.endpoint-override=" + proxy.endpoint());
        pipeline.start();
        ledger = new Ledger(pipeline);
        s3 = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + pipeline.ports.get("s3")))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("medallion", "medallion-local-secret")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (ledger != null) {
            ledger.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (staging != null) {
            staging.close();
        }
    }

    @Test
    @Order(1)
    void theS3AndSqsServersStopAndComeBackMidRun() throws Exception {
        assertThat(proxy.requests()).as("the services talk to S3 through the proxy").isPositive();
        long refusedBefore = refused();
        ledger.plantPoison("outage");
        CompletableFuture<Void> sending = send("outage", 0, false);
        Thread.sleep(1_500);
        pipeline.stopServer("s3");
        Thread.sleep(6_000);
        pipeline.startServers();
        Thread.sleep(3_000);
        pipeline.stopServer("sqs");
        Thread.sleep(6_000);
        pipeline.startServers();
        sending.get(10, TimeUnit.MINUTES);
        assertThat(refused() - refusedBefore + ledger.sqsSendFailures.get()).as("producers saw the outages")
                .isPositive();

        report("S3 and SQS servers restarted", ledger.assertExactlyOnce("outages", DRAIN));
    }

    @Test
    @Order(2)
    void s3ThrottlesFailsResetsAndSlowsDown() throws Exception {
        ledger.plantPoison("s3-faults");
        long requestsBefore = proxy.requests();
        proxy.inject(Fault.SLOW_DOWN, 0.04);
        proxy.inject(Fault.INTERNAL_ERROR, 0.03);
        proxy.inject(Fault.RESET_REQUEST, 0.02);
        proxy.inject(Fault.RESET_RESPONSE, 0.02);
        proxy.inject(Fault.SLOW, 0.04);
        try {
            send("s3faults", 1, false).get(10, TimeUnit.MINUTES);
            Thread.sleep(10_000); // the faults go on while the records just sent are promoted and compacted
        } finally {
            proxy.clearFaults();
        }
        assertThat(proxy.injected()).as("faults injected").allSatisfy((fault, n) -> assertThat(n).as("%s", fault)
                .isPositive());
        System.out.printf("FAULTS S3 faults injected: %s in %d requests%n", proxy.injected(),
                proxy.requests() - requestsBefore);

        report("S3 503/500/resets/slow", ledger.assertExactlyOnce("S3 faults", DRAIN));
    }

    @Test
    @Order(3)
    void aFullStagingDirectoryRefusesRatherThanLoses() throws Exception {
        ledger.plantPoison("full");
        long unavailableBefore = ledger.refusals.getOrDefault(503, new AtomicLong()).get();
        staging.fill();
        CompletableFuture<Void> sending;
        try {
            sending = send("full", 2, false);
            Thread.sleep(12_000);
        } finally {
            staging.free();
        }
        sending.get(10, TimeUnit.MINUTES);
        long unavailable = ledger.refusals.getOrDefault(503, new AtomicLong()).get() - unavailableBefore;
        System.out.printf("FAULTS full staging (%s): %d requests answered 503 while it was full%n", staging.how(),
                unavailable);
        assertThat(unavailable).as("requests refused with 503 while the staging directory was full").isPositive();

        report("staging directory full", ledger.assertExactlyOnce("full staging directory", DRAIN));
    }

    /**
     * Ingest and transform run with a 3 s visibility timeout (extended each second while a message is held) while a
     * rogue consumer receives from their queues with a 1 s visibility and never deletes, as a consumer that dies with
     * every message would: each message is delivered again, some while their first delivery is still being handled.
     * Every ingest-queue message is sent twice, with random delays (so out of order); objects other tools put into
     * Bronze are announced by S3 event notifications and EventBridge events, each twice, shuffled, delayed; and
     * Bronze objects already promoted are announced again.
     */
    @Test
    @Order(4)
    void sqsRedeliversDuplicatesAndReorders() throws Exception {
        ledger.plantPoison("redelivery");
        for (String service : List.of("ingest", "transform")) {
            pipeline.terminate(service);
        }
        pipeline.environment.put("MEDALLION_INGEST_SQS_CONSUMER_VISIBILITY_TIMEOUT", "3s");
        pipeline.environment.put("MEDALLION_TRANSFORM_CONSUMER_VISIBILITY_TIMEOUT", "3s");
        pipeline.restart();

        AtomicBoolean stealing = new AtomicBoolean(true);
        AtomicLong stolen = new AtomicLong();
        ExecutorService rogue = Executors.newFixedThreadPool(2);
        for (String queue : List.of("medallion-ingest", "medallion-transform")) {
            rogue.submit(() -> steal(queue, stealing, stolen));
        }
        try {
            CompletableFuture<Void> sending = send("redeliver", 3, true);
            List<String> alreadyPromoted = bronzeKeys("bronze/sales/");
            int announcedByTools = putObjectsAsOtherToolsDoAndAnnounceTwice("tools", 4);
            announceAgain(alreadyPromoted.subList(0, Math.min(20, alreadyPromoted.size())));
            sending.get(10, TimeUnit.MINUTES);
            Thread.sleep(8_000);
            assertThat(announcedByTools).isPositive();
        } finally {
            stealing.set(false);
            rogue.shutdown();
            rogue.awaitTermination(1, TimeUnit.MINUTES);
        }
        System.out.printf("FAULTS redelivery: %d deliveries taken by the rogue consumer%n", stolen.get());
        assertThat(stolen.get()).as("deliveries the rogue consumer took and gave back").isPositive();

        report("SQS redelivery, duplicates, out of order", ledger.assertExactlyOnce("redelivery", DRAIN));
        // counted since transform restarted with the short visibility timeout, read once every queue is empty
        double skipped = metric("transform", "medallion_transform_sources_skipped_total");
        System.out.printf("FAULTS redelivery: %.0f announcements of objects already promoted skipped%n", skipped);
        assertThat(skipped).as("objects announced again, skipped as promoted").isPositive();
    }

    // ------------------------------------------------------------------------------------------------ producers

    /**
     * {@link #RECORDS} records (plus one set of bad records), half over HTTP by two clients, half through the ingest
     * queue, each message twice when {@code twice}, with a random delay of up to 4 s when {@code twice}.
     */
    private static CompletableFuture<Void> send(String tag, long seed, boolean twice) {
        ExecutorService producers = Executors.newFixedThreadPool(3);
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        int overHttp = RECORDS / 2;
        for (int client = 0; client < 2; client++) {
            int c = client;
            int count = overHttp / 2;
            sending.add(CompletableFuture.runAsync(() -> {
                for (int from = 0; from < count; from += HTTP_BATCH) {
                    String prefix = tag + "h" + c + "b" + from;
                    List<String> lines = new ArrayList<>(Ledger.sales(prefix, Math.min(HTTP_BATCH, count - from),
                            seed * 1_000_003L + c * 100_000L + from));
                    if (from == 0 && c == 0) {
                        lines.addAll(lines.size() / 2, Ledger.badRecords(tag));
                    }
                    ledger.postUntilAcknowledged(prefix, lines, Duration.ofMinutes(5));
                }
            }, producers));
        }
        int overQueue = RECORDS - 2 * (overHttp / 2);
        sending.add(CompletableFuture.runAsync(() -> {
            for (int from = 0; from < overQueue; from += QUEUE_BATCH) {
                List<String> lines = Ledger.sales(tag + "q" + from, Math.min(QUEUE_BATCH, overQueue - from),
                        seed * 7_000_001L + from);
                ledger.sendToIngestQueue(lines, twice ? RANDOM.nextInt(5) : 0, Duration.ofMinutes(5));
                if (twice) {
                    ledger.sendToIngestQueue(lines, RANDOM.nextInt(5), Duration.ofMinutes(5));
                }
            }
        }, producers));
        return CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new))
                .whenComplete((ok, failure) -> producers.shutdown());
    }

    /** The sum of a metric's samples on a service's metrics page. */
    private static double metric(String service, String name) throws Exception {
        String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(pipeline.url(service)
                + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return page.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static long refused() {
        return ledger.refusals.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Receives with a 1 s visibility and never deletes: every message taken comes back. */
    private static void steal(String queue, AtomicBoolean stealing, AtomicLong stolen) {
        String url = ledger.queueUrl(queue);
        while (stealing.get()) {
            try {
                List<Message> taken = ledger.sqs().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(2)
                        .visibilityTimeout(1).waitTimeSeconds(1)).messages();
                stolen.addAndGet(taken.size());
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the queue server is busy; try again
            }
        }
    }

    /**
     * Puts NDJSON objects into Bronze directly, as other tools do (no segment headers), then announces each twice, as
     * an S3 event notification and as an EventBridge event, all shuffled and some delayed; books their records once
     * each is stored. Returns the announcements sent.
     */
    private static int putObjectsAsOtherToolsDoAndAnnounceTwice(String tag, long seed) throws IOException {
        List<String> events = new ArrayList<>();
        int objects = 8;
        int perObject = Math.max(1, RECORDS / 4 / objects);
        for (int i = 0; i < objects; i++) {
            List<String> lines = Ledger.sales(tag + "o" + i, perObject, seed * 31L + i);
            String key = "bronze/sales/ingest_date=2026-09-30/hour=0" + (i % 3) + "/" + tag + "-" + i + ".ndjson.gz";
            var gz = new ByteArrayOutputStream();
            try (OutputStream out = new GZIPOutputStream(gz)) {
                out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            s3.putObject(b -> b.bucket("lake").key(key), RequestBody.fromBytes(gz.toByteArray()));
            ledger.acknowledged(lines);
            events.add("{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{"
                    + "\"bucket\":{\"name\":\"lake\"},\"object\":{\"key\":\"" + URLEncoder.encode(key,
                            StandardCharsets.UTF_8)
                    + "\"}}}]}");
            events.add("{\"source\":\"aws.s3\",\"detail-type\":\"Object Created\",\"detail\":{\"bucket\":{"
                    + "\"name\":\"lake\"},\"object\":{\"key\":\"" + key + "\"}}}");
        }
        Collections.shuffle(events, RANDOM);
        String transform = ledger.queueUrl("medallion-transform");
        for (String event : events) {
            ledger.sqs().sendMessage(b -> b.queueUrl(transform).messageBody(event).delaySeconds(RANDOM.nextInt(4)));
        }
        return events.size();
    }

    /** Announces Bronze objects already promoted once more: each must be skipped. */
    private static void announceAgain(List<String> keys) {
        String transform = ledger.queueUrl("medallion-transform");
        for (String key : keys) {
            ledger.sqs().sendMessage(b -> b.queueUrl(transform).messageBody("{\"Records\":[{\"eventSource\":"
                    + "\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"lake\"},"
                    + "\"object\":{\"key\":\"" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "\"}}}]}"));
        }
    }

    private static List<String> bronzeKeys(String prefix) throws IOException {
        Path root = pipeline.lakeDir().resolve(prefix);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> pipeline.lakeDir().relativize(f).toString()).sorted()
                    .toList();
        }
    }

    private static void report(String scenario, Ledger.Outcome outcome) {
        proxy.assertHealthy();
        System.out.printf("FAULTS %s: %s%n", scenario, outcome);
        assertThat(outcome.lost()).isZero();
        assertThat(outcome.duplicated()).isZero();
    }

    /**
     * The services' staging folder on a filesystem of its own, which the test can fill: a tmpfs of a fixed size
     * where mounting is allowed (root, or password-less sudo), which fills up like a real disk (ENOSPC mid-write).
     * Elsewhere the folder is made unwritable instead, so every staged write fails at its start.
     */
    static final class StagingDisk implements AutoCloseable {
        private final Path dir;
        private final boolean mounted;

        private StagingDisk(Path dir, boolean mounted) {
            this.dir = dir;
            this.mounted = mounted;
        }

        static StagingDisk create(Path dir, int megabytes) throws Exception {
            Files.createDirectories(dir);
            boolean mounted = command("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "medallion-staging",
                    dir.toString())
                    || command("sudo", "-n", "mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m",
                            "medallion-staging", dir.toString());
            return new StagingDisk(dir, mounted);
        }

        /** Unmounts what an earlier run may have left mounted there. */
        static void release(Path dir) throws Exception {
            if (Files.isDirectory(dir)) {
                if (!command("umount", dir.toString())) {
                    command("sudo", "-n", "umount", dir.toString());
                }
            }
        }

        String how() {
            return mounted ? "tmpfs filled to the last byte" : "staging folders made unwritable";
        }

        /** No space left (or no writes allowed) from now on. */
        void fill() throws IOException {
            if (mounted) {
                byte[] block = new byte[1 << 20];
                try (OutputStream out = Files.newOutputStream(dir.resolve("filler"))) {
                    while (true) {
                        out.write(block);
                    }
                } catch (IOException e) {
                    // no space left on the device: what we wanted
                }
                assertThat(dir.toFile().getUsableSpace()).as("space left in the staging filesystem").isLessThan(
                        64 * 1024);
            } else {
                try (Stream<Path> folders = Files.list(dir)) {
                    folders.forEach(f -> f.toFile().setWritable(false, false));
                }
            }
        }

        void free() throws IOException {
            if (mounted) {
                Files.deleteIfExists(dir.resolve("filler"));
            } else {
                try (Stream<Path> folders = Files.list(dir)) {
                    folders.forEach(f -> f.toFile().setWritable(true, false));
                }
            }
        }

        @Override
        public void close() throws Exception {
            if (mounted) {
                release(dir);
            }
        }

        private static boolean command(String... command) throws InterruptedException {
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
