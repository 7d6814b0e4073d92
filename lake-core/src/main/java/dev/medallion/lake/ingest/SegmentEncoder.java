package dev.medallion.lake.ingest;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import dev.medallion.lake.bronze.BodyRejectedException;
import dev.medallion.lake.bronze.BodyScanner;
import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.bronze.SegmentWriter;

/**
 * Turns one body, as received, into a Bronze segment in a single streaming pass: it is decompressed if it came
 * gzip-encoded (never past the inflated limit, so no gzip bomb gets through), checked record by record
 * ({@link BodyScanner}), and re-encoded as a gzip member carrying its lineage header. Nothing is kept but the
 * encoded segment, held within the memory budget.
 */
public final class SegmentEncoder {

    /**
     * @param maxWireBytes the most bytes a body may have as sent
     * @param maxInflatedBytes the most bytes a body may have once decompressed
     * @param maxRecordBytes the most bytes one record may have
     * @param deflateLevel gzip level of the stored segment (0 stores, 1 is fastest)
     */
    public record Limits(long maxWireBytes, long maxInflatedBytes, int maxRecordBytes, int deflateLevel) {

        /** Checked when built, so a bad setting stops the service at start-up instead of failing every request. */
        public Limits {
            positive("max request bytes", maxWireBytes);
            positive("max inflated bytes", maxInflatedBytes);
            positive("max record bytes", maxRecordBytes);
            SegmentWriter.checkLevel(deflateLevel);
        }

        private static void positive(String what, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException("The " + what + " must be positive, not " + value);
            }
        }
    }

    /**
     * An encoded body: the segment to batch, what the scan found, and the hex SHA-256 of the body as sent (when asked
     * for, else empty).
     */
    public record Encoded(PendingSegment segment, BodyScanner.ScanResult scan, String bodySha256) {
    }

    private final Limits limits;
    private final MemoryBudget budget;

    public SegmentEncoder(Limits limits, MemoryBudget budget) {
        this.limits = limits;
        this.budget = budget;
    }

    /**
     * @param header the segment's lineage, naming the body's format
     * @param hashBody whether to hash the body as sent (requests with an Idempotency-Key need it; others skip the cost)
     * @throws BodyRejectedException for a body that can never be accepted, saying why
     * @throws BuffersFullException when the memory budget has no room for it now
     */
    public Encoded encode(InputStream wire, boolean gzipped, SegmentHeader header, boolean clientWaiting,
            boolean hashBody) throws IOException {
        BronzeFormat format = header.format();
        MessageDigest sha256 = hashBody ? sha256() : null;
        InputStream sent = new Limited(hashBody ? new DigestInputStream(wire, sha256) : wire, limits.maxWireBytes(),
                "as sent");
        SegmentBuffer buffer = new SegmentBuffer(budget);
        try {
            InputStream plain = new Limited(gzipped ? gunzip(sent) : sent, limits.maxInflatedBytes(),
                    gzipped ? "once decompressed" : "as sent");
            BodyScanner.ScanResult scan;
            try (OutputStream segment = SegmentWriter.open(buffer, header, limits.deflateLevel())) {
                var tee = new Tee(plain, segment);
                scan = BodyScanner.scan(tee, format, limits.maxRecordBytes());
                tee.transferTo(OutputStream.nullOutputStream()); // anything after the last record is kept too
            }
            var pending = new PendingSegment(header, buffer, scan.records(), scan.bytes(), clientWaiting,
                    PendingSegment.BeforeStore.NOTHING);
            return new Encoded(pending, scan, hashBody ? HexFormat.of().formatHex(sha256.digest()) : "");
        } catch (ZipException | EOFException e) {
            buffer.release();
            throw new BodyRejectedException(BodyRejectedException.Reason.BAD_ENCODING, 0,
                    "The body is not valid gzip (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            buffer.release();
            throw e;
        }
    }

    private static InputStream gunzip(InputStream in) throws IOException {
        try {
            return new GZIPInputStream(in, 64 * 1024);
        } catch (EOFException e) {
            throw new ZipException("the body ends inside the gzip header");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Fails as soon as more than {@code limit} bytes have been read. */
    private static final class Limited extends FilterInputStream {
        private final long limit;
        private final String what;
        private long count;

        Limited(InputStream in, long limit, String what) {
            super(in);
            this.limit = limit;
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = super.read(bytes, offset, length);
            if (n > 0 && (count += n) > limit) {
                throw new BodyRejectedException(BodyRejectedException.Reason.BODY_TOO_LARGE, 0,
                        "The body is larger than " + limit + " bytes " + what);
            }
            return n;
        }
    }

    /** Copies everything read through it to {@code copy}. */
    private static final class Tee extends FilterInputStream {
        private final OutputStream copy;

        Tee(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = super.read(bytes, offset, length);
            if (n > 0) {
                copy.write(bytes, offset, n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // skipped bytes are still part of the body: read them so they are copied
            byte[] scratch = new byte[(int) Math.min(n, 8192)];
            int read = read(scratch, 0, scratch.length);
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false; // a reset would copy the same bytes twice
        }
    }
}
