package dev.medallion.lake.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** A store that passes every call to another; tests override the calls they want to count, fail or delay. */
public class ForwardingObjectStore implements ObjectStore, SupportsPrefixListing {
    protected final ObjectStore delegate;

    public ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public InputStream open(String key, long offset) {
        return delegate.open(key, offset);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return delegate.stat(key);
    }

    @Override
    public ObjectWriter create(String key, Map<String, String> metadata) {
        return delegate.create(key, metadata);
    }

    @Override
    public boolean createIfAbsent(String key, byte[] content) {
        return delegate.createIfAbsent(key, content);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }

    @Override
    public void deleteAll(Collection<String> keys) {
        delegate.deleteAll(keys);
    }

    @Override
    public void copy(String from, String to) {
        delegate.copy(from, to);
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        return ((SupportsPrefixListing) delegate).list(prefix);
    }

    /** A writer that passes every call to another; override {@link #close()} to change how it publishes. */
    public static class ForwardingWriter extends ObjectWriter {
        protected final ObjectWriter delegate;

        public ForwardingWriter(ObjectWriter delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            delegate.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            delegate.write(b, off, len);
        }

        @Override
        public long position() {
            return delegate.position();
        }

        @Override
        public void abort() {
            delegate.abort();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
