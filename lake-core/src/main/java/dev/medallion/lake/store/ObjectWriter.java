package dev.medallion.lake.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The bytes of a new object. {@link #close()} publishes the object and returns only when it is stored;
 * {@link #abort()} discards it. After either, further calls do nothing.
 */
public abstract class ObjectWriter extends OutputStream {

    /** Bytes written so far. */
    public abstract long position();

    /** Discards what was written; the object never becomes visible. */
    public abstract void abort();

    /** Publishes the object; throws if it could not be stored, in which case nothing is visible. */
    @Override
    public abstract void close() throws IOException;
}
