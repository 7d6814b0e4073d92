package dev.medallion.lake.spec;

import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;

/**
 * Column names every engine accepts unquoted: Athena and Glue lower-case names, so only lower-case names are
 * allowed rather than having two fields collide after the fact. A leading underscore is reserved for lineage
 * columns the pipeline adds.
 */
public final class FieldNames {
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9_]{0,127}");

    private FieldNames() {
    }

    /** Returns {@code name} if it is a valid field name, or throws saying why not. */
    public static String validate(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new ValidationException("Cannot use field name '" + name
                    + "': names start with a lower-case letter and hold only a-z, 0-9 and _ (at most 128)");
        }
        return name;
    }

    public static void requireDistinct(List<String> names, String where) {
        var seen = new HashSet<String>();
        for (String name : names) {
            if (!seen.add(name)) {
                throw new ValidationException("Cannot define " + where + ": field '" + name + "' appears twice");
            }
        }
    }
}
