package dev.medallion.lake.spec;

import java.util.regex.Pattern;

import dev.medallion.lake.ValidationException;

/**
 * A dataset (or table, or database) name that is safe as one object-key segment and as a Glue/Athena identifier:
 * nothing from outside can use it to reach another prefix.
 */
public final class DatasetName {
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    private DatasetName() {
    }

    /** Returns {@code name} if valid, or throws a {@link ValidationException} saying why not. */
    public static String validate(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new ValidationException("Cannot use name '" + abbreviate(name)
                    + "': names start with a lower-case letter and hold only a-z, 0-9 and _ (at most 64)");
        }
        return name;
    }

    private static String abbreviate(String name) {
        if (name == null) {
            return "";
        }
        String printable = name.replaceAll("\\p{Cntrl}", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "..." : printable;
    }
}
