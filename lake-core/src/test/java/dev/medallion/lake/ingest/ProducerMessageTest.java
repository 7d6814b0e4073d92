package dev.medallion.lake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.bronze.BronzeFormat;

class ProducerMessageTest {
    private static final Map<String, String> SALES = Map.of("dataset", "sales");

    @Test
    void readsOneRecordAnArrayAndNdjsonWithTheDatasetFromTheAttribute() {
        assertThat(parse("{\"order_id\":\"o1\"}", SALES).format()).isEqualTo(BronzeFormat.JSON);
        assertThat(parse("[{\"order_id\":\"o1\"},{\"order_id\":\"o2\"}]", SALES).format())
                .isEqualTo(BronzeFormat.JSON);
        var ndjson = parse("{\"order_id\":\"o1\"}\n{\"order_id\":\"o2\"}\n", SALES);
        assertThat(ndjson.format()).isEqualTo(BronzeFormat.NDJSON);
        assertThat(ndjson.dataset()).isEqualTo("sales");
        assertThat(ndjson.sourceId()).isEqualTo("m-1");
        assertThat(new String(ndjson.payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"order_id\":\"o1\"}\n{\"order_id\":\"o2\"}\n");
    }

    @Test
    void ndjsonWhoseFirstLineIsBrokenStillGoesToTheScanner() {
        assertThat(parse("{\"order_id\":\n{\"order_id\":\"o2\"}\n", SALES).format()).isEqualTo(BronzeFormat.NDJSON);
    }

    @Test
    void takesTheDatasetFromAnEnvelope() {
        var envelope = parse("{\"dataset\":\"sales\",\"records\":[{\"order_id\":\"o1\"}]}", Map.of());
        assertThat(envelope.format()).isEqualTo(BronzeFormat.ENVELOPE);
        assertThat(envelope.dataset()).isEqualTo("sales");
    }

    @Test
    void refusesAnEnvelopeThatContradictsItsAttribute() {
        assertThatThrownBy(() -> parse("{\"dataset\":\"orders\",\"records\":[]}", SALES))
                .isInstanceOf(ValidationException.class).hasMessageContaining("'orders'")
                .hasMessageContaining("'sales'");
    }

    @Test
    void unwrapsAnSnsNotificationWithItsAttributesAndKeepsTheSnsIdForLineage() {
        String sns = """
                {"Type":"Notification","MessageId":"6b1f0a42-1b2c-4d5e-9f00-0123456789ab",
                 "TopicArn":"arn:aws:sns:eu-west-1:123456789012:sales",
                 "Message":"{\\"order_id\\":\\"o1\\"}\\n{\\"order_id\\":\\"o2\\"}",
                 "MessageAttributes":{"dataset":{"Type":"String","Value":"sales"}}}
                """;
        var message = parse(sns, Map.of());
        assertThat(message.dataset()).isEqualTo("sales");
        assertThat(message.format()).isEqualTo(BronzeFormat.NDJSON);
        assertThat(message.sourceId()).isEqualTo("sns-6b1f0a42-1b2c-4d5e-9f00-0123456789ab");
        assertThat(new String(message.payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"order_id\":\"o1\"}\n{\"order_id\":\"o2\"}");
    }

    @Test
    void aRecordThatMerelyHasATypeFieldIsNotTakenForSns() {
        var record = parse("{\"Type\":\"Notification\",\"order_id\":\"o1\"}", SALES);
        assertThat(record.format()).isEqualTo(BronzeFormat.JSON);
        assertThat(record.sourceId()).isEqualTo("m-1");
    }

    @Test
    void usesTheDefaultDatasetOnlyWhenTheMessageNamesNone() {
        assertThat(ProducerMessage.parse("{}", "m-1", Map.of(), Optional.of("sales")).dataset()).isEqualTo("sales");
        assertThat(ProducerMessage.parse("{}", "m-1", Map.of("dataset", "orders"), Optional.of("sales")).dataset())
                .isEqualTo("orders");
        assertThatThrownBy(() -> parse("{}", Map.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("names no dataset");
    }

    private static ProducerMessage parse(String body, Map<String, String> attributes) {
        return ProducerMessage.parse(body, "m-1", attributes, Optional.empty());
    }
}
