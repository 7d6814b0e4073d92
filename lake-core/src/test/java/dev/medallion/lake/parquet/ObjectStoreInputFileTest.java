package dev.medallion.lake.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

import org.apache.parquet.io.SeekableInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.store.ForwardingObjectStore;
import dev.medallion.lake.store.InMemoryObjectStore;
import dev.medallion.lake.store.ObjectNotFoundException;
import dev.medallion.lake.store.ObjectWriter;

class ObjectStoreInputFileTest {
    private static final int SIZE = 1_000_000;

    private final byte[] bytes = new byte[SIZE];
    private final InMemoryObjectStore backing = new InMemoryObjectStore();
    private CountingStore store;

    /** Counts requests and single-byte reads, the two costs that matter on S3. */
    private final class CountingStore extends ForwardingObjectStore {
        int opens;
        int singleByteReads;

        CountingStore() {
            super(backing);
        }

        @Override
        public InputStream open(String key, long offset) {
            opens++;
            return new FilterInputStream(backing.open(key, offset)) {
                @Override
                public int read() throws IOException {
                    singleByteReads++;
                    return super.read();
                }
            };
        }
    }

    @BeforeEach
    void writeObject() throws IOException {
        for (int i = 0; i < SIZE; i++) {
            bytes[i] = (byte) (i ^ (i >>> 9));
        }
        try (ObjectWriter writer = backing.create("obj", Map.of())) {
            writer.write(bytes);
        }
        store = new CountingStore();
    }

    private byte[] slice(int from, int length) {
        return Arrays.copyOfRange(bytes, from, from + length);
    }

    @Test
    void knowsItsLengthAndRejectsMissingObjects() {
        assertThat(new ObjectStoreInputFile(store, "obj").getLength()).isEqualTo(SIZE);
        assertThat(new ObjectStoreInputFile(store, "obj")).hasToString("obj");
        assertThatThrownBy(() -> new ObjectStoreInputFile(store, "missing"))
                .isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void readsSequentiallyInBulkThroughOneRequest() throws IOException {
        byte[] all = new byte[SIZE];
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            in.readFully(all, 0, 1000);
            in.readFully(all, 1000, SIZE - 1000);
            assertThat(in.getPos()).isEqualTo(SIZE);
            assertThat(in.read()).isEqualTo(-1);
        }

        assertThat(all).isEqualTo(bytes);
        assertThat(store.opens).isEqualTo(1);
        assertThat(store.singleByteReads).isZero();
    }

    @Test
    void seekingBackwardsReopensAtTheTarget() throws IOException {
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            in.seek(SIZE - 8);
            byte[] tail = new byte[8];
            in.readFully(tail);
            in.seek(100);
            byte[] head = new byte[50];
            in.readFully(head);

            assertThat(tail).isEqualTo(slice(SIZE - 8, 8));
            assertThat(head).isEqualTo(slice(100, 50));
            assertThat(in.getPos()).isEqualTo(150);
        }
        assertThat(store.opens).isEqualTo(2);
    }

    @Test
    void shortForwardSeeksSkipInsteadOfReopening() throws IOException {
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            byte[] chunk = new byte[10];
            in.readFully(chunk);
            in.seek(10 + 100_000);
            in.readFully(chunk);

            assertThat(chunk).isEqualTo(slice(100_010, 10));
        }
        assertThat(store.opens).isEqualTo(1);
    }

    @Test
    void longForwardSeeksReopen() throws IOException {
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            byte[] chunk = new byte[10];
            in.readFully(chunk);
            in.seek(900_000);
            in.readFully(chunk);

            assertThat(chunk).isEqualTo(slice(900_000, 10));
        }
        assertThat(store.opens).isEqualTo(2);
    }

    @Test
    void readsSingleBytesAndStopsAtTheEnd() throws IOException {
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            in.seek(SIZE - 2);
            assertThat(in.read()).isEqualTo(bytes[SIZE - 2] & 0xff);
            assertThat(in.read()).isEqualTo(bytes[SIZE - 1] & 0xff);
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
            assertThat(in.getPos()).isEqualTo(SIZE);
        }
    }

    @Test
    void readFullyPastTheEndFails() throws IOException {
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            in.seek(SIZE - 4);
            assertThatThrownBy(() -> in.readFully(new byte[8])).isInstanceOf(EOFException.class);
        }
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            in.seek(SIZE - 4);
            assertThatThrownBy(() -> in.readFully(ByteBuffer.allocateDirect(8))).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void fillsHeapAndDirectBuffers() throws IOException {
        try (SeekableInputStream in = new ObjectStoreInputFile(store, "obj").newStream()) {
            ByteBuffer heap = ByteBuffer.allocate(64);
            heap.position(4);
            in.seek(1000);
            in.readFully(heap);
            assertThat(heap.position()).isEqualTo(64);
            assertThat(Arrays.copyOfRange(heap.array(), 4, 64)).isEqualTo(slice(1000, 60));

            ByteBuffer direct = ByteBuffer.allocateDirect(200_000);
            in.readFully(direct);
            direct.flip();
            byte[] read = new byte[direct.remaining()];
            direct.get(read);
            assertThat(read).isEqualTo(slice(1060, 200_000));
            assertThat(in.getPos()).isEqualTo(201_060);

            ByteBuffer partial = ByteBuffer.allocate(16);
            int n = in.read(partial);
            assertThat(n).isPositive();
            assertThat(partial.position()).isEqualTo(n);
        }
        assertThat(store.singleByteReads).isZero();
    }
}
