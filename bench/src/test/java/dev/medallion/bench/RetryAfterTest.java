package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void secondsAndDates() {
        assertThat(RetryAfter.parse(Optional.of("3"), NOW)).isEqualTo(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse(Optional.of(" 0 "), NOW)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse(Optional.of("Tue, 24 Nov 2026 10:00:05 GMT"), NOW))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(RetryAfter.parse(Optional.of("Tue, 24 Nov 2026 09:00:00 GMT"), NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void missingOrGarbledFallsBackAndHugeIsCapped() {
        assertThat(RetryAfter.parse(Optional.empty(), NOW)).isEqualTo(RetryAfter.DEFAULT);
        assertThat(RetryAfter.parse(Optional.of("soon"), NOW)).isEqualTo(RetryAfter.DEFAULT);
        assertThat(RetryAfter.parse(Optional.of("86400"), NOW)).isEqualTo(RetryAfter.MAX);
    }
}
