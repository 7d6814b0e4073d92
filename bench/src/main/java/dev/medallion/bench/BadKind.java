package dev.medallion.bench;

/** The kinds of bad record {@link SalesGenerator} mixes into its output, each one a line a reader must reject. */
public enum BadKind {
    /** A record cut off mid-way: the line is not valid JSON. */
    MALFORMED_JSON,
    /** Valid JSON without the required {@code amount}. */
    MISSING_AMOUNT,
    /** {@code amount} is a string that is not a number. */
    AMOUNT_NOT_NUMERIC,
    /** {@code ts} is a string that is not a timestamp. */
    UNPARSEABLE_TS;

    /** The name used in JSON output, e.g. {@code missing_amount}. */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
