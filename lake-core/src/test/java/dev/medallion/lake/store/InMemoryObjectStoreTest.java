package dev.medallion.lake.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class InMemoryObjectStoreTest extends ObjectStoreContractTest {

    @Override
    protected ObjectStore newStore() {
        return new InMemoryObjectStore();
    }

    @Test
    void takesTimeFromItsClock() {
        Instant now = Instant.parse("2024-03-01T10:15:30Z");
        store = new InMemoryObjectStore(Clock.fixed(now, ZoneOffset.UTC));

        put("key", "x");

        assertThat(store.stat("key").orElseThrow().lastModified()).isEqualTo(now);
    }

    @Test
    void metadataIsCopiedWhenTheWriteStarts() throws Exception {
        var metadata = new HashMap<>(Map.of("a", "1"));
        try (ObjectWriter writer = store.create("key", metadata)) {
            metadata.put("b", "2");
            writer.write(1);
        }

        assertThat(store.stat("key").orElseThrow().metadata()).isEqualTo(Map.of("a", "1"));
    }
}
