package dev.medallion.lake.record;

import java.io.InputStream;

import dev.medallion.lake.bronze.BronzeFormat;

/**
 * Streams the records of one source (a Bronze segment), one {@link SourceRecord} at a time: a parsed object, or the
 * reason a record could not be read and where it was. Memory is bounded by the largest allowed record, not by the
 * source; a record over the limit is reported as {@code record_too_large} without being held. When the source ends
 * early (a truncated gzip stream), the records before are returned and then one {@code truncated_input} error,
 * which ends the iteration; a failure of the store or network under it is thrown instead, as the records after it
 * exist.
 */
public interface RecordReader extends java.util.Iterator<SourceRecord>, AutoCloseable {

    /**
     * A reader for a source of the given format.
     *
     * <ul>
     * <li>{@code NDJSON}: one object per line, positions are line numbers ({@link NdjsonReader}; gzip input is
     * decompressed).</li>
     * <li>{@code JSON}: one object (position 1) or an array of objects (positions are element numbers); read element
     * by element, never the whole array at once.</li>
     * <li>{@code ENVELOPE}: the objects of the {@code records} array of {@code {"dataset":...,"records":[...]}}.</li>
     * <li>{@code CSV}: a header row, then rows (RFC 4180); each row becomes an object of header name to text, so the
     * dataset spec's coercion rules type it. An empty unquoted field is absent (the same as null); a quoted empty
     * field ({@code ""}) is the empty string. Positions are data row numbers, the header and empty lines not
     * counted.</li>
     * </ul>
     *
     * @param plain the decompressed source; closed by {@link #close()}
     * @param maxRecordBytes longer records are rejected as {@code record_too_large}
     */
    static RecordReader open(InputStream plain, BronzeFormat format, int maxRecordBytes) {
        return switch (format) {
            case NDJSON -> new NdjsonReader(plain, maxRecordBytes);
            case JSON -> new JsonRecordReader(plain, false, maxRecordBytes);
            case ENVELOPE -> new JsonRecordReader(plain, true, maxRecordBytes);
            case CSV -> new CsvRecordReader(plain, maxRecordBytes);
        };
    }

    /** Closes the source. */
    @Override
    void close();
}
