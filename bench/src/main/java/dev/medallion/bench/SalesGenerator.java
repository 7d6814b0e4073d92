package dev.medallion.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Writes sales events as NDJSON, one record per line, matching the {@code sales} dataset in
 * {@code deploy/local/datasets.yaml}. The output is a pure function of the {@link Options}: the same options give the
 * same bytes on every run and every JVM, so benchmarks and tests can be repeated and their expected values trusted.
 *
 * <p>
 * Memory does not grow with the output size: each line is built in a reused buffer and streamed.
 *
 * <p>
 * A fraction of the lines can be bad, spread evenly over the {@link BadKind}s. {@link GenerationStats} reports what a
 * correct reader must find: good rows, the sum of their {@code amount}, and bad lines by kind.
 */
public final class SalesGenerator {

    /** Default end of the event-time window (exclusive): fixed, so the output is reproducible. */
    public static final Instant DEFAULT_END = Instant.parse("2026-11-01T00:00:00Z");

    private static final String[] CURRENCIES = { "EUR", "USD", "GBP", "CHF", "JPY" };
    private static final int[] CURRENCY_WEIGHTS = { 40, 35, 15, 5, 5 };
    private static final String[] CHANNELS = { "web", "mobile", "store", "partner" };
    private static final int[] CHANNEL_WEIGHTS = { 45, 30, 20, 5 };
    private static final String[][] PLACES = {
            { "DE", "Berlin" }, { "DE", "Hamburg" }, { "DE", "Munich" }, { "FR", "Paris" }, { "FR", "Lyon" },
            { "US", "New York" }, { "US", "Austin" }, { "US", "Seattle" }, { "GB", "London" },
            { "GB", "Manchester" }, { "NL", "Amsterdam" }, { "ES", "Madrid" }, { "IT", "Milan" },
            { "JP", "Tokyo" }, { "CH", "Zurich" } };
    private static final String[] BAD_AMOUNTS = { "n/a", "twelve", "12.5.0" };
    private static final String[] BAD_TIMESTAMPS = { "yesterday", "2026-13-45T25:61:00Z", "not a time" };
    private static final int SKUS = 50_000;

    /**
     * What to generate. Build from {@link #records(long)} or {@link #targetBytes(long)} and refine with the
     * {@code with*} methods.
     *
     * @param records number of lines to write, or {@code -1} when {@code targetBytes} decides
     * @param targetBytes stop after the first line that brings the uncompressed size to at least this, or {@code -1}
     * @param seed the random seed
     * @param badFraction the share of bad lines, in [0, 1]
     * @param customers size of the customer pool; ids are drawn with a skew towards low numbers
     * @param end event times fall in [end - days, end)
     * @param days length of the event-time window in days
     * @param timeOrdered event times rise with the line number, evenly over the window (a stream as it happens);
     *        otherwise each is drawn at random from the window (a backfill, late data). Only with {@code records}.
     */
    public record Options(long records, long targetBytes, long seed, double badFraction, int customers, Instant end,
            int days, boolean timeOrdered) {

        public Options {
            if ((records < 0) == (targetBytes < 0)) {
                throw new IllegalArgumentException("Cannot generate: set exactly one of records and target bytes");
            }
            if (!(badFraction >= 0 && badFraction <= 1)) {
                throw new IllegalArgumentException("Cannot generate: bad fraction must be in [0, 1], got " + badFraction);
            }
            if (customers < 1 || days < 1) {
                throw new IllegalArgumentException("Cannot generate: customers and days must be positive");
            }
            Objects.requireNonNull(end, "end");
            if (timeOrdered && records < 0) {
                throw new IllegalArgumentException("Cannot generate time-ordered input by target bytes: give records");
            }
        }

        /** Exactly {@code n} lines, seed 42, no bad lines, 10,000 customers, 90 days ending at {@link #DEFAULT_END}. */
        public static Options records(long n) {
            return new Options(n, -1, 42, 0, 10_000, DEFAULT_END, 90, false);
        }

        /** As {@link #records}, but as many lines as it takes to reach {@code bytes} uncompressed. */
        public static Options targetBytes(long bytes) {
            return new Options(-1, bytes, 42, 0, 10_000, DEFAULT_END, 90, false);
        }

        public Options withSeed(long s) {
            return new Options(records, targetBytes, s, badFraction, customers, end, days, timeOrdered);
        }

        public Options withBadFraction(double f) {
            return new Options(records, targetBytes, seed, f, customers, end, days, timeOrdered);
        }

        public Options withCustomers(int c) {
            return new Options(records, targetBytes, seed, badFraction, c, end, days, timeOrdered);
        }

        public Options withWindow(Instant e, int d) {
            return new Options(records, targetBytes, seed, badFraction, customers, e, d, timeOrdered);
        }

        /** Event times in line order: see {@code timeOrdered}. */
        public Options withTimeOrder(boolean ordered) {
            return new Options(records, targetBytes, seed, badFraction, customers, end, days, ordered);
        }
    }

