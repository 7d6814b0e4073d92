package dev.medallion.lake.parquet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.medallion.lake.spec.FieldType;
import dev.medallion.lake.spec.FieldType.Field;
import dev.medallion.lake.store.ForwardingObjectStore;
import dev.medallion.lake.store.LocalObjectStore;
import dev.medallion.lake.store.ObjectInfo;

/**
 * Only a file's own fault makes it unreadable: a failing store (a connection reset mid-body) and a failing caller (a
 * lease lost while the merge reports progress) are failures to retry, never a verdict on the input.
 */
class MergedFileWriterFailureTest {
    private static final List<Field> COLUMNS = List.of(new Field("id", FieldType.Primitive.STRING, true),
            new Field("n", FieldType.Primitive.LONG, false));

    @TempDir
    Path root;

    private ObjectInfo input(LocalObjectStore store) {
        try (var out = new RowWriter(store, "in/part-0.parquet", COLUMNS, Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            for (long r = 0; r < 5_000; r++) {
                out.add(new Object[] { "k-" + r, r });
            }
        }
        return store.stat("in/part-0.parquet").orElseThrow();
    }

    @Test
    void aConnectionResetWhileReadingIsTheStoresFailureNotTheFiles() {
        var local = new LocalObjectStore(root);
        ObjectInfo input = input(local);
        var resetting = new ForwardingObjectStore(local) {
            @Override
            public InputStream open(String key, long offset) {
                return new FilterInputStream(super.open(key, offset)) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        throw new SocketException("Connection reset");
                    }
                };
            }
        };

        try (var merged = new MergedFileWriter(local, "out/merged.parquet", COLUMNS, Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            assertThatThrownBy(() -> merged.append(resetting, input, new BitSet(), () -> {
            })).isNotInstanceOf(UnreadableFileException.class).hasRootCauseInstanceOf(SocketException.class)
                    .hasCauseInstanceOf(StoreReadException.class);
        }
    }

    @Test
    void whatTheProgressCallbackThrowsReachesTheCallerAsItIs() {
        var local = new LocalObjectStore(root);
        ObjectInfo input = input(local);
        var leaseLost = new IllegalStateException("The lease on sales/year=2026/month=11/day=20 was lost");

        try (var merged = new MergedFileWriter(local, "out/merged.parquet", COLUMNS, Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            assertThatThrownBy(() -> merged.append(local, input, new BitSet(), () -> {
                throw leaseLost;
            })).isSameAs(leaseLost);
        }
    }

    @Test
    void anInputThatIsNotParquetIsUnreadable() throws IOException {
        var local = new LocalObjectStore(root);
        try (var out = local.create("in/bad.parquet", Map.of())) {
            out.write("not parquet at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        ObjectInfo bad = local.stat("in/bad.parquet").orElseThrow();

        try (var merged = new MergedFileWriter(local, "out/merged.parquet", COLUMNS, Set.of(), Map.of(),
                RowWriter.Settings.defaults())) {
            assertThatThrownBy(() -> merged.append(local, bad, new BitSet(), () -> {
            })).isInstanceOf(UnreadableFileException.class);
        }
    }
}
