package dev.medallion.lake.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class LatenessTest {
    private static final Instant EVENT = Instant.parse("2026-11-01T12:00:00Z");

    @Test
    void aRecordFallsInTheBandOfHowLongAfterItsEventTimeItArrived() {
        assertThat(Lateness.of(EVENT, EVENT.plusSeconds(3599))).isEqualTo(Lateness.UNDER_1H);
        assertThat(Lateness.of(EVENT, EVENT.plusSeconds(3600))).isEqualTo(Lateness.UNDER_1D);
        assertThat(Lateness.of(EVENT, EVENT.plusSeconds(86_400))).isEqualTo(Lateness.UNDER_7D);
        assertThat(Lateness.of(EVENT, EVENT.plusSeconds(7 * 86_400))).isEqualTo(Lateness.UNDER_30D);
        assertThat(Lateness.of(EVENT, EVENT.plusSeconds(30 * 86_400))).isEqualTo(Lateness.OVER_30D);
    }

    @Test
    void anEventTimeAfterIngestionCountsAsOnTimeAndExtremeInstantsDoNotOverflow() {
        assertThat(Lateness.of(EVENT.plusSeconds(600), EVENT)).isEqualTo(Lateness.UNDER_1H);
        assertThat(Lateness.of(Instant.MIN, Instant.MAX)).isEqualTo(Lateness.OVER_30D);
        assertThat(Lateness.of(Instant.MAX, Instant.MIN)).isEqualTo(Lateness.UNDER_1H);
    }
}
