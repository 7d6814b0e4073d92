package dev.medallion.lake.parquet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet compression on the heap: every Parquet reader and writer of the lake compresses and decompresses pages
 * through one of these, never through parquet-hadoop's own codecs.
 * <p>
 * parquet-hadoop's Snappy compressor and decompressor copy each page into direct buffers that grow to the largest
 * page they have seen and never shrink, and its codec factory, once released, hands them to Hadoop's static
 * {@code CodecPool}, which keeps them for the life of the process. Merged files have large pages, so compaction's
 * direct memory (outside {@code -Xmx}) grew with every merge of a growing partition: 338 MB in the service after a
 * 47 MB merge, past its container's limit (docs/compaction.md). Here Snappy works on heap arrays (the same native
 * library, through its {@code byte[]} methods, so native executables need nothing registered): nothing is pooled,
 * and what a compressor keeps between pages is heap, dropped with the factory. Codecs other than Snappy (files
 * written by other tools) go to parquet-hadoop's factory, released with this one.
 * <p>
 * Lifecycle as Parquet's {@link CodecFactory}: a compressor keeps its buffers between pages and is for one thread
 * at a time; {@link #release()} once the readers and writers using it are closed.
 */
public final class HeapCodecs implements CompressionCodecFactory {
    private final int pageBytes;
    private SnappyCompressor snappy;
    private CodecFactory others;

    /** A factory for pages of about {@code pageBytes} (the size other codecs' buffers start at). */
    public HeapCodecs(int pageBytes) {
        this.pageBytes = pageBytes;
    }

    /** Options for a reader that decompresses with a factory of its own, released when the reader closes. */
    public static ParquetReadOptions readOptions() {
        return ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new HeapCodecs(1024 * 1024)).build();
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        if (codec == CompressionCodecName.SNAPPY) {
            if (snappy == null) {
                snappy = new SnappyCompressor();
            }
            return snappy;
        }
        return others().getCompressor(codec);
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return codec == CompressionCodecName.SNAPPY ? SnappyDecompressor.INSTANCE : others().getDecompressor(codec);
    }

    private CodecFactory others() {
        if (others == null) {
            others = new CodecFactory(new PlainParquetConfiguration(), pageBytes);
        }
        return others;
    }

    @Override
    public void release() {
        snappy = null;
        if (others != null) {
            others.release();
            others = null;
        }
    }

    /**
     * Keeps the last page's input and output arrays for the next page, as Parquet's own compressors do: callers copy
     * the result before compressing again.
     */
    private static final class SnappyCompressor implements BytesInputCompressor {
        private final Gathered input = new Gathered();
        private byte[] output = new byte[0];

        @Override
        public BytesInput compress(BytesInput page) throws IOException {
            input.reset();
            page.writeAllTo(input);
            int max = Snappy.maxCompressedLength(input.size());
            if (output.length < max) {
                output = new byte[max];
            }
            int length = Snappy.compress(input.array(), 0, input.size(), output, 0);
            return BytesInput.from(output, 0, length);
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.SNAPPY;
        }

        @Override
        public void release() {
            // heap only: dropped with the compressor
        }
    }

    /** Stateless: each page gets an array of its own, which the reader keeps while it decodes the page. */
    private static final class SnappyDecompressor implements BytesInputDecompressor {
        static final SnappyDecompressor INSTANCE = new SnappyDecompressor();

        @Override
        public BytesInput decompress(BytesInput page, int uncompressedSize) throws IOException {
            ByteBuffer in = page.toByteBuffer(HeapByteBufferAllocator.getInstance(), copy -> {
            });
            byte[] out = new byte[uncompressedSize];
            uncompress(in, out, 0, uncompressedSize);
            return BytesInput.from(out);
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            ByteBuffer in = input.duplicate();
            in.limit(in.position() + compressedSize);
            if (output.hasArray()) {
                uncompress(in, output.array(), output.arrayOffset() + output.position(), uncompressedSize);
            } else {
                byte[] out = new byte[uncompressedSize];
                uncompress(in, out, 0, uncompressedSize);
                output.duplicate().put(out);
            }
            output.position(output.position() + uncompressedSize);
        }

        private static void uncompress(ByteBuffer in, byte[] out, int offset, int uncompressedSize)
                throws IOException {
            byte[] array;
            int from;
            if (in.hasArray()) {
                array = in.array();
                from = in.arrayOffset() + in.position();
            } else {
                array = new byte[in.remaining()];
                in.duplicate().get(array);
                from = 0;
            }
            // checked before decompressing: the native code writes as much as the compressed data says
            int length = Snappy.uncompressedLength(array, from, in.remaining());
            if (length != uncompressedSize || offset + length > out.length) {
                throw new IOException("Cannot decompress a Snappy page: it holds " + length
                        + " bytes where its header says " + uncompressedSize);
            }
            Snappy.uncompress(array, from, in.remaining(), out, offset);
        }

        @Override
        public void release() {
            // stateless
        }
    }

    /** A reusable buffer whose array can be read without a copy. */
    private static final class Gathered extends ByteArrayOutputStream {
        byte[] array() {
            return buf;
        }
    }
}
