package dev.medallion.lake.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

class SegmentReaderTest {
    private static final Instant AT = Instant.parse("2026-11-24T10:15:00Z");
    private static final SegmentHeader NDJSON = new SegmentHeader("sqs", "m-1", BronzeFormat.NDJSON, AT);
    private static final SegmentHeader JSON = new SegmentHeader("http", "key-2", BronzeFormat.JSON, AT);
    private static final SegmentHeader CSV = new SegmentHeader("http", "key-3", BronzeFormat.CSV, AT);
    private static final String NDJSON_BODY = "{\"a\":1}\n{\"a\":2}\n";
    private static final String JSON_BODY = "[{\"a\":3},{\"a\":\"é\"}]";
    private static final String CSV_BODY = "a,b\n4,\"x,\ny\"\n";

    /** A segment as read: its header and all its body's bytes. */
    record Read(Optional<SegmentHeader> header, String body) {
    }

    @Test
    void readsBackEverySegmentWithItsHeader() throws IOException {
        byte[] object = object(segment(NDJSON, NDJSON_BODY), segment(JSON, JSON_BODY), segment(CSV, CSV_BODY));

        assertThat(readAll(object)).containsExactly(new Read(Optional.of(NDJSON), NDJSON_BODY),
                new Read(Optional.of(JSON), JSON_BODY), new Read(Optional.of(CSV), CSV_BODY));
    }

    @Test
    void anyGzipReaderSeesTheBodiesOneAfterTheOther() throws IOException {
        byte[] object = object(segment(NDJSON, NDJSON_BODY), segment(JSON, JSON_BODY), segment(CSV, CSV_BODY));

        try (var gunzip = new GZIPInputStream(new ByteArrayInputStream(object))) {
            assertThat(new String(gunzip.readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(NDJSON_BODY + JSON_BODY + CSV_BODY);
        }
    }

    @Test
    void aLargeBodyRoundTripsAtEveryLevel() throws IOException {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        var random = new Random(7);
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + random.nextInt(6)); // compressible, but not trivially
        }
        for (int level : new int[] { 0, 1, 6, 9 }) {
            var out = new ByteArrayOutputStream();
            try (OutputStream segment = SegmentWriter.open(out, NDJSON, level)) {
                for (int i = 0; i < body.length; i += 10_000) {
                    segment.write(body, i, Math.min(10_000, body.length - i));
                }
            }
            try (var reader = new SegmentReader(new ByteArrayInputStream(out.toByteArray()))) {
                assertThat(reader.next().body().readAllBytes()).isEqualTo(body);
                assertThat(reader.hasNext()).isFalse();
            }
        }
    }

