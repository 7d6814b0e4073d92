package dev.medallion.lake.record;

import java.util.Locale;

/**
 * Why a record was rejected: a kind (used in quarantine paths and metrics), the field at fault (a path like
 * {@code items[2].qty}, or empty for the whole record) and a sentence a person can act on.
 */
public record RecordError(Kind kind, String field, String reason) {

    /** Kinds of rejection; low-cardinality, stable names. */
    public enum Kind {
        MALFORMED_JSON,
        /** A CSV row that cannot be read: a stray quote, more fields than the header, invalid UTF-8. */
        MALFORMED_CSV,
        NOT_AN_OBJECT,
        RECORD_TOO_LARGE,
        TRUNCATED_INPUT,
        MISSING_REQUIRED,
        TYPE_MISMATCH,
        OUT_OF_RANGE,
        UNKNOWN_FIELD;

        /** The kind as it appears in paths and metrics: {@code type_mismatch}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public RecordError {
        field = field == null ? "" : field;
    }

    @Override
    public String toString() {
        return kind.label() + (field.isEmpty() ? "" : " at " + field) + ": " + reason;
    }
}
