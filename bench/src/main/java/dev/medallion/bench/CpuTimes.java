package dev.medallion.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU time (user + system) of named processes, read from {@code /proc/<pid>/stat}. On a machine where the service,
 * the S3 and SQS servers and the harness share the cores, a throughput ratio alone does not say who spent the CPU;
 * the CPU seconds each process used during a phase do.
 */
public final class CpuTimes {

    /** Linux reports these fields in USER_HZ ticks, which is 100 per second on every architecture Java runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;
    private final Map<String, Long> startTicks = new LinkedHashMap<>();

    private CpuTimes(Map<String, Long> pids) {
        this.pids = pids;
        pids.forEach((name, pid) -> ticks(pid).ifPresent(t -> startTicks.put(name, t)));
    }

    /** Starts counting for every process in {@code pids} (name to pid) that can be read now. */
    public static CpuTimes start(Map<String, Long> pids) {
        return new CpuTimes(pids);
    }

    /** CPU seconds each process used since {@link #start}, in the order given; processes gone meanwhile are left out. */
    public Map<String, Double> seconds() {
        Map<String, Double> used = new LinkedHashMap<>();
        startTicks.forEach((name, start) -> ticks(pids.get(name))
                .ifPresent(now -> used.put(name, (now - start) / TICKS_PER_SECOND)));
        return used;
    }

    private static OptionalLong ticks(long pid) {
        try {
            return utimePlusStime(Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                    StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return OptionalLong.empty(); // no such process, or not Linux
        }
    }

    /**
     * utime + stime (fields 14 and 15) of a {@code /proc/<pid>/stat} line. The command name (field 2) is in
     * parentheses and may itself hold spaces or parentheses, so fields are counted from the last {@code ')'}.
     */
    static OptionalLong utimePlusStime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] rest = stat.substring(close + 1).trim().split("\\s+");
        // rest[0] is field 3 (state), so field n is rest[n - 3]
        if (rest.length < 13) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(rest[11]) + Long.parseLong(rest[12]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
