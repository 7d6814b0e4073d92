package dev.medallion.lake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;

class ObjectKeysTest {

    @ParameterizedTest
    @ValueSource(strings = { "a", "a/b/c.parquet", "bronze/sales/ingest_date=2024-03-01/hour=05/x.ndjson.gz",
            "a..b", "...", ".hidden", "a/.b/c", "a b", "ä/ö/日本", "x:y@z+%2F", "a-b_c~d" })
    void acceptsRelativeSlashSeparatedKeys(String key) {
        assertThat(ObjectKeys.validate(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "/abs", "a//b", "a/", "/", "//", ".", "..", "../x", "a/../../b", "a/..", "./a",
            "a/./b" })
    void rejectsEmptyDotAndDotDotSegments(String key) {
        assertThatThrownBy(() -> ObjectKeys.validate(key))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot use object key '" + key + "': it ");
    }

    @ParameterizedTest
    @ValueSource(strings = { "a\\b", "..\\..\\x", "a\u0000b", "a\nb", "a\rb", "a\tb", "\u001f", "a\u007fb",
            "a\u0085b", "a\u009fb" })
    void rejectsControlCharactersAndBackslashes(String key) {
        assertThatThrownBy(() -> ObjectKeys.validate(key))
                .isInstanceOf(ValidationException.class)
                .hasMessageEndingWith("it contains a control character or backslash");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> ObjectKeys.validate(null)).isInstanceOf(ValidationException.class)
                .hasMessage("Cannot use object key '': it is empty");
    }

    @Test
    void limitsKeysToOneThousandTwentyFourUtf8Bytes() {
        assertThat(ObjectKeys.validate("a".repeat(1024))).hasSize(1024);
        assertThat(ObjectKeys.validate("é".repeat(512))).hasSize(512);

        assertThatThrownBy(() -> ObjectKeys.validate("a".repeat(1025))).isInstanceOf(ValidationException.class)
                .hasMessageEndingWith("it is longer than 1024 bytes");
        assertThatThrownBy(() -> ObjectKeys.validate("é".repeat(513))).isInstanceOf(ValidationException.class)
                .hasMessageEndingWith("it is longer than 1024 bytes");
    }

    @Test
    void messagesShowAShortPrintableKey() {
        assertThatThrownBy(() -> ObjectKeys.validate("a\nb")).hasMessageStartingWith("Cannot use object key 'a?b'");
        assertThatThrownBy(() -> ObjectKeys.validate("x".repeat(2000)))
                .hasMessageStartingWith("Cannot use object key '" + "x".repeat(100) + "...'");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "a", "a/", "a/b", "a/b/", "bronze/sales/ingest_date=" })
    void acceptsPrefixes(String prefix) {
        assertThat(ObjectKeys.validatePrefix(prefix)).isEqualTo(prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = { "/", "a//", "//", "../", "a/../", "/a/", "a\\" })
    void rejectsBadPrefixes(String prefix) {
        assertThatThrownBy(() -> ObjectKeys.validatePrefix(prefix)).isInstanceOf(ValidationException.class);
    }
}
