package dev.medallion.support.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * A real local S3 (S3Proxy) and SQS (ElasticMQ) for tests, run through {@code deploy/local/stack.sh} so tests
 * and developers use the very same servers and configuration.
 *
 * <p>
 * Each instance owns its own {@code MEDALLION_HOME} and two free loopback ports, so several stacks (and a
 * developer's own stack on the default ports) can run side by side. The server jars are installed once into
 * the shared cache by the script. Plain Java on purpose: usable from any test, Quarkus or not, and from tests of a
 * packaged service, which see none of its beans.
 */
public final class LocalStack implements AutoCloseable {

    public static final String REPO_ROOT_PROPERTY = "build.repo.root";
    public static final String BUCKET = "lake";
    public static final String ACCESS_KEY = "medallion";
    public static final String SECRET_KEY = "medallion-local-secret";
    public static final String REGION = "us-east-1";

    private static final String HOST = "127.0.0.1";
    private static final String SCRIPT = "deploy/local/stack.sh";
    /** A cold machine installs the servers through Maven first; later starts take a few seconds. */
    private static final long START_TIMEOUT_MINUTES = 10;
    private static final long STOP_TIMEOUT_MINUTES = 2;
    /** Ports are picked free but could be taken before the servers bind them: try again with new ones. */
    private static final int START_ATTEMPTS = 3;

    private final Path repoRoot;
    private final Path home;
    private final int s3Port;
    private final int sqsPort;
    private final Map<String, String> extraEnv;
    private final Thread shutdownHook;
    private boolean stopped;

    private LocalStack(Path repoRoot, Path home, int s3Port, int sqsPort, Map<String, String> extraEnv) {
        this.repoRoot = repoRoot;
        this.home = home;
        this.s3Port = s3Port;
        this.sqsPort = sqsPort;
        this.extraEnv = Map.copyOf(extraEnv);
        // A test JVM that ends without stop() must not leave two server JVMs behind.
        this.shutdownHook = new Thread(this::stopQuietly, "local-stack-stop-" + home.getFileName());
    }

    /** Starts a stack whose state lives under {@code home} (created if missing). */
    public static LocalStack start(Path home) {
        return start(home, Map.of());
    }

    /**
     * Starts a stack with extra {@code stack.sh} knobs, for example {@code MEDALLION_VISIBILITY_TIMEOUT}.
     */
    public static LocalStack start(Path home, Map<String, String> extraEnv) {
        Path root = repoRoot();
        Path absoluteHome = home.toAbsolutePath().normalize();
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int[] ports = freePorts(2);
            LocalStack stack = new LocalStack(root, absoluteHome, ports[0], ports[1], extraEnv);
            try {
                stack.run(START_TIMEOUT_MINUTES, "start");
                Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
                return stack;
            } catch (IllegalStateException e) {
                last = e;
                // the script already stops what it launched when a start fails; this is a safety net
                stack.stopQuietly();
                if (!String.valueOf(e.getMessage()).contains("is in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    public String s3Endpoint() {
        return "http://" + HOST + ":" + s3Port;
    }

    public String sqsEndpoint() {
        return "http://" + HOST + ":" + sqsPort;
    }

    /** Where S3Proxy keeps objects: {@code <bucket>/<key>} files under this directory. */
    public Path s3DataDir() {
        return home.resolve("data").resolve("s3");
    }

    public Path home() {
        return home;
    }

    public String bucket() {
        return BUCKET;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /** The queue URL ElasticMQ gives a queue of this stack (account id is always 000000000000). */
    public String queueUrl(String queueName) {
        return sqsEndpoint() + "/000000000000/" + queueName;
    }

    /** An S3 client of this stack, for tests to write and read what a service reads and wrote. */
    public S3Client s3Client() {
        return S3Client.builder()
                .endpointOverride(URI.create(s3Endpoint()))
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(credentials())
                .httpClient(ApacheHttpClient.create())
                .build();
    }

    /** An SQS client of this stack. */
    public SqsClient sqsClient() {
        return SqsClient.builder()
                .endpointOverride(URI.create(sqsEndpoint()))
                .region(Region.of(REGION))
                .credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** Configuration that points the Quarkus S3 and SQS clients and the lake at this stack. */
    public Map<String, String> quarkusConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.s3.endpoint-override", s3Endpoint());
        config.put("quarkus.s3.path-style-access", "true");
        putAws(config, "quarkus.s3");
        config.put("quarkus.sqs.endpoint-override", sqsEndpoint());
        putAws(config, "quarkus.sqs");
        config.put("medallion.lake.bucket", BUCKET);
        return config;
    }

    private void putAws(Map<String, String> config, String prefix) {
        config.put(prefix + ".aws.region", REGION);
        config.put(prefix + ".aws.credentials.type", "static");
        config.put(prefix + ".aws.credentials.static-provider.access-key-id", ACCESS_KEY);
        config.put(prefix + ".aws.credentials.static-provider.secret-access-key", SECRET_KEY);
    }

    /** Stops both servers; the data under {@link #home()} stays. Calling it again does nothing. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        run(STOP_TIMEOUT_MINUTES, "stop");
        stopped = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is already shutting down (we may be the hook), or the hook was never registered
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("local stack under " + home + " did not stop cleanly: " + e.getMessage());
        }
    }

    /**
     * Runs {@code stack.sh <command>}. Output goes to a file rather than a pipe: the servers are detached
     * from it anyway, and a file cannot fill up and block the script.
     */
    private void run(long timeoutMinutes, String command) {
        Path output = null;
        try {
            Files.createDirectories(home);
            output = Files.createTempFile(home, "stack-" + command + "-", ".out");
            ProcessBuilder builder = new ProcessBuilder(List.of("bash", repoRoot.resolve(SCRIPT).toString(), command))
                    .directory(repoRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> env = builder.environment();
            // Set every knob: whatever a developer exported for their own stack must not leak into tests.
            env.put("MEDALLION_HOME", home.toString());
            env.put("MEDALLION_S3_PORT", Integer.toString(s3Port));
            env.put("MEDALLION_SQS_PORT", Integer.toString(sqsPort));
            env.put("MEDALLION_BUCKET", BUCKET);
            env.put("MEDALLION_ACCESS_KEY", ACCESS_KEY);
            env.put("MEDALLION_SECRET_KEY", SECRET_KEY);
            env.putAll(extraEnv);
            Process process = builder.start();
            process.getOutputStream().close(); // the script reads nothing
            if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("stack.sh " + command + " did not finish within " + timeoutMinutes
                        + " min; output:\n" + read(output));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("stack.sh " + command + " failed with exit code " + process.exitValue()
                        + " (MEDALLION_HOME=" + home + ", S3 port " + s3Port + ", SQS port " + sqsPort + "); output:\n"
                        + read(output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run stack.sh " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running stack.sh " + command, e);
        } finally {
            deleteQuietly(output);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover output file in the test's own folder is harmless
        }
    }

    /**
     * Distinct free loopback ports. All sockets stay open until every port is picked, so the ports differ.
     */
    static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        int[] ports = new int[count];
        try {
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                sockets[i].setReuseAddress(true);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port: " + e.getMessage(), e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        // closing a listening socket we own does not fail in practice
                    }
                }
            }
        }
    }

    /**
     * The repository root: system property {@value #REPO_ROOT_PROPERTY} (set by Surefire and Failsafe in the
     * parent pom), else the first folder upwards from the working directory that holds {@code mvnw}.
     */
    public static Path repoRoot() {
        String configured = System.getProperty(REPO_ROOT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path root = Path.of(configured).toAbsolutePath().normalize();
            if (Files.isRegularFile(root.resolve(SCRIPT))) {
                return root;
            }
        }
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve(SCRIPT))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no " + SCRIPT + "): set -D"
                + REPO_ROOT_PROPERTY + " or run from inside the repository (searched upwards from " + start + ")");
    }

    @Override
    public String toString() {
        return "LocalStack[home=" + home + ", s3=" + s3Endpoint() + ", sqs=" + sqsEndpoint() + "]";
    }
}
