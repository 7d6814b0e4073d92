package dev.medallion.lake.catalog;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;

/**
 * The event-time partition a Silver file belongs to: a UTC day, or an hour of it. Only real calendar dates with a
 * four-digit year exist, so every value renders to a path Athena's projection can generate.
 *
 * @param year 1000 to 9999
 * @param month 1 to 12
 * @param day a day that exists in that month
 * @param hour 0 to 23 for hourly partitions, empty for daily ones
 * @param values the values of the dataset's {@code partition-by} fields, in their order (after the time keys in the
 *        path); each 1 to 128 letters, digits, '_', '.' or '-', so it is a path segment and an enum value as is
 */
public record Partition(int year, int month, int day, OptionalInt hour, List<String> values) {

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
        values = List.copyOf(values);
        for (String value : values) {
            if (!isValue(value)) {
                throw new ValidationException("Cannot use partition value '" + value
                        + "': it must be 1 to 128 letters, digits, '_', '.' or '-'");
            }
        }
    }

    /** Whether text can be a partition value: a path segment, and an enum projection value, as it is. */
    public static boolean isValue(String text) {
        return text != null && VALUE.matcher(text).matches() && !text.equals(".") && !text.equals("..");
    }

    private static final Pattern VALUE = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    /*
     * Written out, not generated: the transform looks up every record's partition in a map, and a native executable
     * runs a record's generated equals and hashCode through interpreted method handles, which cost the native
     * transform 40% of its time (docs/native.md).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Partition p && year == p.year && month == p.month && day == p.day
                && hour.equals(p.hour) && values.equals(p.values);
    }

    @Override
    public int hashCode() {
        return (((year * 31 + month) * 31 + day) * 31 + hour.hashCode()) * 31 + values.hashCode();
    }

    /** This time partition with {@code partition-by} values. */
    public Partition with(List<String> newValues) {
        return new Partition(year, month, day, hour, newValues);
    }

    /** A daily partition. */
    public static Partition day(int year, int month, int day) {
        return new Partition(year, month, day, OptionalInt.empty(), List.of());
    }

    /** An hourly partition. */
    public static Partition hour(int year, int month, int day, int hour) {
        return new Partition(year, month, day, OptionalInt.of(hour), List.of());
    }
}
