package dev.medallion.lake.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.bronze.SegmentReader;
import dev.medallion.lake.bronze.SegmentWriter;

class RecordReaderTest {
    private static final int LIMIT = 1000;

    @Test
    void readsEachObjectOfAJsonArrayWithItsPosition() {
        List<SourceRecord> records = read("[{\"a\":1},\n {\"a\":2}, {\"a\":3}]", BronzeFormat.JSON);

        assertThat(records).extracting(SourceRecord::position).containsExactly(1L, 2L, 3L);
        assertThat(records).extracting(r -> r.value().get("a").asInt()).containsExactly(1, 2, 3);
    }

    @Test
    void readsASingleJsonObjectAsRecordOne() {
        List<SourceRecord> records = read("{\"a\":{\"b\":[1,2]}}", BronzeFormat.JSON);

        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.position()).isEqualTo(1);
            assertThat(r.value().toString()).isEqualTo("{\"a\":{\"b\":[1,2]}}");
        });
    }

    @Test
    void keepsDecimalsExactlyAsWritten() {
        SourceRecord record = read("[{\"amount\":12345678901234567890.10}]", BronzeFormat.JSON).get(0);

        assertThat(record.value().get("amount").decimalValue()).isEqualTo(new BigDecimal("12345678901234567890.10"));
    }

    @Test
    void rejectsBadElementsAndGoesOnWithTheNextOnes() {
        String big = "{\"a\":\"" + "x".repeat(2000) + "\"}";
        List<SourceRecord> records = read("[{\"a\":1}, 7, " + big + ", {\"a\":1,\"a\":2}, [1], {\"a\":6}]",
                BronzeFormat.JSON);

        assertThat(records).extracting(r -> r.position() + ":" + (r.ok() ? "ok" : r.error().kind().label()))
                .containsExactly("1:ok", "2:not_an_object", "3:record_too_large", "4:malformed_json",
                        "5:not_an_object", "6:ok");
        assertThat(records.get(1).raw()).isEqualTo("7");
        assertThat(records.get(3).raw()).isEqualTo("{\"a\":1,\"a\":2}");
    }

    @Test
    void readsTheRecordsOfAnEnvelope() {
        List<SourceRecord> records = read("{\"dataset\":\"sales\",\"meta\":{\"x\":[1]},\"records\":[{\"a\":1},{\"a\":2}]}",
                BronzeFormat.ENVELOPE);

        assertThat(records).extracting(r -> r.position() + "=" + r.value()).containsExactly("1={\"a\":1}",
                "2={\"a\":2}");
    }

    @Test
    void readsCsvRowsAsTextByHeaderName() {
        String csv = "\uFEFFid,note,amount\r\n1,\"a, b\",2.50\r\n\r\n2,\"two\nlines\",\n3,\"say \"\"hi\"\"\",\"\"\n";

        List<SourceRecord> records = read(csv, BronzeFormat.CSV);

        assertThat(records).extracting(SourceRecord::position).containsExactly(1L, 2L, 3L);
        assertThat(records).extracting(r -> r.value().toString()).containsExactly(
                "{\"id\":\"1\",\"note\":\"a, b\",\"amount\":\"2.50\"}",
                "{\"id\":\"2\",\"note\":\"two\\nlines\"}", // an empty field is absent
                "{\"id\":\"3\",\"note\":\"say \\\"hi\\\"\",\"amount\":\"\"}"); // "" is the empty string
    }

    @Test
    void quarantinesCsvRowsThatCannotBeRead() {
        List<SourceRecord> records = read("id,amount\n1,2,3\n" + "4," + "9".repeat(2000) + "\n5\n6,\"x\"y\n7,8\n",
                BronzeFormat.CSV);

        assertThat(records).extracting(r -> r.position() + ":" + (r.ok() ? r.value().toString()
                : r.error().kind().label())).containsExactly("1:malformed_csv", "2:record_too_large",
                        "3:{\"id\":\"5\"}", "4:malformed_csv", "5:{\"id\":\"7\",\"amount\":\"8\"}");
        assertThat(records.get(0).raw()).isEqualTo("1,2,3");
    }

    @Test
    void aTruncatedSegmentKeepsTheRecordsBeforeTheCut() throws IOException {
        var json = new StringBuilder("[");
        for (int i = 1; i <= 5000; i++) {
            json.append(i > 1 ? "," : "").append("{\"n\":").append(i).append('}');
        }
        json.append(']');
        var csv = new StringBuilder("n\n");
        for (int i = 1; i <= 5000; i++) {
            csv.append(i).append('\n');
        }
        for (var format : List.of(BronzeFormat.JSON, BronzeFormat.CSV)) {
            String body = format == BronzeFormat.JSON ? json.toString() : csv.toString();
            var out = new ByteArrayOutputStream();
            try (OutputStream segment = SegmentWriter.open(out,
                    new SegmentHeader("sqs", "m", format, Instant.EPOCH), 1)) {
                segment.write(body.getBytes(StandardCharsets.UTF_8));
            }
            byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() / 2);
            List<SourceRecord> records = new ArrayList<>();
            try (var segments = new SegmentReader(new ByteArrayInputStream(cut));
                    var reader = RecordReader.open(segments.next().body(), format, LIMIT)) {
                reader.forEachRemaining(records::add);
            }
            SourceRecord last = records.get(records.size() - 1);
            assertThat(last.error().kind()).isEqualTo(RecordError.Kind.TRUNCATED_INPUT);
            List<SourceRecord> good = records.subList(0, records.size() - 1);
            assertThat(good).hasSizeGreaterThan(100).allMatch(SourceRecord::ok);
            for (int i = 0; i < good.size(); i++) {
                assertThat(good.get(i).position()).isEqualTo(i + 1);
                assertThat(good.get(i).value().get("n").asInt()).isEqualTo(i + 1);
            }
            assertThat(last.position()).isEqualTo(good.size() + 1);
        }
    }

    @Test
    void aStoreFailingMidObjectIsThrownNotTakenForTheInputsEnd() {
        // a connection reset while a Bronze object streams in: the records after it exist, so the source must be
        // read again rather than end with a truncated_input error that drops them
        var bodies = Map.of(BronzeFormat.NDJSON, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n",
                BronzeFormat.JSON, "[{\"n\":1},{\"n\":2},{\"n\":3}]", BronzeFormat.CSV, "n\n1\n2\n3\n");
        bodies.forEach((format, body) -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            InputStream resetHalfway = new SequenceInputStream(
                    new ByteArrayInputStream(bytes, 0, bytes.length / 2), new InputStream() {
                        @Override
                        public int read() throws IOException {
                            throw new SocketException("Connection reset");
                        }
                    });
            try (var reader = RecordReader.open(resetHalfway, format, LIMIT)) {
                assertThatThrownBy(() -> reader.forEachRemaining(record -> {
                }))
                        .as("%s", format).isInstanceOf(UncheckedIOException.class)
                        .hasRootCauseMessage("Connection reset");
            }
        });
    }

    @Test
    void ndjsonIsReadByTheNdjsonReader() {
        List<SourceRecord> records = read("{\"a\":1}\n\nnot json\n", BronzeFormat.NDJSON);

        assertThat(records).extracting(r -> r.position() + ":" + r.ok()).containsExactly("1:true", "3:false");
    }

    private static List<SourceRecord> read(String body, BronzeFormat format) {
        InputStream in = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
        List<SourceRecord> records = new ArrayList<>();
        try (var reader = RecordReader.open(in, format, LIMIT)) {
            reader.forEachRemaining(records::add);
        }
        return records;
    }
}
