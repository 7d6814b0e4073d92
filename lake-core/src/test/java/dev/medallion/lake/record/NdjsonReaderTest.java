package dev.medallion.lake.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.record.RecordError.Kind;

class NdjsonReaderTest {
    private static final int MAX = 1024 * 1024;

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static List<SourceRecord> read(byte[] input, int maxRecordBytes) {
        List<SourceRecord> records = new ArrayList<>();
        try (var reader = new NdjsonReader(new ByteArrayInputStream(input), maxRecordBytes)) {
            reader.forEachRemaining(records::add);
        }
        return records;
    }

    private static List<SourceRecord> read(String input) {
        return read(utf8(input), MAX);
    }

    private static SourceRecord single(byte[] line) {
        List<SourceRecord> records = read(line, MAX);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    @Test
    void readsPlainInput() {
        List<SourceRecord> records = read("{\"a\":1}\n{\"b\":\"x\"}\n");

        assertThat(records).extracting(SourceRecord::position).containsExactly(1L, 2L);
        assertThat(records).allMatch(SourceRecord::ok);
        assertThat(records.get(0).value().get("a").intValue()).isEqualTo(1);
        assertThat(records.get(1).value().get("b").textValue()).isEqualTo("x");
        assertThat(records.get(0).raw()).isNull();
        assertThat(records.get(0).error()).isNull();
    }

    @Test
    void detectsGzipByItsMagicBytes() {
        byte[] plain = utf8("{\"a\":1}\n{\"a\":2}\n{\"a\":3}");

        List<SourceRecord> records = read(gzip(plain), MAX);

        assertThat(records).extracting(SourceRecord::position).containsExactly(1L, 2L, 3L);
        assertThat(records).extracting(r -> r.value().get("a").intValue()).containsExactly(1, 2, 3);
    }

    @Test
    void readsConcatenatedGzipMembers() {
        var both = new ByteArrayOutputStream();
        both.writeBytes(gzip(utf8("{\"a\":1}\n")));
        both.writeBytes(gzip(utf8("{\"a\":2}\n")));

        assertThat(read(both.toByteArray(), MAX)).extracting(r -> r.value().get("a").intValue())
                .containsExactly(1, 2);
    }

    @Test
    void skipsBlankLinesButCountsThem() {
        List<SourceRecord> records = read("\n{\"a\":1}\n   \n\t\r\n\n{\"a\":2}\r\n \n");

        assertThat(records).extracting(SourceRecord::position).containsExactly(2L, 6L);
        assertThat(records).allMatch(SourceRecord::ok);
    }

    @Test
    void readsALastLineWithoutNewline() {
        List<SourceRecord> records = read("{\"a\":1}\n{\"a\":2}");

        assertThat(records).extracting(SourceRecord::position).containsExactly(1L, 2L);
        assertThat(records.get(1).value().get("a").intValue()).isEqualTo(2);
    }

    @Test
    void endsCleanlyOnTrailingBlanks() {
        assertThat(read("{\"a\":1}\n  ")).hasSize(1);
        assertThat(read("")).isEmpty();
        assertThat(read("\n\n")).isEmpty();
    }

    @Test
    void nextAfterTheEndThrows() {
        try (var reader = new NdjsonReader(new ByteArrayInputStream(utf8("{}\n")), MAX)) {
            assertThat(reader.next().ok()).isTrue();
            assertThat(reader.hasNext()).isFalse();
            assertThat(reader.hasNext()).isFalse();
            assertThatThrownBy(reader::next).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void reportsMalformedJsonWithLineAndRawText() {
        List<SourceRecord> records = read("{\"a\":1}\n{\"a\":\n{\"a\":3}\n");

        assertThat(records).hasSize(3);
        SourceRecord bad = records.get(1);
        assertThat(bad.ok()).isFalse();
        assertThat(bad.position()).isEqualTo(2);
        assertThat(bad.value()).isNull();
        assertThat(bad.error().kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(bad.error().field()).isEmpty();
        assertThat(bad.raw()).isEqualTo("{\"a\":");
        assertThat(records.get(2).value().get("a").intValue()).isEqualTo(3);
        assertThat(records.get(2).position()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"a\":1} x", "{\"a\":1}{\"b\":2}", "{a:1}", "{'a':1}", "{\"a\":1,}", "not json",
            "{\"a\":01}", "{\"a\":\"unterminated}" })
    void rejectsTextThatIsNotOneJsonValue(String line) {
        SourceRecord record = single(utf8(line + "\n"));

        assertThat(record.error().kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(record.raw()).isEqualTo(line);
    }

    @ParameterizedTest
    @ValueSource(strings = { "[1,2]", "42", "\"text\"", "true", "null", "[{\"a\":1}]" })
    void rejectsValuesThatAreNotObjects(String line) {
        SourceRecord record = single(utf8(line + "\n"));

        assertThat(record.error().kind()).isEqualTo(Kind.NOT_AN_OBJECT);
        assertThat(record.error().reason()).startsWith("expected a JSON object but found ");
        assertThat(record.raw()).isEqualTo(line);
    }

    @Test
    void namesWhatWasFoundInsteadOfAnObject() {
        assertThat(single(utf8("[1]")).error().reason()).endsWith("array");
        assertThat(single(utf8("7")).error().reason()).endsWith("number");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":{\"x\":1,\"x\":1}}", "{\"l\":[{\"k\":1,\"k\":2}]}" })
    void rejectsDuplicateKeysAtAnyDepth(String line) {
        SourceRecord record = single(utf8(line));

        assertThat(record.error().kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(record.error().reason()).containsIgnoringCase("duplicate");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"a\":NaN}", "{\"a\":-Infinity}", "{\"a\":Infinity}", "NaN", "{\"a\":+1}" })
    void rejectsNonStandardNumbers(String line) {
        assertThat(single(utf8(line)).error().kind()).isEqualTo(Kind.MALFORMED_JSON);
    }

    @Test
    void decodesUtf8() {
        SourceRecord record = single(utf8("{\"name\":\"Zoë 😀 日本\",\"ключ\":1}"));

        assertThat(record.ok()).isTrue();
        assertThat(record.value().get("name").textValue()).isEqualTo("Zoë 😀 日本");
        assertThat(record.value().has("ключ")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ff", // never valid
            "80", // a lone continuation byte
            "c3", // a two-byte sequence cut short
            "c0 80", // an overlong NUL
            "e0 80 af", // an overlong '/'
            "ed a0 80", // a UTF-16 surrogate
            "f4 90 80 80", // beyond U+10FFFF
    })
    void rejectsInvalidUtf8InValuesAndNames(String hex) {
        byte[] bad = hexBytes(hex);
        byte[] inValue = concat(utf8("{\"a\":\"x"), bad, utf8("y\"}"));
        byte[] inName = concat(utf8("{\"x"), bad, utf8("\":1}"));

        for (byte[] line : List.of(inValue, inName)) {
            SourceRecord record = single(line);
            assertThat(record.ok()).as("line %s", Arrays.toString(line)).isFalse();
            assertThat(record.error().kind()).isEqualTo(Kind.MALFORMED_JSON);
            assertThat(record.raw()).isNotNull();
        }
    }

    @Test
    void rejectsALineOverTheLimitWithoutHoldingItAndGoesOn() {
        int max = 64;
        String huge = "{\"a\":\"" + "x".repeat(100_000) + "\"}";
        String input = huge + "\n{\"a\":2}\n" + huge;

        List<SourceRecord> records = read(utf8(input), max);

        assertThat(records).extracting(SourceRecord::position).containsExactly(1L, 2L, 3L);
        SourceRecord tooLarge = records.get(0);
        assertThat(tooLarge.error().kind()).isEqualTo(Kind.RECORD_TOO_LARGE);
        assertThat(tooLarge.error().reason()).contains("64 bytes");
        assertThat(tooLarge.raw()).hasSizeLessThanOrEqualTo(max).startsWith("{\"a\":\"xxx");
        assertThat(records.get(1).value().get("a").intValue()).isEqualTo(2);
        assertThat(records.get(2).error().kind()).isEqualTo(Kind.RECORD_TOO_LARGE);
    }

    @Test
    void acceptsALineOfExactlyTheLimit() {
        String line = "{\"a\":\"" + "x".repeat(50) + "\"}";
        int max = line.length();

        assertThat(read(utf8(line + "\n" + line + "x\n"), max)).extracting(r -> r.ok())
                .containsExactly(true, false);
    }

    @Test
    void keepsAtMostFourKilobytesOfARejectedLine() {
        String line = "{\"a\":" + "1".repeat(10_000);

        SourceRecord record = single(utf8(line));

        assertThat(record.error().kind()).isEqualTo(Kind.MALFORMED_JSON);
        assertThat(record.raw()).hasSize(4096).isEqualTo(line.substring(0, 4096));
    }

    @Test
    void reportsTruncatedGzipAfterTheGoodRecords() {
        var plain = new StringBuilder();
        for (int i = 1; i <= 5_000; i++) {
            plain.append("{\"i\":").append(i).append(",\"pad\":\"").append(Integer.toHexString(i * 7919)).append("\"}\n");
        }
        byte[] whole = gzip(utf8(plain.toString()));
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);

        List<SourceRecord> records = read(truncated, MAX);

        SourceRecord last = records.get(records.size() - 1);
        List<SourceRecord> good = records.subList(0, records.size() - 1);
        assertThat(good).isNotEmpty().hasSizeLessThan(5_000).allMatch(SourceRecord::ok);
        for (int i = 0; i < good.size(); i++) {
            assertThat(good.get(i).position()).isEqualTo(i + 1);
            assertThat(good.get(i).value().get("i").intValue()).isEqualTo(i + 1);
        }
        assertThat(last.error().kind()).isEqualTo(Kind.TRUNCATED_INPUT);
        assertThat(last.position()).isEqualTo(good.size() + 1);
    }

    @Test
    void readsFractionsExactly() {
        SourceRecord record = single(utf8("{\"a\":12345678901234567.89,\"b\":0.1,\"c\":1.50,\"d\":1e400}"));

        assertThat(record.value().get("a").decimalValue()).isEqualTo(new BigDecimal("12345678901234567.89"));
        assertThat(record.value().get("b").decimalValue()).isEqualTo(new BigDecimal("0.1"));
        assertThat(record.value().get("c").decimalValue()).isEqualTo(new BigDecimal("1.50"));
        assertThat(record.value().get("d").decimalValue()).isEqualTo(new BigDecimal("1e400"));
    }

    @Test
    void closeClosesTheInput() {
        var closed = new boolean[1];
        InputStream in = new FilterInputStream(new ByteArrayInputStream(utf8("{}"))) {
            @Override
            public void close() throws IOException {
                closed[0] = true;
                super.close();
            }
        };

        new NdjsonReader(in, MAX).close();

        assertThat(closed[0]).isTrue();
    }

    private static byte[] hexBytes(String hex) {
        String[] parts = hex.split(" ");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
