package dev.medallion.systemtests;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole pipeline as separate processes, started by the project's own scripts ({@code deploy/local/stack.sh}
 * and {@code services.sh}) on free loopback ports, in a home folder of its own.
 */
final class LocalPipeline implements AutoCloseable {
    static final String API_KEY = "system-test-key";

    final Path root;
    final Path home;
    final Map<String, Integer> ports = new HashMap<>();
    /** Extra environment for the services, e.g. {@code MEDALLION_INGEST_BUFFER_INTERVAL}. */
    final Map<String, String> environment = new HashMap<>();

    LocalPipeline(Path home) {
        this.root = repoRoot();
        this.home = home;
        for (String name : List.of("s3", "sqs", "ingest", "transform", "compaction", "catalog")) {
            ports.put(name, freePort());
        }
    }

    void start() throws IOException, InterruptedException {
        run("deploy/local/stack.sh", "start");
        run("deploy/local/services.sh", "start");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("deploy/local/services.sh", "stop");
        run("deploy/local/stack.sh", "stop");
    }

    /** Kills a service as a crash would (SIGKILL: no shutdown hook, no flush), and waits until it is gone. */
    void kill(String service) throws Exception {
        long pid = Long.parseLong(Files.readString(home.resolve("run/" + service + "-service.pid")).trim());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(30, TimeUnit.SECONDS);
    }

    /** Stops a service gracefully (SIGTERM, as Kubernetes does) and waits until it has exited. */
    void terminate(String service) throws Exception {
        long pid = Long.parseLong(Files.readString(home.resolve("run/" + service + "-service.pid")).trim());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroy();
        process.onExit().get(2, TimeUnit.MINUTES);
    }

    /** Starts whichever services are not running. */
    void restart() throws IOException, InterruptedException {
        run("deploy/local/services.sh", "start");
    }

    /**
     * Stops the local S3 ({@code "s3"}) or SQS ({@code "sqs"}) server as an outage would (SIGTERM: ElasticMQ keeps
     * its queues and messages, S3Proxy its files) and waits until it has exited. {@link #startServers()} brings it
     * back on the same port.
     */
    void stopServer(String server) throws Exception {
        long pid = Long.parseLong(Files.readString(home.resolve("run/" + server + ".pid")).trim());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroy();
        process.onExit().get(1, TimeUnit.MINUTES);
    }

    /** Starts whichever of the S3 and SQS servers is not running. */
    void startServers() throws IOException, InterruptedException {
        run("deploy/local/stack.sh", "start");
    }

    String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    /** The lake bucket as files on disk, as the S3 server stores it. */
    Path lakeDir() {
        return home.resolve("data/s3/lake");
    }

    Path log(String service) {
        return home.resolve("logs/" + service + "-service.log");
    }

    private void run(String script, String command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("medallion-script", ".log");
        var process = new ProcessBuilder("bash", root.resolve(script).toString(), command)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = process.environment();
        env.put("MEDALLION_HOME", home.toString());
        env.put("MEDALLION_S3_PORT", ports.get("s3").toString());
        env.put("MEDALLION_SQS_PORT", ports.get("sqs").toString());
        env.put("MEDALLION_INGEST_PORT", ports.get("ingest").toString());
        env.put("MEDALLION_TRANSFORM_PORT", ports.get("transform").toString());
        env.put("MEDALLION_COMPACTION_PORT", ports.get("compaction").toString());
        env.put("MEDALLION_CATALOG_PORT", ports.get("catalog").toString());
        env.put("MEDALLION_API_KEY", API_KEY);
        env.put("MEDALLION_SERVICE_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC");
        env.putAll(environment);
        Process started = process.start();
        if (!started.waitFor(10, TimeUnit.MINUTES) || started.exitValue() != 0) {
            started.destroyForcibly();
            throw new IllegalStateException(script + " " + command + " failed:\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        Files.deleteIfExists(output);
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot find a free port", e);
        }
    }

    private static Path repoRoot() {
        String configured = System.getProperty("build.repo.root");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("Cannot find the repository root (no mvnw above the working directory)");
        }
        return dir.toAbsolutePath();
    }
}
