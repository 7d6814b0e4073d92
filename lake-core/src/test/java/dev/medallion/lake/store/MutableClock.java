package dev.medallion.lake.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that stands still until a test moves it forward. */
public final class MutableClock extends Clock {
    private Instant now;

    /** A clock at a fixed day, for tests that compare times only with each other. */
    public MutableClock() {
        this(Instant.parse("2026-11-24T10:00:00Z"));
    }

    /** A clock starting at {@code start}: {@link Instant#now()} for tests that also read a file system's times. */
    public MutableClock(Instant start) {
        this.now = start;
    }

    public void advance(Duration by) {
        now = now.plus(by);
    }

    public void advanceSeconds(long seconds) {
        advance(Duration.ofSeconds(seconds));
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneOffset getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