    @Test
    void refusesALevelGzipDoesNotHave() {
        assertThatThrownBy(() -> SegmentWriter.open(new ByteArrayOutputStream(), NDJSON, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 (stored) to 9, not 10");
    }

    @Test
    void closingASegmentLeavesTheTargetOpenAndTheSameInputEncodesTheSame() throws IOException {
        var target = new ByteArrayOutputStream() {
            boolean closed;

            @Override
            public void close() {
                closed = true;
            }
        };
        SegmentWriter.open(target, NDJSON, 1).close();
        assertThat(target.closed).isFalse();
        assertThat(segment(NDJSON, NDJSON_BODY)).isEqualTo(segment(NDJSON, NDJSON_BODY));
    }

    @Test
    void skipsWhatWasNotReadOfASegment() throws IOException {
        byte[] object = object(segment(NDJSON, NDJSON_BODY), segment(JSON, JSON_BODY));

        try (var reader = new SegmentReader(new ByteArrayInputStream(object))) {
            var first = reader.next();
            assertThat(first.body().read()).isEqualTo('{');
            var second = reader.next();
            assertThat(second.header()).contains(JSON);
            assertThat(new String(second.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(JSON_BODY);
            assertThat(reader.hasNext()).isFalse();
        }
    }

    @Test
    void plainGzipFromOtherToolsIsOneSegmentWithoutHeaderEvenWithSeveralMembers() throws IOException {
        byte[] object = object(gzip("{\"a\":1}\n"), gzip("{\"a\":2}\n"));

        assertThat(readAll(object)).containsExactly(new Read(Optional.empty(), "{\"a\":1}\n{\"a\":2}\n"));
    }

    @Test
    void foreignMembersBetweenSegmentsAreSegmentsOfTheirOwn() throws IOException {
        byte[] object = object(segment(NDJSON, NDJSON_BODY), gzip("x\n"), gzip("y\n"), segment(JSON, JSON_BODY));

        assertThat(readAll(object)).containsExactly(new Read(Optional.of(NDJSON), NDJSON_BODY),
                new Read(Optional.empty(), "x\ny\n"), new Read(Optional.of(JSON), JSON_BODY));
    }

    @Test
    void anObjectThatIsNotGzipIsOneSegmentOfItsBytes() throws IOException {
        assertThat(readAll("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(new Read(Optional.empty(), "{\"a\":1}\n"));
        assertThat(readAll("{".getBytes(StandardCharsets.UTF_8))).containsExactly(new Read(Optional.empty(), "{"));
        assertThat(readAll(new byte[0])).isEmpty();
    }

    @Test
    void aTruncatedObjectYieldsWhatItHoldsThenFails() throws IOException {
        var body = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            body.append("{\"n\":").append(i).append("}\n");
        }
        byte[] whole = object(segment(NDJSON, NDJSON_BODY), segment(JSON, body.toString()));
        byte[] cut = Arrays.copyOf(whole, whole.length - 200);

        try (var reader = new SegmentReader(new ByteArrayInputStream(cut))) {
            assertThat(reader.next().body().readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo(NDJSON_BODY);
            InputStream second = reader.next().body();
            var got = new ByteArrayOutputStream();
            byte[] chunk = new byte[1000];
            assertThatThrownBy(() -> {
                int n;
                while ((n = second.read(chunk)) >= 0) {
                    got.write(chunk, 0, n);
                }
            }).isInstanceOf(IOException.class);
            assertThat(body.toString()).startsWith(got.toString(StandardCharsets.UTF_8));
            assertThat(got.size()).isGreaterThan(body.length() / 2);
            assertThat(reader.hasNext()).isFalse();
        }
    }

    @Test
    void anObjectCutInsideAHeaderEndsWithAFailingSegment() throws IOException {
        byte[] first = segment(NDJSON, NDJSON_BODY);
        byte[] object = object(first, Arrays.copyOf(segment(JSON, JSON_BODY), 20));

        try (var reader = new SegmentReader(new ByteArrayInputStream(object))) {
            assertThat(reader.next().header()).contains(NDJSON);
            var broken = reader.next();
            assertThat(broken.header()).isEmpty();
            assertThatThrownBy(() -> broken.body().read()).isInstanceOf(IOException.class)
                    .hasMessageContaining("ends inside a gzip header");
            assertThat(reader.hasNext()).isFalse();
        }
    }

    @Test
    void corruptDataFailsTheChecksum() throws IOException {
        byte[] object = segment(NDJSON, NDJSON_BODY);
        object[object.length - 8] ^= 1; // the stored CRC

        try (var reader = new SegmentReader(new ByteArrayInputStream(object))) {
            InputStream body = reader.next().body();
            assertThatThrownBy(body::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("checksum");
        }
    }

    private static List<Read> readAll(byte[] object) throws IOException {
        List<Read> read = new ArrayList<>();
        try (var reader = new SegmentReader(new ByteArrayInputStream(object))) {
            while (reader.hasNext()) {
                var segment = reader.next();
                read.add(new Read(segment.header(),
                        new String(segment.body().readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
        return read;
    }

    static byte[] segment(SegmentHeader header, String body) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream segment = SegmentWriter.open(out, header, 6)) {
            segment.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    static byte[] gzip(String body) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(body.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    static byte[] object(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
