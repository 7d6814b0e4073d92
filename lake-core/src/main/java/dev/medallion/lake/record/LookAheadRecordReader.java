package dev.medallion.lake.record;

import java.util.NoSuchElementException;

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
