package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

class LoadBenchTest {

    @Test
    void bodiesAreTheGeneratorsRecordsWithStampedKeysAndTheSendTime() throws Exception {
        LoadRecords records = new LoadRecords("run1", 100, 42);
        Instant now = Instant.parse("2026-12-06T08:40:12.345Z");

        String[] lines = new String(records.body(3, 250, 4, now), StandardCharsets.UTF_8).split("\n");

        assertThat(lines).hasSize(4);
        BigDecimal sum = BigDecimal.ZERO.setScale(2);
        for (int i = 0; i < lines.length; i++) {
            JsonNode n = SalesRecords.MAPPER.readTree(lines[i]);
            assertThat(n.get("order_id").asText()).isEqualTo("ld-run1-003-0000000" + (250 + i))
                    .isEqualTo(records.key(3, 250 + i));
            assertThat(n.get("ts").asText()).isEqualTo("2026-12-06T08:40:12Z");
            assertThat(SalesRecords.classify(lines[i])).isNull();
            assertThat(n.get("amount").decimalValue())
                    .isEqualByComparingTo(BigDecimal.valueOf(records.amountCents(3, 250 + i), 2));
            sum = sum.add(n.get("amount").decimalValue());
        }
        assertThat(sum).isPositive();
        assertThat(records.keyPrefix()).isEqualTo("ld-run1-");
        assertThatThrownBy(() -> new LoadRecords("Bad-Tag", 10, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLedgerKeepsEachRecordsFirstSightingAndNoticesKeysNeverSent() {
        LoadLedger.Producer p = new LoadLedger(1).producer(0);
        p.request(2, 100, 150);
        p.request(2, 200, LoadLedger.NOT_ACKED);

        assertThat(p.seen(1, 3_000)).isTrue();
        assertThat(p.seen(1, 4_000)).isFalse(); // compaction's merged file: the first sighting counts
        assertThat(p.seen(7, 5_000)).isTrue();

        assertThat(p.seenMs(1)).isEqualTo(3_000);
        assertThat(p.seenMs(0)).isEqualTo(LoadLedger.NOT_SEEN);
        assertThat(p.seenMs(5_000)).isEqualTo(LoadLedger.NOT_SEEN);
        assertThat(p.seenBeyondSent()).isEqualTo(1);
        assertThat(p.requests()).isEqualTo(2);
        assertThat(p.ackMs(1)).isEqualTo(LoadLedger.NOT_ACKED);
    }

    @Test
    void readsTheHeapFromJavaOptionsAndDerivesTheMemoryLimit() {
        assertThat(LoadBench.xmxMib("-Xmx512m")).isEqualTo(512);
        assertThat(LoadBench.xmxMib("-Xms64m -Xmx1g -XX:+UseSerialGC")).isEqualTo(1024);
        assertThat(LoadBench.xmxMib("-Xmx256m -Xmx384M")).isEqualTo(384);
        assertThat(LoadBench.xmxMib("-XX:MaxRAMPercentage=70")).isZero();

        LoadBench.Settings s = LoadBench.settings(Harness.Args.parse("--duration", "10"),
                Map.of("MEDALLION_SERVICE_JAVA_OPTS", "-Xmx512m", "MEDALLION_S3_DATA_DIR", "/tmp/s3"),
                Path.of("results/results.jsonl"));
        assertThat(s.heapMib()).isEqualTo(512);
        assertThat(s.rssLimitMib()).isEqualTo(731);
        assertThatThrownBy(() -> LoadBench.settings(Harness.Args.parse(),
                Map.of("MEDALLION_SERVICE_JAVA_OPTS", "-Xss1m", "MEDALLION_S3_DATA_DIR", "/tmp/s3"),
                Path.of("results.jsonl"))).isInstanceOf(UsageException.class).hasMessageContaining("--heap-mib");
    }

    @Test
    void readsHeapAndDirectBuffersFromTheServicesMetrics() {
        String page = """
                # HELP jvm_memory_used_bytes The amount of used memory
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 3.64067328E8
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.8874368E7
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 6.0E7
                jvm_buffer_memory_used_bytes{id="mapped"} 0.0
                jvm_buffer_memory_used_bytes{id="direct"} 3.38332824E8
                """;

        assertThat(LoadSampler.heapAndDirectKib(page)).containsExactly((364_067_328L + 18_874_368L) / 1024,
                338_332_824L / 1024);
        assertThat(LoadSampler.heapAndDirectKib("# nothing\n")).containsExactly(-1, -1);
    }

    @Test
    void percentilesAreNearestRank() {
        int[] sorted = new int[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertThat(LoadBench.pct(sorted, 50)).isEqualTo(50);
        assertThat(LoadBench.pct(sorted, 99)).isEqualTo(99);
        assertThat(LoadBench.pct(sorted, 100)).isEqualTo(100);
        assertThat(LoadBench.pct(new int[] { 7 }, 99)).isEqualTo(7);
        assertThat(LoadBench.pct(new int[0], 50)).isEqualTo(-1);
    }
}
