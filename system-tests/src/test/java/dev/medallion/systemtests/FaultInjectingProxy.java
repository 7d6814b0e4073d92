package dev.medallion.systemtests;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 proxy on loopback that the services use as their S3 endpoint, in front of the local S3 server. Every
 * request is forwarded as it came, Host header included (so SigV4 signatures stay valid), unless a fault is drawn
 * for it: S3's own {@code 503 SlowDown} or {@code 500 InternalError} with their XML error bodies, a connection reset
 * while the request is sent (the server never sees it) or while the answer comes back (the server did the work, the
 * client cannot know), or a slow answer. Each fault has its own rate, changed at any time, and is spread evenly over
 * the requests from a random start (not drawn independently), so a run of a few hundred requests sees every fault
 * it asks for, and a test checking that it did cannot fail by chance. The headers of the most
 * recent requests are kept for checks on what went over the wire.
 */
final class FaultInjectingProxy implements AutoCloseable {

    /** What can go wrong with one request. */
    enum Fault {
        /** {@code 503 SlowDown}: S3 asks the client to back off. */
        SLOW_DOWN,
        /** {@code 500 InternalError}. */
        INTERNAL_ERROR,
        /** The connection is reset before the request reaches the server. */
        RESET_REQUEST,
        /** The server handles the request; the connection is reset halfway through its answer. */
        RESET_RESPONSE,
        /** The answer comes after a delay of up to {@link #SLOW_MILLIS}. */
        SLOW
    }

    /** One request as it arrived: method, target and headers (names in lower case). */
    record RecordedRequest(String method, String target, Map<String, List<String>> headers) {
    }

    static final int SLOW_MILLIS = 1500;
    private static final int RECORDED = 20_000;

    private final ServerSocket server;
    private final int upstreamPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "fault-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Fault, Double> rates = Collections.synchronizedMap(new EnumMap<>(Fault.class));
    /** Per fault, the share of a fault accrued and not yet injected; one is injected when it reaches 1. */
    private final Map<Fault, Double> owed = new EnumMap<>(Fault.class);
    private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
    private final AtomicLong requests = new AtomicLong();
    private final Deque<RecordedRequest> recorded = new ArrayDeque<>();
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running = true;
    private final AtomicLong failures = new AtomicLong();
    private volatile RuntimeException lastFailure;
    private volatile String withheld;

    /** Listens on a free loopback port and forwards to the S3 server on {@code upstreamPort}. */
    FaultInjectingProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        for (Fault fault : Fault.values()) {
            injected.put(fault, new AtomicLong());
        }
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.submit(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Draws {@code fault} for this share of requests from now on (0 turns it off). */
    void inject(Fault fault, double rate) {
        synchronized (rates) {
            rates.put(fault, rate);
            owed.put(fault, ThreadLocalRandom.current().nextDouble());
        }
    }

    /** Forwards every request as it is from now on. */
    void clearFaults() {
        rates.clear();
    }

    /**
     * Records but no longer forwards headers whose names start with {@code prefix} (lower case): for headers the
     * local S3 server refuses, such as SSE-KMS ones, which a real S3 would act on. The server must then not check
     * signatures ({@code MEDALLION_S3_AUTHORIZATION=none}), since the headers were signed.
     */
    void withhold(String prefix) {
        withheld = prefix;
    }

    /** How often each fault was injected so far. */
    Map<Fault, Long> injected() {
        Map<Fault, Long> counts = new EnumMap<>(Fault.class);
        injected.forEach((fault, count) -> counts.put(fault, count.get()));
        return counts;
    }

    /** Requests received so far, faulty or not. */
    long requests() {
        return requests.get();
    }

    /** Fails when the proxy itself broke down on a request (a bug here, not an injected fault). */
    void assertHealthy() {
        if (failures.get() > 0) {
            throw new IllegalStateException("The proxy failed on " + failures.get() + " requests", lastFailure);
        }
    }

    /** The most recent requests (up to 20,000), oldest first. */
    List<RecordedRequest> recordedHeaders() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        server.close();
        synchronized (open) {
            for (Socket socket : open) {
                socket.close();
            }
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (running) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.submit(() -> serve(client));
            } catch (IOException e) {
                if (running) {
                    sleep(10);
                }
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(client.getOutputStream(), 64 * 1024);
            while (running && handle(client, in, out)) {
                // next request on the same connection
            }
        } catch (IOException e) {
            // the client went away, or a fault closed the connection
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            lastFailure = e;
            reset(client);
        } finally {
            open.remove(client);
        }
    }

