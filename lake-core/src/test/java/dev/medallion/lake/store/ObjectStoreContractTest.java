package dev.medallion.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;

/** What every {@link ObjectStore} promises; each implementation runs these through a subclass. */
abstract class ObjectStoreContractTest {
    protected ObjectStore store;

    /** A new, empty store. */
    protected abstract ObjectStore newStore();

    @BeforeEach
    void createStore() {
        store = newStore();
    }

    private SupportsPrefixListing listing() {
        return (SupportsPrefixListing) store;
    }

    protected void put(String key, String content, Map<String, String> metadata) {
        try (ObjectWriter writer = store.create(key, metadata)) {
            writer.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected void put(String key, String content) {
        put(key, content, Map.of());
    }

    protected String read(String key, long offset) {
        try (InputStream in = store.open(key, offset)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected String read(String key) {
        try (InputStream in = store.open(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected List<String> keys(String prefix) {
        try (Stream<ObjectInfo> objects = listing().list(prefix)) {
            return objects.map(ObjectInfo::key).toList();
        }
    }

    @Test
    void createIfAbsentCreatesOnceAndNeverReplaces() {
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);

        assertThat(store.createIfAbsent("state/decision", first)).isTrue();
        assertThat(store.createIfAbsent("state/decision", "second".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(read("state/decision")).isEqualTo("first");

        put("state/written", "by create");
        assertThat(store.createIfAbsent("state/written", first)).isFalse();
        assertThat(read("state/written")).isEqualTo("by create");

        store.delete("state/decision");
        assertThat(store.createIfAbsent("state/decision", "again".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(read("state/decision")).isEqualTo("again");
        assertThatThrownBy(() -> store.createIfAbsent("../escape", first)).isInstanceOf(ValidationException.class);
    }

    @Test
    void ofConcurrentCreateIfAbsentCallsExactlyOneWins() throws Exception {
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            var start = new CountDownLatch(1);
            List<Future<Boolean>> outcomes = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                byte[] content = ("caller " + i).getBytes(StandardCharsets.UTF_8);
                outcomes.add(pool.submit(() -> {
                    start.await();
                    return store.createIfAbsent("state/race", content);
                }));
            }
            start.countDown();
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                if (outcomes.get(i).get(30, TimeUnit.SECONDS)) {
                    winners.add(i);
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(read("state/race")).isEqualTo("caller " + winners.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeMakesTheObjectVisible() {
        put("a/b/object.txt", "hello");

        assertThat(read("a/b/object.txt")).isEqualTo("hello");
        assertThat(store.stat("a/b/object.txt")).map(ObjectInfo::size).contains(5L);
        assertThat(keys("")).containsExactly("a/b/object.txt");
    }

    @Test
    void nothingIsVisibleBeforeClose() throws IOException {
        ObjectWriter writer = store.create("pending", Map.of("k", "v"));
        writer.write("partial".getBytes(StandardCharsets.UTF_8));
        writer.flush();

        assertThat(writer.position()).isEqualTo(7);
        assertThat(store.stat("pending")).isEmpty();
        assertThatThrownBy(() -> store.open("pending")).isInstanceOf(ObjectNotFoundException.class);
        assertThat(keys("")).isEmpty();

        writer.close();

        assertThat(read("pending")).isEqualTo("partial");
    }

    @Test
    void abortLeavesNothing() throws IOException {
        ObjectWriter writer = store.create("aborted", Map.of());
        writer.write(new byte[1000]);

        writer.abort();
        writer.close();

        assertThat(store.stat("aborted")).isEmpty();
        assertThat(keys("")).isEmpty();
        assertThatThrownBy(() -> store.open("aborted")).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void abortLeavesTheExistingObjectInPlace() throws IOException {
        put("key", "old");
        ObjectWriter writer = store.create("key", Map.of());
        writer.write("new".getBytes(StandardCharsets.UTF_8));

        writer.abort();

        assertThat(read("key")).isEqualTo("old");
    }

    @Test
    void abortAfterCloseKeepsTheObject() throws IOException {
        ObjectWriter writer = store.create("key", Map.of());
        writer.write('x');
        writer.close();

        writer.abort();
        writer.close();

        assertThat(read("key")).isEqualTo("x");
    }

    @Test
    void overwriteReplacesContentAndMetadata() {
        put("key", "a much longer first version", Map.of("first", "1"));
        put("key", "second", Map.of("second", "2"));

        assertThat(read("key")).isEqualTo("second");
        ObjectInfo info = store.stat("key").orElseThrow();
        assertThat(info.size()).isEqualTo(6);
        assertThat(info.metadata()).isEqualTo(Map.of("second", "2"));

        put("key", "third");

        assertThat(store.stat("key").orElseThrow().metadata()).isEmpty();
        assertThat(keys("")).containsExactly("key");
    }

    @Test
    void opensAtAnOffset() {
        put("digits", "0123456789");

        assertThat(read("digits", 0)).isEqualTo("0123456789");
        assertThat(read("digits", 4)).isEqualTo("456789");
        assertThat(read("digits", 9)).isEqualTo("9");
        assertThat(read("digits", 10)).isEmpty();
        assertThat(read("digits", 50)).isEmpty();
    }

    @Test
    void storesEmptyObjects() {
        put("empty", "");

        assertThat(store.stat("empty")).map(ObjectInfo::size).contains(0L);
        assertThat(read("empty")).isEmpty();
    }

    @Test
    void storesArbitraryBytes() throws IOException {
        byte[] bytes = new byte[300_000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + (i >> 8));
        }
        try (ObjectWriter writer = store.create("bin", Map.of())) {
            writer.write(bytes, 0, 100);
            writer.write(bytes[100]);
            writer.write(bytes, 101, bytes.length - 101);
            assertThat(writer.position()).isEqualTo(bytes.length);
        }

        try (InputStream in = store.open("bin")) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        try (InputStream in = store.open("bin", 123_456)) {
            assertThat(in.readNBytes(10)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 123_456, 123_466));
        }
    }

    @Test
    void statReportsSizeMetadataAndTime() {
        put("dir/key.json", "{\"a\":1}", Map.of("received-at", "2024-03-01T00:00:00Z", "source", "http"));

        ObjectInfo info = store.stat("dir/key.json").orElseThrow();

        assertThat(info.key()).isEqualTo("dir/key.json");
        assertThat(info.size()).isEqualTo(7);
        assertThat(info.metadata()).isEqualTo(Map.of("received-at", "2024-03-01T00:00:00Z", "source", "http"));
        assertThat(info.lastModified()).isNotNull();
    }

    @Test
    void missingObjectsAreNotFound() {
        assertThat(store.stat("missing")).isEqualTo(Optional.empty());
        assertThatThrownBy(() -> store.open("missing"))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("Cannot read object 'missing': it does not exist");
        assertThatThrownBy(() -> store.open("a/missing", 5)).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void aPrefixOfOtherKeysIsNotAnObject() {
        put("a/b/c", "x");

        assertThat(store.stat("a")).isEmpty();
        assertThat(store.stat("a/b")).isEmpty();
        assertThatThrownBy(() -> store.open("a/b")).isInstanceOf(ObjectNotFoundException.class);
        store.delete("a/b");
        assertThat(read("a/b/c")).isEqualTo("x");
    }

    @Test
    void deleteIsIdempotent() {
        put("key", "x", Map.of("m", "1"));
        put("other", "y");

        store.delete("key");
        store.delete("key");
        store.delete("never-existed");
        store.delete("no/such/dir/key");

        assertThat(store.stat("key")).isEmpty();
        assertThat(keys("")).containsExactly("other");
    }

    @Test
    void copyMakesAnIndependentObjectWithTheSameBytesAndMetadata() {
        put("a/source", "hello", Map.of("run-id", "r1"));
        put("b/target", "replaced");

        store.copy("a/source", "b/target");
        store.copy("a/source", "b/new/target");
        store.delete("a/source");

        assertThat(read("b/target")).isEqualTo("hello");
        assertThat(read("b/new/target")).isEqualTo("hello");
        assertThat(store.stat("b/target").orElseThrow().metadata()).containsEntry("run-id", "r1");
        assertThatThrownBy(() -> store.copy("a/source", "c/x")).isInstanceOf(ObjectNotFoundException.class);
        assertThat(store.stat("c/x")).isEmpty();
    }

    @Test
    void deleteAllDeletesEveryNamedObjectAcrossBatchesAndSkipsMissingOnes() {
        List<String> doomed = new ArrayList<>();
        for (int i = 0; i < 1005; i++) { // more than one S3 request's worth
            String key = "p/" + String.format(Locale.ROOT, "%04d", i);
            put(key, "x");
            doomed.add(key);
        }
        put("p/keep", "y");
        doomed.add("p/never-existed");

        store.deleteAll(doomed);

        assertThat(keys("p/")).containsExactly("p/keep");
    }

    @Test
    void deleteDropsMetadata() {
        put("key", "x", Map.of("m", "1"));
        store.delete("key");

        put("key", "y");

        assertThat(store.stat("key").orElseThrow().metadata()).isEmpty();
    }

    @Test
    void listsByPrefixInKeyOrderIncludingNestedKeys() {
        for (String key : List.of("b/1", "a/2/x", "a/10", "ab", "a/1", "a/2/y/z", "c")) {
            put(key, key);
        }

        assertThat(keys("a/")).containsExactly("a/1", "a/10", "a/2/x", "a/2/y/z");
        assertThat(keys("a")).containsExactly("a/1", "a/10", "a/2/x", "a/2/y/z", "ab");
        assertThat(keys("a/1")).containsExactly("a/1", "a/10");
        assertThat(keys("a/2/")).containsExactly("a/2/x", "a/2/y/z");
        assertThat(keys("")).containsExactly("a/1", "a/10", "a/2/x", "a/2/y/z", "ab", "b/1", "c");
        assertThat(keys("d/")).isEmpty();
        assertThat(keys("c/")).isEmpty();
    }

    @Test
    void listingReportsSizesButNoMetadata() {
        put("p/one", "1", Map.of("m", "v"));
        put("p/three", "333");

        List<ObjectInfo> objects;
        try (Stream<ObjectInfo> listed = listing().list("p/")) {
            objects = listed.toList();
        }

        assertThat(objects).extracting(ObjectInfo::key, ObjectInfo::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("p/one", 1L),
                        org.assertj.core.groups.Tuple.tuple("p/three", 3L));
        assertThat(objects).allSatisfy(o -> assertThat(o.metadata()).isEmpty());
    }

    @Test
    void listingExcludesDeletedAndAbortedObjects() throws IOException {
        put("p/kept", "1");
        put("p/deleted", "2");
        store.delete("p/deleted");
        ObjectWriter aborted = store.create("p/aborted", Map.of());
        aborted.write(1);
        aborted.abort();
        ObjectWriter open = store.create("p/open", Map.of());
        open.write(1);

        assertThat(keys("p/")).containsExactly("p/kept");
        open.abort();
    }

    @ParameterizedTest
    @ValueSource(strings = { "../x", "a/../../b", "/abs", "a//b", "a/", "a\\b", "..\\x", "a\u0000b", "a\nb", "a\rb",
            ".", "..", "a/./b", "a/..", "" })
    void rejectsKeysThatCouldEscape(String key) {
        assertThatThrownBy(() -> store.create(key, Map.of())).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> store.open(key)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> store.stat(key)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(ValidationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "../", "a//", "/", "../x", "a/../b/" })
    void rejectsPrefixesThatCouldEscape(String prefix) {
        assertThatThrownBy(() -> listing().list(prefix)).isInstanceOf(ValidationException.class);
    }
}
