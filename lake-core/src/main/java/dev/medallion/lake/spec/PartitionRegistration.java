package dev.medallion.lake.spec;

import java.util.Locale;

import dev.medallion.lake.ValidationException;

/**
 * How engines find a table's partitions ({@code catalog: { partitions: ... }} in the dataset spec): Athena's
 * partition projection (no catalog partitions; the default), partitions registered in the catalog (for Redshift
 * Spectrum, EMR and engines without projection), or both.
 */
public enum PartitionRegistration {
    PROJECTION,
    REGISTERED,
    BOTH;

    /** Whether the table carries projection properties. */
    public boolean projects() {
        return this != REGISTERED;
    }

    /** Whether each partition is registered in the catalog. */
    public boolean registers() {
        return this != PROJECTION;
    }

    public static PartitionRegistration parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Cannot use partitions '" + text + "': expected projection, registered or both");
        }
    }
}
