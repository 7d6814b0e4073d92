package dev.medallion.bench;

import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link SalesGenerator} wrote: the values a correct reader of the output must reproduce.
 *
 * @param records lines written, good and bad
 * @param goodRows lines that are valid records
 * @param goodAmountSum the sum of {@code amount} over the good rows, with scale 2
 * @param bad the number of bad lines by kind; every kind is present
 * @param bytes uncompressed bytes written, newlines included
 */
public record GenerationStats(long records, long goodRows, BigDecimal goodAmountSum, Map<BadKind, Long> bad,
        long bytes) {

    public GenerationStats {
        EnumMap<BadKind, Long> all = new EnumMap<>(BadKind.class);
        for (BadKind kind : BadKind.values()) {
            all.put(kind, bad.getOrDefault(kind, 0L));
        }
        bad = Map.copyOf(all);
        goodAmountSum = goodAmountSum.setScale(2);
    }

    /** All bad lines. */
    public long badRows() {
        return bad.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Bad lines of one kind. */
    public long bad(BadKind kind) {
        return bad.get(kind);
    }

    /** A JSON-friendly view with stable key order. */
    public Map<String, Object> toMap() {
        Map<String, Object> badByKind = new LinkedHashMap<>();
        for (BadKind kind : BadKind.values()) {
            badByKind.put(kind.jsonName(), bad(kind));
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("records", records);
        map.put("good_rows", goodRows);
        map.put("good_amount_sum", goodAmountSum);
        map.put("bad_rows", badRows());
        map.put("bad", badByKind);
        map.put("bytes", bytes);
        return map;
    }
}
