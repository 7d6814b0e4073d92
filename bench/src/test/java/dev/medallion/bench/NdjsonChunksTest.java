package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NdjsonChunksTest {

    private static List<NdjsonChunks.Chunk> split(String text, int maxBytes, int maxRecords) throws IOException {
        return NdjsonChunks.split(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxBytes,
                maxRecords);
    }

    private static List<String> texts(String text, List<NdjsonChunks.Chunk> chunks) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (NdjsonChunks.Chunk c : chunks) {
            out.add(new String(b, (int) c.offset(), c.length(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void cutsOnLineBoundariesWithinTheByteLimit() throws IOException {
        String text = "aaa\nbb\ncccc\nd\n"; // lines of 4, 3, 5, 2 bytes
        List<NdjsonChunks.Chunk> chunks = split(text, 8, 0);
        assertThat(texts(text, chunks)).containsExactly("aaa\nbb\n", "cccc\nd\n");
        assertThat(chunks).extracting(NdjsonChunks.Chunk::records).containsExactly(2, 2);
    }

    @Test
    void aChunkMayBeExactlyTheLimit() throws IOException {
        String text = "aaa\nbbb\nccc\n";
        assertThat(texts(text, split(text, 8, 0))).containsExactly("aaa\nbbb\n", "ccc\n");
    }

    @Test
    void aLineLongerThanTheLimitIsAChunkOfItsOwn() throws IOException {
        String text = "a\n" + "x".repeat(20) + "\nb\n";
        assertThat(texts(text, split(text, 5, 0))).containsExactly("a\n", "x".repeat(20) + "\n", "b\n");
    }

    @Test
    void theRecordLimitCutsToo() throws IOException {
        String text = "1\n2\n3\n4\n5\n";
        List<NdjsonChunks.Chunk> chunks = split(text, 1000, 2);
        assertThat(texts(text, chunks)).containsExactly("1\n2\n", "3\n4\n", "5\n");
        assertThat(chunks).extracting(NdjsonChunks.Chunk::offset).containsExactly(0L, 4L, 8L);
    }

    @Test
    void aLastLineWithoutNewlineIsKept() throws IOException {
        String text = "aaa\nbbb";
        assertThat(texts(text, split(text, 100, 0))).containsExactly("aaa\nbbb");
        assertThat(texts(text, split(text, 5, 0))).containsExactly("aaa\n", "bbb");
        assertThat(texts(text, split(text, 100, 1))).containsExactly("aaa\n", "bbb");
    }

    @Test
    void emptyInputHasNoChunks() throws IOException {
        assertThat(split("", 10, 0)).isEmpty();
    }

    @Test
    void rejectsNonsenseLimits() {
        assertThatThrownBy(() -> split("a\n", 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> split("a\n", 1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void generatedFileIsCoveredExactlyOnceAndReadBack(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sales.ndjson");
        new SalesGenerator(SalesGenerator.Options.records(3_000).withSeed(7).withBadFraction(0.05)).writeFile(file);
        byte[] all = Files.readAllBytes(file);
        // small bodies and a read buffer of 64 KiB inside split: chunk and buffer boundaries cross many times
        List<NdjsonChunks.Chunk> chunks = NdjsonChunks.split(file, 10_000, 0);
        assertThat(chunks.stream().mapToInt(NdjsonChunks.Chunk::records).sum()).isEqualTo(3_000);
        long expectedOffset = 0;
        byte[] buf = new byte[NdjsonChunks.maxLength(chunks)];
        try (FileChannel ch = NdjsonChunks.open(file)) {
            for (NdjsonChunks.Chunk c : chunks) {
                assertThat(c.offset()).isEqualTo(expectedOffset);
                assertThat(c.length()).isLessThanOrEqualTo(10_000);
                int len = NdjsonChunks.read(ch, c, buf);
                assertThat(buf[len - 1]).isEqualTo((byte) '\n');
                long lines = 0;
                for (int i = 0; i < len; i++) {
                    lines += buf[i] == '\n' ? 1 : 0;
                }
                assertThat(lines).isEqualTo(c.records());
                assertThat(new String(buf, 0, len, StandardCharsets.UTF_8)).isEqualTo(
                        new String(all, (int) c.offset(), len, StandardCharsets.UTF_8));
                expectedOffset += c.length();
            }
        }
        assertThat(expectedOffset).isEqualTo(all.length);
    }

    @Test
    void batchesRespectEntryAndByteLimits() {
        List<NdjsonChunks.Chunk> chunks = new ArrayList<>();
        long at = 0;
        for (int len : new int[] { 10, 10, 10, 50, 10, 100, 5 }) {
            chunks.add(new NdjsonChunks.Chunk(at, len, 1));
            at += len;
        }
        List<List<NdjsonChunks.Chunk>> batches = NdjsonChunks.batches(chunks, 3, 60);
        assertThat(batches).extracting(b -> b.stream().mapToInt(NdjsonChunks.Chunk::length).boxed().toList())
                .containsExactly(List.of(10, 10, 10), List.of(50, 10), List.of(100), List.of(5));
    }
}
