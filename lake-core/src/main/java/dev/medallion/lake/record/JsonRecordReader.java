package dev.medallion.lake.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;

/**
 * Reads a JSON object, a JSON array of objects, or the {@code records} of an envelope, one element at a time: an
 * element's tokens are buffered only while it stays within the size limit, then turned into a tree, so neither the
 * array nor an oversized element is ever held whole.
 */
final class JsonRecordReader extends LookAheadRecordReader {
    private final InputStream in;
    private final boolean envelope;
    private final int maxRecordBytes;
    private JsonParser parser;
    private boolean started;
    private boolean inArray;
    private long position;
    private boolean inElement;

    JsonRecordReader(InputStream in, boolean envelope, int maxRecordBytes) {
        this.in = in;
        this.envelope = envelope;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public void close() {
        try {
            if (parser != null) {
                parser.close();
            }
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected SourceRecord readNext() {
        try {
            if (!started) {
                started = true;
                parser = RecordJson.MAPPER.createParser(in);
                // a duplicate key must fail only its record: the tree built from its tokens checks it instead
                parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
                return first(parser.nextToken());
            }
            if (!inArray) {
                return finished();
            }
            JsonToken token = parser.nextToken();
            if (token == JsonToken.END_ARRAY || token == null) {
                return finished();
            }
            position++;
            return token == JsonToken.START_OBJECT ? element() : notAnObject(token);
        } catch (JsonProcessingException e) {
            // the rest cannot be found once the syntax is broken
            end();
            return SourceRecord.failed(inElement ? position : position + 1, new RecordError(RecordError.Kind.MALFORMED_JSON, "",
                    e.getOriginalMessage()), null);
        } catch (IOException e) {
            rethrowUnlessInputEnded(e);
            end();
            return SourceRecord.failed(inElement ? position : position + 1,
                    new RecordError(RecordError.Kind.TRUNCATED_INPUT, "",
                            "the input ends in the middle (" + e.getMessage() + "); records before it were read"),
                    null);
        }
    }

    private SourceRecord first(JsonToken token) throws IOException {
        if (token == null) {
            return finished();
        }
        if (envelope) {
            if (token == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    if (parser.nextToken() == JsonToken.START_ARRAY && name.equals("records")) {
                        inArray = true;
                        return readNext();
                    }
                    parser.skipChildren();
                }
            }
            end();
            return SourceRecord.failed(1, new RecordError(RecordError.Kind.NOT_AN_OBJECT, "records",
                    "expected an envelope {\"dataset\": ..., \"records\": [...]}"), null);
        }
        if (token == JsonToken.START_ARRAY) {
            inArray = true;
            return readNext();
        }
        position = 1;
        return token == JsonToken.START_OBJECT ? element() : notAnObject(token);
    }

    /** No more records: ends the reader and returns its end-of-input value. */
    private SourceRecord finished() {
        end();
        return null;
    }

    private SourceRecord notAnObject(JsonToken token) throws IOException {
        String raw = token.isStructStart() ? null : parser.getText();
        parser.skipChildren();
        return SourceRecord.failed(position, new RecordError(RecordError.Kind.NOT_AN_OBJECT, "",
                "expected a JSON object but found " + describe(token)), RecordJson.cut(raw));
    }

    /** Reads the object the parser is at; its tokens are dropped once it outgrows the limit. */
    private SourceRecord element() throws IOException {
        inElement = true;
        long start = parser.currentTokenLocation().getByteOffset();
        TokenBuffer tokens = new TokenBuffer(parser, null);
        int depth = 0;
        JsonToken token = parser.currentToken();
        while (true) {
            if (tokens != null) {
                tokens.copyCurrentEvent(parser);
            }
            if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            }
            if (depth == 0) {
                break;
            }
            if (tokens != null && parser.currentLocation().getByteOffset() - start > maxRecordBytes) {
                tokens = null;
            }
            token = parser.nextToken();
            if (token == null) {
                throw new JsonParseException(parser, "the input ends inside a record");
            }
        }
        inElement = false;
        if (tokens == null || parser.currentLocation().getByteOffset() - start > maxRecordBytes) {
            return SourceRecord.failed(position, new RecordError(RecordError.Kind.RECORD_TOO_LARGE, "",
                    "the record is longer than " + maxRecordBytes + " bytes"), null);
        }
        try (JsonParser buffered = tokens.asParser()) {
            JsonNode node = RecordJson.MAPPER.readTree(buffered);
            return SourceRecord.of(position, (ObjectNode) node);
        } catch (JsonProcessingException e) {
            return SourceRecord.failed(position, new RecordError(RecordError.Kind.MALFORMED_JSON, "",
                    e.getOriginalMessage()), RecordJson.cut(text(tokens)));
        }
    }

    private static String text(TokenBuffer tokens) {
        try (JsonParser buffered = tokens.asParser()) {
            var out = new java.io.StringWriter();
            try (var generator = RecordJson.MAPPER.createGenerator(out)) {
                buffered.nextToken();
                generator.copyCurrentStructure(buffered);
            }
            return out.toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }
}
