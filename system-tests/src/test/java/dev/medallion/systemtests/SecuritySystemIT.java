package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * "Nobody let in", against the four packaged services running as processes: every mutating endpoint (found in the
 * services' source, so a new one cannot be missed) refuses requests without a valid credential; a key scoped to one
 * dataset cannot write another; no service log holds an API key, an Authorization header, the S3 secret, the
 * keystore password or anything from a record's contents, with the loggers that could see them at DEBUG; and ingest serves
 * HTTPS from a
 * keystore with plain HTTP closed. One pipeline for the class. docs/reliability.md, "Security".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuritySystemIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String RUN = UUID.randomUUID().toString().replace("-", "");

    /** Scoped to sales only. */
    private static final String SALES_KEY = "sales-key-" + RUN;
    /** Scoped to clicks only; never used to write clicks, so nothing may ever appear under clicks/. */
    private static final String CLICKS_KEY = "clicks-key-" + RUN;
    private static final String S3_SECRET = "s3-secret-" + RUN;
    private static final String KEYSTORE_PASSWORD = "keystore-pass-" + RUN;
    /** Datasets no credential used here may write: nothing may ever be stored for them. */
    private static final List<String> NEVER_WRITTEN = List.of("clicks", "refunds");

    /** Loggers set to DEBUG for the run. */
    static final List<String> DEBUG_CATEGORIES = List.of("dev.medallion", "io.quarkus.security",
            "io.quarkus.vertx.http.runtime.security", "io.quarkus.smallrye.jwt", "io.smallrye.jwt",
            "org.jboss.resteasy.reactive.server",
            "io.quarkus.resteasy.reactive.server", "software.amazon.awssdk.request");

    /** Every value that must never reach a log: credentials, and markers placed inside records. */
    private static final Map<String, String> SECRETS = new LinkedHashMap<>();
    /** Markers of records in requests that were refused: none may ever be stored. */
    private static final List<String> REFUSED = new ArrayList<>();

    private static LocalPipeline pipeline;
    private static Path work;
    private static List<Endpoint> endpoints;

    /** A mutating endpoint: its service, HTTP method and path template. */
    record Endpoint(String service, String method, String template, String source) {
        boolean datasetScoped() {
            return template.contains("{dataset}") || template.contains("{table}");
        }
    }

    @BeforeAll
    static void startPipeline() throws Exception {
        work = Path.of("target/security-system-test").toAbsolutePath();
        if (Files.exists(work)) {
            try (Stream<Path> old = Files.walk(work)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
        SECRETS.put("the sales API key", SALES_KEY);
        SECRETS.put("the clicks API key", CLICKS_KEY);
        SECRETS.put("the S3 secret key", S3_SECRET);
        SECRETS.put("the keystore password", KEYSTORE_PASSWORD);

        pipeline = new LocalPipeline(work.resolve("home"));
        pipeline.environment.putAll(Map.of(
                "MEDALLION_API_KEY", SALES_KEY,
                "MEDALLION_API_KEY_DATASETS", "sales",
                "MEDALLION_AUTH_KEYS_CLICKS_SHA256", sha256(CLICKS_KEY),
                "MEDALLION_AUTH_KEYS_CLICKS_DATASETS", "clicks",
                "MEDALLION_SECRET_KEY", S3_SECRET,
                // no scheduled writers: what lands in the lake is what the requests here caused
                "MEDALLION_CATALOG_RESYNC_INTERVAL", "off",
                "MEDALLION_COMPACTION_SWEEP_INTERVAL", "off",
                "MEDALLION_INGEST_BUFFER_INTERVAL", "1s"));
        // DEBUG (the lowest level the services are built with) for our code and for the code that sees
        // credentials, requests and AWS calls, and the access log on; the root level stays INFO, as every library
        // at DEBUG slows start-up past a minute on two cores (and wire loggers print bodies by design)
        for (String category : DEBUG_CATEGORIES) {
            pipeline.environment.put("QUARKUS_LOG_CATEGORY__" + category.toUpperCase(java.util.Locale.ROOT)
                    .replace('.', '_') + "__LEVEL", "DEBUG");
        }
        pipeline.environment.put("QUARKUS_HTTP_ACCESS_LOG_ENABLED", "true");
        pipeline.environment.put("MEDALLION_START_TIMEOUT", "180");
        pipeline.start();
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    // ------------------------------------------------------------------------------------------ authentication

    /**
     * The endpoints come from the services' source (JAX-RS annotations), so a new one is probed without anyone
     * remembering to list it; HTTP routes declared any other way stop the test until the scan learns them.
     */
    @Test
    @Order(1)
    void theMutatingEndpointsAreFoundInTheServicesSource() throws IOException {
        endpoints = MutatingEndpoints.scan(pipeline.root);
        assertThat(endpoints).extracting(e -> e.service() + " " + e.method() + " " + e.template())
                // the ones known when this test was written: the scan must at least see them
                .contains("ingest POST /v1/datasets/{dataset}/records",
                        "compaction POST /v1/datasets/{dataset}/compactions",
                        "catalog POST /v1/databases/{database}/tables/{table}/sync");
        // ApiKeyFilter guards requests under /v1/: an endpoint elsewhere would be open
        assertThat(endpoints).allSatisfy(e -> assertThat(e.template()).as(e.source() + ": outside /v1/, which "
                + "ApiKeyFilter guards").startsWith("/v1/"));
    }

    @Test
    @Order(2)
    void everyMutatingEndpointRefusesRequestsWithoutAValidCredential() throws Exception {
        String marker = marker("unauthenticated");
        String wrong = "wrong-key-" + RUN;
        String basic = Base64.getEncoder().encodeToString(("user:basic-" + RUN).getBytes(StandardCharsets.UTF_8));
        SECRETS.put("a wrong API key", wrong);
        SECRETS.put("a Basic credential", basic);
        SECRETS.put("a record of a refused request", marker);
        REFUSED.add(marker);

        Map<String, Consumer<HttpRequest.Builder>> missing = new LinkedHashMap<>();
        missing.put("no credential", r -> {
        });
        missing.put("an empty X-Api-Key", r -> r.header("X-Api-Key", ""));
        missing.put("Authorization: Bearer with no value", r -> r.header("Authorization", "Bearer"));
        missing.put("Authorization: Basic", r -> r.header("Authorization", "Basic " + basic));
        missing.put("the right key without a scheme", r -> r.header("Authorization", SALES_KEY));
        missing.put("the right key under the Basic scheme", r -> r.header("Authorization", "Basic " + SALES_KEY));
        Map<String, Consumer<HttpRequest.Builder>> wrongKey = new LinkedHashMap<>();
        wrongKey.put("a wrong bearer key", r -> r.header("Authorization", "Bearer " + wrong));
        wrongKey.put("a wrong X-Api-Key", r -> r.header("X-Api-Key", wrong));
        wrongKey.put("the right key with a character more", r -> r.header("Authorization", "Bearer " + SALES_KEY + "x"));
        wrongKey.put("a JWT-shaped bearer (tokens are off)", r -> r.header("Authorization", "Bearer eyJhbGciOiJub25lIn0."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(("{\"sub\":\"" + wrong + "\",\"datasets\":"
                        + "[\"sales\"]}").getBytes(StandardCharsets.UTF_8))
                + "."));

        Map<String, Long> before = lakeFiles();
        List<String> probed = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            for (var credential : missing.entrySet()) {
                HttpResponse<String> response = send(endpoint, "sales", salesRecords(marker), credential.getValue());
                assertRefused(response, 401, endpoint + " with " + credential.getKey());
                probed.add(endpoint.template() + " " + credential.getKey());
            }
            for (var credential : wrongKey.entrySet()) {
                HttpResponse<String> response = send(endpoint, "sales", salesRecords(marker), credential.getValue());
                assertThat(response.statusCode()).as(endpoint + " with " + credential.getKey()).isIn(401, 403);
                assertRefused(response, response.statusCode(), endpoint + " with " + credential.getKey());
            }
        }
        assertThat(lakeFiles()).as("the lake after the refused requests").isEqualTo(before);

        // the same requests with the right key do what they are for: the refusals above were about the credential
        for (Endpoint endpoint : endpoints) {
            String accepted = marker("accepted");
            SECRETS.put("a record accepted by " + endpoint, accepted);
            HttpResponse<String> response = send(endpoint, "sales", salesRecords(accepted),
                    r -> r.header("Authorization", "Bearer " + SALES_KEY));
            assertThat(response.statusCode()).as(endpoint + " with the sales key: " + response.body()).isEqualTo(200);
        }
        assertThat(lakeFiles()).as("the lake after the accepted requests").isNotEqualTo(before);
    }

    /** A key for sales is refused (403) on every dataset-scoped endpoint for clicks and refunds, and vice versa. */
    @Test
    @Order(3)
    void aKeyForOneDatasetCannotWriteAnother() throws Exception {
        String marker = marker("other-dataset");
        SECRETS.put("a record sent with a key for another dataset", marker);
        REFUSED.add(marker);
        // what transform, catalog and compaction do with the records accepted above goes on meanwhile
        Map<String, Long> before = filesOf(NEVER_WRITTEN);
        List<Endpoint> scoped = endpoints.stream().filter(Endpoint::datasetScoped).toList();
        assertThat(scoped).hasSizeGreaterThanOrEqualTo(3);
        for (Endpoint endpoint : scoped) {
            for (String dataset : NEVER_WRITTEN) {
                for (var header : List.of("Authorization", "X-Api-Key")) {
                    String value = header.equals("X-Api-Key") ? SALES_KEY : "Bearer " + SALES_KEY;
                    assertRefused(send(endpoint, dataset, clicksRecords(marker), r -> r.header(header, value)), 403,
                            endpoint + " for " + dataset + " with the sales key in " + header);
                }
            }
            for (String table : List.of("sales", "daily_sales")) {
                if (endpoint.template().contains("{dataset}") && !table.equals("sales")) {
                    continue; // Gold tables are addressed as tables only
                }
                assertRefused(send(endpoint, table, salesRecords(marker),
                        r -> r.header("Authorization", "Bearer " + CLICKS_KEY)), 403,
                        endpoint + " for " + table + " with the clicks key");
            }
        }
        assertThat(filesOf(NEVER_WRITTEN)).as("the lake after the requests for other datasets").isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------ logs

    /**
     * Traffic that touches every path where a record or a credential could reach a log: good and bad records over
     * HTTP and SQS, a body ingest refuses, a poison message, compaction and a catalog rebuild; it must all be in
     * Silver or quarantine before the logs are read.
     */
    @Test
    @Order(4)
    void recordsGoodAndBadFlowThroughEveryService() throws Exception {
        String good = marker("good-http");
        String badJson = marker("malformed-json");
        String badType = marker("type-mismatch");
        String badRequired = marker("missing-required");
        String refusedBody = marker("refused-body");
        String sqsGood = marker("good-sqs");
        String sqsPoison = marker("poison-sqs");
        SECRETS.put("a good record over HTTP", good);
        SECRETS.put("a malformed NDJSON line", badJson);
        SECRETS.put("a value of the wrong type", badType);
        SECRETS.put("a record missing a required field", badRequired);
        SECRETS.put("a body ingest refuses", refusedBody);
        REFUSED.add(refusedBody);
        SECRETS.put("a good record over SQS", sqsGood);
        SECRETS.put("a poison SQS message", sqsPoison);

        String body = salesRecords(good)
                + "{\"order_id\":\"o-" + RUN + "-bad1\",\"amount\": " + badJson + ", \"ts\":\"2026-11-24T10:00:00Z\"\n"
                + "{\"order_id\":\"o-" + RUN + "-bad2\",\"amount\":\"" + badType + "\",\"ts\":\"2026-11-24T10:00:00Z\"}\n"
                + "{\"order_id\":\"o-" + RUN + "-bad3\",\"customer_id\":\"" + badRequired
                + "\",\"ts\":\"2026-11-24T10:00:00Z\"}\n";
        HttpResponse<String> stored = post(pipeline.url("ingest") + "/v1/datasets/sales/records", "application/x-ndjson",
                body, SALES_KEY);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(JSON.readTree(stored.body()).get("malformed").asInt()).isEqualTo(1);

        HttpResponse<String> refused = post(pipeline.url("ingest") + "/v1/datasets/sales/records", "application/json",
                "[{\"order_id\": " + refusedBody + "}]", SALES_KEY);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);

        try (SqsClient sqs = sqs()) {
            String queue = sqs.getQueueUrl(b -> b.queueName("medallion-ingest")).queueUrl();
            var dataset = Map.of("dataset", MessageAttributeValue.builder().dataType("String").stringValue("sales")
                    .build());
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(salesRecords(sqsGood)).messageAttributes(dataset));
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody("[{\"order_id\": " + sqsPoison + "}]")
                    .messageAttributes(dataset));
            String dlq = sqs.getQueueUrl(b -> b.queueName("medallion-ingest-dlq")).queueUrl();
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(dlq)
                            .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                            .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)) == 1);
        }

        // DuckDB fails on a glob matching nothing yet: the first Silver files may still be on their way
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            assertThat(rows("SELECT customer_id FROM read_parquet('" + pipeline.lakeDir() + "/silver/sales/**/*.parquet')"
                    + " WHERE order_id LIKE 'o-" + RUN + "%' ORDER BY 1")).contains(good, sqsGood);
            assertThat(rows("SELECT error_type FROM read_json('" + pipeline.lakeDir()
                    + "/quarantine/sales/**/*.ndjson', format = 'newline_delimited') ORDER BY 1"))
                    .containsExactly("malformed_json", "missing_required", "type_mismatch");
        });
        // a compaction and a catalog rebuild over the Silver files holding the markers
        assertThat(post(pipeline.url("compaction") + "/v1/datasets/sales/compactions", "application/json", "",
                SALES_KEY).statusCode()).isEqualTo(200);
        assertThat(post(pipeline.url("catalog") + "/v1/databases/lake/tables/sales/sync", "application/json", "",
                SALES_KEY).statusCode()).isEqualTo(200);
    }

    // ------------------------------------------------------------------------------------------ TLS

    /**
     * Ingest restarted with a keystore made here (PKCS12, self-signed for 127.0.0.1 and localhost): HTTPS with a
     * client trusting the certificate lands records and answers health checks; a client that does not trust it
     * fails the handshake; plain HTTP gets no answer, as {@code quarkus.http.insecure-requests=disabled} opens no
     * plain listener.
     */
    @Test
    @Order(5)
    void ingestServesHttpsFromAKeystoreAndNoPlainHttp() throws Exception {
        Path keystore = work.resolve("ingest-tls.p12");
        keytool("-genkeypair", "-alias", "ingest", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, KEYSTORE_PASSWORD.toCharArray());
        }
        Certificate certificate = store.getCertificate("ingest");

        pipeline.terminate("ingest");
        pipeline.environment.put("MEDALLION_TLS_KEYSTORE", keystore.toString());
        pipeline.environment.put("MEDALLION_TLS_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD);
        pipeline.restart();

        int port = pipeline.ports.get("ingest");
        HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(certificate))
                .connectTimeout(Duration.ofSeconds(10)).build();
        String https = "https://127.0.0.1:" + port;

        HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(URI.create(https + "/q/health"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UP");

        String overTls = marker("over-tls");
        SECRETS.put("a record sent over HTTPS", overTls);
        HttpResponse<String> stored = trusting.send(HttpRequest.newBuilder(URI.create(https
                + "/v1/datasets/sales/records")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + SALES_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(salesRecords(overTls))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        String bronzeKey = JSON.readTree(stored.body()).get("bronzeKey").asText();
        assertThat(gunzip(pipeline.lakeDir().resolve(bronzeKey))).contains(overTls);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> assertThat(
                        rows("SELECT customer_id FROM read_parquet('" + pipeline.lakeDir() + "/silver/sales/**/*.parquet')"))
                        .contains(overTls));

        // the credential checks hold over TLS too
        HttpResponse<String> anonymous = trusting.send(HttpRequest.newBuilder(URI.create(https
                + "/v1/datasets/sales/records")).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(salesRecords(overTls))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertRefused(anonymous, 401, "HTTPS without a credential");

        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(URI.create(https + "/q/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);

        String plain = marker("plain-http");
        SECRETS.put("a record sent over plain HTTP", plain);
        REFUSED.add(plain);
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v1/datasets/sales/records")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + SALES_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(salesRecords(plain))).build(),
                HttpResponse.BodyHandlers.ofString())).as("plain HTTP on the HTTPS port").isInstanceOf(IOException.class);
        assertThat(lakeContains(plain)).as("a record sent over plain HTTP is in the lake").isFalse();
    }

    // ------------------------------------------------------------------------------------------ the end

    /** Nothing refused, or sent for a dataset the credential may not write, was ever stored. */
    @Test
    @Order(6)
    void nothingRefusedWasEverStored() throws IOException {
        assertThat(REFUSED).hasSize(4);
        for (String marker : REFUSED) {
            assertThat(lakeContains(marker)).as(marker + " is in the lake").isFalse();
        }
        Pattern forbidden = Pattern.compile("^(bronze|silver|gold|quarantine)/(" + String.join("|", NEVER_WRITTEN)
                + ")/|^_state/.*/(" + String.join("|", NEVER_WRITTEN) + ")/");
        assertThat(lakeFiles().keySet()).noneMatch(key -> forbidden.matcher(key).find());
    }

    /**
     * The services' own logs, with our code and the code that handles credentials and requests at DEBUG, after all
     * of the above: none holds a credential, the S3
     * secret, the keystore password or a value from any record, good, bad, refused or poison.
     */
    @Test
    @Order(7)
    void noLogHoldsASecretOrARecordsContents() throws Exception {
        assertThat(SECRETS).hasSizeGreaterThanOrEqualTo(15);
        for (String service : List.of("ingest", "transform", "compaction", "catalog")) {
            String log = Files.readString(pipeline.log(service), StandardCharsets.ISO_8859_1);
            // the log is really there and at DEBUG: a check of an empty or quiet log would prove nothing
            assertThat(log).as(service + " log").contains(" DEBUG ").contains(" INFO ");
            for (var secret : SECRETS.entrySet()) {
                List<String> leaks = log.lines().filter(line -> line.contains(secret.getValue())).limit(3).toList();
                assertThat(leaks).as(service + "-service's log holds " + secret.getKey()).isEmpty();
            }
        }
        assertThat(Files.readString(pipeline.log("transform"))).contains("Promoted");
        // the refused requests were seen and logged, without what they carried
        assertThat(Files.readString(pipeline.log("ingest"))).contains("\"POST /v1/datasets/sales/records HTTP/1.1\" 401")
                .contains("\"POST /v1/datasets/clicks/records HTTP/1.1\" 403").contains("Poison message");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String marker(String what) {
        return "m-" + what + "-" + UUID.randomUUID().toString().replace("-", "");
    }

    /** A good sales record carrying the marker in a string field. */
    private static String salesRecords(String marker) {
        return "{\"order_id\":\"o-" + RUN + "-" + marker + "\",\"customer_id\":\"" + marker
                + "\",\"amount\":\"12.50\",\"currency\":\"EUR\",\"quantity\":1,\"ts\":\"2026-11-24T10:00:00Z\","
                + "\"channel\":\"web\"}\n";
    }

    private static String clicksRecords(String marker) {
        return "{\"click_id\":\"" + marker + "\",\"country\":\"DE\",\"ts\":\"2026-11-24T10:00:00Z\"}\n";
    }

    private static HttpResponse<String> send(Endpoint endpoint, String dataset, String body,
            Consumer<HttpRequest.Builder> credential) throws IOException, InterruptedException {
        String path = MutatingEndpoints.concrete(endpoint.template(), dataset);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pipeline.url(endpoint.service()) + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-ndjson")
                .method(endpoint.method(), HttpRequest.BodyPublishers.ofString(body));
        credential.accept(request);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String type, String body, String key)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", type).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status, and the common error body with a reason; 401 also names the scheme to use. */
    private static void assertRefused(HttpResponse<String> response, int status, String what) throws IOException {
        assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(status);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asText()).as(what).isEqualTo(status == 401 ? "unauthorized" : "forbidden");
        assertThat(body.path("reason").asText()).as(what).isNotBlank();
        if (status == 401) {
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(what).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer"));
        }
    }

    /** Every object in the lake (as S3Proxy stores it on disk) with its size. */
    private static Map<String, Long> lakeFiles() throws IOException {
        Map<String, Long> files = new TreeMap<>();
        Path lake = pipeline.lakeDir();
        if (!Files.exists(lake)) {
            return files;
        }
        try (Stream<Path> all = Files.walk(lake)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                try {
                    files.put(lake.relativize(file).toString().replace('\\', '/'), Files.size(file));
                } catch (NoSuchFileException gone) {
                    // deleted or renamed since the listing (compaction, S3Proxy's temporary files): not stored
                }
            }
        }
        return files;
    }

    /** The objects with one of the datasets as a segment of their key, e.g. bronze/clicks/... or catalog/lake/clicks/... */
    private static Map<String, Long> filesOf(List<String> datasets) throws IOException {
        Map<String, Long> files = lakeFiles();
        files.keySet().removeIf(key -> java.util.Arrays.stream(key.split("/")).noneMatch(datasets::contains));
        return files;
    }

    /**
     * Whether any object holds the text: read as stored, and gunzipped for gzip objects (Bronze). Parquet pages are
     * compressed, so Silver and Gold are checked through what they were made from, Bronze.
     */
    private static boolean lakeContains(String text) throws IOException {
        Path lake = pipeline.lakeDir();
        try (Stream<Path> all = Files.walk(lake)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                String content;
                try {
                    content = file.toString().endsWith(".gz") ? gunzip(file)
                            : Files.readString(file, StandardCharsets.ISO_8859_1);
                } catch (NoSuchFileException gone) {
                    continue; // deleted or renamed since the listing (compaction, S3Proxy's temporary files)
                }
                if (content.contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> rows(String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet result = sql.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    values.add(String.valueOf(result.getObject(i)));
                }
                rows.add(String.join("|", values));
            }
        }
        return rows;
    }

    private static SqsClient sqs() {
        return SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + pipeline.ports.get("sqs")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("medallion", S3_SECRET)))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static SSLContext trusting(Certificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ingest", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** Runs the JDK's own keytool, the one running this test. */
    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new ByteArrayOutputStream();
        process.getInputStream().transferTo(output);
        if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The mutating JAX-RS endpoints declared in the services' source. */
    static final class MutatingEndpoints {
        private static final Pattern MUTATING = Pattern.compile("@(POST|PUT|PATCH|DELETE)\\b");
        private static final Pattern PATH = Pattern.compile("@Path\\(\\s*\"([^\"]*)\"\\s*\\)");
        private static final Pattern TYPE = Pattern.compile("\\b(class|interface|record|enum)\\s+\\w+");
        /** Ways to declare HTTP endpoints the scan does not read; finding one fails the scan rather than miss it. */
        private static final Pattern UNREAD = Pattern.compile("@HttpMethod\\b|@Route\\b|@RouteBase\\b|"
                + "io\\.vertx\\.ext\\.web\\.Router\\b|@Observes\\s+Router\\b|io\\.quarkus\\.vertx\\.web\\.Route\\b");
        private static final Pattern PARAMETER = Pattern.compile("\\{\\s*(\\w+)\\s*(:[^}]*)?}");
        private static final Set<String> SERVICES = Set.of("ingest", "transform", "compaction", "catalog");

        static List<Endpoint> scan(Path root) throws IOException {
            List<Endpoint> found = new ArrayList<>();
            List<Path> sources = new ArrayList<>();
            for (String module : new TreeSet<>(Set.of("service-support", "ingest-service", "transform-service",
                    "compaction-service", "catalog-service"))) {
                Path dir = root.resolve(module).resolve("src/main/java");
                try (Stream<Path> files = Files.walk(dir)) {
                    files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(sources::add);
                }
            }
            for (Path source : sources) {
                String code = withoutComments(Files.readString(source));
                String where = root.relativize(source).toString();
                Matcher unread = UNREAD.matcher(code);
                if (unread.find()) {
                    throw new AssertionError(where + " declares HTTP routes with " + unread.group()
                            + ", which this scan does not read: teach MutatingEndpoints about it");
                }
                Matcher mutating = MUTATING.matcher(code);
                while (mutating.find()) {
                    String module = root.relativize(source).getName(0).toString();
                    String service = module.replace("-service", "");
                    if (!SERVICES.contains(service)) {
                        throw new AssertionError(where + " declares a mutating endpoint outside a service");
                    }
                    found.add(new Endpoint(service, mutating.group(1),
                            join(classPath(code, where), methodPath(code, mutating.start())), where));
                }
            }
            return found;
        }

        /** The template with its parameters filled: a dataset, or a table of database {@code lake}. */
        static String concrete(String template, String dataset) {
            Matcher parameter = PARAMETER.matcher(template);
            StringBuilder path = new StringBuilder();
            while (parameter.find()) {
                String value = switch (parameter.group(1)) {
                    case "dataset", "table" -> dataset;
                    case "database" -> "lake";
                    default -> throw new AssertionError("No value for path parameter {" + parameter.group(1) + "} of "
                            + template + ": add one to SecuritySystemIT");
                };
                parameter.appendReplacement(path, value);
            }
            parameter.appendTail(path);
            return path.toString();
        }

        private static String classPath(String code, String where) {
            Matcher type = TYPE.matcher(code);
            if (!type.find()) {
                throw new AssertionError("No type in " + where);
            }
            Matcher path = PATH.matcher(code.substring(0, type.start()));
            return path.find() ? path.group(1) : "";
        }

        /** The @Path among the annotations of the method whose annotation starts at {@code at}. */
        private static String methodPath(String code, int at) {
            int start = Math.max(Math.max(code.lastIndexOf(';', at), code.lastIndexOf('}', at)),
                    code.lastIndexOf('{', at));
            int end = code.length();
            // the annotations end where the method's parameter list begins: the first '(' not opening an annotation
            Matcher annotationArgs = Pattern.compile("@\\w+\\s*\\(|\\(").matcher(code);
            annotationArgs.region(at, code.length());
            while (annotationArgs.find()) {
                if (!annotationArgs.group().startsWith("@")) {
                    end = annotationArgs.start();
                    break;
                }
            }
            Matcher path = PATH.matcher(code.substring(start + 1, end));
            return path.find() ? path.group(1) : "";
        }

        private static String join(String classPath, String methodPath) {
            String joined = ("/" + classPath + "/" + methodPath).replaceAll("/+", "/");
            return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
        }

        private static String withoutComments(String code) {
            return code.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", " ");
        }
    }
}
