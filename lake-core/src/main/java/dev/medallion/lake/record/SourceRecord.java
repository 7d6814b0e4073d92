package dev.medallion.lake.record;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One record read from a source, or the reason it could not be read.
 *
 * @param position its 1-based position in the source: the NDJSON line, the JSON array element, the CSV data row
 * @param value the parsed object, or {@code null} when {@code error} is set
 * @param error why the record could not be read, or {@code null}
 * @param raw the record's text (possibly cut short) for quarantine, or {@code null} when it parsed or none is kept
 */
public record SourceRecord(long position, ObjectNode value, RecordError error, String raw) {

    static SourceRecord of(long position, ObjectNode value) {
        return new SourceRecord(position, value, null, null);
    }

    static SourceRecord failed(long position, RecordError error, String raw) {
        return new SourceRecord(position, null, error, raw);
    }

    public boolean ok() {
        return error == null;
    }
}
