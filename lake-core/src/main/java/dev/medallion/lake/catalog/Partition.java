package dev.medallion.lake.catalog;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.OptionalInt;

import dev.medallion.lake.ValidationException;

/**
 * The event-time partition a Silver file belongs to: a UTC day, or an hour of it. Only real calendar dates with a
 * four-digit year exist, so every value renders to a path Athena's projection can generate.
 *
 * @param year 1000 to 9999
 * @param month 1 to 12
 * @param day a day that exists in that month
 * @param hour 0 to 23 for hourly partitions, empty for daily ones
 */
public record Partition(int year, int month, int day, OptionalInt hour) {

    /** Smallest year a partition can have: years are written with four digits and no padding. */
    public static final int MIN_YEAR = 1000;
    /** Largest year a partition can have. */
    public static final int MAX_YEAR = 9999;

    public Partition {
        if (year < MIN_YEAR || year > MAX_YEAR) {
            throw new ValidationException(
                    "Cannot use partition year " + year + ": it must be " + MIN_YEAR + " to " + MAX_YEAR);
        }
        try {
            LocalDate.of(year, month, day);
        } catch (DateTimeException e) {
            throw new ValidationException("Cannot use partition " + year + "-" + month + "-" + day
                    + ": it is not a date", e);
        }
        if (hour == null) {
            throw new ValidationException("Cannot use partition: hour must be empty, not null");
        }
        if (hour.isPresent() && (hour.getAsInt() < 0 || hour.getAsInt() > 23)) {
            throw new ValidationException("Cannot use partition hour " + hour.getAsInt() + ": it must be 0 to 23");
        }
    }

    /** A daily partition. */
    public static Partition day(int year, int month, int day) {
        return new Partition(year, month, day, OptionalInt.empty());
    }

    /** An hourly partition. */
    public static Partition hour(int year, int month, int day, int hour) {
        return new Partition(year, month, day, OptionalInt.of(hour));
    }
}
