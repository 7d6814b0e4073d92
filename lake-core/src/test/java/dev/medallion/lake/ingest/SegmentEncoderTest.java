package dev.medallion.lake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.bronze.BodyRejectedException;
import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.bronze.SegmentReader;

class SegmentEncoderTest {
    private static final String BODY = "{\"order_id\":\"o1\"}\n{\"order_id\":\"o2\"}\n";
    private static final SegmentHeader HEADER = new SegmentHeader("http", "req-1", BronzeFormat.NDJSON,
            Instant.parse("2026-11-24T10:00:00Z"));

    private final MemoryBudget budget = new MemoryBudget(1 << 20);
    private final SegmentEncoder encoder = new SegmentEncoder(new SegmentEncoder.Limits(64 * 1024, 256 * 1024,
            1024, 1), budget);

    @Test
    void encodesAPlainOrGzipBodyAsOneSegmentHoldingTheBytesAsReceived() throws IOException {
        for (boolean gzipped : new boolean[] { false, true }) {
            byte[] sent = gzipped ? gzip(BODY.getBytes(StandardCharsets.UTF_8)) : BODY.getBytes(StandardCharsets.UTF_8);
            var encoded = encoder.encode(new ByteArrayInputStream(sent), gzipped, HEADER, true, true);
            assertThat(encoded.scan().records()).isEqualTo(2);
            assertThat(encoded.segment().receivedBytes()).isEqualTo(BODY.length());
            var stored = new ByteArrayOutputStream();
            encoded.segment().data().writeTo(stored);
            try (var segments = new SegmentReader(new ByteArrayInputStream(stored.toByteArray()))) {
                var segment = segments.next();
                assertThat(segment.header()).contains(HEADER);
                assertThat(new String(segment.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(BODY);
                assertThat(segments.hasNext()).isFalse();
            }
            assertThat(encoded.bodySha256()).hasSize(64);
            var unhashed = encoder.encode(new ByteArrayInputStream(sent), gzipped, HEADER, true, false);
            assertThat(unhashed.bodySha256()).isEmpty();
            unhashed.segment().data().release();
            encoded.segment().data().release();
        }
        assertThat(budget.used()).isZero();
    }

    @Test
    void limitsThatCouldNeverWorkAreRefusedWhenBuilt() {
        assertThatThrownBy(() -> new SegmentEncoder.Limits(1 << 20, 1 << 20, 1024, 11))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 11");
        assertThatThrownBy(() -> new SegmentEncoder.Limits(1 << 20, 1 << 20, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max record bytes");
    }

    @Test
    void stopsAGzipBombOnceItInflatesPastTheLimit() throws IOException {
        byte[] bomb = gzip(new byte[10 << 20]); // 10 MiB of zeros, about 10 KiB compressed
        assertThat(bomb.length).isLessThan(64 * 1024);
        assertThatThrownBy(() -> encoder.encode(new ByteArrayInputStream(bomb), true, HEADER, true,
                true)).isInstanceOfSatisfying(BodyRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(BodyRejectedException.Reason.BODY_TOO_LARGE))
                .hasMessageContaining("once decompressed");
        assertThat(budget.used()).isZero();
    }

    @Test
    void refusesABodyLargerThanTheLimitAsSentAndBrokenGzip() throws IOException {
        byte[] large = ("{\"a\":1}\n".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> encoder.encode(new ByteArrayInputStream(large), false, HEADER, true,
                true)).hasMessageContaining("as sent");
        byte[] truncated = Arrays.copyOf(gzip(BODY.getBytes(StandardCharsets.UTF_8)), 15);
        assertThatThrownBy(() -> encoder.encode(new ByteArrayInputStream(truncated), true, HEADER, true,
                false)).isInstanceOfSatisfying(BodyRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(BodyRejectedException.Reason.BAD_ENCODING));
        assertThat(budget.used()).isZero();
    }

    @Test
    void failsFastAndHoldsNothingWhenTheBudgetIsSpent() {
        var tiny = new SegmentEncoder(new SegmentEncoder.Limits(1 << 20, 1 << 20, 1024, 1), new MemoryBudget(1000));
        assertThatThrownBy(() -> tiny.encode(new ByteArrayInputStream(BODY.getBytes(StandardCharsets.UTF_8)), false,
                HEADER, true, true)).isInstanceOf(BuffersFullException.class);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
