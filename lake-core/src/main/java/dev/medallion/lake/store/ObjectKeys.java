package dev.medallion.lake.store;

import java.nio.charset.StandardCharsets;

import dev.medallion.lake.ValidationException;

/**
 * Rules every object key obeys, whatever the store: relative, '/'-separated, no empty, '.' or '..' segments, no
 * control characters or backslashes, at most 1024 bytes. A key that passes cannot address anything outside the
 * store's root, on a file system or in a bucket.
 */
public final class ObjectKeys {
    private static final int MAX_LENGTH = 1024;

    private ObjectKeys() {
    }

    /** Returns {@code key} if it is valid, or throws a {@link ValidationException} saying why not. */
    public static String validate(String key) {
        if (key == null || key.isEmpty()) {
            throw invalid(key, "it is empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw invalid(key, "it is longer than " + MAX_LENGTH + " bytes");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c) || c == '\\') {
                throw invalid(key, "it contains a control character or backslash");
            }
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw invalid(key, "it has an empty, '.' or '..' segment");
            }
        }
        return key;
    }

    /** Returns {@code prefix} if it is a valid key prefix: a valid key, or one followed by a single '/'. */
    public static String validatePrefix(String prefix) {
        if (prefix.isEmpty()) {
            return prefix;
        }
        validate(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        return prefix;
    }

    private static ValidationException invalid(String key, String reason) {
        String shown = key == null ? "" : key.length() > 100 ? key.substring(0, 100) + "..." : key;
        return new ValidationException("Cannot use object key '" + shown.replaceAll("\\p{Cntrl}", "?") + "': " + reason);
    }
}
