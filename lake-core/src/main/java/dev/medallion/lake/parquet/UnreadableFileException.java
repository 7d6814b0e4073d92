package dev.medallion.lake.parquet;

import dev.medallion.lake.LakeException;

/**
 * A Parquet file that cannot be read: not Parquet, truncated, or with pages that do not decode. Retrying does not
 * help; what read it can leave the file alone and go on with the others.
 */
public final class UnreadableFileException extends LakeException {
    private final String key;

    public UnreadableFileException(String key, Throwable cause) {
        super("Cannot read Parquet object '" + key + "': " + cause.getMessage(), cause);
        this.key = key;
    }

    /** The file's object key. */
    public String key() {
        return key;
    }
}
