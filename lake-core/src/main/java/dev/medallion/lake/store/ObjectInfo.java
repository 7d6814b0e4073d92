package dev.medallion.lake.store;

import java.time.Instant;
import java.util.Map;

/**
 * What a store knows of an object.
 *
 * @param key its key
 * @param size its length in bytes
 * @param lastModified when it was last written
 * @param metadata user metadata; empty when the object came from a listing
 */
public record ObjectInfo(String key, long size, Instant lastModified, Map<String, String> metadata) {
    public ObjectInfo {
        metadata = Map.copyOf(metadata);
    }
}
