package dev.medallion.lake.catalog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.Granularity;

/**
 * The one definition of how a table is partitioned: event time per {@link Granularity} ({@code year int, month int,
 * day int[, hour int]}), then the dataset's {@code partition-by} fields ({@code string}), in that order. It gives
 * the partition keys, the Athena projection of each (the fields as {@code enum}s of the values seen), the
 * {@code storage.location.template}, and the relative path of a partition
 * ({@code year=2026/month=03/day=07/channel=web}). The writers' paths and the table's template both come from here,
 * so they agree; the fields come after the day, so one day of a table stays under one prefix.
 */
public final class PartitionLayout {
    // before the layouts below, which use them when the class is initialised
    private static final List<String> DAY_KEYS = List.of("year", "month", "day");
    private static final List<String> HOUR_KEYS = List.of("year", "month", "day", "hour");
    private static final String TIME_PATH = "year=([0-9]{4})/month=([0-9]{2})/day=([0-9]{2})";

    /** {@code year=YYYY/month=MM/day=DD}. */
    public static final PartitionLayout DAY = new PartitionLayout(Granularity.DAY, List.of());
    /** {@code year=YYYY/month=MM/day=DD/hour=HH}. */
    public static final PartitionLayout HOUR = new PartitionLayout(Granularity.HOUR, List.of());

    private final Granularity granularity;
    private final List<String> fields;
    private final List<String> keys;
    private final Pattern pathPattern;

    private PartitionLayout(Granularity granularity, List<String> fields) {
        this.granularity = granularity;
        this.fields = List.copyOf(fields);
        List<String> all = new ArrayList<>(granularity == Granularity.HOUR ? HOUR_KEYS : DAY_KEYS);
        all.addAll(this.fields);
        this.keys = List.copyOf(all);
        StringBuilder pattern = new StringBuilder(TIME_PATH);
        if (granularity == Granularity.HOUR) {
            pattern.append("/hour=([0-9]{2})");
        }
        for (String field : this.fields) {
            pattern.append('/').append(Pattern.quote(field)).append("=([^/]+)");
        }
        this.pathPattern = Pattern.compile(pattern.toString());
    }

    /** The layout of a granularity, without fields: Gold tables, and datasets that partition by time only. */
    public static PartitionLayout of(Granularity granularity) {
        return granularity == Granularity.HOUR ? HOUR : DAY;
    }

    /** The layout of a dataset's Silver table: its granularity, then its {@code partition-by} fields. */
    public static PartitionLayout of(DatasetSpec spec) {
        return spec.partitionBy().isEmpty() ? of(spec.granularity())
                : new PartitionLayout(spec.granularity(), spec.partitionBy());
    }

    /** The layout of a table, read from its partition keys (as {@link #partitionKeys} writes them). */
    public static PartitionLayout of(List<TableInput.Column> partitionKeys) {
        List<String> names = partitionKeys.stream().map(TableInput.Column::name).toList();
        boolean hourly = names.size() >= 4 && names.subList(0, 4).equals(HOUR_KEYS);
        List<String> time = hourly ? HOUR_KEYS : DAY_KEYS;
        if (names.size() < 3 || !names.subList(0, time.size()).equals(time)) {
            throw new ValidationException("Cannot read partition keys " + names + ": they must start with " + time);
        }
        return new PartitionLayout(hourly ? Granularity.HOUR : Granularity.DAY, names.subList(time.size(),
                names.size()));
    }

    /** The granularity this layout partitions by. */
    public Granularity granularity() {
        return granularity;
    }

    /** The {@code partition-by} fields, after the time keys. */
    public List<String> fields() {
        return fields;
    }

    /** Partition key names, in path order. */
    public List<String> keys() {
        return keys;
    }

    /** Partition keys as Glue columns: the time keys {@code int}, the fields {@code string}. */
    public List<TableInput.Column> partitionKeys() {
        return keys.stream().map(k -> new TableInput.Column(k, fields.contains(k) ? "string" : "int")).toList();
    }

