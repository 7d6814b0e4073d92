package dev.medallion.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class RssSamplerTest {
    private static final String STATUS = """
            Name:\tjava
            VmPeak:\t 4000000 kB
            VmHWM:\t  812345 kB
            VmRSS:\t  700001 kB
            Threads:\t42
            """;

    @Test
    void readsKibFieldsOfProcStatus() {
        assertThat(RssSampler.field(STATUS, "VmHWM")).isEqualTo(OptionalLong.of(812_345));
        assertThat(RssSampler.field(STATUS, "VmRSS")).isEqualTo(OptionalLong.of(700_001));
        assertThat(RssSampler.field(STATUS, "Threads")).isEqualTo(OptionalLong.of(42));
        assertThat(RssSampler.field(STATUS, "VmSwap")).isEmpty();
        assertThat(RssSampler.field("Name:\tjava\n", "Name")).isEmpty();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void samplesThisProcess() throws InterruptedException {
        RssSampler sampler = new RssSampler(ProcessHandle.current().pid(), 10);
        sampler.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sampler.samples() >= 2);
        RssSampler.Peak peak = sampler.stop();
        assertThat(peak).isNotNull();
        assertThat(peak.samples()).isGreaterThanOrEqualTo(2);
        assertThat(peak.peakKib()).isPositive();
    }
}
