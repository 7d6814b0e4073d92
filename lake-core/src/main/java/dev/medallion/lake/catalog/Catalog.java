package dev.medallion.lake.catalog;

import java.util.List;
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
}
