package dev.medallion.lake.record;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;
import java.util.zip.ZipException;

/**
 * The look-ahead every record reader shares: {@link #readNext()} yields records until it returns {@code null} or
 * calls {@link #end()}, after which it is not called again.
 */
abstract class LookAheadRecordReader implements RecordReader {
    private SourceRecord next;
    private boolean ended;

    /** The next record, or {@code null} when there are no more. */
    protected abstract SourceRecord readNext();

    /** No record follows the one being returned (the input ended, or cannot be read further). */
    protected final void end() {
        ended = true;
    }

    protected final boolean ended() {
        return ended;
    }

    /**
     * A failure to read on: when the input itself ends early (a truncated or corrupt gzip stream) it is the caller's
     * record error; any other (the store or the network failing mid-object) is thrown, so the source is read again
     * later, whole, instead of losing every record after the failure.
     */
    protected static void rethrowUnlessInputEnded(IOException e) {
        if (!(e instanceof EOFException || e instanceof ZipException)) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public final boolean hasNext() {
        if (next == null && !ended) {
            next = readNext();
        }
        return next != null;
    }

    @Override
    public final SourceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        SourceRecord record = next;
        next = null;
        return record;
    }
}
