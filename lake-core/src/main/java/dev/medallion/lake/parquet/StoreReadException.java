package dev.medallion.lake.parquet;

import java.io.IOException;

/**
 * Reading a Parquet object failed in the object store, not in the file: a connection reset mid-body, a server error,
 * a timeout. The file may be fine, so whoever reads it must not give up on it; the read is worth retrying.
 * {@link ObjectStoreInputFile} throws it for every failure of the store under it.
 */
public final class StoreReadException extends IOException {

    public StoreReadException(String key, Throwable cause) {
        super("Cannot read '" + key + "' from the object store: " + cause.getMessage(), cause);
    }

    /** The store failure somewhere in {@code failure}'s causes (Parquet wraps what its input throws), or null. */
    public static StoreReadException in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StoreReadException store) {
                return store;
            }
        }
        return null;
    }
}
