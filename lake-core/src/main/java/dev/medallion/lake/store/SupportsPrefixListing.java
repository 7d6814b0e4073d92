package dev.medallion.lake.store;

import java.util.stream.Stream;

/** A store that can list keys under a prefix, lazily, in key order. */
public interface SupportsPrefixListing {

    /** Every object whose key starts with {@code prefix}; close the stream when done. Metadata is not filled in. */
    Stream<ObjectInfo> list(String prefix);
}
