package dev.medallion.lake.compaction;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.medallion.lake.Hashing;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.store.ObjectInfo;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.SupportsPrefixListing;

/**
 * Partitions that received files and are to be compacted once those have settled, kept in the lake (one small
 * object a partition, {@code _state/compaction/due/{dataset}/{sha256(partition)}.json}), so a trigger survives a
 * restart and any replica can act on it. The first mark of a partition sets its time; later marks leave it, so a
 * partition that receives files all day is still compacted every settle period.
 */
public final class DuePartitions {
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule()).build();

    /** A partition to compact at {@code dueAt}. */
    public record Due(String dataset, String partition, Instant dueAt) {
    }

    private final ObjectStore store;
    private final SupportsPrefixListing listing;
    private final Duration settle;
    private final Clock clock;

    /** @param settle how long after its files arrived a partition is due */
    public DuePartitions(ObjectStore store, Duration settle, Clock clock) {
        if (!(store instanceof SupportsPrefixListing prefixListing)) {
            throw new IllegalArgumentException("Due partitions need a store that lists keys");
        }
        this.store = store;
        this.listing = prefixListing;
        this.settle = settle;
        this.clock = clock;
    }

    /** Marks a partition as having new files; it is due a settle period from now, unless it was marked before. */
    public void mark(String dataset, String partition) {
        try {
            store.createIfAbsent(key(dataset, partition),
                    JSON.writeValueAsBytes(new Due(dataset, partition, clock.instant().plus(settle))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The marked partitions whose time has come, oldest first. */
    public List<Due> due() {
        Instant now = clock.instant();
        List<Due> due = new ArrayList<>();
        try (Stream<ObjectInfo> objects = listing.list(LakeLayout.STATE + Compaction.STEP + "/due/")) {
            for (ObjectInfo object : objects.toList()) {
                try (InputStream in = store.open(object.key())) {
                    Due marked = JSON.readValue(in, Due.class);
                    if (!marked.dueAt().isAfter(now)) {
                        due.add(marked);
                    }
                } catch (ObjectNotFoundException e) {
                    // taken by another replica since the listing
                } catch (IOException e) {
                    store.delete(object.key()); // unreadable: the sweep covers its partition
                }
            }
        }
        due.sort((a, b) -> a.dueAt().compareTo(b.dueAt()));
        return due;
    }

    /** Unmarks a partition, before it is compacted: files arriving meanwhile mark it again. */
    public void clear(Due due) {
        store.delete(key(due.dataset(), due.partition()));
    }

    private static String key(String dataset, String partition) {
        return LakeLayout.STATE + Compaction.STEP + "/due/" + DatasetName.validate(dataset) + "/"
                + Hashing.sha256Hex(partition) + ".json";
    }
}
