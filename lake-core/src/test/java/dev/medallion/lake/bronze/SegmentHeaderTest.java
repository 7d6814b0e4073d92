package dev.medallion.lake.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class SegmentHeaderTest {
    private static final Instant AT = Instant.parse("2026-11-24T10:15:00.123Z");

    @Test
    void roundTripsThroughTheGzipComment() {
        var header = new SegmentHeader("sqs", "6b1f0a42-11aa", BronzeFormat.CSV, AT);

        String comment = header.toComment();

        assertThat(comment).isEqualTo(
                "{\"source\":\"sqs\",\"id\":\"6b1f0a42-11aa\",\"format\":\"csv\",\"receivedAt\":\"2026-11-24T10:15:00.123Z\"}");
        assertThat(SegmentHeader.fromComment(comment)).contains(header);
    }

    @Test
    void lineageIdNamesSourceIdAndPosition() {
        assertThat(new SegmentHeader("http", "order-batch-42", BronzeFormat.JSON, AT).lineageId(3))
                .isEqualTo("http:order-batch-42:3");
    }

    @Test
    void escapesQuotesAndBackslashesInIdsAndStaysAscii() {
        var header = new SegmentHeader("http", "a\"b\\c {}:", BronzeFormat.NDJSON, AT);

        String comment = header.toComment();

        assertThat(comment).contains("\"id\":\"a\\\"b\\\\c {}:\"");
        assertThat(comment.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(SegmentHeader.fromComment(comment)).contains(header);
    }

    @Test
    void readsNonAsciiEscapesWrittenByOtherVersions() {
        // a comment is ISO-8859-1 on the wire: anything beyond ASCII must arrive \\u-escaped
        String comment = "{\"source\":\"sqs\",\"id\":\"x\",\"format\":\"ndjson\",\"receivedAt\":\"2026-11-24T10:15:00Z\","
                + "\"note\":\"caf\\u00e9 \\u2603\"}";

        assertThat(SegmentHeader.fromComment(comment)).map(SegmentHeader::sourceId).contains("x");
    }

    @Test
    void rejectsIdsThatAreNotShortPrintableAscii() {
        assertThatThrownBy(() -> new SegmentHeader("http", "café", BronzeFormat.NDJSON, AT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> new SegmentHeader("http", "a\u0000b", BronzeFormat.NDJSON, AT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SegmentHeader("http", "", BronzeFormat.NDJSON, AT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SegmentHeader("http", "x".repeat(257), BronzeFormat.NDJSON, AT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new SegmentHeader("http", "x".repeat(256), BronzeFormat.NDJSON, AT).sourceId()).hasSize(256);
        assertThatThrownBy(() -> new SegmentHeader("HTTP x", "id", BronzeFormat.NDJSON, AT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void foreignCommentsAreNotHeaders() {
        assertThat(SegmentHeader.fromComment("created by backup tool")).isEmpty();
        assertThat(SegmentHeader.fromComment("{\"tool\":\"x\"}")).isEmpty();
        assertThat(SegmentHeader.fromComment("{broken")).isEmpty();
        assertThat(SegmentHeader.fromComment("")).isEmpty();
        assertThat(SegmentHeader.fromComment(
                "{\"source\":\"sqs\",\"id\":\"x\",\"format\":\"parquet\",\"receivedAt\":\"2026-11-24T10:15:00Z\"}"))
                .isEmpty();
    }

    @Test
    void formatLabelsRoundTrip() {
        for (BronzeFormat format : BronzeFormat.values()) {
            assertThat(BronzeFormat.fromLabel(format.label())).isEqualTo(format);
        }
        assertThat(BronzeFormat.ENVELOPE.label()).isEqualTo("envelope");
        assertThatThrownBy(() -> BronzeFormat.fromLabel("xml")).hasMessageContaining("ndjson");
    }
}
