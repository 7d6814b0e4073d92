package dev.medallion.lake.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.medallion.lake.ValidationException;

class DatasetNameTest {

    @ParameterizedTest
    @ValueSource(strings = { "sales", "a", "a1", "web_clicks_v2", "z0_" })
    void acceptsLowerCaseIdentifiers(String name) {
        assertThat(DatasetName.validate(name)).isEqualTo(name);
    }

    @Test
    void acceptsUpToSixtyFourCharacters() {
        String longest = "a".repeat(64);

        assertThat(DatasetName.validate(longest)).isEqualTo(longest);
        assertThatThrownBy(() -> DatasetName.validate(longest + "a")).isInstanceOf(ValidationException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = { "../x", "a/b", "Sales", "%2F", "sales%2F..", "", ".", "..", "_sales", "1sales", "sa-les",
            "sa les", "sales.v2", "sales\\x", "sales/", "/sales", "saléS", "sales\n", "ṡales" })
    void rejectsNamesThatAreNotOneSafeSegment(String name) {
        assertThatThrownBy(() -> DatasetName.validate(name))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot use name '")
                .hasMessageContaining("names start with a lower-case letter");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> DatasetName.validate(null)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("Cannot use name ''");
    }

    @Test
    void messageNeitherEchoesControlCharactersNorHugeInput() {
        assertThatThrownBy(() -> DatasetName.validate("bad\nname\u0000"))
                .hasMessageStartingWith("Cannot use name 'bad?name?'");
        assertThatThrownBy(() -> DatasetName.validate("X".repeat(10_000)))
                .hasMessageStartingWith("Cannot use name '" + "X".repeat(80) + "...'");
    }
}
