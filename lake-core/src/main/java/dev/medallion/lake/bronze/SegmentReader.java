package dev.medallion.lake.bronze;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Reads a Bronze object segment by segment, streaming: memory is one 64 KiB buffer and an inflater, whatever the
 * object's size.
 *
 * <ul>
 * <li>A gzip member whose header comment is a {@link SegmentHeader} is one segment with that header.</li>
 * <li>Members without one (an object another tool put into {@code bronze/}, plain gzip, {@code cat a.gz b.gz}) are
 * segments with an empty header; consecutive ones make a single segment, so their lines number on.</li>
 * <li>An object that is not gzip at all is one segment with an empty header holding its bytes; an empty object
 * has no segments.</li>
 * </ul>
 *
 * A segment's body yields its decompressed bytes. When the object is truncated or corrupt (data ending early, a
 * checksum that does not match, bytes after the last member that are not gzip), the body first yields everything
 * that could be decompressed, then throws an {@link IOException} ({@link EOFException} or {@link ZipException});
 * that segment is the last. Moving to the next segment skips the unread rest of the previous one. Not thread-safe.
 */
public final class SegmentReader implements Iterator<SegmentReader.Segment>, AutoCloseable {
    private static final int BUFFER_BYTES = 64 * 1024;
    /** Longer comments are not ours ({@link SegmentHeader} comments are well under 1 KiB) and are not kept. */
    private static final int MAX_COMMENT_BYTES = 4096;
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED = 0xe0;

    /**
     * One segment of a Bronze object.
     *
     * @param header its lineage, or empty for data without one (read it as NDJSON)
     * @param body its decompressed bytes; valid until the next call to {@link SegmentReader#hasNext()}; closing it
     *        does not close the object
     */
    public record Segment(Optional<SegmentHeader> header, InputStream body) {
    }

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int pos;
    private int end;
    private boolean inputEnded;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();

    private boolean started;
    private boolean finished;
    private boolean pendingPlain;
    private Optional<SegmentHeader> pendingHeader;
    private IOException pendingError;
    private InputStream current;

    /** @param bronzeObject the object's bytes as stored; closed by {@link #close()} */
    public SegmentReader(InputStream bronzeObject) {
        this.in = Objects.requireNonNull(bronzeObject, "bronzeObject");
    }

    @Override
    public boolean hasNext() {
        if (current != null) {
            skipRest(current);
            current = null;
        }
        if (pendingPlain || pendingHeader != null || pendingError != null) {
            return true;
        }
        if (finished) {
            return false;
        }
        try {
            if (!started) {
                started = true;
                if (!ensure(1)) {
                    finished = true;
                    return false;
                }
                if (!startsWithGzipMagic()) {
                    pendingPlain = true;
                    return true;
                }
            }
            if (!ensure(1)) {
                finished = true;
                return false;
            }
            pendingHeader = readMemberHeader();
        } catch (IOException e) {
            pendingError = e;
        }
        return true;
    }

