package dev.medallion.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class CpuTimesTest {

    @Test
    void addsUserAndSystemTicksCountingFromTheLastParenthesis() {
        String stat = "4242 (java (a) b) S 1 4242 4242 0 -1 4194560 12345 0 0 0 731 269 0 0 20 0 40 0 9 0";
        assertEquals(OptionalLong.of(1000), CpuTimes.utimePlusStime(stat));
    }

    @Test
    void aTruncatedLineIsNotAReading() {
        assertEquals(OptionalLong.empty(), CpuTimes.utimePlusStime("4242 (java) S 1 4242"));
        assertEquals(OptionalLong.empty(), CpuTimes.utimePlusStime("no parenthesis"));
    }

    @Test
    void countsTheCpuThisProcessSpends() {
        long self = ProcessHandle.current().pid();
        CpuTimes cpu = CpuTimes.start(Map.of("self", self));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long end = threads.getCurrentThreadCpuTime() + 300_000_000L;
        long spin = 0;
        while (threads.getCurrentThreadCpuTime() < end) {
            spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
        }
        double used = cpu.seconds().get("self");
        // this thread alone spent 300 ms of CPU; the process's count (10 ms ticks) must include it
        assertTrue(used >= 0.28, "300 ms of CPU spent spinning, counted " + used + " s (" + spin + ")");
    }
}
