package dev.medallion.lake.message;

import java.io.IOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.medallion.lake.ValidationException;

/** Encodes and decodes {@link LakeMessage}s; the one place message JSON is read or written. */
public final class Messages {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // a newer producer may add fields; an older consumer still understands the ones it knows
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private Messages() {
    }

    /** The JSON text of a message. */
    public static String encode(LakeMessage message) {
        try {
            return JSON.writeValueAsString(message);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot encode message " + message.id(), e);
        }
    }

    /**
     * Reads a message, checking its type and version.
     *
     * @throws ValidationException if the text is not a message this version understands; redelivery cannot help
     */
    public static LakeMessage decode(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ValidationException("Cannot decode message: it is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new ValidationException("Cannot decode message: expected a JSON object");
        }
        String type = node.path("type").asText("");
        int version = node.path("version").asInt(-1);
        Class<? extends LakeMessage> target = switch (type) {
            case BronzeObjectLanded.TYPE -> requireVersion(type, version, BronzeObjectLanded.VERSION,
                    BronzeObjectLanded.class);
            case FilesWritten.TYPE -> requireVersion(type, version, FilesWritten.VERSION, FilesWritten.class);
            default -> throw new ValidationException("Cannot decode message: unknown type '" + type + "'");
        };
        if (node.path("id").asText("").isBlank()) {
            throw new ValidationException("Cannot decode message of type " + type + ": it has no id");
        }
        try {
            return JSON.treeToValue(node, target);
        } catch (IOException e) {
            throw new ValidationException("Cannot decode message of type " + type + ": " + e.getMessage(), e);
        }
    }

    private static <T> Class<T> requireVersion(String type, int version, int supported, Class<T> target) {
        if (version != supported) {
            throw new ValidationException("Cannot decode message of type " + type + ": version " + version
                    + " is not supported (this service reads version " + supported + ")");
        }
        return target;
    }
}