    /** Serves one request; false when the connection is to be closed. */
    private boolean handle(Socket client, InputStream in, OutputStream out) throws IOException {
        Head request = Head.read(in);
        if (request == null) {
            return false;
        }
        requests.incrementAndGet();
        record(request);
        boolean expectContinue = "100-continue".equalsIgnoreCase(request.header("expect"));
        Fault fault = draw();
        if (fault == Fault.SLOW_DOWN || fault == Fault.INTERNAL_ERROR) {
            if (!expectContinue) {
                copyBody(request, in, OutputStream.nullOutputStream());
            }
            error(out, fault == Fault.SLOW_DOWN ? 503 : 500,
                    fault == Fault.SLOW_DOWN ? "Slow Down" : "Internal Server Error",
                    fault == Fault.SLOW_DOWN ? "SlowDown" : "InternalError",
                    fault == Fault.SLOW_DOWN ? "Please reduce your request rate."
                            : "We encountered an internal error. Please try again.");
            return false; // its body may still be on the way: start afresh on a new connection
        }
        if (fault == Fault.RESET_REQUEST) {
            reset(client);
            return false;
        }
        if (fault == Fault.SLOW) {
            sleep(ThreadLocalRandom.current().nextInt(SLOW_MILLIS / 5, SLOW_MILLIS));
        }
        Socket upstream;
        try {
            upstream = new Socket();
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2000);
        } catch (IOException e) {
            reset(client); // the S3 server is down: the client sees what it would see without us
            return false;
        }
        try (upstream) {
            upstream.setTcpNoDelay(true);
            if (expectContinue) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            OutputStream toServer = new BufferedOutputStream(upstream.getOutputStream(), 64 * 1024);
            InputStream fromServer = new BufferedInputStream(upstream.getInputStream(), 64 * 1024);
            String withheldPrefix = withheld;
            toServer.write(request.encode(name -> name.equals("expect") || name.equals("connection")
                    || withheldPrefix != null && name.startsWith(withheldPrefix), "Connection: close"));
            copyBody(request, in, toServer);
            toServer.flush();
            Head response = Head.read(fromServer);
            while (response != null && response.status() >= 100 && response.status() < 200) {
                response = Head.read(fromServer);
            }
            if (response == null) {
                reset(client);
                return false;
            }
            boolean bodyless = request.method().equals("HEAD") || response.status() == 204
                    || response.status() == 304;
            boolean framed = bodyless || response.header("content-length") != null || response.chunked();
            if (fault == Fault.RESET_RESPONSE) {
                out.write(response.encode("connection"::equals, null));
                if (!bodyless) {
                    long length = response.header("content-length") != null
                            ? Long.parseLong(response.header("content-length").trim())
                            : 64;
                    copyExactly(fromServer, out, length / 2);
                }
                out.flush();
                reset(client);
                return false;
            }
            out.write(response.encode("connection"::equals, framed ? null : "Connection: close"));
            if (!bodyless) {
                if (framed) {
                    copyBody(response, fromServer, out);
                } else {
                    fromServer.transferTo(out);
                }
            }
            out.flush();
            return framed && !"close".equalsIgnoreCase(request.header("connection"));
        } catch (IOException e) {
            reset(client);
            return false;
        }
    }

    /** The fault for this request, if any: at most one per request, the others stay owed to the next ones. */
    private Fault draw() {
        Fault drawn = null;
        synchronized (rates) {
            for (Map.Entry<Fault, Double> rate : rates.entrySet()) {
                double due = owed.merge(rate.getKey(), rate.getValue(), Double::sum);
                if (drawn == null && due >= 1) {
                    owed.put(rate.getKey(), due - 1);
                    drawn = rate.getKey();
                }
            }
        }
        if (drawn != null) {
            injected.get(drawn).incrementAndGet();
        }
        return drawn;
    }

    private void record(Head request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String[] header : request.headers()) {
            headers.computeIfAbsent(header[0].toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(header[1]);
        }
        synchronized (recorded) {
            recorded.addLast(new RecordedRequest(request.method(), request.target(), headers));
            while (recorded.size() > RECORDED) {
                recorded.removeFirst();
            }
        }
    }

    private static void error(OutputStream out, int status, String reason, String code, String message)
            throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>" + UUID.randomUUID() + "</RequestId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** Closes with a TCP reset rather than an orderly close. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Copies a message body framed by Content-Length or chunked transfer coding (none otherwise). */
    private static void copyBody(Head head, InputStream in, OutputStream out) throws IOException {
        if (head.chunked()) {
            while (true) {
                String line = readLine(in);
                out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int size = Integer.parseInt(line.split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in);
                        out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    } while (!trailer.isEmpty());
                    return;
                }
                copyExactly(in, out, size + 2L); // the chunk and its CRLF
            }
        }
        String length = head.header("content-length");
        if (length != null) {
            copyExactly(in, out, Long.parseLong(length.trim()));
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long count) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (count > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count));
            if (n < 0) {
                throw new EOFException("body ended " + count + " bytes early");
            }
            out.write(buffer, 0, n);
            count -= n;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed mid-line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request or status line and its headers, kept in order. */
    private record Head(String startLine, List<String[]> headers) {

        /** The next head on the stream, or null at its end before any byte. */
        static Head read(InputStream in) throws IOException {
            String start;
            try {
                start = readLine(in);
            } catch (EOFException e) {
                return null;
            }
            List<String[]> headers = new ArrayList<>();
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.add(new String[] { line.substring(0, colon).trim(), line.substring(colon + 1).trim() });
            }
            return new Head(start, headers);
        }

        String method() {
            return startLine.split(" ", 2)[0];
        }

        String target() {
            String[] parts = startLine.split(" ");
            return parts.length > 1 ? parts[1] : "";
        }

        int status() {
            return Integer.parseInt(startLine.split(" ")[1]);
        }

        String header(String name) {
            for (String[] header : headers) {
                if (header[0].equalsIgnoreCase(name)) {
                    return header[1];
                }
            }
            return null;
        }

        boolean chunked() {
            String coding = header("transfer-encoding");
            return coding != null && coding.toLowerCase(Locale.ROOT).contains("chunked");
        }

        /** The head as bytes, without the headers {@code drop} names (in lower case), plus {@code extra} when given. */
        byte[] encode(Predicate<String> drop, String extra) {
            var text = new StringBuilder(startLine).append("\r\n");
            for (String[] header : headers) {
                if (!drop.test(header[0].toLowerCase(Locale.ROOT))) {
                    text.append(header[0]).append(": ").append(header[1]).append("\r\n");
                }
            }
            if (extra != null) {
                text.append(extra).append("\r\n");
            }
            return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }
}
