package dev.medallion.lake.bronze;

import java.util.Locale;

import dev.medallion.lake.ValidationException;

/** How the records of one Bronze segment are laid out. */
public enum BronzeFormat {
    /** One JSON object per line; blank lines are skipped. */
    NDJSON,
    /** A single JSON object, or a JSON array of objects. */
    JSON,
    /** {@code {"dataset": "...", "records": [...]}}: the objects of {@code records} are the payload. */
    ENVELOPE,
    /** A header row, then rows (RFC 4180 quoting); every value is text, typed later by the dataset spec. */
    CSV;

    /** The format as it appears in segment headers: {@code ndjson}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @throws ValidationException for a label that names no format
     */
    public static BronzeFormat fromLabel(String label) {
        for (BronzeFormat format : values()) {
            if (format.label().equals(label)) {
                return format;
            }
        }
        throw new ValidationException("Cannot read Bronze format '" + label + "': expected one of ndjson, json, "
                + "envelope, csv");
    }
}
