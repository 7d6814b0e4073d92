package dev.medallion.lake.record;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** How every record reader parses JSON, so a record means the same whatever format carried it. */
final class RecordJson {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // trees built from buffered tokens are not checked by the parser: check them while building
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // read fractions exactly, as written: a double would silently round decimals beyond 17 digits
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** Longest raw text kept with a rejected record. */
    static final int RAW_LIMIT = 4096;

    private RecordJson() {
    }

    static String cut(String text) {
        return text == null || text.length() <= RAW_LIMIT ? text : text.substring(0, RAW_LIMIT);
    }
}
