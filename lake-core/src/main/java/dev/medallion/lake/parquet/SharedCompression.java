package dev.medallion.lake.parquet;

import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * One set of compressors for all the {@link RowWriter}s one thread has open. Parquet gives each writer its own
 * compressor with a page-sized buffer: 1 MiB of heap per open file that holds nothing between pages, 90 MiB with 90
 * day partitions open. A page is compressed and copied into its column chunk before the writer returns, so writers
 * used by one thread can share a compressor. Not thread-safe; close it after the writers.
 */
public final class SharedCompression implements AutoCloseable {
    private final HeapCodecs codecs;

    public SharedCompression(int pageBytes) {
        this.codecs = new HeapCodecs(pageBytes);
    }

    /** A view for one writer: closing the writer leaves the shared compressors to the others. */
    CompressionCodecFactory forWriter() {
        return new CompressionCodecFactory() {
            @Override
            public BytesInputCompressor getCompressor(CompressionCodecName codec) {
                return codecs.getCompressor(codec);
            }

            @Override
            public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
                return codecs.getDecompressor(codec);
            }

            @Override
            public void release() {
                // the owner releases the shared compressors in close()
            }
        };
    }

    @Override
    public void close() {
        codecs.release();
    }
}
