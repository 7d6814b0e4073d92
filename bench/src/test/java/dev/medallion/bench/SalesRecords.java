package dev.medallion.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** An independent reading of generated lines, with Jackson, to check the generator's own accounting. */
final class SalesRecords {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private SalesRecords() {
    }

    /** The bad kind of a line, or null when it is a good record. */
    static BadKind classify(String line) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (IOException e) {
            return BadKind.MALFORMED_JSON;
        }
        JsonNode amount = node.get("amount");
        if (amount == null || amount.isNull()) {
            return BadKind.MISSING_AMOUNT;
        }
        if (!amount.isNumber()) {
            return BadKind.AMOUNT_NOT_NUMERIC;
        }
        try {
            Instant.parse(node.path("ts").asText());
        } catch (DateTimeParseException e) {
            return BadKind.UNPARSEABLE_TS;
        }
        return null;
    }

    static JsonNode parse(String line) throws IOException {
        return MAPPER.readTree(line);
    }

    static BigDecimal amount(String line) throws IOException {
        return parse(line).get("amount").decimalValue();
    }
}
