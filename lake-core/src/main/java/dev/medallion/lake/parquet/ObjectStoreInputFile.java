package dev.medallion.lake.parquet;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;

/**
 * Parquet input from an object store. Reads in bulk through a stream opened at the current position; a seek
 * backwards, or far forwards, reopens the stream at the target (one ranged GET on S3).
 */
public final class ObjectStoreInputFile implements InputFile {
    /** Forward seeks shorter than this read and discard rather than issue a new request. */
    private static final long SKIP_LIMIT = 256 * 1024;

    private final ObjectStore store;
    private final String key;
    private final long length;

    public ObjectStoreInputFile(ObjectStore store, String key) {
        this(store, key, store.stat(key).orElseThrow(() -> new ObjectNotFoundException(key)).size());
    }

    /** An object whose length is known already (from a listing): no request is made until it is read. */
    public ObjectStoreInputFile(ObjectStore store, String key, long length) {
        this.store = store;
        this.key = key;
        this.length = length;
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public SeekableInputStream newStream() {
        return new SeekableInputStream() {
            private InputStream in;
            private long pos;
            private long streamPos;

            @Override
            public long getPos() {
                return pos;
            }

            @Override
            public void seek(long newPos) {
                pos = newPos;
            }

            private InputStream stream() throws IOException {
                try {
                    if (in != null && pos >= streamPos && pos - streamPos <= SKIP_LIMIT) {
                        in.skipNBytes(pos - streamPos);
                        streamPos = pos;
                        return in;
                    }
                    if (in != null) {
                        InputStream old = in;
                        in = null;
                        old.close();
                    }
                    in = store.open(key, pos);
                    streamPos = pos;
                    return in;
                } catch (ObjectNotFoundException e) {
                    throw e;
                } catch (EOFException e) {
                    throw e; // the object is shorter than it was listed: the file's problem
                } catch (IOException | RuntimeException e) {
                    throw storeFailed(e);
                }
            }

            /**
             * A failure of the store, not of the file: the stream is dropped (the next read opens a new one at the
             * position reached) and the failure marked as worth retrying.
             */
            private StoreReadException storeFailed(Exception e) {
                InputStream broken = in;
                in = null;
                if (broken != null) {
                    try {
                        broken.close();
                    } catch (IOException | RuntimeException ignored) {
                        // already broken
                    }
                }
                return new StoreReadException(key, e);
            }

            @Override
            public int read() throws IOException {
                if (pos >= length) {
                    return -1;
                }
                InputStream stream = stream();
                int b;
                try {
                    b = stream.read();
                } catch (IOException | RuntimeException e) {
                    throw storeFailed(e);
                }
                if (b >= 0) {
                    pos++;
                    streamPos++;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= length) {
                    return -1;
                }
                InputStream stream = stream();
                int n;
                try {
                    n = stream.read(b, off, len);
                } catch (IOException | RuntimeException e) {
                    throw storeFailed(e);
                }
                if (n > 0) {
                    pos += n;
                    streamPos += n;
                }
                return n;
            }

            @Override
            public void readFully(byte[] bytes) throws IOException {
                readFully(bytes, 0, bytes.length);
            }

            @Override
            public void readFully(byte[] bytes, int start, int len) throws IOException {
                int done = 0;
                while (done < len) {
                    int n = read(bytes, start + done, len - done);
                    if (n < 0) {
                        throw new EOFException("Cannot read " + key + ": reached the end " + (len - done)
                                + " bytes early");
                    }
                    done += n;
                }
            }

            @Override
            public int read(ByteBuffer buf) throws IOException {
                if (buf.hasArray()) {
                    int n = read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
                    if (n > 0) {
                        buf.position(buf.position() + n);
                    }
                    return n;
                }
                byte[] chunk = new byte[Math.min(buf.remaining(), 64 * 1024)];
                int n = read(chunk, 0, chunk.length);
                if (n > 0) {
                    buf.put(chunk, 0, n);
                }
                return n;
            }

            @Override
            public void readFully(ByteBuffer buf) throws IOException {
                while (buf.hasRemaining()) {
                    if (read(buf) < 0) {
                        throw new EOFException("Cannot read " + key + ": reached the end " + buf.remaining()
                                + " bytes early");
                    }
                }
            }

            @Override
            public void close() throws IOException {
                if (in != null) {
                    in.close();
                }
            }
        };
    }

    @Override
    public String toString() {
        return key;
    }
}
