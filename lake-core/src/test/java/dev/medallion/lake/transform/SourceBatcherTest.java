package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.store.ObjectNotFoundException;

class SourceBatcherTest {
    private final List<String> runs = new CopyOnWriteArrayList<>();
    private SourceBatcher batcher;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (batcher != null) {
            batcher.close(Duration.ofSeconds(10));
        }
    }

    private SourceBatcher batcher(int maxSources, long maxBytes, Duration linger, Map<String, Exception> failures) {
        batcher = new SourceBatcher(new SourceBatcher.Limits(maxSources, maxBytes, linger), (dataset, keys) -> {
            runs.add(dataset + ":" + String.join(",", keys));
            return failures;
        });
        return batcher;
    }

    @Test
    void aFullBatchRunsAtOnceWithoutWaitingForTheLinger() throws Exception {
        batcher(3, Long.MAX_VALUE, Duration.ofHours(1), Map.of());

        CompletableFuture<Void> a = batcher.submit("sales", "k1", 10);
        CompletableFuture<Void> b = batcher.submit("sales", "k2", 10);
        CompletableFuture<Void> other = batcher.submit("clicks", "c1", 10);
        CompletableFuture<Void> c = batcher.submit("sales", "k3", 10);

        CompletableFuture.allOf(a, b, c).get(10, TimeUnit.SECONDS);
        assertThat(runs).containsExactly("sales:k1,k2,k3");
        assertThat(other).isNotDone(); // its dataset's batch waits for more, or for the linger
        assertThat(batcher.pending()).isEqualTo(1);
    }

    @Test
    void aBatchClosesOnBytesAndTheSameObjectTwiceIsReadOnce() throws Exception {
        batcher(100, 100, Duration.ofHours(1), Map.of());

        CompletableFuture<Void> first = batcher.submit("sales", "k1", 60);
        CompletableFuture<Void> again = batcher.submit("sales", "k1", 60);
        CompletableFuture<Void> second = batcher.submit("sales", "k2", 60);

        CompletableFuture.allOf(first, again, second).get(10, TimeUnit.SECONDS);
        assertThat(again).isSameAs(first);
        assertThat(runs).containsExactly("sales:k1,k2");
    }

    @Test
    void theLingerRunsAPartialBatch() throws Exception {
        batcher(100, Long.MAX_VALUE, Duration.ofMillis(50), Map.of());

        batcher.submit("sales", "k1", 1).get(10, TimeUnit.SECONDS);

        assertThat(runs).containsExactly("sales:k1");
        assertThat(batcher.pending()).isZero();
    }

    @Test
    void anObjectTheRunCouldNotReadFailsAloneAndAFailedRunFailsEveryObject() throws Exception {
        batcher(2, Long.MAX_VALUE, Duration.ofHours(1), Map.of("gone", new ObjectNotFoundException("gone")));
        CompletableFuture<Void> ok = batcher.submit("sales", "k1", 1);
        CompletableFuture<Void> gone = batcher.submit("sales", "gone", 1);

        ok.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> gone.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ObjectNotFoundException.class);

        batcher.close(Duration.ofSeconds(10));
        batcher = new SourceBatcher(new SourceBatcher.Limits(1, 1, Duration.ZERO), (dataset, keys) -> {
            throw new IllegalStateException("S3 is down");
        });
        assertThatThrownBy(() -> batcher.submit("sales", "k1", 1).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("S3 is down");
    }

    @Test
    void closingRunsWhatIsOpenAndRefusesMore() throws Exception {
        batcher(100, Long.MAX_VALUE, Duration.ofHours(1), Map.of());
        CompletableFuture<Void> waiting = batcher.submit("sales", "k1", 1);

        assertThat(batcher.close(Duration.ofSeconds(10))).isTrue();

        assertThat(waiting).isCompleted();
        assertThat(runs).containsExactly("sales:k1");
        assertThat(batcher.submit("sales", "k2", 1)).isCompletedExceptionally();
    }
}
