package dev.medallion.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Sales records for the load run: {@link SalesGenerator}'s records, each stamped with a key that names the run, the
 * producer and a sequence number, and with the time it is sent as its event time (a live stream, so Silver's day
 * partition is today's). The key is all a reader of Silver needs to find which acknowledged request a row came from.
 *
 * <p>
 * The generator writes {@code templates} records once; record {@code seq} of producer {@code p} takes the content of
 * template {@code (p * 7919 + seq) mod templates}, so the expected {@code sum(amount)} of any set of keys is known.
 */
final class LoadRecords {
    /** Every key starts with this, then the run tag: {@code ld-<tag>-<producer, 3 digits>-<seq, 10 digits>}. */
    static final String KEY_PREFIX = "ld-";
    static final int PRODUCER_DIGITS = 3;
    static final int SEQ_DIGITS = 10;
    static final int MAX_PRODUCERS = 1000;

    private static final String ORDER_ID_FIELD = "{\"order_id\":\"";
    private static final String TS_FIELD = "\"ts\":\"";
    private static final String AMOUNT_FIELD = "\"amount\":";
    private static final int TS_LENGTH = "2026-11-01T00:00:00Z".length();

    private final String runTag;
    /** Per template: the text between the key's closing quote and the event time's opening quote. */
    private final String[] middles;
    /** Per template: the text after the event time. */
    private final String[] tails;
    private final long[] amountCents;
    private final long averageBytes;

    LoadRecords(String runTag, int templates, long seed) {
        if (!runTag.matches("[0-9a-z]{1,20}")) {
            throw new IllegalArgumentException("Cannot make load records: run tag must be 1-20 of [0-9a-z]");
        }
        this.runTag = runTag;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            new SalesGenerator(SalesGenerator.Options.records(templates).withSeed(seed)).writeTo(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] lines = buffer.toString(StandardCharsets.UTF_8).split("\n");
        middles = new String[lines.length];
        tails = new String[lines.length];
        amountCents = new long[lines.length];
        long bytes = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int keyEnd = line.indexOf('"', ORDER_ID_FIELD.length());
            int ts = line.indexOf(TS_FIELD) + TS_FIELD.length();
            int amount = line.indexOf(AMOUNT_FIELD) + AMOUNT_FIELD.length();
            if (!line.startsWith(ORDER_ID_FIELD) || keyEnd < 0 || ts < TS_FIELD.length()
                    || amount < AMOUNT_FIELD.length()) {
                throw new IllegalStateException("Cannot make load records: unexpected generator line " + line);
            }
            middles[i] = line.substring(keyEnd, ts);
            tails[i] = line.substring(ts + TS_LENGTH);
            amountCents[i] = new BigDecimal(line.substring(amount, line.indexOf(',', amount))).movePointRight(2)
                    .longValueExact();
            bytes += line.length() + 1;
        }
        averageBytes = bytes / lines.length;
    }

    String runTag() {
        return runTag;
    }

    /** What a key of this run starts with. */
    String keyPrefix() {
        return KEY_PREFIX + runTag + "-";
    }

    /** The order id of record {@code seq} of {@code producer}. */
    String key(int producer, long seq) {
        return String.format(Locale.ROOT, "%s%0" + PRODUCER_DIGITS + "d-%0" + SEQ_DIGITS + "d", keyPrefix(), producer,
                seq);
    }

    /** NDJSON of records {@code firstSeq} to {@code firstSeq + count - 1} of {@code producer}, event time {@code now}. */
    byte[] body(int producer, long firstSeq, int count, Instant now) {
        String ts = now.truncatedTo(ChronoUnit.SECONDS).toString();
        StringBuilder b = new StringBuilder(count * (int) (averageBytes + 16));
        for (int i = 0; i < count; i++) {
            long seq = firstSeq + i;
            int t = template(producer, seq);
            b.append(ORDER_ID_FIELD).append(key(producer, seq)).append(middles[t]).append(ts).append(tails[t])
                    .append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code amount} of record {@code seq} of {@code producer}, in cents. */
    long amountCents(int producer, long seq) {
        return amountCents[template(producer, seq)];
    }

    /** Roughly the NDJSON bytes of one record. */
    long averageBytes() {
        return averageBytes;
    }

    private int template(int producer, long seq) {
        return (int) Math.floorMod(producer * 7919L + seq, (long) middles.length);
    }
}
