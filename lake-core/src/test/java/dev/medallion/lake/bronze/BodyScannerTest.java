package dev.medallion.lake.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.bronze.BodyRejectedException.Reason;
import dev.medallion.lake.bronze.BodyScanner.ScanResult;

class BodyScannerTest {
    private static final int LIMIT = 1000;

    @Test
    void countsNdjsonRecordsAndFlagsLinesThatAreNotObjects() throws IOException {
        String body = "{\"a\":1}\n\n  {\"a\":2}  \r\nnot json\n[1]\n{\"a\":3}";

        ScanResult result = scan(body, BronzeFormat.NDJSON);

        assertThat(result).isEqualTo(new ScanResult(5, body.length(), 2, List.of(4L, 5L)));
    }

    @Test
    void keepsOnlyTheFirstTenMalformedPositions() throws IOException {
        ScanResult result = scan("x\n".repeat(25), BronzeFormat.NDJSON);

        assertThat(result.malformed()).isEqualTo(25);
        assertThat(result.malformedPositions()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void rejectsNdjsonWithoutRecords() {
        assertRejected("", BronzeFormat.NDJSON, Reason.EMPTY_BODY, 0);
        assertRejected("\n \n\r\n", BronzeFormat.NDJSON, Reason.EMPTY_BODY, 0);
    }

    @Test
    void rejectsAnNdjsonLineOverTheLimitNamingItsSize() {
        String big = "{\"a\":\"" + "x".repeat(1200) + "\"}";
        assertRejected("{}\n" + big + "\n{}\n", BronzeFormat.NDJSON, Reason.RECORD_TOO_LARGE, 2)
                .hasMessage("Line 2 is 1,208 bytes; the limit is 1,000");
        assertRejected("{}\n{}\n" + big, BronzeFormat.NDJSON, Reason.RECORD_TOO_LARGE, 3);
        String exactly = "{\"a\":\"" + "x".repeat(LIMIT - 9) + "\"}";
        assertThat(exactly).hasSize(LIMIT - 1);
        assertThat(scanUnchecked(exactly + " \n", BronzeFormat.NDJSON).records()).isEqualTo(1);
    }

    @Test
    void rejectsInvalidUtf8NamingTheLine() {
        for (byte[] bad : List.of(new byte[] { (byte) 0xff }, new byte[] { (byte) 0xc0, (byte) 0x80 }, // overlong
                new byte[] { (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, // a surrogate
                new byte[] { (byte) 0xc3 })) { // cut short
            byte[] body = concat("{\"a\":1}\n{\"a\":\"".getBytes(StandardCharsets.UTF_8), bad,
                    "\"}\n{}\n".getBytes(StandardCharsets.UTF_8));
            assertRejected(body, BronzeFormat.NDJSON, Reason.INVALID_UTF8, 2);
        }
        assertThat(scanUnchecked("{\"a\":\"é ☃ 😀\"}", BronzeFormat.NDJSON).records()).isEqualTo(1);
    }

    @Test
    void acceptsAJsonObjectOrAnArrayOfObjects() throws IOException {
        assertThat(scan(" {\"a\":[1,{\"b\":2}]} \n", BronzeFormat.JSON)).isEqualTo(new ScanResult(1, 20, 0, List.of()));
        assertThat(scan("[{\"a\":1},{\"a\":2},{}]", BronzeFormat.JSON).records()).isEqualTo(3);
    }

    @Test
    void rejectsJsonThatIsNotObjectsSayingWhere() {
        assertRejected("[{\"a\":1},{\"a\":2},3]", BronzeFormat.JSON, Reason.MALFORMED_BODY, 3)
                .hasMessageContaining("element 3 is a number, not an object");
        assertRejected("[{\"a\":1},{\"a\":}]", BronzeFormat.JSON, Reason.MALFORMED_BODY, 2)
                .hasMessageContaining("not well-formed JSON in record 2");
        assertRejected("[{\"a\":1}", BronzeFormat.JSON, Reason.MALFORMED_BODY, 1);
        assertRejected("\"text\"", BronzeFormat.JSON, Reason.MALFORMED_BODY, 0);
        assertRejected("{\"a\":1} {\"a\":2}", BronzeFormat.JSON, Reason.MALFORMED_BODY, 1)
                .hasMessageContaining("more text after");
        assertRejected("[]", BronzeFormat.JSON, Reason.EMPTY_BODY, 0);
        assertRejected("  ", BronzeFormat.JSON, Reason.EMPTY_BODY, 0);
    }

    @Test
    void rejectsAJsonElementOverTheLimitNamingItsSize() {
        String big = "{\"a\":\"" + "x".repeat(1200) + "\"}";
        assertRejected("[{}," + big + "]", BronzeFormat.JSON, Reason.RECORD_TOO_LARGE, 2)
                .hasMessage("Record 2 is 1,208 bytes; the limit is 1,000");
    }

    @Test
    void rejectsInvalidUtf8InJsonNamingTheElement() {
        byte[] body = concat("[{\"a\":1},{\"a\":\"".getBytes(StandardCharsets.UTF_8), new byte[] { (byte) 0xc0,
                (byte) 0xaf }, "\"},{}]".getBytes(StandardCharsets.UTF_8));
        assertRejected(body, BronzeFormat.JSON, Reason.INVALID_UTF8, 2);
    }

    @Test
    void readsTheRecordsOfAnEnvelope() throws IOException {
        assertThat(scan("{\"dataset\":\"sales\",\"records\":[{\"a\":1},{\"a\":2}]}", BronzeFormat.ENVELOPE).records())
                .isEqualTo(2);
        assertThat(scan("{\"records\":[{\"a\":1}],\"dataset\":\"sales\"}", BronzeFormat.ENVELOPE).records())
                .isEqualTo(1);
        assertRejected("{\"dataset\":\"sales\"}", BronzeFormat.ENVELOPE, Reason.MALFORMED_BODY, 0);
        assertRejected("{\"dataset\":\"sales\",\"records\":{}}", BronzeFormat.ENVELOPE, Reason.MALFORMED_BODY, 0);
        assertRejected("{\"dataset\":\"sales\",\"records\":[{},1]}", BronzeFormat.ENVELOPE, Reason.MALFORMED_BODY, 2);
        assertRejected("{\"dataset\":\"sales\",\"records\":[]}", BronzeFormat.ENVELOPE, Reason.EMPTY_BODY, 0);
        assertRejected("[{\"a\":1}]", BronzeFormat.ENVELOPE, Reason.MALFORMED_BODY, 0);
    }

    @Test
    void acceptsCsvWithQuotedCommasLineBreaksAndQuotes() throws IOException {
        String body = "id,note,amount\r\n1,\"a, b\",2.5\r\n2,\"two\nlines\",\r\n\r\n3,\"say \"\"hi\"\"\"\r\n";

        assertThat(scan(body, BronzeFormat.CSV)).isEqualTo(new ScanResult(3, body.length(), 0, List.of()));
    }

    @Test
    void rejectsCsvThatCannotBeRead() {
        assertRejected("", BronzeFormat.CSV, Reason.EMPTY_BODY, 0);
        assertRejected("id,amount\n", BronzeFormat.CSV, Reason.EMPTY_BODY, 0);
        assertRejected("id,amount\n1,2\n3,4,5\n", BronzeFormat.CSV, Reason.MALFORMED_BODY, 2)
                .hasMessage("CSV row 2 has 3 fields; the header names 2");
        assertRejected("id,,amount\n1,2,3\n", BronzeFormat.CSV, Reason.MALFORMED_BODY, 0);
        assertRejected("id,id\n1,2\n", BronzeFormat.CSV, Reason.MALFORMED_BODY, 0);
        assertRejected("id,note\n1,\"open\n2,x\n", BronzeFormat.CSV, Reason.MALFORMED_BODY, 1)
                .hasMessageContaining("never closed");
        assertRejected("id,note\n1,x\n2,\"a\"b\n", BronzeFormat.CSV, Reason.MALFORMED_BODY, 2);
        assertRejected("id\n" + "x".repeat(1001) + "\n", BronzeFormat.CSV, Reason.RECORD_TOO_LARGE, 1)
                .hasMessage("CSV row 1 is 1,001 bytes; the limit is 1,000");
        assertRejected(concat("id\n1\n".getBytes(StandardCharsets.UTF_8), new byte[] { (byte) 0xfe, '\n' }),
                BronzeFormat.CSV, Reason.INVALID_UTF8, 2);
    }

    @Test
    void givesTheSameAnswerWhateverHowTheInputIsSplit() throws IOException {
        var ndjson = "{\"a\":\"é\"}\n".repeat(50) + "x\n";
        var json = "[" + "{\"a\":\"☃\"},".repeat(50) + "{}]";
        var csv = "a,b\n" + "1,\"x\ny\"\n".repeat(50);
        for (var format : List.of(BronzeFormat.NDJSON, BronzeFormat.JSON, BronzeFormat.CSV)) {
            String body = format == BronzeFormat.NDJSON ? ndjson : format == BronzeFormat.JSON ? json : csv;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            assertThat(BodyScanner.scan(new OneByteAtATime(bytes), format, LIMIT))
                    .isEqualTo(BodyScanner.scan(new ByteArrayInputStream(bytes), format, LIMIT));
        }
    }

    @Test
    void handlesLargeBodiesWithoutBlowingUp() throws IOException {
        // a sanity check, not a benchmark: large inputs and near-limit records go through in one pass
        String line = "{\"order_id\":\"o-123456\",\"amount\":\"12.50\",\"ts\":\"2026-11-24T10:15:00Z\",\"note\":\"é\"}\n";
        int copies = 64 * 1024 * 1024 / line.length();
        var ndjson = new RepeatingStream(line.getBytes(StandardCharsets.UTF_8), copies);
        assertThat(BodyScanner.scan(ndjson, BronzeFormat.NDJSON, 1024 * 1024).records()).isEqualTo(copies);

        String element = "{\"a\":[" + "1,".repeat(100) + "1],\"b\":{\"c\":\"" + "x".repeat(200) + "\"}},";
        var json = new StringBuilder("[");
        json.append(element.repeat(20_000)).append("{}]");
        assertThat(scan(json.toString(), BronzeFormat.JSON).records()).isEqualTo(20_001);

        String nearLimit = "{\"a\":\"" + "x".repeat(1024 * 1024 - 20) + "\"}\n";
        assertThat(BodyScanner.scan(new ByteArrayInputStream(nearLimit.repeat(20).getBytes(StandardCharsets.UTF_8)),
                BronzeFormat.NDJSON, 1024 * 1024).records()).isEqualTo(20);
    }

    private static ScanResult scan(String body, BronzeFormat format) throws IOException {
        return BodyScanner.scan(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), format, LIMIT);
    }

    private static ScanResult scanUnchecked(String body, BronzeFormat format) {
        try {
            return scan(body, format);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRejected(String body,
            BronzeFormat format, Reason reason, long position) {
        return assertRejected(body.getBytes(StandardCharsets.UTF_8), format, reason, position);
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertRejected(byte[] body,
            BronzeFormat format, Reason reason, long position) {
        ThrowingCallable scan = () -> BodyScanner.scan(new ByteArrayInputStream(body), format, LIMIT);
        assertThatThrownBy(scan).isInstanceOfSatisfying(BodyRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.position()).isEqualTo(position);
        });
        return assertThatThrownBy(scan);
    }

    private static byte[] concat(byte[]... parts) {
        return SegmentReaderTest.object(parts);
    }

    /** Splits every multi-byte sequence and line across reads. */
    private static final class OneByteAtATime extends InputStream {
        private final byte[] bytes;
        private int pos;

        OneByteAtATime(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            int b = read();
            if (b < 0) {
                return -1;
            }
            into[offset] = (byte) b;
            return 1;
        }
    }

    /** The same bytes many times, without holding them all. */
    private static final class RepeatingStream extends InputStream {
        private final byte[] unit;
        private long remaining;
        private int pos;

        RepeatingStream(byte[] unit, long copies) {
            this.unit = unit;
            this.remaining = copies;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (remaining == 0) {
                return -1;
            }
            int n = 0;
            while (n < length && remaining > 0) {
                int take = Math.min(length - n, unit.length - pos);
                System.arraycopy(unit, pos, into, offset + n, take);
                n += take;
                pos += take;
                if (pos == unit.length) {
                    pos = 0;
                    remaining--;
                }
            }
            return n;
        }
    }
}
