package dev.medallion.lake.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An {@link ObjectWriter} that stages the bytes in a local temporary file, so memory stays bounded whatever the
 * object's size, and hands the finished file to {@link #publish} on close. The staged file is removed afterwards
 * and on abort.
 */
public abstract class StagedObjectWriter extends ObjectWriter {
    private final Path staged;
    private final OutputStream out;
    private long position;
    private boolean done;

    protected StagedObjectWriter(Path stagingDir) throws IOException {
        Files.createDirectories(stagingDir);
        this.staged = Files.createTempFile(stagingDir, "object", ".tmp");
        this.out = new BufferedOutputStream(Files.newOutputStream(staged), 64 * 1024);
    }

    /** Makes the complete staged file the object; it may move the file away. */
    protected abstract void publish(Path staged) throws IOException;

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        position++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        position += len;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void abort() {
        if (!done) {
            done = true;
            discard();
        }
    }

    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            out.close();
            publish(staged);
        } finally {
            discard();
        }
    }

    private void discard() {
        try {
            out.close();
            Files.deleteIfExists(staged);
        } catch (IOException e) {
            // nothing was published; a stray staging file is harmless
        }
    }
}
