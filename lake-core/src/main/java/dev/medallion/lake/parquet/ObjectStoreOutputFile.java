package dev.medallion.lake.parquet;

import java.io.IOException;
import java.util.Map;

import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

import dev.medallion.lake.store.ObjectStore;
import dev.medallion.lake.store.ObjectWriter;

/**
 * Parquet output into an object store; the object appears only when the Parquet writer closes successfully. Keeps
 * hold of the {@link ObjectWriter} so a failed write can be aborted.
 */
final class ObjectStoreOutputFile implements OutputFile {
    private final ObjectStore store;
    private final String key;
    private final Map<String, String> metadata;
    private ObjectWriter writer;

    ObjectStoreOutputFile(ObjectStore store, String key, Map<String, String> metadata) {
        this.store = store;
        this.key = key;
        this.metadata = metadata;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        return createOrOverwrite(blockSizeHint);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        writer = store.create(key, metadata);
        return new PositionOutputStream() {
            @Override
            public long getPos() {
                return writer.position();
            }

            @Override
            public void write(int b) throws IOException {
                writer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writer.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                writer.close();
            }
        };
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return key;
    }

    long bytesWritten() {
        return writer == null ? 0 : writer.position();
    }

    void abort() {
        if (writer != null) {
            writer.abort();
        }
    }
}
