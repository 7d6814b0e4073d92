package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

class SalesGeneratorTest {

    private static final SalesGenerator.Options SMALL = SalesGenerator.Options.records(2_000).withSeed(7)
            .withBadFraction(0.05);

    @TempDir
    Path dir;

    @Test
    void timeOrderedInputHasTheSameRecordsWithRisingEventTimes() throws IOException {
        var options = SalesGenerator.Options.records(5_000).withSeed(9).withBadFraction(0.02);
        var random = new ByteArrayOutputStream();
        var ordered = new ByteArrayOutputStream();
        GenerationStats randomStats = new SalesGenerator(options).writeTo(random);
        GenerationStats orderedStats = new SalesGenerator(options.withTimeOrder(true)).writeTo(ordered);

        assertThat(orderedStats.goodRows()).isEqualTo(randomStats.goodRows());
        assertThat(orderedStats.goodAmountSum()).isEqualTo(randomStats.goodAmountSum());
        Instant previous = Instant.MIN;
        int read = 0;
        for (String line : ordered.toString(StandardCharsets.UTF_8).lines().toList()) {
            java.util.regex.Matcher ts = java.util.regex.Pattern.compile("\"ts\":\"(\\d{4}-[^\"]+Z)\"").matcher(line);
            if (ts.find() && !line.contains("2026-13-")) { // the planted unparseable times are not in order
                Instant time = Instant.parse(ts.group(1));
                assertThat(time).isAfterOrEqualTo(previous);
                previous = time;
                read++;
            }
        }
        assertThat(read).isGreaterThan(4_800);
        assertThatThrownBy(() -> SalesGenerator.Options.targetBytes(1_000).withTimeOrder(true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameOptionsGiveTheSameBytes() throws IOException {
        byte[] first = bytes(SMALL);
        byte[] second = bytes(SMALL);

        assertThat(second).isEqualTo(first);
        assertThat(bytes(SMALL.withSeed(8))).isNotEqualTo(first);
    }

    @Test
    void outputIsPinned() throws Exception {
        // Changing the generator changes every published number: update this hash only on purpose.
        byte[] out = bytes(SalesGenerator.Options.records(1_000).withSeed(42).withBadFraction(0.01));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(out));

        assertThat(new String(out, 0, 120, StandardCharsets.US_ASCII))
                .startsWith("{\"order_id\":\"o-000000000\",\"customer_id\":\"c-");
        assertThat(sha).isEqualTo(PINNED_SHA256);
    }

    static final String PINNED_SHA256 = "572bbe78d3f41496824c4c8ab6d1a4e11a872fb42fc4b4307bd1d1d1c66f4a63";

    @Test
    void statsMatchAnIndependentReading() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GenerationStats stats = new SalesGenerator(SMALL).writeTo(out);
        List<String> lines = out.toString(StandardCharsets.US_ASCII).lines().toList();

        Map<BadKind, Long> bad = new EnumMap<>(BadKind.class);
        BigDecimal sum = BigDecimal.ZERO;
        long good = 0;
        for (String line : lines) {
            BadKind kind = SalesRecords.classify(line);
            if (kind == null) {
                good++;
                sum = sum.add(SalesRecords.amount(line));
            } else {
                bad.merge(kind, 1L, Long::sum);
            }
        }

        assertThat(lines).hasSize(2_000);
        assertThat(stats.records()).isEqualTo(2_000);
        assertThat(stats.bytes()).isEqualTo(out.size());
        assertThat(stats.goodRows()).isEqualTo(good);
        assertThat(stats.goodAmountSum()).isEqualTo(sum.setScale(2));
        for (BadKind kind : BadKind.values()) {
            assertThat(stats.bad(kind)).as(kind.name()).isEqualTo(bad.getOrDefault(kind, 0L)).isPositive();
        }
        assertThat(stats.goodRows() + stats.badRows()).isEqualTo(2_000);
        // 5% of 2,000 is 100; the draw is random but seeded, so allow sampling noise
        assertThat(stats.badRows()).isBetween(60L, 140L);
    }

    @Test
    void goodRecordsFollowTheSalesSchema() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SalesGenerator(SalesGenerator.Options.records(3_000).withSeed(3)).writeTo(out);
        Instant end = SalesGenerator.DEFAULT_END;
        Instant start = end.minusSeconds(90L * 86_400);
        Set<String> orderIds = new HashSet<>();
        Set<String> customers = new HashSet<>();
        long topCustomerOrders = 0;

        for (String line : out.toString(StandardCharsets.US_ASCII).lines().toList()) {
            // exactly two decimals, as a JSON number (Jackson would strip trailing zeros, so check the text)
            assertThat(line).matches(".*\"amount\":\\d+\\.\\d\\d,.*");
            JsonNode r = SalesRecords.parse(line);
            assertThat(r.fieldNames()).toIterable().containsExactly("order_id", "customer_id", "amount", "currency",
                    "quantity", "ts", "channel", "items", "shipping");
            assertThat(orderIds.add(r.get("order_id").asText())).isTrue();
            assertThat(r.get("order_id").asText()).matches("o-\\d{9}");
            assertThat(r.get("customer_id").asText()).matches("c-\\d{5}");
            customers.add(r.get("customer_id").asText());
            if (r.get("customer_id").asText().startsWith("c-000")) {
                topCustomerOrders++;
            }
            assertThat(r.get("currency").asText()).isIn("EUR", "USD", "GBP", "CHF", "JPY");
            assertThat(r.get("channel").asText()).isIn("web", "mobile", "store", "partner");
            assertThat(r.get("ts").asText()).endsWith("Z").hasSize(20);
            Instant ts = Instant.parse(r.get("ts").asText());
            assertThat(ts).isBetween(start, end.minusSeconds(1));
            JsonNode items = r.get("items");
            assertThat(items.size()).isBetween(1, 5);
            BigDecimal total = BigDecimal.ZERO;
            int qty = 0;
            for (JsonNode item : items) {
                assertThat(item.get("sku").asText()).matches("sku-\\d{5}");
                assertThat(item.get("qty").isInt()).isTrue();
                total = total.add(item.get("price").decimalValue().multiply(BigDecimal.valueOf(item.get("qty").asInt())));
                qty += item.get("qty").asInt();
            }
            assertThat(r.get("amount").decimalValue()).isEqualByComparingTo(total);
            assertThat(r.get("quantity").asInt()).isEqualTo(qty);
            assertThat(r.get("shipping").get("express").isBoolean()).isTrue();
            assertThat(r.get("shipping").get("country").asText()).hasSize(2);
        }
        // a bounded, skewed pool: the first 1% of 10,000 customers place about a fifth of the orders
        assertThat(customers.size()).isLessThan(2_400);
        assertThat(topCustomerOrders).isBetween(450L, 850L);
    }

