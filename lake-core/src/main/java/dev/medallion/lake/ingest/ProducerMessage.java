package dev.medallion.lake.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.bronze.BronzeFormat;

/**
 * A message from the producer queue, understood: which dataset it is for, the format of its payload, and the id that
 * names it across redeliveries. Accepted bodies: one JSON record, a JSON array of records, NDJSON, or an envelope
 * {@code {"dataset": "...", "records": [...]}}; any of them may arrive wrapped in an SNS {@code Notification} (SNS to
 * SQS without raw delivery), which is unwrapped. The dataset comes from the envelope, else from a {@code dataset}
 * message attribute (of the SQS message, or of the SNS notification), else from the configured default.
 *
 * @param dataset the dataset named by the message (not yet checked against the configured ones)
 * @param format how {@code payload} is laid out
 * @param payload the records' bytes
 * @param sourceId the SNS message id when wrapped (SNS redelivers it under new SQS ids), else the SQS message id
 */
public record ProducerMessage(String dataset, BronzeFormat format, byte[] payload, String sourceId) {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    public static final String DATASET_ATTRIBUTE = "dataset";
    /** What may go into a lineage id. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    /**
     * @param body the SQS message body
     * @param messageId the SQS message id
     * @param attributes the SQS message's string attributes
     * @param defaultDataset the dataset of messages that name none
     * @throws ValidationException when the message can never be ingested, saying why
     */
    public static ProducerMessage parse(String body, String messageId, Map<String, String> attributes,
            Optional<String> defaultDataset) {
        String payload = body;
        String sourceId = messageId;
        Optional<String> dataset = Optional.ofNullable(attributes.get(DATASET_ATTRIBUTE));
        Shape shape = shapeOf(body);
        JsonNode sns = shape.first();
        if (sns != null && sns.isObject() && "Notification".equals(sns.path("Type").asText())
                && sns.path("Message").isTextual() && sns.hasNonNull("TopicArn")) {
            payload = sns.get("Message").asText();
            String snsId = sns.path("MessageId").asText("");
            sourceId = SAFE_ID.matcher(snsId).matches() ? "sns-" + snsId : messageId;
            JsonNode attribute = sns.path("MessageAttributes").path(DATASET_ATTRIBUTE).path("Value");
            if (attribute.isTextual()) {
                dataset = Optional.of(attribute.asText());
            }
            shape = shapeOf(payload);
        }
        BronzeFormat format = shape.format(payload);
        if (format == BronzeFormat.ENVELOPE) {
            String named = shape.first().get("dataset").asText();
            if (dataset.isPresent() && !dataset.get().equals(named)) {
                throw new ValidationException("Cannot ingest message " + messageId + ": its envelope names dataset '"
                        + named + "' but its attribute names '" + dataset.get() + "'");
            }
            dataset = Optional.of(named);
        }
        String name = dataset.or(() -> defaultDataset).orElseThrow(() -> new ValidationException(
                "Cannot ingest message " + messageId + ": it names no dataset (send an envelope "
                        + "{\"dataset\":...,\"records\":[...]} or a '" + DATASET_ATTRIBUTE + "' message attribute)"));
        return new ProducerMessage(name, format, payload.getBytes(StandardCharsets.UTF_8), sourceId);
    }

    /**
     * The first JSON value of a text (null when it does not parse) and whether anything follows it.
     *
     * @param wellFormed whether the text parsed as far as it was read
     */
    private record Shape(JsonNode first, boolean more, boolean wellFormed) {

        /**
         * NDJSON when more than one value follows another; an envelope when the single value is an object of
         * exactly {@code dataset} (text) and {@code records} (array); otherwise one JSON value (a record or an array
         * of them). A body that is not JSON at all is left to the scanner to reject with a precise reason.
         */
        BronzeFormat format(String text) {
            if (!wellFormed) {
                // a malformed first line may still be followed by good NDJSON lines: those are ingested
                return text.indexOf('\n') >= 0 ? BronzeFormat.NDJSON : BronzeFormat.JSON;
            }
            if (more) {
                return BronzeFormat.NDJSON;
            }
            if (first != null && first.isObject() && first.size() == 2 && first.path("dataset").isTextual()
                    && first.path("records").isArray()) {
                return BronzeFormat.ENVELOPE;
            }
            return BronzeFormat.JSON;
        }
    }

    private static Shape shapeOf(String text) {
        JsonNode first = null;
        try (JsonParser parser = JSON.createParser(text)) {
            first = JSON.readTree(parser);
            return new Shape(first, parser.nextToken() != null, true);
        } catch (JsonProcessingException e) {
            return new Shape(first, false, false);
        } catch (IOException e) {
            throw new IllegalStateException("Reading a string cannot fail", e);
        }
    }
}
