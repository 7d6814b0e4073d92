package dev.medallion.lake.bronze;

/**
 * Checks bytes for well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) as they
 * stream past, keeping the state of a sequence split across buffers.
 */
final class Utf8Validator {
    private int pending;
    private int lower = 0x80;
    private int upper = 0xbf;

    /** The index of the first byte in {@code [from, to)} that makes the input invalid, or -1. */
    int firstInvalid(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (pending == 0 && b >= 0) {
                continue;
            }
            if (!accept(b)) {
                return i;
            }
        }
        return -1;
    }

    /** Takes one byte; false when it makes the input invalid. */
    boolean accept(byte b) {
        int c = b & 0xff;
        if (pending > 0) {
            if (c < lower || c > upper) {
                reset(); // start over, so one bad sequence does not spoil what follows
                return false;
            }
            lower = 0x80;
            upper = 0xbf;
            pending--;
            return true;
        }
        if (c < 0x80) {
            return true;
        } else if (c >= 0xc2 && c <= 0xdf) {
            pending = 1;
        } else if (c == 0xe0) {
            pending = 2;
            lower = 0xa0;
        } else if (c == 0xed) {
            pending = 2;
            upper = 0x9f;
        } else if (c >= 0xe1 && c <= 0xef) {
            pending = 2;
        } else if (c == 0xf0) {
            pending = 3;
            lower = 0x90;
        } else if (c >= 0xf1 && c <= 0xf3) {
            pending = 3;
        } else if (c == 0xf4) {
            pending = 3;
            upper = 0x8f;
        } else {
            return false;
        }
        return true;
    }

    private void reset() {
        pending = 0;
        lower = 0x80;
        upper = 0xbf;
    }

    /** Whether the bytes so far end inside a multi-byte sequence (invalid if the input ends here). */
    boolean inSequence() {
        return pending > 0;
    }
}