    @Test
    void targetBytesStopsAtTheFirstLinePastTheTarget() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GenerationStats stats = new SalesGenerator(SalesGenerator.Options.targetBytes(100_000)).writeTo(out);

        assertThat(stats.bytes()).isEqualTo(out.size()).isGreaterThanOrEqualTo(100_000).isLessThan(100_000 + 2_000);
        assertThat(stats.records()).isEqualTo(out.toString(StandardCharsets.US_ASCII).lines().count());
    }

    @Test
    void gzipFileHoldsTheSameLines() throws IOException {
        Path gz = dir.resolve("sales.ndjson.gz");
        Path plain = dir.resolve("sales.ndjson");
        GenerationStats gzStats = new SalesGenerator(SMALL).writeFile(gz);
        GenerationStats plainStats = new SalesGenerator(SMALL).writeFile(plain);

        byte[] unzipped;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            unzipped = in.readAllBytes();
        }
        assertThat(unzipped).isEqualTo(Files.readAllBytes(plain));
        assertThat(gzStats).isEqualTo(plainStats);
        assertThat(Files.size(gz)).isLessThan(Files.size(plain) / 3);
    }

    @Test
    void rejectsImpossibleOptions() {
        assertThatThrownBy(() -> SalesGenerator.Options.records(10).withBadFraction(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad fraction");
        assertThatThrownBy(() -> new SalesGenerator.Options(10, 10, 1, 0, 10, SalesGenerator.DEFAULT_END, 90, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one");
    }

    private static byte[] bytes(SalesGenerator.Options options) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new SalesGenerator(options).writeTo(out);
        return out.toByteArray();
    }
}
