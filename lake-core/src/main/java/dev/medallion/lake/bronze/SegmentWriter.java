package dev.medallion.lake.bronze;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes one Bronze segment: a single gzip member (RFC 1952) whose header comment ({@code FLG.FCOMMENT}) holds the
 * segment's {@link SegmentHeader}. Members written one after another into the same object make a valid
 * multi-member gzip file, which any gzip reader decompresses to the bodies one after the other.
 */
public final class SegmentWriter {
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int FCOMMENT = 0x10;
    /** RFC 1952 operating system "unknown": the bytes do not depend on where they were written. */
    private static final int OS_UNKNOWN = 255;

    private SegmentWriter() {
    }

    /** Refuses anything but a gzip level (0 to 9) or {@link Deflater#DEFAULT_COMPRESSION}, saying so. */
    public static void checkLevel(int deflateLevel) {
        if (deflateLevel != Deflater.DEFAULT_COMPRESSION && (deflateLevel < 0 || deflateLevel > 9)) {
            throw new IllegalArgumentException("A gzip compression level is 0 (stored) to 9, not " + deflateLevel);
        }
    }

    /**
     * Starts a member in {@code target}. Write the body's bytes (as received, decompressed) to the returned stream;
     * its {@code close()} writes the rest of the member and the trailer, and leaves {@code target} open. Not
     * thread-safe.
     *
     * @param deflateLevel 0 (stored, not compressed), 1 (fastest) to 9 (smallest), or
     *        {@link Deflater#DEFAULT_COMPRESSION}
     */
    public static OutputStream open(OutputStream target, SegmentHeader header, int deflateLevel) throws IOException {
        Objects.requireNonNull(target, "target");
        checkLevel(deflateLevel);
        byte[] comment = header.toComment().getBytes(StandardCharsets.US_ASCII);
        byte[] start = new byte[10 + comment.length + 1];
        start[0] = 0x1f;
        start[1] = (byte) 0x8b;
        start[2] = 8; // deflate
        start[3] = FCOMMENT;
        // MTIME stays 0 (not available), so the same body and header always encode to the same bytes
        start[8] = (byte) (deflateLevel == 9 ? 2 : deflateLevel == 1 ? 4 : 0);
        start[9] = (byte) OS_UNKNOWN;
        System.arraycopy(comment, 0, start, 10, comment.length);
        target.write(start); // the last byte is the comment's terminating NUL
        return new MemberStream(target, deflateLevel);
    }

    /** Deflates into the target through one buffer; the CRC is computed on whole writes, never per byte. */
    private static final class MemberStream extends OutputStream {
        private final OutputStream target;
        private final Deflater deflater;
        private final CRC32 crc = new CRC32();
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private long size;
        private boolean closed;

        MemberStream(OutputStream target, int level) {
            this.target = target;
            this.deflater = new Deflater(level, true);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] { (byte) b }, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (closed) {
                throw new IOException("Cannot write to a closed segment");
            }
            if (length == 0) {
                return;
            }
            crc.update(bytes, offset, length);
            size += length;
            deflater.setInput(bytes, offset, length);
            while (!deflater.needsInput()) {
                drain();
            }
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                deflater.finish();
                while (!deflater.finished()) {
                    drain();
                }
                byte[] trailer = new byte[8];
                putInt(trailer, 0, crc.getValue());
                putInt(trailer, 4, size);
                target.write(trailer);
            } finally {
                deflater.end();
            }
        }

        private void drain() throws IOException {
            int n = deflater.deflate(buffer, 0, buffer.length, Deflater.NO_FLUSH);
            if (n > 0) {
                target.write(buffer, 0, n);
            }
        }

        private static void putInt(byte[] into, int at, long value) {
            into[at] = (byte) value;
            into[at + 1] = (byte) (value >>> 8);
            into[at + 2] = (byte) (value >>> 16);
            into[at + 3] = (byte) (value >>> 24);
        }
    }
}
