package dev.medallion.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an NDJSON file into request or message bodies on line boundaries, without loading it: only the offsets are
 * kept, the bytes are read back from the file when a body is sent.
 *
 * <p>
 * A chunk holds whole lines (each with its {@code \n}; the last line of the file may lack one) and stays within both
 * limits, except a single line longer than {@code maxBytes}, which becomes a chunk of its own. Chunks cover the file
 * exactly once, in order.
 */
public final class NdjsonChunks {

    /** A slice of the file: {@code length} bytes from {@code offset}, holding {@code records} lines. */
    public record Chunk(long offset, int length, int records) {
    }

    private NdjsonChunks() {
    }

    /**
     * Splits {@code file}.
     *
     * @param maxBytes the largest chunk, in bytes (at least 1)
     * @param maxRecords the most lines in a chunk, or {@code 0} for no limit
     */
    public static List<Chunk> split(Path file, int maxBytes, int maxRecords) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return split(in, maxBytes, maxRecords);
        }
    }

    /** As {@link #split(Path, int, int)}, over a stream whose first byte is offset 0. */
    public static List<Chunk> split(InputStream in, int maxBytes, int maxRecords) throws IOException {
        if (maxBytes < 1 || maxRecords < 0) {
            throw new IllegalArgumentException("Cannot split: need maxBytes >= 1 and maxRecords >= 0");
        }
        List<Chunk> chunks = new ArrayList<>();
        byte[] buf = new byte[1 << 16];
        long pos = 0; // offset of the next byte to read
        long chunkStart = 0; // first byte of the chunk being built
        long lineStart = 0; // first byte of the line being read
        int lines = 0; // complete lines in the chunk being built
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != '\n') {
                    continue;
                }
                long lineEnd = pos + i + 1; // exclusive, after the newline
                // the line [lineStart, lineEnd) does not fit the chunk built so far: close that chunk first
                if (lines > 0 && (lineEnd - chunkStart > maxBytes || (maxRecords > 0 && lines >= maxRecords))) {
                    chunks.add(new Chunk(chunkStart, (int) (lineStart - chunkStart), lines));
                    chunkStart = lineStart;
                    lines = 0;
                }
                if (lineEnd - chunkStart > Integer.MAX_VALUE) {
                    throw new IOException("Cannot split: a line at offset " + lineStart + " is over 2 GiB");
                }
                lines++;
                lineStart = lineEnd;
            }
            pos += n;
        }
        if (pos > lineStart) { // a last line without a newline
            if (lines > 0 && (pos - chunkStart > maxBytes || (maxRecords > 0 && lines >= maxRecords))) {
                chunks.add(new Chunk(chunkStart, (int) (lineStart - chunkStart), lines));
                chunkStart = lineStart;
                lines = 0;
            }
            lines++;
            lineStart = pos;
        }
        if (lines > 0) {
            chunks.add(new Chunk(chunkStart, (int) (lineStart - chunkStart), lines));
        }
        return chunks;
    }

    /**
     * Groups consecutive chunks into batches of at most {@code maxEntries} chunks and {@code maxBatchBytes} bytes
     * together (an SQS {@code SendMessageBatch}: 10 entries, 256 KiB). A chunk larger than the byte limit alone is a
     * batch of its own.
     */
    public static List<List<Chunk>> batches(List<Chunk> chunks, int maxEntries, long maxBatchBytes) {
        if (maxEntries < 1 || maxBatchBytes < 1) {
            throw new IllegalArgumentException("Cannot batch: need maxEntries >= 1 and maxBatchBytes >= 1");
        }
        List<List<Chunk>> batches = new ArrayList<>();
        List<Chunk> current = new ArrayList<>();
        long bytes = 0;
        for (Chunk c : chunks) {
            if (!current.isEmpty() && (current.size() >= maxEntries || bytes + c.length() > maxBatchBytes)) {
                batches.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(c);
            bytes += c.length();
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    /** Reads a chunk's bytes into {@code buf} (which must hold them) with a positional read; returns the length. */
    public static int read(FileChannel channel, Chunk chunk, byte[] buf) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, chunk.length());
        long at = chunk.offset();
        while (bb.hasRemaining()) {
            int r = channel.read(bb, at);
            if (r < 0) {
                throw new IOException("Cannot read chunk at " + chunk.offset() + ": the file is shorter than expected");
            }
            at += r;
        }
        return chunk.length();
    }

    /** Opens a file for {@link #read}; the channel is safe for concurrent positional reads. */
    public static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** The largest chunk length, for sizing read buffers. */
    public static int maxLength(List<Chunk> chunks) {
        return chunks.stream().mapToInt(Chunk::length).max().orElse(0);
    }
}