    /**
     * The projection of each key, in path order: year {@code minYear..maxYear}, month {@code 1..12}, day
     * {@code 1..31}, hour {@code 0..23}, all but the year zero-padded to two digits; each field an {@code enum} of
     * {@code fieldValues}.
     */
    public Map<String, Projection> projections(int minYear, int maxYear, Map<String, List<String>> fieldValues) {
        if (minYear < Partition.MIN_YEAR || maxYear > Partition.MAX_YEAR) {
            throw new ValidationException("Cannot use projection.year.range " + minYear + "," + maxYear
                    + ": years must be " + Partition.MIN_YEAR + " to " + Partition.MAX_YEAR);
        }
        Map<String, Projection> projections = new LinkedHashMap<>();
        projections.put("year", Projection.IntegerProjection.range(minYear, maxYear));
        projections.put("month", Projection.IntegerProjection.padded(1, 12, 2));
        projections.put("day", Projection.IntegerProjection.padded(1, 31, 2));
        if (granularity == Granularity.HOUR) {
            projections.put("hour", Projection.IntegerProjection.padded(0, 23, 2));
        }
        for (String field : fields) {
            List<String> values = fieldValues.getOrDefault(field, List.of());
            if (values.isEmpty()) {
                throw new ValidationException("Cannot project partition field '" + field + "': no value is known yet");
            }
            projections.put(field, new Projection.EnumProjection(values));
        }
        return projections;
    }

    /**
     * The {@code storage.location.template} under a table location: {@code location} (which ends with '/') followed
     * by {@code year=${year}/month=${month}/day=${day}[/hour=${hour}]} and {@code /field=${field}} for each field.
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
    public Map<String, String> tableProperties(String location, int minYear, int maxYear,
            Map<String, List<String>> fieldValues) {
        return Projection.tableProperties(projections(minYear, maxYear, fieldValues), locationTemplate(location));
    }

    /** The time partition an event-time instant falls in, in UTC, without field values. */
    public Partition partitionOf(Instant eventTime) {
        ZonedDateTime t = eventTime.atZone(ZoneOffset.UTC);
        return granularity == Granularity.HOUR
                ? Partition.hour(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour())
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
        for (int i = 0; i < fields.size(); i++) {
            values.put(fields.get(i), partition.values().get(i));
        }
        return values;
    }

    /** The relative path of a partition, {@code year=2026/month=03/day=07[/hour=05][/field=value...]}. */
    public String path(Partition partition) {
        StringBuilder path = new StringBuilder();
        values(partition).forEach((k, v) -> path.append(path.isEmpty() ? "" : "/").append(k).append('=').append(v));
        return path.toString();
    }

    /**
     * Reads a path written by {@link #path}; anything else, including other padding, extra segments or slashes, dates
     * that do not exist, or field values that could not have been written, is rejected with a
     * {@link ValidationException}.
     */
    public Partition parse(String path) {
        Matcher m = pathPattern.matcher(path == null ? "" : path);
        if (!m.matches()) {
            throw new ValidationException("Cannot parse partition path '" + path + "': expected "
                    + String.join("/", keys.stream().map(k -> k + "=" + (k.equals("year") ? "YYYY"
                            : fields.contains(k) ? "<value>" : "NN")).toList()));
        }
        int y = Integer.parseInt(m.group(1));
        int mo = Integer.parseInt(m.group(2));
        int d = Integer.parseInt(m.group(3));
        int next = 4;
        Partition time = granularity == Granularity.HOUR ? Partition.hour(y, mo, d, Integer.parseInt(m.group(next++)))
                : Partition.day(y, mo, d);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            values.add(m.group(next + i));
        }
        return time.with(values);
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

    private void requireMine(Partition partition) {
        if (partition.hour().isPresent() != (granularity == Granularity.HOUR)) {
            throw new ValidationException("Cannot use partition " + partition + " with "
                    + granularity.name().toLowerCase(java.util.Locale.ROOT) + " partitioning: "
                    + (granularity == Granularity.HOUR ? "the hour is missing" : "it has an hour"));
        }
        if (partition.values().size() != fields.size()) {
            throw new ValidationException("Cannot use partition " + partition + ": it has " + partition.values().size()
                    + " field values where the layout partitions by " + fields);
        }
    }

    private static String twoDigits(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }
}
