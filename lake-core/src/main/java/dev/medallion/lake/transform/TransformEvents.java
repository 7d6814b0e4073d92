package dev.medallion.lake.transform;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.layout.LakeLayout;
import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.message.LakeMessage;
import dev.medallion.lake.message.Messages;

/**
 * Reads what a transform-queue message asks for: the Bronze objects to promote. Three senders write to that queue:
 * <ul>
 * <li>ingest-service: a {@link BronzeObjectLanded} message;</li>
 * <li>S3 Event Notifications, for objects other tools put into {@code bronze/}: {@code Records[]} with
 * {@code ObjectCreated:*} events, whose keys are URL-encoded (form encoding: {@code +} is a space); other events are
 * ignored, and so is the {@code s3:TestEvent} S3 sends when notifications are configured. The same arriving through
 * an SNS topic (the {@code Notification} envelope) is unwrapped;</li>
 * <li>EventBridge: {@code detail-type} "Object Created" from {@code aws.s3}, whose {@code detail.object.key} is the key
 * as is.</li>
 * </ul>
 * Events for another bucket, or keys outside a dataset's Bronze prefix, are refused: that is a misconfiguration,
 * which redelivery cannot fix.
 */
public final class TransformEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One Bronze object to promote.
     *
     * @param bytes its size when the event says, else 0
     */
    public record BronzeSource(String dataset, String key, long bytes) {
    }

    private TransformEvents() {
    }

    /**
     * The Bronze objects a message body names; empty for events that ask for nothing (a test event, a deletion).
     *
     * @param bucket the lake's bucket: S3 and EventBridge events must name it
     * @throws ValidationException if the body is none of the events above, or names a key this service may not read
     */
    public static List<BronzeSource> parse(String body, String bucket) {
        JsonNode event = readObject(body);
        if (isSnsNotification(event)) {
            event = readObject(event.get("Message").asText());
        }
        if (event.has("Records")) {
            return fromS3Notification(event, bucket);
        }
        if ("s3:TestEvent".equals(event.path("Event").asText())) {
            return List.of();
        }
        if ("aws.s3".equals(event.path("source").asText()) && event.has("detail-type")) {
            return fromEventBridge(event, bucket);
        }
        if (event.has("type")) {
            LakeMessage message = Messages.decode(body);
            if (message instanceof BronzeObjectLanded landed) {
                return List.of(source(landed.key(), landed.dataset(), landed.bytes()));
            }
            throw new ValidationException("Cannot transform a " + message.type() + " message: expected "
                    + BronzeObjectLanded.TYPE + ", an S3 event notification or an EventBridge S3 event");
        }
        throw new ValidationException("Cannot read transform message: expected " + BronzeObjectLanded.TYPE
                + ", an S3 event notification or an EventBridge S3 event");
    }

    private static List<BronzeSource> fromS3Notification(JsonNode event, String bucket) {
        JsonNode records = event.get("Records");
        if (!records.isArray()) {
            throw new ValidationException("Cannot read S3 event notification: Records is not an array");
        }
        List<BronzeSource> sources = new ArrayList<>();
        for (JsonNode record : records) {
            String name = record.path("eventName").asText();
            // AWS writes ObjectCreated:Put, some S3-compatible servers s3:ObjectCreated:Put
            if (!name.startsWith("ObjectCreated:") && !name.startsWith("s3:ObjectCreated:")) {
                continue;
            }
            JsonNode s3 = record.path("s3");
            requireBucket(s3.path("bucket").path("name").asText(), bucket);
            String encoded = s3.path("object").path("key").asText("");
            String key;
            try {
                key = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ValidationException("Cannot read S3 event notification: key '" + encoded
                        + "' is not URL-encoded", e);
            }
            sources.add(source(key, null, s3.path("object").path("size").asLong(0)));
        }
        return sources;
    }

    private static List<BronzeSource> fromEventBridge(JsonNode event, String bucket) {
        if (!"Object Created".equals(event.path("detail-type").asText())) {
            return List.of();
        }
        JsonNode detail = event.path("detail");
        requireBucket(detail.path("bucket").path("name").asText(), bucket);
        return List.of(source(detail.path("object").path("key").asText(""), null,
                detail.path("object").path("size").asLong(0)));
    }

    /** Checks the key against the Bronze layout and, when the sender names one, the dataset. */
    private static BronzeSource source(String key, String dataset, long bytes) {
        LakeLayout.BronzeKey parsed = LakeLayout.parseBronzeKey(key);
        if (dataset != null && !dataset.equals(parsed.dataset())) {
            throw new ValidationException("Cannot transform '" + key + "': the message says dataset '" + dataset
                    + "', the key belongs to '" + parsed.dataset() + "'");
        }
        return new BronzeSource(parsed.dataset(), key, Math.max(0, bytes));
    }

    private static void requireBucket(String named, String bucket) {
        if (!bucket.equals(named)) {
            throw new ValidationException("Cannot transform an object of bucket '" + named + "': this lake is bucket '"
                    + bucket + "'");
        }
    }

    private static boolean isSnsNotification(JsonNode event) {
        return "Notification".equals(event.path("Type").asText()) && event.path("Message").isTextual()
                && event.hasNonNull("TopicArn");
    }

    private static JsonNode readObject(String text) {
        try {
            JsonNode node = JSON.readTree(text == null ? "" : text);
            if (node == null || !node.isObject()) {
                throw new ValidationException("Cannot read transform message: expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ValidationException("Cannot read transform message: it is not JSON (" + e.getOriginalMessage()
                    + ")");
        }
    }
}
