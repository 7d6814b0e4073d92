package dev.medallion.lake.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which column changes a table may take without breaking the files already under it. Applied: a new column (older
 * files read it as null), a field appended to a struct, and the safe widenings {@code int → bigint} and
 * {@code float → double}. Refused, the table keeping what it had: a removed column (old files still hold it), any
 * other type change. Engines read Parquet columns by name, so the order does not matter.
 */
public final class SchemaEvolution {
    private static final Set<String> WIDENINGS = Set.of("int>bigint", "float>double", "smallint>int",
            "smallint>bigint", "tinyint>smallint", "tinyint>int", "tinyint>bigint");

    /** The columns to store, and a reason for each change refused. */
    public record Result(List<TableInput.Column> columns, List<String> refused) {
    }

    private SchemaEvolution() {
    }

    /**
     * @param current the table's columns now
     * @param wanted the columns the spec asks for
     */
    public static Result reconcile(List<TableInput.Column> current, List<TableInput.Column> wanted) {
        Map<String, String> now = new LinkedHashMap<>();
        current.forEach(c -> now.put(c.name(), c.type()));
        List<TableInput.Column> columns = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (TableInput.Column column : wanted) {
            String was = now.remove(column.name());
            if (was == null || was.equals(column.type()) || compatible(was, column.type())) {
                columns.add(column);
            } else {
                columns.add(new TableInput.Column(column.name(), was));
                refused.add("column " + column.name() + ": " + was + " to " + column.type()
                        + " is not a safe widening (kept " + was + ")");
            }
        }
        now.forEach((name, type) -> {
            columns.add(new TableInput.Column(name, type));
            refused.add("column " + name + ": no longer in the spec, kept (files already written hold it)");
        });
        return new Result(List.copyOf(columns), List.copyOf(refused));
    }

    /** Whether data of Hive type {@code was} reads correctly as {@code wanted}. */
    static boolean compatible(String was, String wanted) {
        if (was.equals(wanted)) {
            return true;
        }
        if (WIDENINGS.contains(was + ">" + wanted)) {
            return true;
        }
        // fields appended to a struct: the old text without its closing '>' is where the new one continues
        return was.startsWith("struct<") && wanted.startsWith(was.substring(0, was.length() - 1) + ",");
    }
}
