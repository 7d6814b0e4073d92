package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.medallion.bench.BadKind;
import dev.medallion.bench.GenerationStats;
import dev.medallion.bench.SalesGenerator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The walking pipeline end to end: records posted over HTTP, some malformed, come out as Silver Parquet that DuckDB
 * reads with exactly the good rows and their sums, quarantine holds every bad record with its reason, and the
 * catalog's Athena DDL projects every partition written.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineSystemIT {
    private static final int RECORDS = 12_000;
    private static final int BATCH_LINES = 2_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalPipeline pipeline;
    private static GenerationStats sent;
    private static long linesSent;

    @BeforeAll
    static void startPipelineAndSendRecords() throws Exception {
        pipeline = new LocalPipeline(Path.of("target/system-test").toAbsolutePath());
        if (Files.exists(pipeline.home)) {
            try (Stream<Path> old = Files.walk(pipeline.home)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // the first sweep soon after start: it measures the small-file debt the alerts and the dashboard read
        pipeline.environment.put("MEDALLION_COMPACTION_SWEEP_DELAY", "1s");
        pipeline.start();

        var ndjson = new ByteArrayOutputStream();
        sent = new SalesGenerator(SalesGenerator.Options.records(RECORDS).withSeed(20261124).withBadFraction(0.03))
                .writeTo(ndjson);
        List<String> lines = ndjson.toString(StandardCharsets.UTF_8).lines().toList();
        linesSent = lines.size();
        for (int i = 0; i < lines.size(); i += BATCH_LINES) {
            String batch = String.join("\n", lines.subList(i, Math.min(lines.size(), i + BATCH_LINES))) + "\n";
            HttpResponse<String> response = post(batch, LocalPipeline.API_KEY);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void everyAcknowledgedRecordReachesSilverOrQuarantine() {
        assertThat(sent.badRows()).isPositive();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> silverRows() + quarantinedRows() >= linesSent);
    }

    @Test
    @Order(2)
    void duckDbReadsExactlyTheGoodRowsFromSilver() throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT count(*), sum(amount), count(DISTINCT order_id) FROM "
                    + "read_parquet('" + glob("silver", "parquet") + "', hive_partitioning = true)");
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(sent.goodRows()).isEqualTo(linesSent - sent.badRows());
            assertThat(rows.getBigDecimal(2)).isEqualByComparingTo(sent.goodAmountSum());
            assertThat(rows.getLong(3)).isEqualTo(sent.goodRows());

            // partitions are the UTC day of the event time
            ResultSet misplaced = sql.executeQuery("SELECT count(*) FROM read_parquet('" + glob("silver", "parquet")
                    + "', hive_partitioning = true) WHERE year <> year(ts AT TIME ZONE 'UTC') "
                    + "OR month <> month(ts AT TIME ZONE 'UTC') OR day <> day(ts AT TIME ZONE 'UTC')");
            misplaced.next();
            assertThat(misplaced.getLong(1)).isZero();
        }
    }

    /**
     * Gold is what an engine we did not write computes from the good records: DuckDB's own GROUP BY over Silver, per
     * day, channel and currency, equals the daily_sales table, and its totals equal what was sent.
     */
    @Test
    @Order(3)
    void goldIsDuckDbsOwnAggregateOfSilverAndCountsEveryRecordOnce() throws SQLException {
        String mine = "SELECT event_date, channel, currency, orders, revenue, units, largest_order, customers "
                + "FROM read_parquet('" + glob("gold", "parquet") + "')";
        String duck = "SELECT CAST(ts AT TIME ZONE 'UTC' AS DATE), channel, currency, count(*), sum(amount), "
                + "sum(quantity), max(amount), count(DISTINCT customer_id) FROM read_parquet('"
                + glob("silver", "parquet") + "') GROUP BY ALL";
        // the last run's Gold days are written just after its Silver files
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<String> gold = rows(mine + " ORDER BY ALL");
            assertThat(gold).isEqualTo(rows(duck + " ORDER BY ALL"));
        });
        List<String> totals = rows("SELECT sum(orders), sum(revenue) FROM read_parquet('" + glob("gold", "parquet")
                + "')");
        assertThat(totals)
                .containsExactly(sent.goodRows() + "|" + sent.goodAmountSum().stripTrailingZeros().toPlainString());
    }

    /** An S3 event for a Bronze object already promoted (a redelivery, or a second notification) adds no row. */
    @Test
    @Order(4)
    void anEventDeliveredAgainAddsNothingToSilverOrGold() throws Exception {
        long silverBefore = silverRows();
        List<String> goldBefore = rows("SELECT * FROM read_parquet('" + glob("gold", "parquet") + "') ORDER BY ALL");
        String bronzeKey;
        try (Stream<Path> files = Files.walk(pipeline.lakeDir().resolve("bronze"))) {
            bronzeKey = pipeline.lakeDir().relativize(files.filter(Files::isRegularFile).sorted().findFirst()
                    .orElseThrow()).toString();
        }
        String event = """
                {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                  "s3": {"bucket": {"name": "lake"}, "object": {"key": "%s"}}}]}"""
                .formatted(java.net.URLEncoder.encode(bronzeKey, StandardCharsets.UTF_8));
        try (SqsClient sqs = sqs()) {
            String queue = sqs.getQueueUrl(b -> b.queueName("medallion-transform")).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody(event));
            await().atMost(Duration.ofMinutes(1)).until(() -> metric("transform",
                    "medallion_transform_sources_skipped_total{dataset=\"sales\",reason=\"already_promoted\"}") >= 1);
            await().atMost(Duration.ofMinutes(1)).until(() -> sqs.getQueueAttributes(b -> b.queueUrl(queue)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes().values().stream().allMatch("0"::equals));
        }
        assertThat(silverRows()).isEqualTo(silverBefore);
        assertThat(rows("SELECT * FROM read_parquet('" + glob("gold", "parquet") + "') ORDER BY ALL"))
                .isEqualTo(goldBefore);
    }

    @Test
    @Order(5)
    void everyBadRecordIsQuarantinedWithItsReason() throws SQLException {
        Map<String, Long> expected = new HashMap<>();
        expected.merge("malformed_json", sent.bad(BadKind.MALFORMED_JSON), Long::sum);
        expected.merge("missing_required", sent.bad(BadKind.MISSING_AMOUNT), Long::sum);
        expected.merge("type_mismatch", sent.bad(BadKind.AMOUNT_NOT_NUMERIC) + sent.bad(BadKind.UNPARSEABLE_TS),
                Long::sum);
        expected.values().removeIf(v -> v == 0);

        Map<String, Long> found = new HashMap<>();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT error_type, count(*), count(*) FILTER (WHERE reason = '' "
                    + "OR reason IS NULL OR source_object NOT LIKE 'bronze/sales/%' OR position < 1) FROM read_json('"
                    + glob("quarantine", "ndjson") + "', hive_partitioning = true, format = 'newline_delimited') "
                    + "GROUP BY error_type");
            while (rows.next()) {
                found.put(rows.getString(1), rows.getLong(2));
                assertThat(rows.getLong(3)).as("entries without reason or source").isZero();
            }
        }
        assertThat(found).isEqualTo(expected);
    }

    @Test
    @Order(6)
    void aRecordFromANewYearIsProjectedInSilverAndGoldWithNoManualStep() throws Exception {
        String record = "{\"order_id\":\"next-year-1\",\"customer_id\":\"c-1\",\"amount\":\"10.00\","
                + "\"currency\":\"EUR\",\"quantity\":1,\"ts\":\"2031-06-15T12:00:00Z\",\"channel\":\"web\"}\n";
        assertThat(post(record, LocalPipeline.API_KEY).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String table : List.of("sales", "daily_sales")) {
                String ddl = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url("catalog")
                        + "/v1/databases/lake/tables/" + table + "/ddl")).build(), HttpResponse.BodyHandlers.ofString())
                        .body();
                assertThat(ddl).as(table).containsPattern("'projection\\.year\\.range'='\\d{4},2031'");
            }
        });
        assertThat(rows("SELECT order_id FROM read_parquet('" + pipeline.lakeDir().resolve("silver/sales")
                + "/**/*.parquet', hive_partitioning = true)"
                + " WHERE year = 2031")).containsExactly("next-year-1");
        // the real files agree with the tables the catalog keeps: nothing refused
        assertThat(metric("catalog", "medallion_catalog_changes_total{database=\"lake\",outcome=\"refused\",table=\"sales\"}"))
                .isZero();
        assertThat(metric("catalog", "medallion_catalog_projection_covered{database=\"lake\",table=\"sales\"}"))
                .isEqualTo(1.0);
    }

    @Test
    @Order(7)
    void aNewCountryIsProjectedAsItLandsWithNoManualStep() throws Exception {
        assertThat(postTo("clicks", "{\"click_id\":\"k1\",\"country\":\"DE\",\"ts\":\"2026-11-20T10:00:00Z\"}\n"
                + "{\"click_id\":\"k2\",\"country\":\"FR\",\"ts\":\"2026-11-20T11:00:00Z\"}\n").statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(ddl("clicks")).contains("'projection.country.values'='DE,FR'"));

        assertThat(postTo("clicks", "{\"click_id\":\"k3\",\"country\":\"BR\",\"ts\":\"2026-11-21T09:00:00Z\"}\n")
                .statusCode()).isEqualTo(200);

        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(ddl("clicks")).contains("'projection.country.values'='DE,FR,BR'")
                        .contains("'storage.location.template'='s3://lake/silver/clicks/year=${year}/month=${month}"
                                + "/day=${day}/country=${country}'"));
        assertThat(rows("SELECT click_id, country FROM read_parquet('" + pipeline.lakeDir().resolve("silver/clicks")
                + "/**/*.parquet', hive_partitioning = false) ORDER BY 1")).containsExactly("k1|DE", "k2|FR", "k3|BR");
        try (Stream<Path> files = Files.walk(pipeline.lakeDir().resolve("silver/clicks"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".parquet"))
                    .map(f -> pipeline.lakeDir().relativize(f.getParent()).toString()))
                    .containsExactlyInAnyOrder("silver/clicks/year=2026/month=11/day=20/country=DE",
                            "silver/clicks/year=2026/month=11/day=20/country=FR",
                            "silver/clicks/year=2026/month=11/day=21/country=BR");
        }
    }

    private static String ddl(String table) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url("catalog") + "/v1/databases/lake/tables/"
                + table + "/ddl")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    @Order(8)
    void theAthenaDdlProjectsEveryPartitionWritten() throws Exception {
        HttpResponse<String> ddl = HTTP.send(HttpRequest.newBuilder(
                URI.create(pipeline.url("catalog") + "/v1/databases/lake/tables/sales/ddl")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ddl.statusCode()).isEqualTo(200);
        assertThat(ddl.body()).startsWith("CREATE EXTERNAL TABLE `lake`.`sales`")
                .contains("'projection.enabled'='true'")
                .contains("'storage.location.template'='s3://lake/silver/sales/year=${year}/month=${month}/day=${day}'");

        Matcher range = Pattern.compile("'projection\\.year\\.range'='(\\d{4}),(\\d{4})'").matcher(ddl.body());
        assertThat(range.find()).as("year range in\n" + ddl.body()).isTrue();
        int minYear = Integer.parseInt(range.group(1));
        int maxYear = Integer.parseInt(range.group(2));
        Pattern template = Pattern.compile("silver/sales/year=(\\d{4})/month=(0[1-9]|1[0-2])/day=(0[1-9]|[12]\\d|3[01])/"
                + "[^/]+\\.parquet");
        List<String> silverFiles = new ArrayList<>();
        try (Stream<Path> files = Files.walk(pipeline.lakeDir().resolve("silver/sales"))) {
            files.filter(f -> f.toString().endsWith(".parquet"))
                    .forEach(f -> silverFiles.add(pipeline.lakeDir().relativize(f).toString()));
        }
        assertThat(silverFiles).isNotEmpty().allSatisfy(key -> {
            Matcher m = template.matcher(key);
            assertThat(m.matches()).as(key + " follows the projection template").isTrue();
            assertThat(Integer.parseInt(m.group(1))).isBetween(minYear, maxYear);
        });
    }

    @Test
    @Order(9)
    void unauthenticatedWritesAreRefused() throws Exception {
        assertThat(post("{\"order_id\":\"x\"}\n", null).statusCode()).isEqualTo(401);
        assertThat(post("{\"order_id\":\"x\"}\n", "not-the-key").statusCode()).isEqualTo(401);
    }

    @Test
    @Order(10)
    void everyServiceIsReadyAndItsMetricsPassPromtool() throws Exception {
        for (String service : List.of("ingest", "transform", "compaction", "catalog")) {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(
                    URI.create(pipeline.url(service) + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(service + " ready").isEqualTo(200);

            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url(service) + "/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("medallion_aws_requests_total");
            assertThat(promtool(metrics)).as(service + " metrics checked by promtool").isEmpty();
        }
    }

    @Test
    @Order(11)
    void theAlertsAndTheDashboardUseOnlyMetricsTheServicesExpose() throws Exception {
        StringBuilder pages = new StringBuilder();
        for (String service : List.of("ingest", "transform", "compaction", "catalog")) {
            pages.append(HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url(service) + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
        }
        Set<String> exposed = pages.toString().lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toSet());
        for (String file : List.of("alerts.yaml", "medallion-dashboard.json")) {
            String text = Files.readString(pipeline.root.resolve("deploy/k8s/base/" + file));
            Set<String> used = java.util.regex.Pattern.compile("\\b(?:medallion|jvm)_[a-z0-9_]+").matcher(text)
                    .results().map(java.util.regex.MatchResult::group).collect(Collectors.toSet());

            assertThat(used).as(file).hasSizeGreaterThan(5);
            assertThat(exposed).as("what %s refers to, on the services' /q/metrics pages", file).containsAll(used);
        }
    }

    private static HttpResponse<String> postTo(String dataset, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url("ingest") + "/v1/datasets/" + dataset
                + "/records")).header("Content-Type", "application/x-ndjson")
                .header("Authorization", "Bearer " + LocalPipeline.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body, String apiKey) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(pipeline.url("ingest") + "/v1/datasets/sales/records"))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * What promtool finds wrong with a metrics page, or empty. Any parse error counts. Of its lint findings two kinds
     * are excused: samples whose HELP line the Prometheus 1.x client writes once for their family (counters without
     * {@code _total}, long-task timers), which promtool 2.42 does not match to them ("no help text" although there is
     * one); and naming advice on meters we do not name (Micrometer's JVM meters). Anything else fails the test.
     */
    private static String promtool(String metrics) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("promtool is required for this test: install it (Debian: apt-get install "
                    + "prometheus); .ci/run does", e);
        }
        try (var in = process.getOutputStream()) {
            in.write(metrics.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (process.exitValue() == 0) {
            return "";
        }
        List<String> families = Pattern.compile("(?m)^# HELP (\\S+) \\S").matcher(metrics).results()
                .map(m -> m.group(1)).toList();
        List<String> problems = new ArrayList<>();
        for (String line : output.lines().filter(l -> !l.isBlank()).toList()) {
            String name = line.split(" ", 2)[0];
            boolean helpOnFamily = line.endsWith(" no help text")
                    && families.stream().anyMatch(family -> name.startsWith(family + "_"));
            boolean libraryNaming = !name.startsWith("medallion_") && !line.endsWith(" no help text")
                    && !line.startsWith("error");
            if (!helpOnFamily && !libraryNaming) {
                problems.add(line);
            }
        }
        return String.join("\n", problems);
    }

    private static List<String> rows(String query) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = db.createStatement()) {
            sql.execute("SET TimeZone = 'UTC'");
            ResultSet rows = sql.executeQuery(query);
            int width = rows.getMetaData().getColumnCount();
            List<String> found = new ArrayList<>();
            while (rows.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= width; i++) {
                    Object value = rows.getObject(i);
                    values.add(value instanceof java.math.BigDecimal d ? d.stripTrailingZeros().toPlainString()
                            : String.valueOf(value));
                }
                found.add(String.join("|", values));
            }
            return found;
        }
    }

    /** The value of one sample on a service's metrics page, 0 when absent. */
    private static double metric(String service, String sample) throws IOException, InterruptedException {
        String page = HTTP.send(HttpRequest.newBuilder(URI.create(pipeline.url(service) + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return page.lines().filter(l -> l.startsWith(sample + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(sample.length() + 1).trim())).sum();
    }

    private static SqsClient sqs() {
        return SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + pipeline.ports.get("sqs")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("medallion", "medallion-local-secret")))
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static long silverRows() throws SQLException {
        return count("silver", "parquet", "read_parquet('%s')");
    }

    private static long quarantinedRows() throws SQLException {
        return count("quarantine", "ndjson", "read_json('%s', format = 'newline_delimited')");
    }

    private static long count(String zone, String extension, String reader) throws SQLException {
        try (Stream<Path> files = Files.exists(pipeline.lakeDir().resolve(zone))
                ? Files.walk(pipeline.lakeDir().resolve(zone))
                : Stream.empty()) {
            if (files.noneMatch(f -> f.toString().endsWith("." + extension))) {
                return 0;
            }
        } catch (IOException e) {
            return 0;
        }
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
                Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT count(*) FROM " + String.format(reader, glob(zone, extension)))) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String glob(String zone, String extension) {
        return pipeline.lakeDir().resolve(zone) + "/**/*." + extension;
    }

}
