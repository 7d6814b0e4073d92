package dev.medallion.lake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.store.ForwardingObjectStore;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;

class BronzeBatcherTest {
    private static final Duration NEVER = Duration.ofHours(1);

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final MemoryBudget budget = new MemoryBudget(64 << 20);
    private final List<BronzeObjectLanded> announced = new CopyOnWriteArrayList<>();
    private BronzeBatcher batcher;

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
    }

    @Test
    void groupCommitsConcurrentClientsIntoOneObjectAndAnswersThemOnlyOnceItIsStored() throws Exception {
        batcher = batcher(store, new BufferPolicy(1 << 20, 1000, NEVER, Duration.ofMillis(200)), announced::add);
        var first = batcher.add("sales", segment("a1\na2\n", 2, true));
        var second = batcher.add("sales", segment("b1\n", 1, true));
        assertThat(first).isNotDone(); // still inside the linger window
        assertThat(announced).isEmpty();

        var landing = first.get(10, TimeUnit.SECONDS);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(landing);
        assertThat(read(landing.bronzeKey())).isEqualTo("a1\na2\nb1\n");
        assertThat(store.stat(landing.bronzeKey()).orElseThrow().metadata()).containsEntry("segments", "2")
                .containsEntry("records", "3").containsEntry("source", "http");
        assertThat(announced).singleElement().satisfies(landed -> {
            assertThat(landed.key()).isEqualTo(landing.bronzeKey());
            assertThat(landed.dataset()).isEqualTo("sales");
            assertThat(landed.bytes()).isEqualTo(9);
        });
        assertThat(budget.used()).isZero();
    }

    @Test
    void keepsDatasetsInSeparateObjects() throws Exception {
        batcher = batcher(store, new BufferPolicy(1 << 20, 1000, NEVER, Duration.ZERO), announced::add);
        var sales = batcher.add("sales", segment("s\n", 1, true));
        var orders = batcher.add("orders", segment("o\n", 1, true));
        assertThat(sales.get(10, TimeUnit.SECONDS).bronzeKey()).startsWith("bronze/sales/");
        assertThat(orders.get(10, TimeUnit.SECONDS).bronzeKey()).startsWith("bronze/orders/");
    }

    @Test
    void flushesAtTheByteLimitWithoutWaitingForTheInterval() throws Exception {
        batcher = batcher(store, new BufferPolicy(10, 1000, NEVER, NEVER), announced::add);
        var small = batcher.add("sales", segment("12345\n", 1, false));
        var filling = batcher.add("sales", segment("67890\n", 1, false));
        // the interval is an hour away: only the byte limit can have flushed them
        assertThat(filling.get(10, TimeUnit.SECONDS)).isEqualTo(small.get(10, TimeUnit.SECONDS));
        var next = batcher.add("sales", segment("x\n", 1, false));
        assertThat(next).isNotDone();
    }

    @Test
    void flushesAtTheRecordLimit() throws Exception {
        batcher = batcher(store, new BufferPolicy(1 << 20, 3, NEVER, NEVER), announced::add);
        batcher.add("sales", segment("a\nb\n", 2, false));
        var third = batcher.add("sales", segment("c\n", 1, false));
        assertThat(read(third.get(10, TimeUnit.SECONDS).bronzeKey())).isEqualTo("a\nb\nc\n");
    }

    @Test
    void flushesAQueueOnlyBatchAtTheInterval() throws Exception {
        batcher = batcher(store, new BufferPolicy(1 << 20, 1000, Duration.ofMillis(100), NEVER), announced::add);
        var queued = batcher.add("sales", segment("q\n", 1, false));
        assertThat(read(queued.get(10, TimeUnit.SECONDS).bronzeKey())).isEqualTo("q\n");
    }

    @Test
    void closingFlushesEveryOpenBatchAndRefusesLaterSegments() throws Exception {
        batcher = batcher(store, new BufferPolicy(1 << 20, 1000, NEVER, NEVER), announced::add);
        var waiting = batcher.add("sales", segment("w\n", 1, false));
        batcher.close();
        assertThat(waiting).isCompleted();
        assertThat(read(waiting.get().bronzeKey())).isEqualTo("w\n");
        var late = segment("late\n", 1, false);
        assertThatThrownBy(() -> batcher.add("sales", late).get()).hasMessageContaining("shutting down");
        assertThat(budget.used()).isZero();
    }

    @Test
    void aFailedStoreFailsEverySegmentOfTheBatchAndLeavesNothingBehind() {
        ObjectStore failing = new FailingStore(store);
        batcher = batcher(failing, new BufferPolicy(1 << 20, 1000, NEVER, Duration.ZERO), announced::add);
        var lost = batcher.add("sales", segment("a\n", 1, true));
        assertThatThrownBy(() -> lost.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("disk on fire");
        assertThat(announced).isEmpty();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aFailedAnnouncementFailsTheSegments() {
        batcher = batcher(store, new BufferPolicy(1 << 20, 1000, NEVER, Duration.ZERO), landed -> {
            throw new IllegalStateException("queue unavailable");
        });
        CompletableFuture<BronzeBatcher.Landing> unannounced = batcher.add("sales", segment("a\n", 1, true));
        assertThatThrownBy(() -> unannounced.get(10, TimeUnit.SECONDS)).hasMessageContaining("queue unavailable");
    }

    private BronzeBatcher batcher(ObjectStore target, BufferPolicy policy, Consumer<BronzeObjectLanded> announce) {
        return new BronzeBatcher(target, dataset -> policy, announce, new BronzeBatcher.Listener() {
            @Override
            public void flushed(String dataset, BufferPolicy.Reason reason, BronzeBatcher.Batch batch,
                    long storedBytes, Duration storeTime) {
            }

            @Override
            public void failed(String dataset, BronzeBatcher.Batch batch, Exception error) {
            }
        }, Clock.systemUTC(), 2);
    }

    private PendingSegment segment(String bytes, long records, boolean clientWaiting) {
        var data = new SegmentBuffer(budget);
        data.write(bytes.getBytes(StandardCharsets.UTF_8), 0, bytes.length());
        return new PendingSegment(new SegmentHeader(clientWaiting ? "http" : "sqs", "id-" + bytes.hashCode(),
                BronzeFormat.NDJSON, Instant.now()), data, records, bytes.length(), clientWaiting,
                PendingSegment.BeforeStore.NOTHING);
    }

    private String read(String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A store whose writes fail when published. */
    private static final class FailingStore extends ForwardingObjectStore {
        FailingStore(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public ObjectWriter create(String key, Map<String, String> metadata) {
            return new ForwardingWriter(delegate.create(key, metadata)) {
                @Override
                public void close() throws IOException {
                    delegate.abort();
                    throw new IOException("disk on fire");
                }
            };
        }
    }
}
