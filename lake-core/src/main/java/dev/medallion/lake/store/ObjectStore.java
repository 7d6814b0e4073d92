package dev.medallion.lake.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The lake's storage: one flat namespace of keys (a bucket, a directory). Keys are checked by {@link ObjectKeys}
 * before use, so no key reaches outside the store. Implementations are thread-safe.
 *
 * <p>
 * Writes are atomic: an object created with {@link #create} becomes visible, whole, only when its writer is closed,
 * and never if it is aborted. Writing an existing key replaces it.
 */
public interface ObjectStore {

    /**
     * Opens an object for a streaming read from {@code offset}; the caller closes the stream.
     *
     * @throws ObjectNotFoundException if there is no such object
     */
    InputStream open(String key, long offset);

    /** Opens an object for a streaming read from its start. */
    default InputStream open(String key) {
        return open(key, 0);
    }

    /** Size and metadata of an object, or empty if there is none. */
    Optional<ObjectInfo> stat(String key);

    /**
     * Starts writing an object with user metadata (lower-case keys, ASCII values). Nothing is visible until
     * {@link ObjectWriter#close()} returns.
     */
    ObjectWriter create(String key, Map<String, String> metadata);

    /**
     * Creates a small object only if no object has the key, atomically: of concurrent callers, exactly one gets
     * {@code true}. The way two processes agree on an outcome (a run committed or abandoned, a lease taken) with
     * nothing but the store.
     *
     * @return whether this call created the object; {@code false} if one was there already
     */
    boolean createIfAbsent(String key, byte[] content);

    /** Deletes an object; deleting a missing object is not an error. */
    void delete(String key);

    /**
     * Deletes many objects, in as few requests as the store allows (1,000 a request on S3), so replacing many small
     * files takes a moment instead of a request each. Missing objects are not an error.
     */
    default void deleteAll(Collection<String> keys) {
        keys.forEach(this::delete);
    }

    /**
     * Copies an object, with its metadata, to another key (replacing what is there), without bringing it through
     * memory: server-side on S3. A copy becomes visible whole, like any write.
     *
     * @throws ObjectNotFoundException if there is no object at {@code from}
     */
    default void copy(String from, String to) {
        ObjectInfo source = stat(from).orElseThrow(() -> new ObjectNotFoundException(from));
        try (InputStream in = open(from); ObjectWriter out = create(to, source.metadata())) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy '" + from + "' to '" + to + "'", e);
        }
    }
}
