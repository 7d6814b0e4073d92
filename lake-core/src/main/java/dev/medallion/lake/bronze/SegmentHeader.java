package dev.medallion.lake.bronze;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.medallion.lake.ValidationException;

/**
 * The lineage of one Bronze segment, stored as compact JSON in the gzip header comment of its member:
 * {@code {"source":"sqs","id":"6b1f…","format":"ndjson","receivedAt":"2026-11-24T10:15:00.123Z"}}. Records of the
 * segment get the lineage id {@code source:sourceId:position}, so the same body stored twice (an SQS redelivery, a
 * client retry with the same Idempotency-Key) gives the same ids.
 *
 * @param source where the body came from, a lower-case word: {@code http} or {@code sqs}
 * @param sourceId what names the body across retries: the Idempotency-Key or request id (http), the SQS or SNS
 *        message id (sqs); 1 to 256 printable ASCII characters
 * @param format how the body's records are laid out
 * @param receivedAt when the body was received (or sent, for a queue message)
 */
public record SegmentHeader(String source, String sourceId, BronzeFormat format, Instant receivedAt) {

    /** Longest source id; the ingest side sanitises ids to fit. */
    public static final int MAX_SOURCE_ID_LENGTH = 256;
    private static final Pattern SOURCE = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Pattern SOURCE_ID = Pattern.compile("[\\x20-\\x7e]{1," + MAX_SOURCE_ID_LENGTH + "}");
    // RFC 1952 comments are ISO-8859-1 and NUL-terminated: escaping everything outside ASCII keeps them pure ASCII
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /**
     * @throws IllegalArgumentException when a part is missing or not valid
     */
    public SegmentHeader {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (source == null || !SOURCE.matcher(source).matches()) {
            throw new IllegalArgumentException("A segment source is a lower-case word like 'http' or 'sqs', not '"
                    + source + "'");
        }
        if (sourceId == null || !SOURCE_ID.matcher(sourceId).matches()) {
            throw new IllegalArgumentException("A segment source id is 1 to " + MAX_SOURCE_ID_LENGTH
                    + " printable ASCII characters");
        }
    }

    /** The lineage id of the record at a 1-based position of the segment: {@code sqs:6b1f…:3}. */
    public String lineageId(long position) {
        return lineagePrefix() + ":" + position;
    }

    /** What the lineage ids of this segment's records start with, and what identifies the body: {@code sqs:6b1f…}. */
    public String lineagePrefix() {
        return source + ":" + sourceId;
    }

    /** The header as the gzip comment: compact JSON, pure printable ASCII (no NUL). */
    public String toComment() {
        var node = JSON.createObjectNode()
                .put("source", source)
                .put("id", sourceId)
                .put("format", format.label())
                .put("receivedAt", receivedAt.toString());
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The header a gzip comment holds, or empty when the comment is not one of ours (a comment written by another
     * tool, or one naming a format this version does not know). Unknown fields are ignored, so later versions can
     * add some.
     */
    public static Optional<SegmentHeader> fromComment(String comment) {
        if (comment == null || comment.isEmpty() || comment.charAt(0) != '{') {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(comment);
            if (node == null || !node.isObject() || !node.path("source").isTextual() || !node.path("id").isTextual()
                    || !node.path("format").isTextual() || !node.path("receivedAt").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new SegmentHeader(node.get("source").asText(), node.get("id").asText(),
                    BronzeFormat.fromLabel(node.get("format").asText()),
                    Instant.parse(node.get("receivedAt").asText())));
        } catch (IOException | IllegalArgumentException | ValidationException | DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
