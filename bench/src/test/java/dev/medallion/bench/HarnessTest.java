package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class HarnessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Harness harness = new Harness(new PrintStream(printed, true, StandardCharsets.UTF_8));

    @Test
    void parsesBothOptionForms() {
        Harness.Args a = Harness.Args.parse("--records", "1_000_000", "--seed=7", "--bad-fraction", "0.5");

        assertThat(a.longValue("records", 0)).isEqualTo(1_000_000);
        assertThat(a.longValue("seed", 0)).isEqualTo(7);
        assertThat(a.doubleValue("bad-fraction", 0)).isEqualTo(0.5);
        assertThat(a.longValue("runs", 3)).isEqualTo(3);
    }

    @Test
    void rejectsUnknownOrIncompleteOptions() {
        assertThatThrownBy(() -> harness.run("--recrods", "5")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown option --recrods");
        assertThatThrownBy(() -> harness.run("--records")).isInstanceOf(UsageException.class)
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> harness.run("--engines", "spark")).isInstanceOf(UsageException.class);
    }

    @Test
    void generateWritesTheFileAndItsExpectedValues() throws Exception {
        Path file = dir.resolve("out/sales.ndjson.gz");
        Path stats = dir.resolve("stats.json");

        harness.run("generate", "--records", "500", "--seed", "5", "--bad-fraction", "0.1", "--out", file.toString(),
                "--stats", stats.toString());

        GenerationStats expected = new SalesGenerator(SalesGenerator.Options.records(500).withSeed(5)
                .withBadFraction(0.1)).stats();
        JsonNode json = JSON.readTree(stats.toFile());
        assertThat(Files.size(file)).isEqualTo(json.get("file_bytes").asLong()).isPositive();
        assertThat(json.get("records").asLong()).isEqualTo(500);
        assertThat(json.get("good_rows").asLong()).isEqualTo(expected.goodRows());
        assertThat(json.get("good_amount_sum").decimalValue()).isEqualTo(expected.goodAmountSum());
        assertThat(json.get("bad").get("malformed_json").asLong()).isEqualTo(expected.bad(BadKind.MALFORMED_JSON));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("\"good_rows\":" + expected.goodRows());
    }

    @Test
    void duckDbSideWritesVerifiedPartitionedParquet() throws Exception {
        Path results = dir.resolve("results/results.jsonl");

        harness.run("--engines", "duckdb", "--steps", "ndjson-to-parquet", "--records", "2000", "--bad-fraction",
                "0.05", "--warmup", "0", "--runs", "1", "--work-dir", dir.resolve("work").toString(), "--results",
                results.toString());

        List<String> lines = Files.readAllLines(results);
        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.get("step").asText()).isEqualTo("ndjson-to-parquet");
        long good = line.get("expected").get("good_rows").asLong();
        assertThat(good).isBetween(1_800L, 1_950L);
        assertThat(line.get("engines").get("duckdb").get("rows").asLong()).isEqualTo(good);
        assertThat(line.get("engines").has("ours")).isFalse();
        assertThat(line.get("ratio_ours_over_duckdb").isNull()).isTrue();
        assertThat(line.get("machine").get("cores").asInt()).isPositive();
        try (var files = Files.walk(dir.resolve("work/ndjson-to-parquet"))) {
            assertThat(files.map(Path::toString).filter(p -> p.endsWith(".parquet")))
                    .allMatch(p -> p.matches(".*/silver/sales/year=2026/month=\\d\\d/day=\\d\\d/[^/]+\\.parquet"))
                    .isNotEmpty();
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("verified:").contains("cores:");
    }

    @Test
    void ourGoldAndDuckDbsAgreeDayByDayAndWithTheGenerator() throws Exception {
        Path results = dir.resolve("gold.jsonl");

        harness.run("--steps", "silver-to-gold", "--records", "3000", "--bad-fraction", "0.02", "--warmup", "0",
                "--runs", "1", "--work-dir", dir.resolve("work").toString(), "--results", results.toString());

        JsonNode line = JSON.readTree(Files.readAllLines(results).get(0));
        assertThat(line.get("step").asText()).isEqualTo("silver-to-gold");
        assertThat(line.get("verified").asText()).contains("ours and duckdb").contains("orders and revenue equal");
        assertThat(line.get("engines").get("ours").get("rows").asLong())
                .isEqualTo(line.get("engines").get("duckdb").get("rows").asLong()).isPositive();
    }

    @Test
    void duckDbReadJsonIsExactOnCleanInput() throws Exception {
        harness.run("--engines", "duckdb", "--duckdb-reader", "read_json", "--records", "1000", "--bad-fraction", "0",
                "--warmup", "0", "--runs", "1", "--work-dir", dir.resolve("work").toString(), "--results",
                dir.resolve("r.jsonl").toString());

        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("verified: duckdb");
    }

    @Test
    void bothEnginesAgreeAndARatioIsReported() throws Exception {
        Path results = dir.resolve("r.jsonl");

        harness.run("--records", "3000", "--bad-fraction", "0.05", "--warmup", "1", "--runs", "2", "--work-dir",
                dir.resolve("work").toString(), "--results", results.toString());

        JsonNode line = JSON.readTree(Files.readAllLines(results).get(0));
        long good = line.get("expected").get("good_rows").asLong();
        assertThat(line.get("engines").get("ours").get("rows").asLong()).isEqualTo(good);
        assertThat(line.get("engines").get("duckdb").get("rows").asLong()).isEqualTo(good);
        assertThat(line.get("engines").get("ours").get("runs_s")).hasSize(2);
        assertThat(line.get("ratio_ours_over_duckdb").asDouble()).isPositive();
        assertThat(line.get("cpu_ratio_ours_over_duckdb").asDouble()).isPositive();
        assertThat(line.get("load_average_before_after")).hasSize(2);
        assertThat(line.get("verified").asText()).startsWith("ours and duckdb");
    }
}
