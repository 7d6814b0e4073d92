package dev.medallion.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The load run's time series: every interval, the resident set ({@code VmRSS}) and its high-water mark
 * ({@code VmHWM}) of each process from {@code /proc/<pid>/status}, the records acknowledged and seen in Silver so
 * far, the transform queue's depth and the system load average; every {@code metricsEvery} samples also the heap in use
 * and the direct buffers of each service, from its {@code /q/metrics} ({@code jvm_memory_used_bytes{area="heap"}},
 * {@code jvm_buffer_memory_used_bytes{id="direct"}}), which say where resident memory beyond the heap comes from.
 * Each sample is one CSV line, written as it is taken (so a run that dies keeps its series), and kept for the summary.
 */
final class LoadSampler implements AutoCloseable {

    /** One sample; memory in KiB, -1 where the process could not be read (or its metrics were not scraped). */
    record Sample(int ms, String phase, long acked, long seen, long transformQueue, double load1, long[] rssKib,
            long[] hwmKib, long[] heapKib, long[] directKib) {
    }

    private final Map<String, Long> processes;
    private final List<String> names;
    private final BufferedWriter csv;
    private final IntSupplier clockMs;
    private final LongSupplier acked;
    private final LongSupplier seen;
    private final LongSupplier transformQueue;
    private final Supplier<String> phase;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, URI> metrics;
    private final int metricsEvery;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    LoadSampler(Map<String, Long> processes, Map<String, URI> metrics, int metricsEvery, Path csvFile,
            IntSupplier clockMs, Supplier<String> phase, LongSupplier acked, LongSupplier seen,
            LongSupplier transformQueue) throws IOException {
        this.processes = processes;
        this.metrics = metrics;
        this.metricsEvery = Math.max(1, metricsEvery);
        this.names = List.copyOf(processes.keySet());
        this.clockMs = clockMs;
        this.phase = phase;
        this.acked = acked;
        this.seen = seen;
        this.transformQueue = transformQueue;
        Files.createDirectories(csvFile.toAbsolutePath().getParent());
        csv = Files.newBufferedWriter(csvFile, StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder("seconds,phase,acked_records,silver_records,backlog_records,"
                + "transform_queue_messages,load_average_1m");
        for (String name : names) {
            header.append(',').append(name).append("_rss_mib,").append(name).append("_hwm_mib");
            if (metrics.containsKey(name)) {
                header.append(',').append(name).append("_heap_mib,").append(name).append("_direct_mib");
            }
        }
        csv.write(header.append('\n').toString());
    }

    List<String> names() {
        return names;
    }

    /** Takes one sample and writes its line. */
    synchronized void sample() {
        long[] rss = new long[names.size()];
        long[] hwm = new long[names.size()];
        long[] heap = new long[names.size()];
        long[] direct = new long[names.size()];
        boolean scrape = samples.size() % metricsEvery == 0;
        for (int i = 0; i < names.size(); i++) {
            String status = status(processes.get(names.get(i)));
            rss[i] = status == null ? -1 : RssSampler.field(status, "VmRSS").orElse(-1);
            hwm[i] = status == null ? -1 : RssSampler.field(status, "VmHWM").orElse(-1);
            long[] scraped = scrape ? scrape(metrics.get(names.get(i))) : null;
            heap[i] = scraped == null ? -1 : scraped[0];
            direct[i] = scraped == null ? -1 : scraped[1];
        }
        long a = acked.getAsLong();
        long s = seen.getAsLong();
        long queue;
        try {
            queue = transformQueue.getAsLong();
        } catch (RuntimeException e) {
            queue = -1; // the SQS server did not answer in time: a gap in that column, not a failed run
        }
        Sample sample = new Sample(clockMs.getAsInt(), phase.get(), a, s, queue, loadAverage(), rss, hwm, heap,
                direct);
        samples.add(sample);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%.1f,%s,%d,%d,%d,%d,%.2f",
                sample.ms() / 1000.0, sample.phase(), a, s, a - s, queue, sample.load1()));
        for (int i = 0; i < names.size(); i++) {
            line.append(',').append(mib(rss[i])).append(',').append(mib(hwm[i]));
            if (metrics.containsKey(names.get(i))) {
                line.append(',').append(mib(heap[i])).append(',').append(mib(direct[i]));
            }
        }
        try {
            csv.write(line.append('\n').toString());
            csv.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * RSS statistics of one process over the samples of a phase (all phases when {@code phase} is null), and the
     * largest heap in use and direct buffers its metrics showed (-1 when never scraped).
     */
    record Memory(long minKib, long medianKib, long maxKib, long firstMinuteMedianKib, long lastMinuteMedianKib,
            long hwmKib, long maxHeapKib, long maxDirectKib, int samples) {
    }

    synchronized Memory memory(String name, String onlyPhase) {
        int i = names.indexOf(name);
        List<Sample> in = samples.stream().filter(s -> onlyPhase == null || s.phase().equals(onlyPhase))
                .filter(s -> s.rssKib()[i] >= 0).toList();
        if (in.isEmpty()) {
            return null;
        }
        long[] all = in.stream().mapToLong(s -> s.rssKib()[i]).sorted().toArray();
        int t0 = in.get(0).ms();
        int t1 = in.get(in.size() - 1).ms();
        long first = median(in.stream().filter(s -> s.ms() < t0 + 60_000).mapToLong(s -> s.rssKib()[i]).toArray());
        long last = median(in.stream().filter(s -> s.ms() > t1 - 60_000).mapToLong(s -> s.rssKib()[i]).toArray());
        long hwm = samples.stream().mapToLong(s -> s.hwmKib()[i]).max().orElse(-1);
        long heap = in.stream().mapToLong(s -> s.heapKib()[i]).max().orElse(-1);
        long direct = in.stream().mapToLong(s -> s.directKib()[i]).max().orElse(-1);
        return new Memory(all[0], median(all), all[all.length - 1], first, last, hwm, heap, direct, in.size());
    }

    private static long median(long[] values) {
        if (values.length == 0) {
            return -1;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Heap in use and direct buffers from a Prometheus text page, in KiB; null when there is none or no answer. */
    private long[] scrape(URI uri) {
        if (uri == null) {
            return null;
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? heapAndDirectKib(r.body()) : null;
        } catch (IOException e) {
            return null; // busy or gone: a gap in those columns
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The sum of {@code jvm_memory_used_bytes{area="heap",...}} and {@code jvm_buffer_memory_used_bytes{id="direct"}}. */
    static long[] heapAndDirectKib(String prometheusText) {
        double heap = -1;
        double direct = -1;
        for (String line : prometheusText.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space < 0 || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                heap = Math.max(heap, 0) + Double.parseDouble(line.substring(space + 1));
            } else if (line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"")) {
                direct = Double.parseDouble(line.substring(space + 1));
            }
        }
        return new long[] { heap < 0 ? -1 : (long) (heap / 1024), direct < 0 ? -1 : (long) (direct / 1024) };
    }

    private static String status(Long pid) {
        if (pid == null) {
            return null;
        }
        try {
            return Files.readString(Path.of("/proc", pid.toString(), "status"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null; // the process is gone
        }
    }

    private static String mib(long kib) {
        return kib < 0 ? "" : String.format(Locale.ROOT, "%.1f", kib / 1024.0);
    }

    /** The 1-minute load average from {@code /proc/loadavg}, or -1. */
    static double loadAverage() {
        try {
            String text = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII);
            return Double.parseDouble(text.substring(0, text.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        csv.close();
    }
}
