package dev.medallion.lake.catalog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.Granularity;

/**
 * The one definition of how event time partitions a table, per {@link Granularity}: the partition keys
 * ({@code year int, month int, day int[, hour int]}), the Athena projection of each, the
 * {@code storage.location.template}, and the relative path of a partition ({@code year=2026/month=03/day=07}). The
 * writer's paths and the table's template both come from here, so they agree.
 */
public enum PartitionLayout {
    /** {@code year=YYYY/month=MM/day=DD}. */
    DAY(Granularity.DAY, List.of("year", "month", "day")),
    /** {@code year=YYYY/month=MM/day=DD/hour=HH}. */
    HOUR(Granularity.HOUR, List.of("year", "month", "day", "hour"));

    private static final Pattern DAY_PATH = Pattern.compile("year=([0-9]{4})/month=([0-9]{2})/day=([0-9]{2})");
    private static final Pattern HOUR_PATH = Pattern
            .compile("year=([0-9]{4})/month=([0-9]{2})/day=([0-9]{2})/hour=([0-9]{2})");

    private final Granularity granularity;
    private final List<String> keys;

    PartitionLayout(Granularity granularity, List<String> keys) {
        this.granularity = granularity;
        this.keys = keys;
    }

    /** The layout of a granularity. */
    public static PartitionLayout of(Granularity granularity) {
        return granularity == Granularity.HOUR ? HOUR : DAY;
    }

    /** The granularity this layout partitions by. */
    public Granularity granularity() {
        return granularity;
    }

    /** Partition key names, in path order. */
    public List<String> keys() {
        return keys;
    }

    /** Partition keys as Glue columns, all {@code int}. */
    public List<TableInput.Column> partitionKeys() {
        return keys.stream().map(k -> new TableInput.Column(k, "int")).toList();
    }

    /**
     * The projection of each key, in path order: year {@code minYear..maxYear}, month {@code 1..12}, day
     * {@code 1..31}, hour {@code 0..23}, all but the year zero-padded to two digits.
     */
    public Map<String, Projection> projections(int minYear, int maxYear) {
        if (minYear < Partition.MIN_YEAR || maxYear > Partition.MAX_YEAR) {
            throw new ValidationException("Cannot use projection.year.range " + minYear + "," + maxYear
                    + ": years must be " + Partition.MIN_YEAR + " to " + Partition.MAX_YEAR);
        }
        Map<String, Projection> projections = new LinkedHashMap<>();
        projections.put("year", Projection.IntegerProjection.range(minYear, maxYear));
        projections.put("month", Projection.IntegerProjection.padded(1, 12, 2));
        projections.put("day", Projection.IntegerProjection.padded(1, 31, 2));
        if (this == HOUR) {
            projections.put("hour", Projection.IntegerProjection.padded(0, 23, 2));
        }
        return projections;
    }

    /**
     * The {@code storage.location.template} under a table location: {@code location} (which ends with '/') followed
     * by {@code year=${year}/month=${month}/day=${day}[/hour=${hour}]}.
     */
    public String locationTemplate(String location) {
        if (location == null || !location.endsWith("/")) {
            throw new ValidationException("Cannot use table location '" + location + "': it must end with '/'");
        }
        StringBuilder template = new StringBuilder(location);
        for (String key : keys) {
            template.append(key).append("=${").append(key).append("}/");
        }
        return template.substring(0, template.length() - 1);
    }

    /** Every projection property of a table at {@code location}: see {@link Projection#tableProperties}. */
    public Map<String, String> tableProperties(String location, int minYear, int maxYear) {
        return Projection.tableProperties(projections(minYear, maxYear), locationTemplate(location));
    }

    /** The partition an event-time instant falls in, in UTC. */
    public Partition partitionOf(Instant eventTime) {
        ZonedDateTime t = eventTime.atZone(ZoneOffset.UTC);
        return this == HOUR ? Partition.hour(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour())
                : Partition.day(t.getYear(), t.getMonthValue(), t.getDayOfMonth());
    }

    /** The values of a partition as they appear in its path, keyed in path order: {@code year=2026, month=03, ...}. */
    public Map<String, String> values(Partition partition) {
        requireMine(partition);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("year", Integer.toString(partition.year()));
        values.put("month", twoDigits(partition.month()));
        values.put("day", twoDigits(partition.day()));
        partition.hour().ifPresent(h -> values.put("hour", twoDigits(h)));
        return values;
    }

    /** The relative path of a partition, {@code year=2026/month=03/day=07[/hour=05]}, with no slash at either end. */
    public String path(Partition partition) {
        StringBuilder path = new StringBuilder();
        values(partition).forEach((k, v) -> path.append(path.isEmpty() ? "" : "/").append(k).append('=').append(v));
        return path.toString();
    }

    /**
     * Reads a path written by {@link #path}; anything else, including other padding, extra segments or slashes, or
     * dates that do not exist, is rejected with a {@link ValidationException}.
     */
    public Partition parse(String path) {
        Matcher m = (this == HOUR ? HOUR_PATH : DAY_PATH).matcher(path == null ? "" : path);
        if (!m.matches()) {
            throw new ValidationException("Cannot parse partition path '" + path + "': expected "
                    + String.join("/", keys.stream().map(k -> k + "=" + (k.equals("year") ? "YYYY" : "NN")).toList()));
        }
        return partition(m.group(1), m.group(2), m.group(3), this == HOUR ? m.group(4) : null);
    }

    /**
     * Reads partition values as {@link #values} writes them (exactly this layout's keys; four-digit year, two-digit
     * month, day and hour); anything else is rejected with a {@link ValidationException}.
     */
    public Partition fromValues(Map<String, String> values) {
        if (values == null || !values.keySet().equals(Set.copyOf(keys))) {
            throw new ValidationException("Cannot read partition values " + values + ": expected exactly the keys " + keys);
        }
        String rendered = String.join("/", keys.stream().map(k -> k + "=" + values.get(k)).toList());
        try {
            return parse(rendered);
        } catch (ValidationException e) {
            throw new ValidationException("Cannot read partition values " + values + ": " + e.getMessage(), e);
        }
    }

    private Partition partition(String year, String month, String day, String hour) {
        int y = Integer.parseInt(year);
        int mo = Integer.parseInt(month);
        int d = Integer.parseInt(day);
        return hour == null ? Partition.day(y, mo, d) : Partition.hour(y, mo, d, Integer.parseInt(hour));
    }

    private void requireMine(Partition partition) {
        if (partition.hour().isPresent() != (this == HOUR)) {
            throw new ValidationException("Cannot use partition " + partition + " with " + name().toLowerCase(Locale.ROOT)
                    + " partitioning: " + (this == HOUR ? "the hour is missing" : "it has an hour"));
        }
    }

    private static String twoDigits(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }
}
