package dev.medallion.lake.catalog;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the lake's tables are defined: the lake itself ({@link EmbeddedCatalog}, the default) or AWS Glue
 * ({@code dev.medallion.lake.aws.GlueCatalog}), with the same meaning. A table is Glue's {@link TableInput}. One
 * writer at a time per table (the catalog service).
 */
public interface Catalog {

    /** The databases that hold at least one table (embedded) or exist (Glue), sorted. */
    List<String> databases();

    /** The names of the tables in a database, sorted; empty if there is no such database. */
    List<String> tables(String database);

    /** A table as the catalog holds it, or empty if there is none. */
    Optional<TableInput> table(String database, String name);

    /**
     * Stores {@code table} in {@code database}, creating either when missing, and only if it differs from what the
     * catalog holds: a sync that changes nothing writes nothing.
     *
     * @return whether the catalog changed
     */
    boolean put(String database, TableInput table);

    /**
     * The partitions registered for a table: each one's values in partition-key order, and its location; empty if
     * none or no table.
     */
    Map<List<String>, String> partitions(String database, String table);

    /**
     * Registers partitions of a stored table (for engines without projection), each at its location (a folder,
     * {@code s3://bucket/.../}); those already registered are left as they are.
     *
     * @return how many were added
     */
    int addPartitions(String database, TableInput table, Map<List<String>, String> locations);

    /**
     * Points registered partitions at new locations (a Silver partition compaction moved to a new generation); those
     * not registered, or already there, are skipped.
     *
     * @return how many were changed
     */
    int relocatePartitions(String database, TableInput table, Map<List<String>, String> locations);

    /**
     * Removes registered partitions; those not registered are skipped.
     *
     * @return how many were removed
     */
    int deletePartitions(String database, String table, Collection<List<String>> values);
}
