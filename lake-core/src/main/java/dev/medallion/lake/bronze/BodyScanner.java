package dev.medallion.lake.bronze;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import dev.medallion.lake.bronze.BodyRejectedException.Reason;

/**
 * The ingest side's fast check of one decompressed body, in one streaming pass (memory: one buffer, whatever the
 * body's size). It rejects what can never become records: an empty body, a record over the size limit, invalid
 * UTF-8, and JSON, envelope or CSV bodies that are not well-formed. It does not type records against a dataset
 * spec: that is the transform step's job, which quarantines bad records without blocking good ones.
 *
 * <p>
 * NDJSON is checked line by line without parsing: a non-blank line that does not start with {@code {} and end
 * with {@code }} (ignoring spaces, tabs and CR) is counted as malformed but accepted; the transform step decides
 * precisely (a line like <code>{"a":}</code> passes here and is quarantined there). JSON and envelope bodies are
 * walked token by token (no trees are built); CSV rows are split by {@link CsvTokenizer}.
 *
 * <p>
 * Positions are 1-based: the NDJSON line (blank lines counted), the element of the JSON array (or of the
 * envelope's {@code records}; a single object is 1), the CSV data row (the header and empty lines not counted).
 */
public final class BodyScanner {
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int MAX_POSITIONS = 10;
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();

    /**
     * What a scan found.
     *
     * @param records the records in the body (for NDJSON: non-blank lines, malformed ones included)
     * @param bytes the body's size in bytes
     * @param malformed NDJSON lines that do not look like a JSON object (always 0 for other formats)
     * @param malformedPositions the line numbers of the first ten of them
     */
    public record ScanResult(long records, long bytes, long malformed, List<Long> malformedPositions) {
        public ScanResult {
            malformedPositions = List.copyOf(malformedPositions);
        }
    }

    private BodyScanner() {
    }

    /**
     * Reads {@code plain} to its end and checks it.
     *
     * @param plain the body, decompressed; not closed
     * @param maxRecordBytes the most bytes one record may have (an NDJSON line without its line break, a JSON element
     *        from its opening to its closing brace, a CSV row as written)
     * @throws BodyRejectedException when the body can never be accepted, saying why and where
     * @throws IOException when reading {@code plain} fails
     */
    public static ScanResult scan(InputStream plain, BronzeFormat format, int maxRecordBytes) throws IOException {
        Objects.requireNonNull(plain, "plain");
        return switch (format) {
            case NDJSON -> scanNdjson(plain, maxRecordBytes);
            case JSON, ENVELOPE -> new JsonScan(plain, format, maxRecordBytes).scan();
            case CSV -> scanCsv(plain, maxRecordBytes);
        };
    }

