package dev.medallion.lake.bronze;

import java.util.Locale;

import dev.medallion.lake.ValidationException;

/** A request or message body that can never be accepted into Bronze, with the reason and where it was found. */
public class BodyRejectedException extends ValidationException {

    /** Why a body was rejected; {@code name().toLowerCase()} is the error code clients see. */
    public enum Reason {
        /** No records at all (only blank lines, an empty array, a CSV header without rows). */
        EMPTY_BODY,
        /** A JSON or CSV body that does not parse, or is not objects / an envelope. */
        MALFORMED_BODY,
        /** One record is longer than the limit. */
        RECORD_TOO_LARGE,
        /** The bytes are not valid UTF-8. */
        INVALID_UTF8,
        /** The whole body is larger than the limit (as sent or once decompressed). */
        BODY_TOO_LARGE,
        /** The body claims a content encoding (gzip) it does not have. */
        BAD_ENCODING;

        /** The reason as an error code: {@code record_too_large}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;
    private final long position;

    /**
     * @param position the 1-based position of the record at fault (NDJSON line, JSON array element, CSV data row), or
     *        0 when the body as a whole is at fault
     */
    public BodyRejectedException(Reason reason, long position, String message) {
        super(message);
        this.reason = reason;
        this.position = position;
    }

    public Reason reason() {
        return reason;
    }

    /** The 1-based position of the record at fault, or 0 for the body as a whole. */
    public long position() {
        return position;
    }
}
