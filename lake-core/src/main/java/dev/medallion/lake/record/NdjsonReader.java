package dev.medallion.lake.record;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@link RecordReader} of NDJSON: streams newline-delimited JSON objects from plain or gzip input (detected by its magic
 * bytes), one line at a
 * time, so memory is bounded by the largest allowed record, not by the input. Every line becomes a
 * {@link SourceRecord}: a parsed object, or an error saying what is wrong and on which line. Blank lines are
 * skipped. Duplicate keys in an object are an error rather than a silent last-wins.
 */
public final class NdjsonReader extends LookAheadRecordReader {
    /** Longest raw text kept with a rejected record. */
    private static final int RAW_LIMIT = 4096;
    private static final ObjectMapper JSON = RecordJson.MAPPER;

    private final InputStream in;
    private final int maxRecordBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    private long lineNumber;
    private final byte[] buffer = new byte[64 * 1024];
    private int bufferPos;
    private int bufferEnd;
    private boolean lineTooLarge;

    /**
     * @param input the source bytes; closed by {@link #close()}
     * @param maxRecordBytes longer lines are rejected as {@code record_too_large} without being held in memory
     */
    public NdjsonReader(InputStream input, int maxRecordBytes) {
        this.in = decompressIfGzip(input);
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected SourceRecord readNext() {
        while (true) {
            line.reset();
            boolean eof;
            try {
                eof = !readLine();
            } catch (IOException e) {
                rethrowUnlessInputEnded(e);
                end();
                return SourceRecord.failed(lineNumber + 1, new RecordError(RecordError.Kind.TRUNCATED_INPUT, "",
                        "the input ends in the middle (" + e.getMessage() + "); lines before it were read"), null);
            }
            if (eof) {
                end();
                if (line.size() == 0 && !lineTooLarge) {
                    return null;
                }
            }
            lineNumber++;
            if (lineTooLarge) {
                return SourceRecord.failed(lineNumber, new RecordError(RecordError.Kind.RECORD_TOO_LARGE, "",
                        "the line is longer than " + maxRecordBytes + " bytes"), raw());
            }
            if (isBlank()) {
                if (ended()) {
                    return null;
                }
                continue;
            }
            return parse();
        }
    }

    /**
     * Reads up to the next newline into {@code line}, keeping at most {@code maxRecordBytes} of it; returns false when
     * the input ended before a newline. Scans a buffer rather than reading byte by byte.
     */
    private boolean readLine() throws IOException {
        lineTooLarge = false;
        while (true) {
            if (bufferPos == bufferEnd) {
                int n = in.read(buffer, 0, buffer.length);
                if (n < 0) {
                    return false;
                }
                bufferPos = 0;
                bufferEnd = n;
            }
            int newline = bufferPos;
            while (newline < bufferEnd && buffer[newline] != '\n') {
                newline++;
            }
            int keep = Math.min(newline - bufferPos, maxRecordBytes - line.size());
            line.write(buffer, bufferPos, keep);
            lineTooLarge |= keep < newline - bufferPos;
            bufferPos = newline;
            if (newline < bufferEnd) {
                bufferPos++;
                return true;
            }
        }
    }

    private SourceRecord parse() {
        byte[] bytes = line.toByteArray();
        if (!isValidUtf8(bytes)) {
            return SourceRecord.failed(lineNumber, new RecordError(RecordError.Kind.MALFORMED_JSON, "",
                    "the line is not valid UTF-8"), raw());
        }
        try (JsonParser parser = JSON.createParser(bytes)) {
            JsonNode node = JSON.readTree(parser);
            if (parser.nextToken() != null) {
                return SourceRecord.failed(lineNumber, new RecordError(RecordError.Kind.MALFORMED_JSON, "",
                        "unexpected text after the JSON value"), raw());
            }
            if (node == null || !node.isObject()) {
                return SourceRecord.failed(lineNumber, new RecordError(RecordError.Kind.NOT_AN_OBJECT, "",
                        "expected a JSON object but found " + (node == null ? "nothing"
                                : node.getNodeType()
                                        .toString().toLowerCase(java.util.Locale.ROOT))),
                        raw());
            }
            return SourceRecord.of(lineNumber, (ObjectNode) node);
        } catch (JsonProcessingException e) {
            return SourceRecord.failed(lineNumber,
                    new RecordError(RecordError.Kind.MALFORMED_JSON, "", e.getOriginalMessage()), raw());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jackson decodes some invalid sequences (overlong forms, surrogates) instead of rejecting them. */
    private boolean isValidUtf8(byte[] bytes) {
        boolean ascii = true;
        for (byte b : bytes) {
            if (b < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return true;
        }
        try {
            utf8.reset().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private boolean isBlank() {
        for (byte b : line.toByteArray()) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private String raw() {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, Math.min(bytes.length, RAW_LIMIT), StandardCharsets.UTF_8);
    }

    private static InputStream decompressIfGzip(InputStream input) {
        var buffered = new BufferedInputStream(input, 64 * 1024);
        try {
            buffered.mark(2);
            int first = buffered.read();
            int second = buffered.read();
            buffered.reset();
            if (first == 0x1f && second == 0x8b) {
                // unbuffered on purpose: a buffered wrapper would drop the lines decoded just before a truncation
                return new GZIPInputStream(buffered, 64 * 1024);
            }
            return buffered;
        } catch (IOException e) {
            // an input failing at once is a truncated one: report it as the first record, like any later failure
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    throw e;
                }
            };
        }
    }
}
