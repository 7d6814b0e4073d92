package dev.medallion.lake.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;

/**
 * Where each HTTP request sent with an {@code Idempotency-Key} went, kept in the lake so that every replica and
 * every restart sees it. The record is written when the request's Bronze key is chosen, before the object is
 * stored; a retry then finds it and, if that object exists, is answered from it (the object is announced again in
 * case the first attempt died before announcing it); if the object does not exist the first attempt died before
 * storing it, and the retry is stored like a new request. So a retry is never stored twice, whenever the first
 * attempt died.
 */
public final class IdempotencyRecords {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    /** A request: the hash of its body as sent, the Bronze object it goes into, its records, when it arrived. */
    public record Stored(String bodySha256, String bronzeKey, long records, Instant receivedAt) {
    }

    private final ObjectStore store;

    public IdempotencyRecords(ObjectStore store) {
        this.store = store;
    }

    public Optional<Stored> find(String dataset, String clientKey) {
        String key = LakeLayout.idempotencyKey(dataset, clientKey);
        try (InputStream in = store.open(key)) {
            return Optional.of(JSON.readValue(in, Stored.class));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read idempotency record " + key, e);
        }
    }

    public void save(String dataset, String clientKey, Stored stored) throws IOException {
        try (ObjectWriter out = store.create(LakeLayout.idempotencyKey(dataset, clientKey), Map.of())) {
            out.write(JSON.writeValueAsBytes(stored));
        }
    }
}
