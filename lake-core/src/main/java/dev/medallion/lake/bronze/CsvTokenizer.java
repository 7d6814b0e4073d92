package dev.medallion.lake.bronze;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits CSV (RFC 4180) into rows of fields, streaming: a field may be quoted with {@code "}, and then hold commas,
 * line breaks and doubled quotes ({@code ""}). Rows end with LF or CRLF; empty lines are skipped; a UTF-8 byte order
 * mark at the start is dropped. Memory is bounded by {@code maxRowBytes}: the fields of a longer row are not kept.
 *
 * <p>
 * A row that cannot be read as CSV is still returned, with a {@link Problem}, so a caller can report it and go on
 * with the next row. Used by the ingest-side {@link BodyScanner} and the transform's CSV reader, so both agree on
 * what a row and its number are. Not thread-safe.
 */
public final class CsvTokenizer {
    private static final int BUFFER_BYTES = 64 * 1024;

    /** What is wrong with a row. */
    public enum Problem {
        /** Longer than the limit; its fields were not kept. */
        TOO_LARGE,
        /** Not valid UTF-8. */
        INVALID_UTF8,
        /** A closing quote followed by something other than a comma or the end of the row. */
        TEXT_AFTER_QUOTE,
        /** A quoted field still open when the input ends. */
        UNCLOSED_QUOTE
    }

    private enum State {
        FIELD_START,
        UNQUOTED,
        QUOTED,
        QUOTE_IN_QUOTED
    }

    private final InputStream in;
    private final int maxRowBytes;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int pos;
    private int end;
    private boolean started;
    private boolean ended;
    private long bytesRead;
    private final Utf8Validator utf8 = new Utf8Validator();

    private byte[] row = new byte[1024];
    private int rowLength;
    private long rowBytes;
    private int[] fieldEnds = new int[16];
    private boolean[] fieldQuoted = new boolean[16];
    private int fields;
    private Problem problem;
    private long rows;

    /** @param in CSV bytes, UTF-8; not closed by the tokenizer */
    public CsvTokenizer(InputStream in, int maxRowBytes) {
        this.in = Objects.requireNonNull(in, "in");
        this.maxRowBytes = maxRowBytes;
    }

    /**
     * Reads the next non-empty row.
     *
     * @return false at the end of the input
     * @throws IOException when reading the input fails (a truncated gzip stream, for instance)
     */
    public boolean next() throws IOException {
        rowLength = 0;
        rowBytes = 0;
        fields = 0;
        problem = null;
        fieldQuoted[0] = false;
        State state = State.FIELD_START;
        boolean pendingCr = false;
        while (true) {
            if (pos == end && !fill()) {
                if (state == State.QUOTED) {
                    flag(Problem.UNCLOSED_QUOTE);
                }
                if (utf8.inSequence()) {
                    flag(Problem.INVALID_UTF8);
                }
                if (rowBytes == 0 && fields == 0) {
                    return false; // nothing, or an empty last line
                }
                endField();
                rows++;
                return true;
            }
            byte b = buffer[pos++];
            if (pendingCr) {
                pendingCr = false;
                if (b == '\n') {
                    if (rowBytes == 0 && fields == 0) {
                        continue; // an empty line
                    }
                    endField();
                    rows++;
                    return true;
                }
                rowBytes++;
                take((byte) '\r');
                if (state == State.FIELD_START || state == State.QUOTE_IN_QUOTED) {
                    if (state == State.QUOTE_IN_QUOTED) {
                        flag(Problem.TEXT_AFTER_QUOTE);
                    }
                    state = State.UNQUOTED;
                }
            }
            if (b < 0 || utf8.inSequence()) {
                if (!utf8.accept(b)) {
                    flag(Problem.INVALID_UTF8);
                }
            }
            switch (state) {
                case QUOTED -> {
                    rowBytes++;
                    if (b == '"') {
                        state = State.QUOTE_IN_QUOTED;
                    } else {
                        take(b);
                    }
                }
                case FIELD_START, UNQUOTED, QUOTE_IN_QUOTED -> {
                    if (b == '\n') {
                        if (rowBytes == 0 && fields == 0) {
                            continue; // an empty line
                        }
                        endField();
                        rows++;
                        return true;
                    }
                    if (b == '\r') {
                        pendingCr = true;
                        continue;
                    }
                    rowBytes++;
                    if (b == ',') {
                        endField();
                        state = State.FIELD_START;
                    } else if (b == '"' && state == State.FIELD_START) {
                        state = State.QUOTED;
                        fieldQuoted[fields] = true;
                    } else if (b == '"' && state == State.QUOTE_IN_QUOTED) {
                        take(b);
                        state = State.QUOTED;
                    } else {
                        if (state == State.QUOTE_IN_QUOTED) {
                            flag(Problem.TEXT_AFTER_QUOTE);
                        }
                        take(b);
                        state = State.UNQUOTED;
                    }
                }
            }
        }
    }

    /** Rows read so far, the current one included, empty lines not counted. */
    public long rowNumber() {
        return rows;
    }

    /** What is wrong with the current row, or {@code null}. */
    public Problem problem() {
        return problem;
    }

    /** Fields of the current row. */
    public int fieldCount() {
        return fields;
    }

    /**
     * The text of a field of the current row: {@code null} for an empty unquoted field, {@code ""} for {@code ""}.
     * Only meaningful when the row has no {@link Problem}.
     */
    public String field(int index) {
        Objects.checkIndex(index, fields);
        int start = index == 0 ? 0 : fieldEnds[index - 1];
        int stop = fieldEnds[index];
        if (start == stop && !fieldQuoted[index]) {
            return null;
        }
        return new String(row, start, stop - start, StandardCharsets.UTF_8);
    }

    /** Bytes of the current row as written, quotes and commas included, its line break not. */
    public long rowBytes() {
        return rowBytes;
    }

    /** Bytes read from the input so far. */
    public long bytesRead() {
        return bytesRead;
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        int n;
        do {
            n = in.read(buffer, 0, buffer.length);
        } while (n == 0);
        if (n < 0) {
            ended = true;
            return false;
        }
        pos = 0;
        end = n;
        bytesRead += n;
        if (!started) {
            started = true;
            if (n >= 3 && buffer[0] == (byte) 0xef && buffer[1] == (byte) 0xbb && buffer[2] == (byte) 0xbf) {
                pos = 3;
            }
        }
        return true;
    }

    private void flag(Problem found) {
        if (problem == null) {
            problem = found;
        }
    }

    private void take(byte b) {
        if (rowLength >= maxRowBytes) {
            flag(Problem.TOO_LARGE);
            return;
        }
        if (rowLength == row.length) {
            row = Arrays.copyOf(row, (int) Math.min((long) row.length * 2, maxRowBytes));
        }
        row[rowLength++] = b;
    }

    /** Ends the current field; {@code fieldQuoted[fields]} is always the flag of the field being read. */
    private void endField() {
        if (rowBytes > maxRowBytes) {
            flag(Problem.TOO_LARGE);
        }
        fieldEnds[fields++] = rowLength;
        if (fields == fieldEnds.length) {
            fieldEnds = Arrays.copyOf(fieldEnds, fields * 2);
            fieldQuoted = Arrays.copyOf(fieldQuoted, fields * 2);
        }
        fieldQuoted[fields] = false;
    }
}