    private static ScanResult scanNdjson(InputStream in, int maxRecordBytes) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        var utf8 = new Utf8Validator();
        long bytes = 0;
        long line = 1;
        long lineBytes = 0;
        byte first = 0;
        byte last = 0;
        long records = 0;
        long malformed = 0;
        List<Long> positions = new ArrayList<>();
        // hot path of HTTP ingest: one branch per printable ASCII byte; the validator only sees non-ASCII bytes
        boolean inSequence = false;
        int n;
        while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
            bytes += n;
            int lineStart = 0;
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (b > ' ') {
                    if (inSequence) {
                        throw invalidUtf8(line);
                    }
                    if (first == 0) {
                        first = b;
                    }
                    last = b;
                } else if (b < 0) {
                    if (!utf8.accept(b)) {
                        throw invalidUtf8(line);
                    }
                    inSequence = utf8.inSequence();
                    if (first == 0) {
                        first = b;
                    }
                    last = b;
                } else if (inSequence) {
                    throw invalidUtf8(line);
                } else if (b == '\n') {
                    lineBytes += i - lineStart;
                    lineStart = i + 1;
                    if (lineBytes > maxRecordBytes) {
                        throw tooLarge("line", line, lineBytes, maxRecordBytes);
                    }
                    if (first != 0) {
                        records++;
                        if (first != '{' || last != '}') {
                            if (malformed++ < MAX_POSITIONS) {
                                positions.add(line);
                            }
                        }
                    }
                    line++;
                    lineBytes = 0;
                    first = 0;
                } else if (b != ' ' && b != '\t' && b != '\r') {
                    if (first == 0) {
                        first = b; // a control character: not blank, and not JSON either
                    }
                    last = b;
                }
            }
            lineBytes += n - lineStart;
        }
        if (utf8.inSequence()) {
            throw invalidUtf8(line);
        }
        if (lineBytes > maxRecordBytes) {
            throw tooLarge("line", line, lineBytes, maxRecordBytes);
        }
        if (first != 0) {
            records++;
            if (first != '{' || last != '}') {
                if (malformed++ < MAX_POSITIONS) {
                    positions.add(line);
                }
            }
        }
        if (records == 0) {
            throw new BodyRejectedException(Reason.EMPTY_BODY, 0, "The body holds no records");
        }
        return new ScanResult(records, bytes, malformed, positions);
    }

    private static ScanResult scanCsv(InputStream in, int maxRecordBytes) throws IOException {
        var rows = new CsvTokenizer(in, maxRecordBytes);
        if (!rows.next()) {
            throw new BodyRejectedException(Reason.EMPTY_BODY, 0, "The CSV body is empty: expected a header row");
        }
        if (rows.problem() != null) {
            throw csvProblem(rows, 0, "the header row", maxRecordBytes);
        }
        int columns = rows.fieldCount();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < columns; i++) {
            String name = rows.field(i);
            if (name == null || name.isBlank()) {
                throw new BodyRejectedException(Reason.MALFORMED_BODY, 0,
                        "The CSV header row has no name for column " + (i + 1));
            }
            if (!names.add(name)) {
                throw new BodyRejectedException(Reason.MALFORMED_BODY, 0,
                        "The CSV header row names column '" + name + "' twice");
            }
        }
        long records = 0;
        while (rows.next()) {
            records++;
            if (rows.problem() != null) {
                throw csvProblem(rows, records, "row " + records, maxRecordBytes);
            }
            if (rows.fieldCount() > columns) {
                throw new BodyRejectedException(Reason.MALFORMED_BODY, records, "CSV row " + records + " has "
                        + rows.fieldCount() + " fields; the header names " + columns);
            }
        }
        if (records == 0) {
            throw new BodyRejectedException(Reason.EMPTY_BODY, 0, "The CSV body has a header row but no rows");
        }
        return new ScanResult(records, rows.bytesRead(), 0, List.of());
    }

    private static BodyRejectedException csvProblem(CsvTokenizer rows, long position, String what, int limit) {
        return switch (rows.problem()) {
            case TOO_LARGE -> position == 0
                    ? new BodyRejectedException(Reason.RECORD_TOO_LARGE, 0, String.format(Locale.ROOT,
                            "The CSV header row is %,d bytes; the limit is %,d", rows.rowBytes(), limit))
                    : tooLarge("CSV row", position, rows.rowBytes(), limit);
            case INVALID_UTF8 -> new BodyRejectedException(Reason.INVALID_UTF8, position,
                    "The body is not valid UTF-8 in CSV " + what);
            case TEXT_AFTER_QUOTE -> new BodyRejectedException(Reason.MALFORMED_BODY, position,
                    "CSV " + what + " has text after a closing quote (write a quote inside a quoted field as \"\")");
            case UNCLOSED_QUOTE -> new BodyRejectedException(Reason.MALFORMED_BODY, position,
                    "CSV " + what + " opens a quoted field that is never closed");
        };
    }

    private static BodyRejectedException invalidUtf8(long position) {
        return new BodyRejectedException(Reason.INVALID_UTF8, position,
                "The body is not valid UTF-8 on line " + position);
    }

    private static BodyRejectedException tooLarge(String what, long position, long size, long limit) {
        return new BodyRejectedException(Reason.RECORD_TOO_LARGE, position,
                String.format(Locale.ROOT, "%s %d is %,d bytes; the limit is %,d", capitalized(what), position, size,
                        limit));
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** A JSON or envelope body, walked token by token. */
    private static final class JsonScan {
        private final Checked in;
        private final BronzeFormat format;
        private final int maxRecordBytes;
        private long position;

        JsonScan(InputStream plain, BronzeFormat format, int maxRecordBytes) {
            this.in = new Checked(plain);
            this.format = format;
            this.maxRecordBytes = maxRecordBytes;
        }

        ScanResult scan() throws IOException {
            long records;
            try (JsonParser parser = JSON.createParser(in)) {
                JsonToken root = parser.nextToken();
                if (root == null) {
                    checkUtf8(Long.MAX_VALUE);
                    throw new BodyRejectedException(Reason.EMPTY_BODY, 0, "The body holds no records");
                }
                records = format == BronzeFormat.ENVELOPE ? envelope(parser) : json(parser);
                if (parser.nextToken() != null) {
                    checkUtf8(Long.MAX_VALUE);
                    throw malformed(parser, "there is more text after the JSON value");
                }
            } catch (JsonProcessingException e) {
                checkUtf8(Long.MAX_VALUE);
                throw new BodyRejectedException(Reason.MALFORMED_BODY, position,
                        "The body is not well-formed JSON" + where() + ": " + e.getOriginalMessage()
                                + location(e));
            }
            in.transferTo(OutputStream.nullOutputStream());
            checkUtf8(Long.MAX_VALUE);
            if (records == 0) {
                throw new BodyRejectedException(Reason.EMPTY_BODY, 0, "The body holds no records (an empty array)");
            }
            return new ScanResult(records, in.count, 0, List.of());
        }

        private long json(JsonParser parser) throws IOException {
            return switch (parser.currentToken()) {
                case START_OBJECT -> {
                    position = 1;
                    element(parser);
                    yield 1;
                }
                case START_ARRAY -> array(parser);
                default -> throw malformed(parser, "expected a JSON object or an array of objects");
            };
        }

        private long envelope(JsonParser parser) throws IOException {
            if (parser.currentToken() != JsonToken.START_OBJECT) {
                throw malformed(parser, "expected an envelope {\"dataset\": ..., \"records\": [...]}");
            }
            long records = -1;
            boolean dataset = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("records") && value == JsonToken.START_ARRAY && records < 0) {
                    records = array(parser);
                    position = 0;
                } else if (name.equals("dataset") && value == JsonToken.VALUE_STRING) {
                    dataset = true;
                } else if (name.equals("records") || name.equals("dataset")) {
                    throw malformed(parser, "an envelope's \"dataset\" is text and its \"records\" one array");
                } else {
                    parser.skipChildren();
                }
            }
            if (records < 0 || !dataset) {
                throw malformed(parser, "an envelope needs \"dataset\" (text) and \"records\" (an array)");
            }
            return records;
        }

        private long array(JsonParser parser) throws IOException {
            long count = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                position = ++count;
                if (token != JsonToken.START_OBJECT) {
                    throw malformed(parser, "element " + count + " is " + describe(token) + ", not an object");
                }
                element(parser);
            }
            return count;
        }

        /** Skips one object, checking its size and the UTF-8 of its bytes. */
        private void element(JsonParser parser) throws IOException {
            long start = parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            long stop = parser.currentLocation().getByteOffset();
            checkUtf8(stop);
            if (stop - start > maxRecordBytes) {
                throw tooLarge("record", position, stop - start, maxRecordBytes);
            }
        }

        /** Fails when an invalid UTF-8 byte was read before {@code offset}. */
        private void checkUtf8(long offset) {
            if (in.firstInvalid >= 0 && in.firstInvalid < offset) {
                throw new BodyRejectedException(Reason.INVALID_UTF8, position, "The body is not valid UTF-8"
                        + where() + " (byte " + (in.firstInvalid + 1) + ")");
            }
        }

        private BodyRejectedException malformed(JsonParser parser, String problem) {
            checkUtf8(Long.MAX_VALUE);
            return new BodyRejectedException(Reason.MALFORMED_BODY, position,
                    "The body is not what a " + format.label() + " body holds" + where() + ": " + problem
                            + " (line " + parser.currentTokenLocation().getLineNr() + ", column "
                            + parser.currentTokenLocation().getColumnNr() + ")");
        }

        private String where() {
            return position > 0 ? " in record " + position : "";
        }

        private static String location(JsonProcessingException e) {
            return e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        }

        private static String describe(JsonToken token) {
            return switch (token) {
                case START_ARRAY -> "an array";
                case VALUE_STRING -> "text";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> token.toString();
            };
        }
    }

    /** Counts the bytes read through it and notes where the first invalid UTF-8 byte is, without failing. */
    private static final class Checked extends FilterInputStream {
        private final Utf8Validator utf8 = new Utf8Validator();
        private long count;
        private long firstInvalid = -1;

        Checked(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = super.read(bytes, offset, length);
            if (n < 0) {
                if (utf8.inSequence() && firstInvalid < 0) {
                    firstInvalid = count;
                }
                return n;
            }
            int invalid = utf8.firstInvalid(bytes, offset, offset + n);
            if (invalid >= 0 && firstInvalid < 0) {
                firstInvalid = count + invalid - offset;
            }
            count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            int read = read(scratch, 0, scratch.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
