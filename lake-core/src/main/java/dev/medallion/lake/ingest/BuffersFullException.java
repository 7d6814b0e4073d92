package dev.medallion.lake.ingest;

import dev.medallion.lake.LakeException;

/** Ingest holds as many bytes as its memory budget allows; the same input succeeds once buffers have drained. */
public class BuffersFullException extends LakeException {

    public BuffersFullException(long limit) {
        super("Ingest buffers are full (" + limit + " bytes held); retry shortly");
    }
}
