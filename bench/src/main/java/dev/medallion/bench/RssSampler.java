package dev.medallion.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Samples the resident set size of a process (the service under test, or the harness itself) from {@code /proc/<pid>/status}
 * every
 * {@code intervalMillis} on a daemon thread, and keeps the peak.
 *
 * <p>
 * At {@link #start} it also tries to reset the kernel's high-water mark ({@code VmHWM}) by writing {@code 5} to
 * {@code /proc/<pid>/clear_refs} (allowed for a process of the same user); when that works, {@code VmHWM} read at
 * {@link #stop} is the exact peak during the run, which catches spikes between two samples. When it does not, the
 * sampled {@code VmRSS} maximum is the peak and {@code VmHWM} (the peak since the process started) is reported as is.
 */
public final class RssSampler {

    /** What a run saw, in KiB; {@code hwmSinceStart} says whether {@code hwmKib} covers the run only. */
    public record Peak(long sampledMaxKib, long hwmKib, boolean hwmReset, int samples) {

        /** The best estimate of the run's peak RSS, in KiB. */
        public long peakKib() {
            return hwmReset ? Math.max(hwmKib, sampledMaxKib) : sampledMaxKib;
        }
    }

    private final long pid;
    private final long intervalMillis;
    private volatile boolean running;
    private Thread thread;
    private long maxKib;
    private int samples;
    private boolean hwmReset;

    public RssSampler(long pid, long intervalMillis) {
        this.pid = pid;
        this.intervalMillis = intervalMillis;
    }

    /** Whether {@code /proc/<pid>/status} can be read now. */
    public static boolean readable(long pid) {
        return Files.isReadable(Path.of("/proc", Long.toString(pid), "status"));
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        hwmReset = resetHighWaterMark();
        running = true;
        thread = new Thread(this::loop, "rss-sampler-" + pid);
        thread.setDaemon(true);
        thread.start();
    }

    /** Samples taken so far. */
    public synchronized int samples() {
        return samples;
    }

    /** Stops sampling and returns the peak; {@code null} if the process could never be read. */
    public Peak stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        sample();
        OptionalLong hwm = read("VmHWM");
        synchronized (this) {
            if (samples == 0) {
                return null;
            }
            return new Peak(maxKib, hwm.orElse(0), hwmReset && hwm.isPresent(), samples);
        }
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        OptionalLong rss = read("VmRSS");
        if (rss.isPresent()) {
            synchronized (this) {
                maxKib = Math.max(maxKib, rss.getAsLong());
                samples++;
            }
        }
    }

    private boolean resetHighWaterMark() {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private OptionalLong read(String field) {
        try {
            return field(Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII),
                    field);
        } catch (IOException e) {
            return OptionalLong.empty(); // the process is gone
        }
    }

    /** The value in KiB of a {@code Name:   1234 kB} line of a {@code /proc/<pid>/status} text. */
    static OptionalLong field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String v = line.substring(name.length() + 1).trim();
                int space = v.indexOf(' ');
                try {
                    return OptionalLong.of(Long.parseLong(space < 0 ? v : v.substring(0, space)));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
