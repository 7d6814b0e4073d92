package dev.medallion.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads an HTTP {@code Retry-After} header: delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
final class RetryAfter {
    /** When a 429/503 comes without a usable header. */
    static final Duration DEFAULT = Duration.ofSeconds(1);
    /** A server asking for longer than this is not throttling a benchmark, it is down. */
    static final Duration MAX = Duration.ofSeconds(60);

    private RetryAfter() {
    }

    static Duration parse(Optional<String> header, Instant now) {
        if (header.isEmpty() || header.get().isBlank()) {
            return DEFAULT;
        }
        String v = header.get().trim();
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(v));
        } catch (NumberFormatException notSeconds) {
            try {
                d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notDate) {
                return DEFAULT;
            }
        }
        if (d.isNegative()) {
            return Duration.ZERO;
        }
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
