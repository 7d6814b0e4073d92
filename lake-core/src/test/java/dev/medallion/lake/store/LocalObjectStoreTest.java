package dev.medallion.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.ValidationException;

class LocalObjectStoreTest extends ObjectStoreContractTest {
    @TempDir
    Path temp;

    private Path root() {
        return temp.resolve("lake");
    }

    @Override
    protected ObjectStore newStore() {
        return new LocalObjectStore(root());
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void objectsAreFilesUnderTheRootSoEnginesReadThemInPlace() throws IOException {
        put("silver/sales/year=2024/part-0.parquet", "data");

        assertThat(Files.readString(root().resolve("silver/sales/year=2024/part-0.parquet"))).isEqualTo("data");
    }

    @Test
    void stagesWritesOutsideTheVisibleTree() throws IOException {
        ObjectWriter writer = store.create("a/b", Map.of());
        writer.write("x".getBytes(StandardCharsets.UTF_8));
        writer.flush();

        assertThat(files(root().resolve(".staging"))).hasSize(1);
        assertThat(root().resolve("a/b")).doesNotExist();

        writer.close();

        assertThat(files(root().resolve(".staging"))).isEmpty();
        assertThat(root().resolve("a/b")).hasContent("x");
    }

    @Test
    void abortRemovesTheStagedFile() throws IOException {
        ObjectWriter writer = store.create("a/b", Map.of());
        writer.write(new byte[4096]);

        writer.abort();

        assertThat(files(root().resolve(".staging"))).isEmpty();
        assertThat(root().resolve("a")).doesNotExist();
    }

    @Test
    void hidesItsStagingAndMetadataFolders() throws IOException {
        put("x", "1", Map.of("m", "v"));
        ObjectWriter pending = store.create("y", Map.of());
        pending.write(1);
        pending.flush();

        assertThat(root().resolve(".metadata")).isDirectory();
        assertThat(files(root().resolve(".staging"))).isNotEmpty();
        assertThat(keys("")).containsExactly("x");
        assertThat(keys(".st")).isEmpty();
        assertThat(keys(".m")).isEmpty();
        assertThat(keys(".staging/")).isEmpty();
        assertThat(keys(".metadata/")).isEmpty();
        pending.abort();
    }

    @ParameterizedTest
    @ValueSource(strings = { ".staging", ".staging/x", ".metadata", ".metadata/x.properties" })
    void rejectsKeysInItsOwnFolders(String key) {
        assertThatThrownBy(() -> store.create(key, Map.of())).isInstanceOf(LakeException.class)
                .hasMessageContaining("reserved by the local store");
        assertThatThrownBy(() -> store.open(key)).isInstanceOf(LakeException.class)
                .hasMessageContaining("reserved by the local store");
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(LakeException.class);
    }

    @Test
    void keysThatOnlyLookLikeItsFoldersAreFine() {
        put(".stagingx/a", "1");
        put("data/.staging", "2");

        assertThat(keys("")).containsExactly(".stagingx/a", "data/.staging");
    }

    @ParameterizedTest
    @ValueSource(strings = { "../x", "a/../../x", "/x", "../lake2/x", "a//x", "..\\x" })
    void nothingIsWrittenOutsideTheRoot(String key) throws IOException {
        assertThatThrownBy(() -> store.create(key, Map.of())).isInstanceOf(ValidationException.class);

        assertThat(files(temp)).allMatch(p -> p.startsWith(root()));
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void anotherStoreOnTheSameRootSeesObjectsAndMetadata() {
        put("k", "v", Map.of("note", "a=b: c\\d é\n"));

        var again = new LocalObjectStore(root());

        assertThat(again.stat("k").orElseThrow().metadata()).isEqualTo(Map.of("note", "a=b: c\\d é\n"));
        try (Stream<ObjectInfo> listed = again.list("")) {
            assertThat(listed.map(ObjectInfo::key)).containsExactly("k");
        }
    }

    @Test
    void metadataOfOneKeyNeverShowsUpOnAnother() {
        put("a", "1", Map.of("m", "a"));
        put("a.properties", "2");
        put("b/a", "3");

        assertThat(store.stat("a.properties").orElseThrow().metadata()).isEmpty();
        assertThat(store.stat("b/a").orElseThrow().metadata()).isEmpty();
        assertThat(store.stat("a").orElseThrow().metadata()).isEqualTo(Map.of("m", "a"));
    }
}