    @Override
    public Segment next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Segment segment;
        if (pendingPlain) {
            pendingPlain = false;
            finished = true;
            segment = new Segment(Optional.empty(), new PlainBody());
        } else if (pendingError != null) {
            IOException error = pendingError;
            pendingError = null;
            finished = true;
            segment = new Segment(Optional.empty(), new FailedBody(error));
        } else {
            Optional<SegmentHeader> header = pendingHeader;
            pendingHeader = null;
            segment = new Segment(header, new MemberBody(header.isPresent()));
        }
        current = segment.body();
        return segment;
    }

    @Override
    public void close() {
        inflater.end();
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close Bronze object", e);
        }
    }

    private void skipRest(InputStream body) {
        byte[] scratch = new byte[8192];
        try {
            while (body.read(scratch, 0, scratch.length) >= 0) {
                // decompressing is the only way to find where the member ends
            }
        } catch (IOException e) {
            finished = true; // the body failed: nothing after it can be read
        }
    }

    /** Makes at least {@code n} bytes available in the buffer unless the input ends first. */
    private boolean ensure(int n) throws IOException {
        if (end - pos >= n) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, end - pos);
            end -= pos;
            pos = 0;
        }
        while (end - pos < n && !inputEnded) {
            int read = in.read(buffer, end, buffer.length - end);
            if (read < 0) {
                inputEnded = true;
            } else {
                end += read;
            }
        }
        return end - pos >= n;
    }

    private boolean startsWithGzipMagic() throws IOException {
        return ensure(2) && buffer[pos] == (byte) 0x1f && buffer[pos + 1] == (byte) 0x8b;
    }

    private int readByte(String where) throws IOException {
        if (!ensure(1)) {
            throw new EOFException("the object ends inside a gzip " + where);
        }
        return buffer[pos++] & 0xff;
    }

    /** Reads an RFC 1952 member header and prepares to inflate the member's data. */
    private Optional<SegmentHeader> readMemberHeader() throws IOException {
        if (!startsWithGzipMagic()) {
            throw new ZipException("the object has bytes after its last gzip member that are not gzip");
        }
        pos += 2;
        if (readByte("header") != 8) {
            throw new ZipException("a gzip member uses a compression method other than deflate");
        }
        int flags = readByte("header");
        if ((flags & RESERVED) != 0) {
            throw new ZipException("a gzip member header has reserved flags set");
        }
        for (int i = 0; i < 6; i++) {
            readByte("header"); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int length = readByte("header") | readByte("header") << 8;
            for (int i = 0; i < length; i++) {
                readByte("header");
            }
        }
        if ((flags & FNAME) != 0) {
            while (readByte("header") != 0) {
                // the original file name is not used
            }
        }
        Optional<SegmentHeader> header = Optional.empty();
        if ((flags & FCOMMENT) != 0) {
            byte[] comment = new byte[MAX_COMMENT_BYTES];
            int length = 0;
            int b;
            while ((b = readByte("header")) != 0) {
                if (length < comment.length) {
                    comment[length] = (byte) b;
                }
                length++;
            }
            if (length <= comment.length) {
                header = SegmentHeader.fromComment(new String(comment, 0, length, StandardCharsets.ISO_8859_1));
            }
        }
        if ((flags & FHCRC) != 0) {
            readByte("header");
            readByte("header");
        }
        inflater.reset();
        crc.reset();
        return header;
    }

    /** Reads the CRC32 and ISIZE after a member's data, and checks them. */
    private void readMemberTrailer() throws IOException {
        long storedCrc = 0;
        long storedSize = 0;
        for (int i = 0; i < 4; i++) {
            storedCrc |= (long) readByte("trailer") << (8 * i);
        }
        for (int i = 0; i < 4; i++) {
            storedSize |= (long) readByte("trailer") << (8 * i);
        }
        if (storedCrc != crc.getValue() || storedSize != (inflater.getBytesWritten() & 0xffffffffL)) {
            throw new ZipException("a gzip member's checksum does not match its data: the object is corrupt");
        }
    }

    /** The data of one member, or of a run of members without a header of ours. */
    private final class MemberBody extends InputStream {
        private final boolean ours;
        private boolean done;
        private IOException failure;

        MemberBody(boolean ours) {
            this.ours = ours;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (failure != null) {
                throw failure;
            }
            if (done) {
                return -1;
            }
            if (length == 0) {
                return 0;
            }
            try {
                return inflate(bytes, offset, length);
            } catch (IOException e) {
                failure = e;
                finished = true;
                throw e;
            }
        }

        private int inflate(byte[] bytes, int offset, int length) throws IOException {
            while (true) {
                if (inflater.needsInput()) {
                    if (!ensure(1)) {
                        throw new EOFException("the object ends inside gzip data");
                    }
                    inflater.setInput(buffer, pos, end - pos);
                    pos = end;
                }
                int n;
                try {
                    n = inflater.inflate(bytes, offset, length);
                } catch (DataFormatException e) {
                    throw new ZipException("a gzip member holds invalid deflate data (" + e.getMessage() + ")");
                }
                if (n > 0) {
                    crc.update(bytes, offset, n);
                    return n;
                }
                if (inflater.finished()) {
                    pos = end - inflater.getRemaining();
                    readMemberTrailer();
                    if (ours || !continuesWithForeignMember()) {
                        done = true;
                        return -1;
                    }
                } else if (inflater.needsDictionary()) {
                    throw new ZipException("a gzip member needs a preset dictionary");
                }
            }
        }

        /** After a member without our header: whether the next member continues this segment. */
        private boolean continuesWithForeignMember() throws IOException {
            if (!ensure(1)) {
                finished = true;
                return false;
            }
            Optional<SegmentHeader> next = readMemberHeader();
            if (next.isEmpty()) {
                return true;
            }
            pendingHeader = next;
            return false;
        }
    }

    /** The whole of an object that is not gzip. */
    private final class PlainBody extends InputStream {

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (length == 0) {
                return 0;
            }
            if (pos < end) {
                int n = Math.min(length, end - pos);
                System.arraycopy(buffer, pos, bytes, offset, n);
                pos += n;
                return n;
            }
            return inputEnded ? -1 : in.read(bytes, offset, length);
        }
    }

    /** A segment whose header could not be read: it fails at once. */
    private static final class FailedBody extends InputStream {
        private final IOException failure;

        FailedBody(IOException failure) {
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            throw failure;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            throw failure;
        }
    }
}
