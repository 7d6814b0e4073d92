package dev.medallion.lake.spec;

import java.util.Locale;

import dev.medallion.lake.ValidationException;

/** How finely event time partitions a dataset: {@code year=/month=/day=}, optionally {@code /hour=}. */
public enum Granularity {
    DAY,
    HOUR;

    static Granularity parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("Cannot use partitioning '" + text + "': expected day or hour");
        }
    }
}
