package dev.medallion.lake.ingest;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The encoded bytes of one segment, held in fixed-size chunks reserved from a {@link MemoryBudget} as they fill, so
 * growth never copies and a body that does not fit fails fast with {@link BuffersFullException}. The reservation is
 * returned by {@link #release()}, once the bytes are stored or discarded.
 */
public final class SegmentBuffer extends OutputStream {
    private static final int CHUNK = 64 * 1024;

    private final MemoryBudget budget;
    private final List<byte[]> chunks = new ArrayList<>();
    private int used = CHUNK; // bytes used in the last chunk; CHUNK means "start a new one"
    private long reserved;
    private boolean released;

    public SegmentBuffer(MemoryBudget budget) {
        this.budget = budget;
    }

    @Override
    public void write(int b) {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        while (length > 0) {
            if (used == CHUNK) {
                if (released || !budget.tryReserve(CHUNK)) {
                    throw new BuffersFullException(budget.limit());
                }
                reserved += CHUNK;
                chunks.add(new byte[CHUNK]);
                used = 0;
            }
            int n = Math.min(length, CHUNK - used);
            System.arraycopy(bytes, offset, chunks.get(chunks.size() - 1), used, n);
            used += n;
            offset += n;
            length -= n;
        }
    }

    /** Bytes written. */
    public long size() {
        return chunks.isEmpty() ? 0 : (long) (chunks.size() - 1) * CHUNK + used;
    }

    /** Copies the bytes to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < chunks.size(); i++) {
            out.write(chunks.get(i), 0, i == chunks.size() - 1 ? used : CHUNK);
        }
    }

    /** Returns the memory to the budget; the bytes are gone. Safe to call more than once. */
    public void release() {
        if (!released) {
            released = true;
            chunks.clear();
            budget.release(reserved);
            reserved = 0;
        }
    }
}