    private final Options options;

    public SalesGenerator(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The options this generator runs with. */
    public Options options() {
        return options;
    }

    /**
     * Writes the records to {@code out} (buffered here; not closed, but flushed) and returns what was written.
     */
    public GenerationStats writeTo(OutputStream out) throws IOException {
        Rng rng = new Rng(options.seed());
        StringBuilder line = new StringBuilder(1024);
        byte[] bytes = new byte[2048];
        long endSecond = options.end().getEpochSecond();
        long windowSeconds = options.days() * 86_400L;
        long sumCents = 0;
        long good = 0;
        long written = 0;
        long size = 0;
        EnumMap<BadKind, Long> bad = new EnumMap<>(BadKind.class);
        BadKind[] kinds = BadKind.values();
        OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        while (options.records() >= 0 ? written < options.records() : size < options.targetBytes()) {
            BadKind kind = null;
            if (options.badFraction() > 0 && rng.nextDouble() < options.badFraction()) {
                kind = kinds[rng.nextInt(kinds.length)];
            }
            line.setLength(0);
            long cents = record(line, written, kind, rng, endSecond, windowSeconds);
            if (kind == null) {
                good++;
                sumCents += cents;
            } else {
                bad.merge(kind, 1L, Long::sum);
                if (kind == BadKind.MALFORMED_JSON) {
                    line.setLength(line.length() / 2);
                }
            }
            line.append('\n');
            int n = line.length();
            if (n > bytes.length) {
                bytes = new byte[Math.max(n, bytes.length * 2)];
            }
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) line.charAt(i); // every character we write is ASCII
            }
            buffered.write(bytes, 0, n);
            size += n;
            written++;
        }
        buffered.flush();
        return new GenerationStats(written, good, BigDecimal.valueOf(sumCents, 2), bad, size);
    }

    /** Computes the stats without keeping any output. */
    public GenerationStats stats() {
        try {
            return writeTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file, gzip-compressed when its name ends in {@code .gz}, replacing any file there. */
    public GenerationStats writeFile(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream raw = Files.newOutputStream(file);
                OutputStream out = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16)
                        : raw) {
            return writeTo(out);
        }
    }

    /** Appends one record (no newline) and returns its amount in cents. */
    private long record(StringBuilder b, long index, BadKind kind, Rng rng, long endSecond, long windowSeconds) {
        int itemCount = 1 + rng.nextInt(5);
        long[] qty = new long[itemCount];
        long[] price = new long[itemCount];
        int[] sku = new int[itemCount];
        long cents = 0;
        long quantity = 0;
        for (int i = 0; i < itemCount; i++) {
            double u = rng.nextDouble();
            qty[i] = 1 + (long) (5 * u * u);
            double p = rng.nextDouble();
            price[i] = 99 + (long) (49_900 * p * p);
            double s = rng.nextDouble();
            sku[i] = (int) (SKUS * s * s);
            cents += qty[i] * price[i];
            quantity += qty[i];
        }
        double c = rng.nextDouble();
        int customer = (int) (options.customers() * c * c * c);
        String currency = weighted(CURRENCIES, CURRENCY_WEIGHTS, rng);
        String channel = weighted(CHANNELS, CHANNEL_WEIGHTS, rng);
        double draw = rng.nextDouble(); // drawn either way, so both orders hold the same records but for their times
        long second = options.timeOrdered()
                ? endSecond - windowSeconds + (long) ((double) index / options.records() * windowSeconds)
                : endSecond - 1 - (long) (draw * windowSeconds);
        String[] place = PLACES[rng.nextInt(PLACES.length)];
        boolean express = rng.nextDouble() < 0.2;
        String badText = kind == BadKind.AMOUNT_NOT_NUMERIC ? BAD_AMOUNTS[rng.nextInt(BAD_AMOUNTS.length)]
                : kind == BadKind.UNPARSEABLE_TS ? BAD_TIMESTAMPS[rng.nextInt(BAD_TIMESTAMPS.length)] : null;

        b.append("{\"order_id\":\"o-");
        pad(b, index, 9);
        b.append("\",\"customer_id\":\"c-");
        pad(b, customer, 5);
        b.append('"');
        if (kind == BadKind.AMOUNT_NOT_NUMERIC) {
            b.append(",\"amount\":\"").append(badText).append('"');
        } else if (kind != BadKind.MISSING_AMOUNT) {
            b.append(",\"amount\":");
            money(b, cents);
        }
        b.append(",\"currency\":\"").append(currency).append('"');
        b.append(",\"quantity\":").append(quantity);
        b.append(",\"ts\":\"");
        if (kind == BadKind.UNPARSEABLE_TS) {
            b.append(badText);
        } else {
            timestamp(b, second);
        }
        b.append("\",\"channel\":\"").append(channel).append('"');
        b.append(",\"items\":[");
        for (int i = 0; i < itemCount; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"sku\":\"sku-");
            pad(b, sku[i], 5);
            b.append("\",\"qty\":").append(qty[i]).append(",\"price\":");
            money(b, price[i]);
            b.append('}');
        }
        b.append("],\"shipping\":{\"country\":\"").append(place[0]).append("\",\"city\":\"").append(place[1])
                .append("\",\"express\":").append(express).append("}}");
        return cents;
    }

    private static String weighted(String[] values, int[] weights, Rng rng) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int pick = rng.nextInt(total);
        for (int i = 0; i < values.length; i++) {
            pick -= weights[i];
            if (pick < 0) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    private static void money(StringBuilder b, long cents) {
        b.append(cents / 100).append('.');
        long rest = cents % 100;
        if (rest < 10) {
            b.append('0');
        }
        b.append(rest);
    }

    private static void timestamp(StringBuilder b, long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        pad(b, t.getYear(), 4);
        b.append('-');
        pad(b, t.getMonthValue(), 2);
        b.append('-');
        pad(b, t.getDayOfMonth(), 2);
        b.append('T');
        pad(b, t.getHour(), 2);
        b.append(':');
        pad(b, t.getMinute(), 2);
        b.append(':');
        pad(b, t.getSecond(), 2);
        b.append('Z');
    }

    private static void pad(StringBuilder b, long value, int width) {
        int digits = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            digits++;
        }
        for (int i = digits; i < width; i++) {
            b.append('0');
        }
        b.append(value);
    }

    /**
     * SplitMix64, kept here rather than borrowed from the JDK so the sequence (and with it the output) can never change
     * under us with a JDK update.
     */
    private static final class Rng {
        private long state;

        Rng(long seed) {
            state = seed;
        }

        long nextLong() {
            long z = state += 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }

        int nextInt(int bound) {
            return (int) (((nextLong() >>> 32) * bound) >>> 32);
        }
    }

    /** Maps the stats to JSON-friendly values; see {@link GenerationStats#toMap()}. */
    static Map<String, Object> describe(Options o, GenerationStats s) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("seed", o.seed());
        map.put("bad_fraction", o.badFraction());
        map.putAll(s.toMap());
        return map;
    }
}
