package dev.medallion.lake.spec;

import java.util.Locale;

import dev.medallion.lake.ValidationException;

/** What happens to a record field the schema does not name. */
public enum UnknownFieldPolicy {
    /** Ignore it. */
    DROP,
    /** Keep all unknown fields as a JSON object in the {@code _extra} column. */
    KEEP,
    /** Reject the record to quarantine. */
    QUARANTINE;

    static UnknownFieldPolicy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("Cannot use unknown-fields '" + text + "': expected drop, keep or quarantine");
        }
    }
}
