package dev.medallion.lake.record;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record read from a source object, or the reason it could not be read.
 *
 * @param line its 1-based line number in the (decompressed) source
 * @param value the parsed object, or {@code null} when {@code error} is set
 * @param error why the line is not a record, or {@code null}
 * @param raw the line's text (possibly cut short) for quarantine, or {@code null} when it parsed
 */
public record SourceRecord(long line, ObjectNode value, RecordError error, String raw) {

    static SourceRecord of(long line, ObjectNode value) {
        return new SourceRecord(line, value, null, null);
    }

    static SourceRecord failed(long line, RecordError error, String raw) {
        return new SourceRecord(line, null, error, raw);
    }

    public boolean ok() {
        return error == null;
    }
}
