package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults, scenario 1: every service is killed with SIGKILL at random moments while records flow, and restarted,
 * round after round. Each round sends its share of the records (over HTTP in requests of 1,000, retried with their
 * Idempotency-Key until acknowledged, and through the ingest queue in messages of 400) plus a few bad records, and
 * kills one service (each service in turn, in a random order) somewhere in the middle. At the end {@link Ledger}
 * checks the exact accounting: every acknowledged record in Silver (after compaction) and Gold exactly once,
 * quarantine and the dead-letter queues holding exactly what was planted.
 *
 * <p>
 * Fast (CI): 40,000 records in 4 rounds. Soak ({@code -Psoak}): 1,000,000 records in 12 rounds.
 */
class ServiceKillSystemIT {
    private static final List<String> SERVICES = List.of("ingest", "transform", "compaction", "catalog");
    private static final int RECORDS = Soak.pick(40_000, 1_000_000);
    private static final int ROUNDS = Soak.pick(4, 12);
    /** At least {@link #RECORDS} in all: 1,000,000 does not divide into 12 rounds. */
    private static final int PER_ROUND = (RECORDS + ROUNDS - 1) / ROUNDS;
    private static final int HTTP_BATCH = 1_000;
    private static final int QUEUE_BATCH = 400;

    private static LocalPipeline pipeline;
    private static Ledger ledger;

    @BeforeAll
    static void startPipeline() throws Exception {
        pipeline = new LocalPipeline(Path.of("target/service-kill").toAbsolutePath());
        deleteHome(pipeline.home);
        pipeline.environment.putAll(Ledger.settings());
        pipeline.start();
        ledger = new Ledger(pipeline);
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (ledger != null) {
            ledger.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void everyServiceKilledAtRandomPointsLosesAndDuplicatesNothing() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<String> victims = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round += SERVICES.size()) {
            List<String> order = new ArrayList<>(SERVICES);
            Collections.shuffle(order, random);
            victims.addAll(order);
        }
        ledger.plantPoison("kill");
        ExecutorService producers = Executors.newFixedThreadPool(3);
        long started = System.nanoTime();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<CompletableFuture<Void>> sending = sendRound(round, PER_ROUND, producers);
                Thread.sleep(500 + random.nextInt(3_000)); // the kill lands wherever the pipeline is by then
                String victim = victims.get(round);
                pipeline.kill(victim);
                pipeline.restart();
                CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(15, TimeUnit.MINUTES);
                System.out.printf("FAULTS kill round %d: killed %s-service (seed %d)%n", round, victim, seed);
            }
        } finally {
            producers.shutdownNow();
        }
        assertThat(ledger.expectedRecords()).isEqualTo((long) PER_ROUND * ROUNDS);

        Ledger.Outcome outcome = ledger.assertExactlyOnce("service kills (seed " + seed + ")",
                Duration.ofMinutes(Soak.pick(6, 40)));
        System.out.printf("FAULTS service kills: %s in %d s, %d rounds (seed %d)%n", outcome,
                (System.nanoTime() - started) / 1_000_000_000, ROUNDS, seed);
        assertThat(outcome.quarantined()).isEqualTo(4L * ROUNDS);
        assertThat(outcome.deadLettered()).isEqualTo(4);
    }

    /** This round's records: two HTTP producers and one on the ingest queue, with the round's bad records. */
    private static List<CompletableFuture<Void>> sendRound(int round, int records, ExecutorService producers) {
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        int overHttp = records / 2;
        for (int client = 0; client < 2; client++) {
            int first = client * (overHttp / 2);
            int count = client == 0 ? overHttp / 2 : overHttp - overHttp / 2;
            int c = client;
            sending.add(CompletableFuture.runAsync(() -> {
                for (int from = 0; from < count; from += HTTP_BATCH) {
                    String prefix = "r" + round + "h" + c + "b" + from;
                    List<String> lines = new ArrayList<>(Ledger.sales(prefix, Math.min(HTTP_BATCH, count - from),
                            round * 1_000_003L + first + from));
                    if (from == 0 && c == 0) {
                        lines.addAll(lines.size() / 2, Ledger.badRecords("r" + round));
                    }
                    ledger.postUntilAcknowledged(prefix, lines, Duration.ofMinutes(5));
                }
            }, producers));
        }
        int overQueue = records - overHttp;
        sending.add(CompletableFuture.runAsync(() -> {
            for (int from = 0; from < overQueue; from += QUEUE_BATCH) {
                String prefix = "r" + round + "q" + from;
                ledger.sendToIngestQueue(Ledger.sales(prefix, Math.min(QUEUE_BATCH, overQueue - from),
                        round * 7_000_001L + from), 0, Duration.ofMinutes(5));
            }
        }, producers));
        return sending;
    }

    static void deleteHome(Path home) throws Exception {
        if (Files.exists(home)) {
            try (Stream<Path> old = Files.walk(home)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
