package dev.medallion.lake.message;

/**
 * A message between services. Every message is a JSON object with a {@code type}, a schema {@code version} and an
 * {@code id}; consumers reject types and versions they do not know (to the dead-letter queue) rather than guess.
 * Contracts: docs/architecture.md.
 */
public sealed interface LakeMessage permits BronzeObjectLanded, FilesWritten {

    /** The message type, e.g. {@code bronze.object.landed}. */
    String type();

    /** The schema version of this type. */
    int version();

    /** A stable id: the same logical event always has the same id, so consumers can deduplicate. */
    String id();
}
