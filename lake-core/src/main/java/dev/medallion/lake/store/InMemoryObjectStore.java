package dev.medallion.lake.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/** A store in memory, for tests of logic that reads and writes objects. */
public final class InMemoryObjectStore implements ObjectStore, SupportsPrefixListing {
    private record Entry(byte[] bytes, Map<String, String> metadata, Instant lastModified) {
    }

    private final ConcurrentNavigableMap<String, Entry> objects = new ConcurrentSkipListMap<>();
    private final Clock clock;

    public InMemoryObjectStore() {
        this(Clock.systemUTC());
    }

    public InMemoryObjectStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public InputStream open(String key, long offset) {
        Entry entry = objects.get(ObjectKeys.validate(key));
        if (entry == null) {
            throw new ObjectNotFoundException(key);
        }
        int start = (int) Math.min(offset, entry.bytes.length);
        return new ByteArrayInputStream(entry.bytes, start, entry.bytes.length - start);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        return Optional.ofNullable(objects.get(ObjectKeys.validate(key)))
                .map(e -> new ObjectInfo(key, e.bytes.length, e.lastModified, e.metadata));
    }

    @Override
    public ObjectWriter create(String key, Map<String, String> metadata) {
        ObjectKeys.validate(key);
        Map<String, String> copy = Map.copyOf(metadata);
        return new ObjectWriter() {
            private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            private boolean done;

            @Override
            public void write(int b) {
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
            }

            @Override
            public long position() {
                return buffer.size();
            }

            @Override
            public void abort() {
                done = true;
            }

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    objects.put(key, new Entry(buffer.toByteArray(), copy, clock.instant()));
                }
            }
        };
    }

    @Override
    public boolean createIfAbsent(String key, byte[] content) {
        return objects.putIfAbsent(ObjectKeys.validate(key), new Entry(content.clone(), Map.of(), clock.instant())) == null;
    }

    @Override
    public void delete(String key) {
        objects.remove(ObjectKeys.validate(key));
    }

    @Override
    public Stream<ObjectInfo> list(String prefix) {
        ObjectKeys.validatePrefix(prefix);
        return objects.tailMap(prefix).entrySet().stream()
                .takeWhile(e -> e.getKey().startsWith(prefix))
                .map(e -> new ObjectInfo(e.getKey(), e.getValue().bytes.length, e.getValue().lastModified, Map.of()));
    }
}
