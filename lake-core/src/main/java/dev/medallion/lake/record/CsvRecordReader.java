package dev.medallion.lake.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.medallion.lake.bronze.CsvTokenizer;

/**
 * Reads CSV with a header row: each row becomes an object of header name to text (an empty unquoted field is left
 * out, {@code ""} is the empty string), typed later by the dataset spec like any JSON string.
 */
final class CsvRecordReader extends LookAheadRecordReader {
    private final InputStream in;
    private final CsvTokenizer rows;
    private final int maxRecordBytes;
    private String[] header;
    private long position;

    CsvRecordReader(InputStream in, int maxRecordBytes) {
        this.in = in;
        this.rows = new CsvTokenizer(in, maxRecordBytes);
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
        try {
            if (header == null) {
                if (!rows.next()) {
                    end();
                    return null;
                }
                String problem = headerProblem();
                if (problem != null) {
                    end(); // without names, no row can be read
                    return SourceRecord.failed(1, new RecordError(RecordError.Kind.MALFORMED_CSV, "", problem), null);
                }
            }
            if (!rows.next()) {
                end();
                return null;
            }
        } catch (IOException e) {
            rethrowUnlessInputEnded(e);
            end();
            return SourceRecord.failed(position + 1, new RecordError(RecordError.Kind.TRUNCATED_INPUT, "",
                    "the input ends in the middle (" + e.getMessage() + "); rows before it were read"), null);
        }
        position++;
        if (rows.problem() != null) {
            return switch (rows.problem()) {
                case TOO_LARGE -> SourceRecord.failed(position, new RecordError(RecordError.Kind.RECORD_TOO_LARGE, "",
                        "the row is longer than " + maxRecordBytes + " bytes"), null);
                case INVALID_UTF8 -> malformed("the row is not valid UTF-8");
                case TEXT_AFTER_QUOTE -> malformed("the row has text after a closing quote");
                case UNCLOSED_QUOTE -> malformed("the row opens a quoted field that is never closed");
            };
        }
        if (rows.fieldCount() > header.length) {
            return malformed("the row has " + rows.fieldCount() + " fields; the header names " + header.length);
        }
        ObjectNode record = RecordJson.MAPPER.createObjectNode();
        for (int i = 0; i < rows.fieldCount(); i++) {
            String value = rows.field(i);
            if (value != null) {
                record.put(header[i], value);
            }
        }
        return SourceRecord.of(position, record);
    }

    private String headerProblem() {
        if (rows.problem() != null) {
            return "the header row cannot be read (" + rows.problem().name().toLowerCase(java.util.Locale.ROOT)
                    + ")";
        }
        String[] names = new String[rows.fieldCount()];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.length; i++) {
            names[i] = rows.field(i);
            if (names[i] == null || names[i].isBlank() || !seen.add(names[i])) {
                return "the header row has an empty or repeated name in column " + (i + 1);
            }
        }
        header = names;
        return null;
    }

    private SourceRecord malformed(String reason) {
        return SourceRecord.failed(position, new RecordError(RecordError.Kind.MALFORMED_CSV, "", reason), raw());
    }

    /** The row's fields joined again as CSV, for quarantine. */
    private String raw() {
        if (rows.problem() == CsvTokenizer.Problem.TOO_LARGE) {
            return null;
        }
        var text = new StringBuilder();
        for (int i = 0; i < rows.fieldCount() && text.length() < RecordJson.RAW_LIMIT; i++) {
            String value = rows.field(i);
            if (i > 0) {
                text.append(',');
            }
            if (value != null) {
                boolean quote = value.isEmpty() || value.indexOf(',') >= 0 || value.indexOf('"') >= 0
                        || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
                text.append(quote ? '"' + value.replace("\"", "\"\"") + '"' : value);
            }
        }
        return RecordJson.cut(text.toString());
    }
}
