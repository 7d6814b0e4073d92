package dev.medallion.lake;

/** The one 64-bit string hash the lake uses in memory (deduplication, distinct counts); never persisted. */
public final class Hashing {

    private Hashing() {
    }

    /** FNV-1a over the characters, then the murmur3 finalizer, so that every bit depends on every character. */
    public static long hash64(String text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h = (h ^ text.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
