package dev.medallion.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The hostile-input corpus (docs/reliability.md, "Hostile input"): every case is sent to the running pipeline through
 * the door an attacker or a broken producer would use (HTTP, the ingest queue, the transform queue, or an object
 * another tool puts into Bronze), and must end in its expected outcome: a 4xx with a reason, a quarantine entry with
 * a reason, or a dead letter on the right queue. Good records travel in the same requests, messages and objects as
 * the bad ones. Afterwards no service has crashed or restarted, every good record is in Silver exactly once, nothing
 * of a refused request was stored, the dead-letter queues hold only the poison planted, and every object of the lake
 * is under its own zone and dataset prefix.
 *
 * <p>
 * All cases are delivered first (so the pipeline works on the asynchronous ones together), then each case is a named
 * test checking its own outcome.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputSystemIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SERVICES = List.of("ingest", "transform", "compaction", "catalog");
    private static final String CLICKS_ONLY_KEY = "hostile-clicks-only-key";
    private static final String INGEST_QUEUE = "medallion-ingest";
    private static final String TRANSFORM_QUEUE = "medallion-transform";
    /** ingest-service's max-record-bytes (its default, 1000K). */
    private static final int INGEST_MAX_RECORD_BYTES = 1000 * 1024;
    private static final int MIB = 1024 * 1024;

    private static LocalPipeline pipeline;
    private static SqsClient sqs;
    private static final Map<String, Long> pidsAtStart = new TreeMap<>();
    /** What delivering each case gave back, by case name. */
    private static final Map<String, Sent> sent = new ConcurrentHashMap<>();
    /** Keys of the good records sent alongside the bad ones, per dataset. */
    private static final Map<String, Set<String>> goodKeys = new ConcurrentHashMap<>();
    /** Messages found on the dead-letter queues, by body. */
    private static final Map<String, DeadLetter> deadLetters = new ConcurrentHashMap<>();

    // ------------------------------------------------------------------------------------------------ the corpus

    /**
     * One hostile input and what must become of it.
     *
     * @param category the row of the corpus table in docs/reliability.md
     */
    record HostileCase(String category, String name, Input input, Expected expected) {
        @Override
        public String toString() {
            return category + ": " + name;
        }
    }

    static final List<HostileCase> CORPUS = List.of(
            // --- who may write
            http("auth", "no_credential", post("sales").noAuth().ndjson(good("auth1", 1)), refused(401, "unauthorized")),
            http("auth", "wrong_bearer_key", post("sales").bearer("not-the-key").ndjson(good("auth2", 1)),
                    refused(401, "unauthorized")),
            http("auth", "wrong_x_api_key", post("sales").noAuth().header("X-Api-Key", "guess").ndjson(good("auth3", 1)),
                    refused(401, "unauthorized")),
            http("auth", "empty_bearer", post("sales").noAuth().header("Authorization", "Bearer ").ndjson(good("auth4", 1)),
                    refused(401, "unauthorized")),
            http("auth", "basic_scheme_with_the_key", post("sales").noAuth()
                    .header("Authorization", "Basic " + LocalPipeline.API_KEY).ndjson(good("auth5", 1)),
                    refused(401, "unauthorized")),
            http("auth", "key_of_another_dataset", post("sales").bearer(CLICKS_ONLY_KEY).ndjson(good("auth6", 1)),
                    refused(403, "forbidden")),
            http("auth", "compaction_without_key", new Http("compaction", "POST",
                    "/v1/datasets/sales/compactions?dry-run=true", headers(), () -> new byte[0]),
                    refused(401, "unauthorized")),
            http("auth", "catalog_sync_with_wrong_key", new Http("catalog", "POST",
                    "/v1/databases/lake/tables/sales/sync", headers("Authorization", "Bearer nope"),
                    () -> new byte[0]), refused(401, "unauthorized")),

            // --- dataset names and paths
            http("names and paths", "dataset_dot_dot", post("..").ndjson(good("path1", 1)), refusedByServer(404, "not found")),
            http("names and paths", "dataset_encoded_dot_dot", post("%2e%2e").ndjson(good("path2", 1)),
                    refusedByServer(404, "not found")),
            http("names and paths", "dataset_encoded_slash", post("sales%2F..%2Fclicks").ndjson(good("path3", 1)),
                    refused(400, "invalid_request")),
            // the server resolves dot segments (RFC 3986) before routing: they cannot get round a key's scope
            http("names and paths", "dataset_slash_dot_dot", post("clicks/../sales").bearer(CLICKS_ONLY_KEY)
                    .ndjson(good("path4", 1)), refused(403, "forbidden")),
            http("names and paths", "dataset_upper_case", post("Sales").ndjson(good("path5", 1)),
                    refused(400, "invalid_request")),
            http("names and paths", "dataset_unicode", post("s%C3%A4les").ndjson(good("path6", 1)),
                    refused(400, "invalid_request")),
            http("names and paths", "dataset_too_long", post("a".repeat(65)).ndjson(good("path7", 1)),
                    refused(400, "invalid_request")),
            // a key is scoped to datasets; one it does not name is refused before anyone looks it up
            http("names and paths", "dataset_unknown", post("nosuch").ndjson(good("path8", 1)),
                    refused(403, "forbidden")),
            http("names and paths", "dataset_with_nul", post("sales%00").ndjson(good("path9", 1)),
                    refused(400, "invalid_request")),
            http("names and paths", "compaction_dataset_traversal", new Http("compaction", "GET",
                    "/v1/datasets/..%2F_state/compactions", headers(), () -> new byte[0]),
                    refused(400, "invalid_request")),

            // --- content types and encodings
            http("content type", "missing", post("sales").contentType(null).ndjson(good("ct1", 1)),
                    refused(415, "unsupported_media_type")),
            http("content type", "xml", post("sales").contentType("application/xml").ndjson(good("ct2", 1)),
                    refused(415, "unsupported_media_type")),
            http("content type", "form", post("sales").contentType("application/x-www-form-urlencoded")
                    .body(() -> utf8("order_id=ct3&amount=1")), refused(415, "unsupported_media_type")),
            http("content type", "multipart", post("sales").contentType("multipart/form-data; boundary=x")
                    .body(() -> utf8("--x\r\n\r\n{}\r\n--x--\r\n")), refused(415, "unsupported_media_type")),
            http("content type", "brotli_encoding", post("sales").header("Content-Encoding", "br").ndjson(good("ct4", 1)),
                    refused(415, "unsupported_encoding")),
            http("content type", "ndjson_sent_as_csv", post("sales").contentType("text/csv")
                    .ndjson(good("ct5", 2)), refused(400, "malformed_body")),

            // --- gzip
            http("gzip", "not_gzip", post("sales").header("Content-Encoding", "gzip").ndjson(good("gz1", 2)),
                    refused(400, "bad_encoding")),
            http("gzip", "truncated", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> truncate(gzip(utf8(good("gz2", 200))), 0.6)), refused(400, "bad_encoding")),
            http("gzip", "bad_crc", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> corruptTrailer(gzip(utf8(good("gz3", 5))))), refused(400, "bad_encoding")),
            http("gzip", "header_only", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> Arrays.copyOf(gzip(utf8(good("gz4", 1))), 6)), refused(400, "bad_encoding")),
            http("gzip", "bomb_of_zeros", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> gzipBomb(new byte[MIB], 300)), refused(413, "body_too_large")),
            http("gzip", "bomb_of_records", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> gzipBomb(utf8(good("bomb", 1).repeat(MIB / 90)), 300)), refused(413, "body_too_large")),
            http("gzip", "bomb_inside_a_json_array", post("sales").contentType("application/json")
                    .header("Content-Encoding", "gzip").body(HostileInputSystemIT::jsonArrayBomb),
                    refused(413, "body_too_large")),
            http("gzip", "gzip_inside_gzip", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> gzip(gzipBomb(new byte[MIB], 50))), refused(400, "invalid_utf8")),

            // --- sizes
            http("sizes", "declared_length_over_request_limit", post("sales").declaredLength(70L * MIB),
                    refused(413, "body_too_large")),
            // over quarkus.http.limits.max-body-size (80M): the HTTP server refuses it before ingest's own check runs
            http("sizes", "declared_length_over_server_limit", post("sales").declaredLength(100L * MIB),
                    refusedByServer(413, "")),
            http("sizes", "chunked_body_over_request_limit", post("sales").chunked()
                    .body(() -> utf8(good("size0", 1).repeat(70 * MIB / 100))), refused(413, "body_too_large")),
            http("sizes", "one_huge_ndjson_line", post("sales").ndjson(good("size1", 2)
                    + "{\"order_id\":\"" + "x".repeat(2 * MIB) + "\"}\n"), refused(413, "record_too_large")),
            http("sizes", "one_huge_json_element", post("sales").contentType("application/json")
                    .body(() -> utf8("[{\"order_id\":\"size2\"},{\"note\":\"" + "y".repeat(INGEST_MAX_RECORD_BYTES)
                            + "\"}]")),
                    refused(413, "record_too_large")),
            http("sizes", "one_huge_csv_row", post("sales").contentType("text/csv")
                    .body(() -> utf8("order_id,amount\nsize3,1.00\n" + "z".repeat(INGEST_MAX_RECORD_BYTES + 10)
                            + ",2\n")),
                    refused(413, "record_too_large")),

            // --- empty bodies
            http("empty", "no_bytes", post("sales").body(() -> new byte[0]), refused(400, "empty_body")),
            http("empty", "blank_lines", post("sales").ndjson("\n \r\n\t\n\n"), refused(400, "empty_body")),
            http("empty", "json_empty_array", post("sales").contentType("application/json").body(() -> utf8(" [ ] ")),
                    refused(400, "empty_body")),
            http("empty", "csv_header_only", post("sales").contentType("text/csv")
                    .body(() -> utf8("order_id,amount,ts\n")), refused(400, "empty_body")),
            http("empty", "gzip_of_nothing", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> gzip(new byte[0])), refused(400, "empty_body")),

            // --- malformed JSON bodies
            http("malformed JSON", "truncated_array", post("sales").contentType("application/json")
                    .body(() -> utf8("[{\"order_id\":\"mj1\",\"amount\":\"1.00\"},{\"order_id\":\"mj")),
                    refused(400, "malformed_body")),
            http("malformed JSON", "text_after_the_value", post("sales").contentType("application/json")
                    .body(() -> utf8("{\"order_id\":\"mj2\"} trailing")), refused(400, "malformed_body")),
            http("malformed JSON", "top_level_scalar", post("sales").contentType("application/json")
                    .body(() -> utf8("42")), refused(400, "malformed_body")),
            http("malformed JSON", "array_of_strings", post("sales").contentType("application/json")
                    .body(() -> utf8("[{\"order_id\":\"mj3\"},\"not an object\"]")), refused(400, "malformed_body")),
            http("malformed JSON", "nested_100k_deep", post("sales").contentType("application/json")
                    .body(() -> utf8("[".repeat(100_000) + "]".repeat(100_000))), refused(400, "malformed_body")),
            http("malformed JSON", "nan_token", post("sales").contentType("application/json")
                    .body(() -> utf8("{\"order_id\":\"mj4\",\"amount\":NaN}")), refused(400, "malformed_body")),

            // --- malformed CSV bodies
            http("malformed CSV", "unclosed_quote", post("sales").contentType("text/csv")
                    .body(() -> utf8("order_id,amount\nmc1,\"1.00\n")), refused(400, "malformed_body")),
            http("malformed CSV", "text_after_quote", post("sales").contentType("text/csv")
                    .body(() -> utf8("order_id,amount\n\"mc2\"x,1.00\n")), refused(400, "malformed_body")),
            http("malformed CSV", "more_fields_than_header", post("sales").contentType("text/csv")
                    .body(() -> utf8("order_id,amount\nmc3,1.00,extra\n")), refused(400, "malformed_body")),
            http("malformed CSV", "duplicate_header", post("sales").contentType("text/csv")
                    .body(() -> utf8("order_id,order_id\nmc4,mc5\n")), refused(400, "malformed_body")),
            http("malformed CSV", "blank_header_name", post("sales").contentType("text/csv")
                    .body(() -> utf8("order_id,,amount\nmc6,x,1.00\n")), refused(400, "malformed_body")),

            // --- invalid UTF-8
            http("invalid UTF-8", "ndjson_stray_byte", post("sales").body(() -> concat(utf8(good("u1", 1)),
                    utf8("{\"order_id\":\"u"), new byte[] { (byte) 0xff }, utf8("\"}\n"))),
                    refused(400, "invalid_utf8")),
            http("invalid UTF-8", "ndjson_overlong_slash", post("sales").body(() -> concat(utf8("{\"order_id\":\""),
                    new byte[] { (byte) 0xc0, (byte) 0xaf }, utf8("\"}\n"))), refused(400, "invalid_utf8")),
            http("invalid UTF-8", "ndjson_encoded_surrogate", post("sales").body(() -> concat(utf8("{\"order_id\":\""),
                    new byte[] { (byte) 0xed, (byte) 0xa0, (byte) 0x80 }, utf8("\"}\n"))), refused(400, "invalid_utf8")),
            http("invalid UTF-8", "ndjson_cut_sequence_at_end", post("sales").body(() -> concat(utf8(good("u2", 1)),
                    utf8("{\"order_id\":\"\u00e9"), new byte[] { (byte) 0xe2, (byte) 0x82 })),
                    refused(400, "invalid_utf8")),
            http("invalid UTF-8", "json_body", post("sales").contentType("application/json")
                    .body(() -> concat(utf8("[{\"order_id\":\""), new byte[] { (byte) 0xfe }, utf8("\"}]"))),
                    refused(400, "invalid_utf8")),
            http("invalid UTF-8", "csv_body", post("sales").contentType("text/csv")
                    .body(() -> concat(utf8("order_id,amount\n"), new byte[] { (byte) 0x80 }, utf8(",1.00\n"))),
                    refused(400, "invalid_utf8")),

            // --- idempotency keys
            http("idempotency", "key_with_spaces", post("sales").header("Idempotency-Key", "two words")
                    .ndjson(good("idem1", 1)), refused(400, "invalid_idempotency_key")),
            http("idempotency", "key_reused_for_another_body", post("sales").after(post("sales").ndjson(good("idem2", 2)))
                    .ndjson(good("idem3", 2)), refused(422, "idempotency_key_reused")),

            // --- records the transform step quarantines, sent with good ones in the same request
            http("malformed records", "ndjson_lines", post("sales").ndjson(good("mr1", 3)
                    + "{\"order_id\":\"bad\",}\n"
                    + "{\"order_id\":\"bad\",\"amount\":\"1.0\n"
                    + "[1,2,3]\n"
                    + "\"just text\"\n"
                    + "{\"order_id\":\"bad\"} {\"order_id\":\"twice\"}\n"
                    + good("mr1b", 2)),
                    quarantined("malformed_json", "malformed_json", "not_an_object", "not_an_object",
                            "malformed_json")),
            http("malformed records", "duplicate_keys", post("sales").ndjson(good("dup1", 2)
                    + "{\"order_id\":\"dup-a\",\"order_id\":\"dup-b\",\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\"}\n"
                    + "{\"order_id\":\"dup-c\",\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\","
                    + "\"shipping\":{\"city\":\"A\",\"city\":\"B\"}}\n"),
                    quarantined("malformed_json", "malformed_json")),
            http("malformed records", "nested_5k_deep", post("sales").ndjson(good("deep1", 2)
                    + "{\"order_id\":\"deep\",\"x\":" + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000) + "}\n"
                    + "{\"order_id\":\"deep2\",\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\",\"items\":"
                    + "[".repeat(3_000) + "]".repeat(3_000) + "}\n"),
                    quarantined("malformed_json", "malformed_json")),
            http("malformed records", "control_characters", post("sales").ndjson(good("ctl1", 1)
                    + "{\"order_id\":\"ctl\u0001\",\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\"}\n"),
                    quarantined("malformed_json")),
            http("malformed records", "json_array_elements", post("sales").contentType("application/json")
                    .body(() -> utf8("[" + goodObjects("arr1", 2)
                            + ",{\"order_id\":\"arr-d\",\"order_id\":\"arr-e\",\"amount\":1,\"ts\":\"2026-11-20T10:00:00Z\"}"
                            + ",{\"order_id\":\"arr-f\",\"amount\":\"many\",\"ts\":\"2026-11-20T10:00:00Z\"}]")),
                    quarantined("malformed_json", "type_mismatch@amount")),
            http("malformed records", "csv_rows", post("sales").contentType("text/csv").body(() -> utf8(
                    "order_id,amount,ts,quantity\n"
                            + "good-csv1-0,1.00,2026-11-20T10:00:00Z,1\n"
                            + "csv-bad-1,lots,2026-11-20T10:00:00Z,1\n"
                            + "csv-bad-2,1.00,yesterday,1\n"
                            + "csv-bad-3,1.00,2026-11-20T10:00:00Z,1.5\n"
                            + "csv-bad-4,,2026-11-20T10:00:00Z,1\n"
                            + "good-csv1-1,\"2.00\",2026-11-20T11:00:00Z,\n")),
                    quarantined("type_mismatch@amount", "type_mismatch@ts", "type_mismatch@quantity",
                            "missing_required@amount").withGood("sales", "good-csv1-0", "good-csv1-1")),
            http("malformed records", "csv_sent_as_ndjson", post("sales").ndjson(
                    "order_id,amount,ts\ncsv-as-ndjson,1.00,2026-11-20T10:00:00Z\n" + good("cas1", 1)),
                    quarantined("malformed_json", "malformed_json")),
            http("malformed records", "gzip_with_bad_lines", post("sales").header("Content-Encoding", "gzip")
                    .body(() -> gzip(utf8(good("gzl1", 3) + "{\"order_id\":\n" + good("gzl1b", 1)))),
                    quarantined("malformed_json").withGood("sales", "good-gzl1-0", "good-gzl1-1", "good-gzl1-2",
                            "good-gzl1b-0")),

            // --- wrong types
            http("wrong types", "scalars_and_nesting", post("sales").ndjson(good("wt1", 2)
                    + bad("wt-a", "\"amount\":\"abc\"")
                    + bad("wt-b", "\"quantity\":1.5")
                    + bad("wt-c", "\"quantity\":100000000000000000000")
                    + bad("wt-d", "\"items\":\"not a list\"")
                    + bad("wt-e", "\"shipping\":{\"express\":\"maybe\"}")
                    + bad("wt-f", "\"items\":[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\",\"qty\":2.5}]")
                    + bad("wt-g", "\"amount\":\"1.005\"")
                    + bad("wt-h", "\"customer_id\":{\"id\":1}")
                    + "{\"order_id\":[\"wt-i\"],\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\"}\n"),
                    quarantined("type_mismatch@amount", "type_mismatch@quantity", "out_of_range@quantity",
                            "type_mismatch@items", "type_mismatch@shipping.express", "type_mismatch@items[1].qty",
                            "out_of_range@amount", "type_mismatch@customer_id", "type_mismatch@order_id")),
            http("NaN and infinity", "tokens_and_strings", post("sales").ndjson(good("nan1", 2)
                    + "{\"order_id\":\"nan-a\",\"amount\":NaN,\"ts\":\"2026-11-20T10:00:00Z\"}\n"
                    + "{\"order_id\":\"nan-b\",\"amount\":\"1.00\",\"quantity\":Infinity,\"ts\":\"2026-11-20T10:00:00Z\"}\n"
                    + bad("nan-c", "\"amount\":\"NaN\"")
                    + bad("nan-d", "\"amount\":\"-Infinity\"")
                    + bad("nan-e", "\"amount\":1e400")
                    + bad("nan-f", "\"quantity\":\"Infinity\"")),
                    quarantined("malformed_json", "malformed_json", "type_mismatch@amount", "type_mismatch@amount",
                            "out_of_range@amount", "type_mismatch@quantity")),
            http("NaN and infinity", "huge_exponents_and_digits", post("sales").ndjson(good("ex1", 2)
                    + bad("ex-a", "\"amount\":1e999999999")
                    + bad("ex-b", "\"quantity\":\"1e999999999\"")
                    + badTs("ex-c", "1e999999999")
                    + bad("ex-d", "\"quantity\":1e-999999999")
                    + bad("ex-e", "\"amount\":" + "9".repeat(5_000))),
                    quarantined("out_of_range@amount", "out_of_range@quantity", "out_of_range@ts",
                            "out_of_range@quantity", "malformed_json")),
            http("timestamps", "out_of_range_and_unparseable", post("sales").ndjson(good("ts1", 2)
                    + badTs("ts-a", "\"10000-01-01T00:00:00Z\"") // ISO-8601 needs a sign on years past 9999
                    + badTs("ts-b", "\"0999-12-31T23:59:59Z\"")
                    + badTs("ts-c", "99999999999999999")
                    + badTs("ts-d", "-99999999999999")
                    + badTs("ts-e", "\"2026-13-45T25:61:00Z\"")
                    + badTs("ts-f", "\"+275760-09-13T00:00:00Z\"")
                    + badTs("ts-g", "true")
                    + badTs("ts-h", "null")
                    + "{\"order_id\":\"ts-i\",\"amount\":\"1.00\"}\n"),
                    quarantined("type_mismatch@ts", "out_of_range@ts", "out_of_range@ts", "out_of_range@ts",
                            "type_mismatch@ts", "out_of_range@ts", "type_mismatch@ts", "missing_required@ts",
                            "missing_required@ts")),
            http("field names", "reserved_and_unicode_names", post("sales").ndjson(
                    "{\"order_id\":\"good-names-0\",\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\","
                            + "\"_ingest_id\":\"forged\",\"_source_object\":\"silver/other\",\"_ingested_at\":\"1970-01-01\","
                            + "\"_extra\":\"forged\",\"year\":1999,\"month\":\"..\",\"day\":\"/\"}\n"
                            + "{\"order_id\":\"good-names-1\",\"amount\":\"2.00\",\"ts\":\"2026-11-21T10:00:00Z\","
                            + "\"\u540d\u524d\":\"\u5024\",\"\ud83d\ude00\":1,\"\u202eevil\":\"x\",\"ORDER_ID\":\"shadow\","
                            + "\"a.b\":1,\"\":\"empty name\",\"../x\":\"y\"}\n"
                            + "{\"order_id\":\"good-names-\u00e9\ud83d\ude00\\u0000\",\"amount\":\"3.00\","
                            + "\"ts\":\"2026-11-22T10:00:00Z\"}\n"),
                    storedAsIs("sales", "good-names-0", "good-names-1", "good-names-\u00e9\ud83d\ude00\u0000")),
            http("field names", "unknown_field_nested_900_deep", post("sales").ndjson(
                    "{\"order_id\":\"good-nest900-0\",\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\",\"deep\":"
                            + "{\"a\":".repeat(900) + "1" + "}".repeat(900) + "}\n"),
                    storedAsIs("sales", "good-nest900-0")),
            http("names and paths", "partition_values_with_paths", post("clicks").ndjson(goodClicks("pv1", 2)
                    + click("pv-a", "../../etc") + click("pv-b", "a/b") + click("pv-c", "%2F") + click("pv-d", "")
                    + click("pv-e", "x".repeat(200)) + click("pv-f", "..") + click("pv-g", ".")),
                    quarantined("out_of_range@country", "out_of_range@country", "out_of_range@country",
                            "out_of_range@country", "out_of_range@country", "out_of_range@country",
                            "out_of_range@country")),

            // --- the producer queue
            sqs("ingest queue", "no_dataset", new IngestMessage("{\"order_id\":\"q1\"}", Map.of()),
                    deadLetter(INGEST_QUEUE, "names no dataset")),
            sqs("ingest queue", "unknown_dataset", new IngestMessage(good("q2", 1), Map.of("dataset", "nosuch")),
                    deadLetter(INGEST_QUEUE, "not configured")),
            sqs("ingest queue", "attribute_dot_dot", new IngestMessage(good("q3", 1), Map.of("dataset", "../sales")),
                    deadLetter(INGEST_QUEUE, "Cannot use name")),
            sqs("ingest queue", "attribute_encoded_slash", new IngestMessage(good("q4", 1),
                    Map.of("dataset", "sales%2F..%2Fclicks")), deadLetter(INGEST_QUEUE, "Cannot use name")),
            sqs("ingest queue", "envelope_dataset_traversal", new IngestMessage(
                    "{\"dataset\":\"../../silver\",\"records\":[" + goodObjects("q5", 1) + "]}", Map.of()),
                    deadLetter(INGEST_QUEUE, "Cannot use name")),
            sqs("ingest queue", "envelope_disagrees_with_attribute", new IngestMessage(
                    "{\"dataset\":\"clicks\",\"records\":[" + goodObjects("q6", 1) + "]}", Map.of("dataset", "sales")),
                    deadLetter(INGEST_QUEUE, "its envelope names dataset")),
            sqs("ingest queue", "malformed_json", new IngestMessage("{\"order_id\":\"q7\",\"amount\":",
                    Map.of("dataset", "sales")), deadLetter(INGEST_QUEUE, "not well-formed JSON")),
            sqs("ingest queue", "blank_body", new IngestMessage("  \n\n  ", Map.of("dataset", "sales")),
                    deadLetter(INGEST_QUEUE, "no records")),
            sqs("ingest queue", "array_of_numbers", new IngestMessage("[1,2,3]", Map.of("dataset", "sales")),
                    deadLetter(INGEST_QUEUE, "not an object")),
            sqs("ingest queue", "nested_50k_deep", new IngestMessage("[".repeat(50_000) + "]".repeat(50_000),
                    Map.of("dataset", "sales")), deadLetter(INGEST_QUEUE, "not an object")),
            sqs("ingest queue", "sns_names_unknown_dataset", new IngestMessage(sns(good("q8", 1), "nosuch"), Map.of()),
                    deadLetter(INGEST_QUEUE, "not configured")),
            sqs("ingest queue", "record_over_the_record_limit", new IngestMessage(
                    "{\"order_id\":\"q9\",\"note\":\"" + "n".repeat(INGEST_MAX_RECORD_BYTES + 1000) + "\"}",
                    Map.of("dataset", "sales")), deadLetter(INGEST_QUEUE, "the limit is")),
            sqs("ingest queue", "message_over_the_queue_limit", new IngestMessage(
                    good("q10", 1) + "{\"pad\":\"" + "p".repeat(MIB + 1024) + "\"}\n", Map.of("dataset", "sales")),
                    queueRefused()),
            sqs("ingest queue", "bad_lines_among_good_ones", new IngestMessage(good("q11", 3)
                    + "{\"order_id\":\"q11-bad\",\"amount\":\"x\",\"ts\":\"2026-11-20T10:00:00Z\"}\n{oops}\n",
                    Map.of("dataset", "sales")), quarantined("type_mismatch@amount", "malformed_json")),

            // --- the transform queue: S3 event notifications and our own messages, malformed
            sqs("transform queue", "not_json", new TransformMessage("Records: please"),
                    deadLetter(TRANSFORM_QUEUE, "not JSON")),
            sqs("transform queue", "json_array", new TransformMessage("[{\"Records\":[]}]"),
                    deadLetter(TRANSFORM_QUEUE, "expected a JSON object")),
            sqs("transform queue", "records_not_an_array", new TransformMessage("{\"Records\":{\"eventName\":"
                    + "\"ObjectCreated:Put\"}}"), deadLetter(TRANSFORM_QUEUE, "Records is not an array")),
            sqs("transform queue", "key_with_dot_dot", new TransformMessage(s3Event("lake",
                    "bronze/sales/../../silver/sales/x.ndjson")), deadLetter(TRANSFORM_QUEUE, "'..' segment")),
            sqs("transform queue", "key_with_encoded_slashes", new TransformMessage(s3EventRaw("lake",
                    "bronze%2Fsales%2F..%2F..%2F_state%2Fx.json")), deadLetter(TRANSFORM_QUEUE, "'..' segment")),
            sqs("transform queue", "key_double_encoded", new TransformMessage(s3EventRaw("lake",
                    "bronze%2Fsales%2F..%252F..%252Fx.ndjson")), deadLetter(TRANSFORM_QUEUE, "does not exist")),
            sqs("transform queue", "key_bad_percent_escape", new TransformMessage(s3EventRaw("lake",
                    "bronze/sales/%zz.ndjson")), deadLetter(TRANSFORM_QUEUE, "not URL-encoded")),
            sqs("transform queue", "key_with_nul", new TransformMessage(s3EventRaw("lake", "bronze/sales/a%00b.ndjson")),
                    deadLetter(TRANSFORM_QUEUE, "control character")),
            sqs("transform queue", "key_outside_bronze", new TransformMessage(s3Event("lake",
                    "silver/sales/year=2026/month=11/day=20/x.parquet")), deadLetter(TRANSFORM_QUEUE, "bronze")),
            sqs("transform queue", "key_of_unknown_dataset", new TransformMessage(s3Event("lake",
                    "bronze/nosuch/x.ndjson")), deadLetter(TRANSFORM_QUEUE, "not configured")),
            sqs("transform queue", "another_bucket", new TransformMessage(s3Event("someone-elses-bucket",
                    "bronze/sales/x.ndjson")), deadLetter(TRANSFORM_QUEUE, "someone-elses-bucket")),
            sqs("transform queue", "object_that_does_not_exist", new TransformMessage(s3Event("lake",
                    "bronze/sales/tools/never-written.ndjson")), deadLetter(TRANSFORM_QUEUE, "does not exist")),
            sqs("transform queue", "no_key", new TransformMessage("{\"Records\":[{\"eventName\":\"ObjectCreated:Put\","
                    + "\"s3\":{\"bucket\":{\"name\":\"lake\"},\"object\":{}}}]}"),
                    deadLetter(TRANSFORM_QUEUE, "Cannot use Bronze key")),
            sqs("transform queue", "key_too_long", new TransformMessage(s3Event("lake",
                    "bronze/sales/" + "k".repeat(2_000))), deadLetter(TRANSFORM_QUEUE, "longer than")),
            sqs("transform queue", "eventbridge_traversal", new TransformMessage("{\"source\":\"aws.s3\","
                    + "\"detail-type\":\"Object Created\",\"detail\":{\"bucket\":{\"name\":\"lake\"},"
                    + "\"object\":{\"key\":\"bronze/sales/./../../x\"}}}"), deadLetter(TRANSFORM_QUEUE, "segment")),
            sqs("transform queue", "sns_message_not_json", new TransformMessage("{\"Type\":\"Notification\","
                    + "\"TopicArn\":\"arn:aws:sns:us-east-1:000000000000:t\",\"Message\":\"<xml/>\"}"),
                    deadLetter(TRANSFORM_QUEUE, "not JSON")),
            sqs("transform queue", "landed_unknown_version", new TransformMessage("{\"type\":\"bronze.object.landed\","
                    + "\"version\":99,\"id\":\"x\",\"dataset\":\"sales\",\"key\":\"bronze/sales/x.ndjson\"}"),
                    deadLetter(TRANSFORM_QUEUE, "version")),
            sqs("transform queue", "landed_dataset_disagrees_with_key", new TransformMessage(
                    "{\"type\":\"bronze.object.landed\",\"version\":1,\"id\":\"x\",\"dataset\":\"clicks\","
                            + "\"key\":\"bronze/sales/ingest_date=2026-11-20/hour=10/x.ndjson.gz\",\"bytes\":1,"
                            + "\"receivedAt\":\"2026-11-20T10:00:00Z\",\"source\":\"http\"}"),
                    deadLetter(TRANSFORM_QUEUE, "belongs to")),
            sqs("transform queue", "wrong_message_type", new TransformMessage("{\"type\":\"files.written\","
                    + "\"version\":1,\"id\":\"x\",\"dataset\":\"sales\",\"database\":\"lake\",\"zone\":\"silver\","
                    + "\"files\":[],\"sources\":[]}"), deadLetter(TRANSFORM_QUEUE, "files.written")),

            // --- objects other tools put into Bronze, announced by S3 event notifications
            bronze("bronze objects", "truncated_gzip", new BronzeObject("bronze/sales/tools/truncated.ndjson.gz",
                    () -> truncate(gzip(utf8(good("bt1", 50) + "x".repeat(20_000))), 0.5)),
                    quarantined("truncated_input").withGoodPrefix("sales", "good-bt1-", 1)),
            bronze("bronze objects", "gzip_bomb_one_line", new BronzeObject("bronze/sales/tools/bomb.ndjson.gz",
                    () -> concat(gzip(utf8(good("bb1", 2))), gzipBomb(new byte[MIB], 200))),
                    quarantined("record_too_large").withGood("sales", "good-bb1-0", "good-bb1-1")),
            bronze("bronze objects", "line_over_the_transform_limit", new BronzeObject(
                    "bronze/sales/tools/long-line.ndjson", () -> utf8(good("bl1", 1) + "{\"order_id\":\""
                            + "l".repeat(MIB + 100) + "\"}\n" + good("bl1b", 1))),
                    quarantined("record_too_large")),
            bronze("bronze objects", "invalid_utf8_line", new BronzeObject("bronze/sales/tools/utf8.ndjson",
                    () -> concat(utf8(good("bu1", 1)), utf8("{\"order_id\":\""), new byte[] { (byte) 0xc3, '(' },
                            utf8("\",\"amount\":\"1.00\",\"ts\":\"2026-11-20T10:00:00Z\"}\n"), utf8(good("bu1b", 1)))),
                    quarantined("malformed_json")),
            bronze("bronze objects", "csv_with_bad_rows", new BronzeObject("bronze/sales/tools/rows.csv",
                    () -> utf8("order_id,amount,ts\ngood-bc1-0,1.00,2026-11-20T10:00:00Z\n"
                            + "bc-bad,\"1.00,2026-11-20T10:00:00Z\nnever,closed\n")),
                    quarantined("malformed_csv").withGood("sales", "good-bc1-0")),
            bronze("bronze objects", "plain_text_named_gz", new BronzeObject("bronze/sales/tools/plain.ndjson.gz",
                    () -> utf8(good("bp1", 2) + "not json at all\n")), quarantined("malformed_json")),
            bronze("bronze objects", "key_with_spaces_and_unicode", new BronzeObject(
                    "bronze/sales/tools/caf\u00e9 +plus & more.ndjson", () -> utf8(good("bk1", 2) + "{}\n")),
                    quarantined("missing_required@order_id")));

    static Stream<HostileCase> corpus() {
        return CORPUS.stream();
    }

    // ------------------------------------------------------------------------------------------------ the tests

    @BeforeAll
    static void startPipelineAndDeliverTheCorpus() throws Exception {
        loadNestedClasses(HostileInputSystemIT.class);
        pipeline = new LocalPipeline(Path.of("target/hostile-input").toAbsolutePath());
        if (Files.exists(pipeline.home)) {
            try (Stream<Path> old = Files.walk(pipeline.home)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        pipeline.environment.putAll(Map.of(
                // queue-only batches wait for the interval; nobody should wait 5 minutes here
                "MEDALLION_INGEST_BUFFER_INTERVAL", "1s",
                "MEDALLION_INGEST_SQS_CONSUMER_WAIT_TIME", "1s",
                // the bombs meet this limit (the default is 256M): the same refusal, a quarter of the CPU
                "MEDALLION_INGEST_MAX_INFLATED_BYTES", "64M",
                // other builds may share the machine: give the services time to start
                "MEDALLION_START_TIMEOUT", "300",
                // a second key, scoped to clicks only
                "MEDALLION_AUTH_KEYS_CLICKER_SHA256", sha256(CLICKS_ONLY_KEY),
                "MEDALLION_AUTH_KEYS_CLICKER_DATASETS", "clicks"));
        pipeline.start();
        for (String service : SERVICES) {
            pidsAtStart.put(service, pid(service));
        }
        sqs = SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + pipeline.ports.get("sqs")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("medallion", "medallion-local-secret")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        // the asynchronous channels first, so the pipeline works on them while HTTP cases are sent
        List<HostileCase> ordered = new ArrayList<>(CORPUS);
        ordered.sort(java.util.Comparator.comparing(c -> c.input() instanceof Http));
        for (HostileCase hostile : ordered) {
            try {
                Sent delivered = hostile.input().send(hostile);
                sent.put(hostile.name(), delivered);
                if (delivered.status() == 0 || delivered.status() == 200) {
                    addGood(hostile.expected().dataset(hostile), hostile.expected().goodKeys(hostile));
                }
            } catch (Exception | AssertionError e) {
                sent.put(hostile.name(), Sent.failed(e));
            }
        }
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (sqs != null) {
            sqs.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsInItsExpectedOutcome(HostileCase hostile) throws Exception {
        Sent delivered = sent.get(hostile.name());
        assertThat(delivered).as("delivered").isNotNull();
        if (delivered.failure() != null) {
            throw new AssertionError("Could not deliver " + hostile.name(), delivered.failure());
        }
        try {
            hostile.expected().check(hostile, delivered);
        } catch (AssertionError e) {
            throw new AssertionError(hostile + " (expected " + hostile.expected() + "): " + e.getMessage(), e);
        }
    }

    @Test
    @Order(2)
    void theCorpusIsLargeAndCoversEveryOutcome() {
        assertThat(CORPUS).hasSizeGreaterThanOrEqualTo(55);
        assertThat(CORPUS.stream().map(HostileCase::name).distinct()).hasSameSizeAs(CORPUS);
        assertThat(CORPUS.stream().map(c -> c.expected().getClass().getSimpleName()).distinct())
                .contains("Refused", "Quarantined", "DeadLettered", "QueueRefused", "Stored");
    }

    @Test
    @Order(3)
    void noServiceCrashedOrRestarted() throws Exception {
        for (String service : SERVICES) {
            Http.Response health = new Http(service, "GET", "/q/health", headers(), () -> new byte[0]).exchange();
            assertThat(health.status()).as(service + " health: " + health.body()).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).path("status").asText()).as(service).isEqualTo("UP");
            assertThat(pid(service)).as(service + " pid").isEqualTo(pidsAtStart.get(service));
            assertThat(ProcessHandle.of(pid(service)).map(ProcessHandle::isAlive)).as(service + " alive")
                    .contains(true);
            assertThat(Files.readString(pipeline.log(service))).as(service + " log")
                    .doesNotContain("OutOfMemoryError").doesNotContain("StackOverflowError");
        }
    }

    /** Good records sent in the same requests, messages and objects as the bad ones: each in Silver once. */
    @Test
    @Order(4)
    void goodRecordsTravellingWithBadOnesAreInSilverExactlyOnce() throws Exception {
        assertThat(goodKeys.get("sales")).hasSizeGreaterThan(100);
        for (var dataset : Map.of("sales", "order_id", "clicks", "click_id").entrySet()) {
            Set<String> expected = goodKeys.getOrDefault(dataset.getKey(), Set.of());
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                List<String> found = silverKeys(dataset.getKey(), dataset.getValue(), "good-%");
                assertThat(found).as(dataset.getKey()).hasSameSizeAs(expected)
                        .containsExactlyInAnyOrderElementsOf(expected);
            });
        }
    }

    /** A refused request, message or event leaves nothing in Silver or quarantine. */
    @Test
    @Order(5)
    void nothingOfARefusedInputWasStored() throws Exception {
        // (a request refused for reusing an Idempotency-Key shares its segment id with the first, stored, one)
        Set<String> refusedIds = CORPUS.stream().filter(c -> !(c.expected() instanceof Quarantined)
                && !(c.expected() instanceof Stored) && !(c.input() instanceof Http h && h.before() != null))
                .map(c -> sent.get(c.name()).segment()).filter(id -> !id.isEmpty()).collect(Collectors.toSet());
        assertThat(refusedIds).hasSizeGreaterThan(40);
        List<String> lineage = silverColumn("sales", "_ingest_id");
        lineage.addAll(silverColumn("clicks", "_ingest_id"));
        Set<String> segments = lineage.stream().map(id -> id.split(":").length >= 3 ? id.split(":")[1] : id)
                .collect(Collectors.toSet());
        assertThat(segments).doesNotContainAnyElementsOf(refusedIds);
        assertThat(quarantine().stream().map(q -> q.path("segment_id").asText()).collect(Collectors.toSet()))
                .doesNotContainAnyElementsOf(refusedIds);
    }

    @Test
    @Order(6)
    void theDeadLetterQueuesHoldOnlyThePoisonPlanted() {
        Set<String> planted = CORPUS.stream().filter(c -> c.expected() instanceof DeadLettered)
                .map(c -> sent.get(c.name()).id()).collect(Collectors.toSet());
        collectDeadLetters();
        assertThat(deadLetters.keySet()).containsExactlyInAnyOrderElementsOf(planted);
    }

    @Test
    @Order(7)
    void everyObjectIsUnderItsOwnZoneAndDatasetPrefix() throws Exception {
        Path lake = pipeline.lakeDir().toRealPath();
        // the bucket is the only folder the S3 server keeps: nothing was written into another bucket
        try (Stream<Path> buckets = Files.list(lake.getParent())) {
            assertThat(buckets.map(p -> p.getFileName().toString())).containsExactly("lake");
        }
        String datasets = "(sales|clicks|refunds)";
        String day = "year=\\d{4}/month=(0[1-9]|1[0-2])/day=(0[1-9]|[12]\\d|3[01])";
        List<Pattern> allowed = List.of(
                Pattern.compile("bronze/" + datasets + "/ingest_date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/"
                        + "\\d{8}T\\d{6}Z-[0-9a-f-]{36}\\.ndjson\\.gz"),
                Pattern.compile("bronze/sales/tools/[^/]+"),
                Pattern.compile("silver/" + datasets + "/" + day + "(/country=[A-Za-z0-9_.-]{1,128})?(/_gen=[^/]+)?"
                        + "/part-[0-9a-f]+-\\d{5}\\.parquet"),
                Pattern.compile("quarantine/" + datasets + "/error_type=[a-z_]+/ingest_date=\\d{4}-\\d{2}-\\d{2}/"
                        + "[0-9a-f]+\\.ndjson"),
                Pattern.compile("gold/daily_sales/" + day + "/part-00000\\.parquet"),
                Pattern.compile("catalog/lake/(sales|clicks|refunds|daily_sales)/[^/]+(/[^/]+)*\\.json"),
                Pattern.compile("_state/(ingest|transform|compaction|generations|catalog)/.+"));
        List<String> keys;
        try (Stream<Path> files = Files.walk(lake)) {
            keys = files.filter(Files::isRegularFile).map(f -> lake.relativize(f).toString()).sorted().toList();
        }
        assertThat(keys).isNotEmpty().allSatisfy(key -> {
            assertThat(key.split("/")).as(key).doesNotContain("..", ".", "");
            assertThat(lake.resolve(key).toRealPath().startsWith(lake)).as(key + " inside the bucket").isTrue();
            assertThat(allowed.stream().anyMatch(p -> p.matcher(key).matches())).as(key + " has a known prefix")
                    .isTrue();
        });
    }

    // ------------------------------------------------------------------------------------------------ outcomes

    /** What a case must end in. */
    sealed interface Expected permits Refused, RefusedByServer, Quarantined, DeadLettered, QueueRefused, Stored {
        void check(HostileCase hostile, Sent sent) throws Exception;

        /** The good records of the case that must reach Silver, once. */
        default List<String> goodKeys(HostileCase hostile) {
            return List.of();
        }

        default String dataset(HostileCase hostile) {
            return hostile.input().dataset();
        }
    }

    /** An HTTP 4xx whose JSON body names the error code and gives a reason. */
    record Refused(int status, String error) implements Expected {
        @Override
        public void check(HostileCase hostile, Sent sent) throws Exception {
            assertThat(sent.status()).as("status, body: " + sent.body()).isEqualTo(status);
            JsonNode body = JSON.readTree(sent.body());
            assertThat(body.path("error").asText()).as(sent.body()).isEqualTo(error);
            assertThat(body.path("reason").asText()).as(sent.body()).hasSizeGreaterThan(10);
        }
    }

    /**
     * A 4xx from the HTTP server itself (its router, its body-size limit), before any of our code runs: the status,
     * and its page as it is ({@code page} is a fragment of it, or empty for an empty body).
     */
    record RefusedByServer(int status, String page) implements Expected {
        @Override
        public void check(HostileCase hostile, Sent sent) {
            assertThat(sent.status()).as("status, body: " + sent.body()).isEqualTo(status);
            if (page.isEmpty()) {
                assertThat(sent.body()).isEmpty();
            } else {
                assertThat(sent.body()).containsIgnoringCase(page);
            }
        }
    }

    /**
     * The input was stored, and the transform step quarantined exactly these records with a reason
     * ({@code error_type} or {@code error_type@field}); the good records that came with them are in Silver.
     */
    record Quarantined(List<String> entries, String dataset, List<String> good, String goodPrefix, int goodCount)
            implements
                Expected {
        Quarantined withGood(String dataset, String... keys) {
            return new Quarantined(entries, dataset, List.of(keys), null, keys.length);
        }

        Quarantined withGoodPrefix(String dataset, String prefix, int atLeast) {
            return new Quarantined(entries, dataset, List.of(), prefix, atLeast);
        }

        @Override
        public void check(HostileCase hostile, Sent sent) throws Exception {
            if (sent.status() != 0) {
                assertThat(sent.status()).as("accepted, body: " + sent.body()).isEqualTo(200);
            }
            List<String> expected = entries.stream().sorted().toList();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                List<JsonNode> found = quarantine().stream().filter(q -> sent.segment().equals(
                        hostile.input() instanceof BronzeObject ? q.path("source_object").asText()
                                : q.path("segment_id").asText()))
                        .toList();
                assertThat(found.stream().map(q -> q.path("error_type").asText()
                        + (q.path("field").asText().isEmpty() ? "" : "@" + q.path("field").asText())).sorted())
                        .as("quarantined from " + sent.segment()).containsExactlyElementsOf(expected);
                assertThat(found).allSatisfy(q -> {
                    assertThat(q.path("reason").asText()).as(q.toString()).hasSizeGreaterThan(5);
                    assertThat(q.path("position").asLong()).as(q.toString()).isPositive();
                    assertThat(q.path("source_object").asText()).as(q.toString()).startsWith("bronze/");
                });
            });
            String ds = dataset(hostile);
            String keyColumn = ds.equals("clicks") ? "click_id" : "order_id";
            if (goodPrefix != null) {
                // how many records a truncated object keeps depends on where it was cut: at least this many
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    List<String> found = silverKeys(ds, keyColumn, goodPrefix + "%");
                    assertThat(found).hasSizeGreaterThanOrEqualTo(goodCount).doesNotHaveDuplicates();
                    addGood(ds, found);
                });
            } else {
                List<String> keys = goodKeys(hostile);
                assertThat(keys).as("good records sent with the bad").isNotEmpty();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
                        () -> assertThat(silverKeys(ds, keyColumn, "good-%")).containsAll(keys));
            }
        }

        @Override
        public String dataset(HostileCase hostile) {
            return dataset == null ? hostile.input().dataset() : dataset;
        }

        @Override
        public List<String> goodKeys(HostileCase hostile) {
            return goodPrefix != null ? List.of() : !good.isEmpty() ? good : hostile.input().goodKeys();
        }
    }

    /** Records with hostile names or values that are nonetheless good: stored once, lineage and partitions ours. */
    record Stored(String dataset, List<String> keys) implements Expected {
        @Override
        public void check(HostileCase hostile, Sent sent) throws Exception {
            assertThat(sent.status()).as(sent.body()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                List<String> rows = rows("SELECT order_id, _ingest_id, _source_object, year, month, day, "
                        + "CAST(ts AS DATE) FROM " + silver(dataset) + " WHERE _ingest_id LIKE 'http:" + sent.id()
                        + ":%' ORDER BY _ingest_id");
                assertThat(rows).hasSize(keys.size());
                for (int i = 0; i < keys.size(); i++) {
                    String[] row = rows.get(i).split("\\|", -1);
                    assertThat(row[0]).isEqualTo(keys.get(i));
                    assertThat(row[1]).isEqualTo("http:" + sent.id() + ":" + (i + 1));
                    assertThat(row[2]).startsWith("bronze/" + dataset + "/ingest_date=");
                    assertThat(row[3] + "-" + pad(row[4]) + "-" + pad(row[5])).isEqualTo(row[6]);
                }
            });
            assertThat(quarantine()).noneMatch(q -> q.path("segment_id").asText().equals(sent.id()));
        }

        @Override
        public List<String> goodKeys(HostileCase hostile) {
            return keys;
        }

        @Override
        public String dataset(HostileCase hostile) {
            return dataset;
        }

        private static String pad(String number) {
            return number.length() == 1 ? "0" + number : number;
        }
    }

    /** A message on a queue that the consumer moved to the queue's dead-letter queue at once, with its reason. */
    record DeadLettered(String queue, String reason) implements Expected {
        @Override
        public void check(HostileCase hostile, Sent sent) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        collectDeadLetters();
                        assertThat(deadLetters).containsKey(sent.id());
                    });
            DeadLetter letter = deadLetters.get(sent.id());
            assertThat(letter.queue()).isEqualTo(queue + "-dlq");
            assertThat(letter.sourceQueue()).isEqualTo(queue);
            assertThat(letter.error()).as("the dead letter's reason").contains(reason);
        }
    }

    /** A message the queue itself refuses to take (SQS's size limit): it never reaches a consumer. */
    record QueueRefused() implements Expected {
        @Override
        public void check(HostileCase hostile, Sent sent) {
            assertThat(sent.status()).as(sent.body()).isBetween(400, 499);
            assertThat(sent.body()).as("the queue's reason").containsIgnoringCase("too").containsIgnoringCase("long");
        }
    }

    record DeadLetter(String queue, String sourceQueue, String error) {
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /** What delivering a case gave back: an HTTP answer, and the id its records or message are known by. */
    /**
     * @param id what the case's outcome is found by: the Idempotency-Key, the message body, the object key
     * @param segment the segment id its records' lineage and quarantine entries carry, if any was stored
     */
    record Sent(int status, String body, String id, String segment, Throwable failure) {
        static Sent failed(Throwable failure) {
            return new Sent(0, "", "", "", failure);
        }
    }

    sealed interface Input permits Http, IngestMessage, TransformMessage, BronzeObject {
        Sent send(HostileCase hostile) throws Exception;

        /** The good records it carries (keys {@code good-...}); they must reach Silver once. */
        default List<String> goodKeys() {
            return List.of();
        }

        default String dataset() {
            return "sales";
        }
    }

    /**
     * One HTTP request, written on a socket as is: the path is not normalised or re-encoded, and any header can be
     * sent, so the request is exactly the hostile one.
     */
    record Http(String service, String method, String path, Map<String, String> headers, Supplier<byte[]> body,
            Long declaredLength, Http before) implements Input {

        Http(String service, String method, String path, Map<String, String> headers, Supplier<byte[]> body) {
            this(service, method, path, headers, body, null, null);
        }

        record Response(int status, String body) {
        }

        Http header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Http(service, method, path, more, body, declaredLength, before);
        }

        Http noAuth() {
            Map<String, String> fewer = new LinkedHashMap<>(headers);
            fewer.remove("Authorization");
            return new Http(service, method, path, fewer, body, declaredLength, before);
        }

        Http bearer(String key) {
            return header("Authorization", "Bearer " + key);
        }

        Http contentType(String type) {
            Map<String, String> changed = new LinkedHashMap<>(headers);
            if (type == null) {
                changed.remove("Content-Type");
            } else {
                changed.put("Content-Type", type);
            }
            return new Http(service, method, path, changed, body, declaredLength, before);
        }

        Http body(Supplier<byte[]> content) {
            return new Http(service, method, path, headers, content, declaredLength, before);
        }

        Http ndjson(String text) {
            return body(() -> utf8(text));
        }

        /** Sends the body in 1 MiB chunks, announcing no length. */
        Http chunked() {
            return new Http(service, method, path, headers, body, -1L, before);
        }

        /** Declares a length and sends no body: the service must answer from the header alone. */
        Http declaredLength(long length) {
            return new Http(service, method, path, headers, () -> new byte[0], length, before);
        }

        /** Sends {@code first} with the same Idempotency-Key before this request. */
        Http after(Http first) {
            return new Http(service, method, path, headers, body, declaredLength, first);
        }

        @Override
        public Sent send(HostileCase hostile) throws Exception {
            String requestId = "hostile-" + hostile.name().replace('_', '-');
            Http request = headers.containsKey("Idempotency-Key") ? this : header("Idempotency-Key", requestId);
            if (before != null) {
                Response first = before.header("Idempotency-Key", requestId).exchange();
                assertThat(first.status()).as(first.body()).isEqualTo(200);
                addGood("sales", before.goodKeys());
            }
            Response response = request.exchange();
            String key = request.headers.get("Idempotency-Key");
            return new Sent(response.status(), response.body(), key, key, null);
        }

        @Override
        public List<String> goodKeys() {
            return keysIn(new String(body.get(), StandardCharsets.UTF_8));
        }

        @Override
        public String dataset() {
            return path.startsWith("/v1/datasets/clicks/") ? "clicks" : "sales";
        }

        Response exchange() throws IOException {
            byte[] content = body.get();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), pipeline.ports.get(service))) {
                socket.setSoTimeout(60_000);
                boolean chunked = declaredLength != null && declaredLength < 0;
                var head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Connection: close\r\n" + (chunked ? "Transfer-Encoding: chunked"
                                : "Content-Length: " + (declaredLength != null ? declaredLength : content.length))
                        + "\r\n");
                headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
                OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                out.write(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
                try {
                    if (chunked) {
                        for (int from = 0; from < content.length; from += MIB) {
                            int size = Math.min(MIB, content.length - from);
                            out.write(utf8(Integer.toHexString(size) + "\r\n"));
                            out.write(content, from, size);
                            out.write(utf8("\r\n"));
                        }
                        out.write(utf8("0\r\n\r\n"));
                    } else {
                        out.write(content);
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server may answer and close before reading everything: its answer is still there
                }
                return read(new java.io.BufferedInputStream(socket.getInputStream()));
            }
        }

        /**
         * Reads one answer: the head, then as many bytes as it announces (or its chunks), without waiting for the
         * server to close the connection (it may keep it open while a body it refused is still due).
         */
        private static Response read(InputStream in) throws IOException {
            var head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("The connection closed before an HTTP answer: " + head);
                }
                head.write(b);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String line : Arrays.asList(lines).subList(1, lines.length)) {
                int colon = line.indexOf(':');
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
            byte[] body;
            if (fields.getOrDefault("Transfer-Encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
                var decoded = new ByteArrayOutputStream();
                int size;
                while ((size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0) {
                    decoded.writeBytes(in.readNBytes(size));
                    line(in);
                }
                body = decoded.toByteArray();
            } else if (fields.containsKey("Content-Length")) {
                body = in.readNBytes(Integer.parseInt(fields.get("Content-Length")));
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            var line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A message on the producer queue, sent in one batch with a good message, as producers batch. */
    record IngestMessage(String body, Map<String, String> attributes) implements Input {
        @Override
        public Sent send(HostileCase hostile) {
            String companion = good(hostile.name().replace('_', '-') + "-companion", 2);
            var entries = List.of(
                    SendMessageBatchRequestEntry.builder().id("hostile").messageBody(body)
                            .messageAttributes(sqsAttributes(attributes)).build(),
                    SendMessageBatchRequestEntry.builder().id("good").messageBody(companion)
                            .messageAttributes(sqsAttributes(Map.of("dataset", "sales"))).build());
            try {
                var result = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl(INGEST_QUEUE)).entries(entries));
                if (!result.failed().isEmpty()) {
                    var failure = result.failed().get(0);
                    assertThat(result.successful()).isEmpty(); // nothing sent: the pair stays a pair
                    if (result.successful().stream().anyMatch(s -> s.id().equals("good"))) {
                        addGood("sales", keysIn(companion));
                    }
                    return new Sent(failure.senderFault() ? 400 : 500, failure.code() + ": " + failure.message(),
                            "", "", null);
                }
                addGood("sales", keysIn(companion));
                String id = result.successful().stream().filter(s -> s.id().equals("hostile")).findFirst()
                        .orElseThrow().messageId();
                return new Sent(0, "", body, id, null);
            } catch (SqsException e) {
                return new Sent(e.statusCode(), e.awsErrorDetails().errorMessage(), "", "", null);
            }
        }

        @Override
        public List<String> goodKeys() {
            return keysIn(body);
        }
    }

    /** A message on the transform queue, sent in one batch with an event for a good object another tool wrote. */
    record TransformMessage(String body) implements Input {
        @Override
        public Sent send(HostileCase hostile) throws IOException {
            String key = "bronze/sales/tools/companion-" + hostile.name().replace('_', '-') + ".ndjson";
            String companion = good(hostile.name().replace('_', '-') + "-object", 1);
            writeObject(key, utf8(companion));
            var entries = List.of(
                    SendMessageBatchRequestEntry.builder().id("hostile").messageBody(body).build(),
                    SendMessageBatchRequestEntry.builder().id("good").messageBody(s3Event("lake", key)).build());
            var result = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl(TRANSFORM_QUEUE)).entries(entries));
            assertThat(result.failed()).isEmpty();
            addGood("sales", keysIn(companion));
            return new Sent(0, "", body, "", null);
        }
    }

    /**
     * An object another tool puts into Bronze (written where the S3 server keeps the bucket), announced on the
     * transform queue by an S3 event notification.
     */
    record BronzeObject(String key, Supplier<byte[]> content) implements Input {
        @Override
        public Sent send(HostileCase hostile) throws IOException {
            writeObject(key, content.get());
            sqs.sendMessage(b -> b.queueUrl(queueUrl(TRANSFORM_QUEUE)).messageBody(s3Event("lake", key)));
            return new Sent(0, "", key, key, null);
        }

        @Override
        public List<String> goodKeys() {
            return keysIn(new String(content.get(), StandardCharsets.UTF_8));
        }
    }

    // ------------------------------------------------------------------------------------------------ building cases

    private static HostileCase http(String category, String name, Http request, Expected expected) {
        return new HostileCase(category, name, request, expected);
    }

    private static HostileCase sqs(String category, String name, Input message, Expected expected) {
        return new HostileCase(category, name, message, expected);
    }

    private static HostileCase bronze(String category, String name, BronzeObject object, Expected expected) {
        return new HostileCase(category, name, object, expected);
    }

    /** A POST of NDJSON records to a dataset with the test's key; the dataset goes into the path as is. */
    private static Http post(String dataset) {
        return new Http("ingest", "POST", "/v1/datasets/" + dataset + "/records",
                headers("Authorization", "Bearer " + LocalPipeline.API_KEY, "Content-Type", "application/x-ndjson"),
                () -> new byte[0]);
    }

    private static Map<String, String> headers(String... pairs) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.put(pairs[i], pairs[i + 1]);
        }
        return headers;
    }

    private static Refused refused(int status, String error) {
        return new Refused(status, error);
    }

    private static RefusedByServer refusedByServer(int status, String page) {
        return new RefusedByServer(status, page);
    }

    private static Quarantined quarantined(String... entries) {
        return new Quarantined(List.of(entries), null, List.of(), null, 0);
    }

    private static DeadLettered deadLetter(String queue, String reason) {
        return new DeadLettered(queue, reason);
    }

    private static QueueRefused queueRefused() {
        return new QueueRefused();
    }

    private static Stored storedAsIs(String dataset, String... keys) {
        return new Stored(dataset, List.of(keys));
    }

    /** {@code count} good sales records, keys {@code good-<tag>-<n>}, as NDJSON. */
    private static String good(String tag, int count) {
        var out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append("{\"order_id\":\"good-").append(tag).append('-').append(i).append("\",\"amount\":\"")
                    .append(i + 1).append(".25\",\"ts\":\"2026-11-2").append(i % 3)
                    .append("T10:00:00Z\",\"customer_id\":\"c").append(i % 5).append("\",\"channel\":\"web\"}\n");
        }
        return out.toString();
    }

    private static String goodObjects(String tag, int count) {
        return String.join(",", good(tag, count).strip().split("\n"));
    }

    private static String goodClicks(String tag, int count) {
        var out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append("{\"click_id\":\"good-").append(tag).append('-').append(i)
                    .append("\",\"country\":\"DE\",\"ts\":\"2026-11-20T10:00:00Z\"}\n");
        }
        return out.toString();
    }

    private static String click(String id, String country) {
        return "{\"click_id\":\"" + id + "\",\"country\":\"" + country + "\",\"ts\":\"2026-11-20T10:00:00Z\"}\n";
    }

    /** A sales record, otherwise good, with {@code fields} added or overriding. */
    private static String bad(String id, String fields) {
        String amount = fields.contains("\"amount\":") ? "" : "\"amount\":\"1.00\",";
        return "{\"order_id\":\"" + id + "\"," + amount + "\"ts\":\"2026-11-20T10:00:00Z\"," + fields + "}\n";
    }

    private static String badTs(String id, String ts) {
        return "{\"order_id\":\"" + id + "\",\"amount\":\"1.00\",\"ts\":" + ts + "}\n";
    }

    private static String sns(String message, String dataset) {
        try {
            return JSON.writeValueAsString(Map.of("Type", "Notification", "MessageId", "sns-hostile-1",
                    "TopicArn", "arn:aws:sns:us-east-1:000000000000:producers", "Message", message,
                    "MessageAttributes", Map.of("dataset", Map.of("Type", "String", "Value", dataset))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An S3 event notification for one created object, its key URL-encoded as S3 does. */
    private static String s3Event(String bucket, String key) {
        return s3EventRaw(bucket, URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"));
    }

    private static String s3EventRaw(String bucket, String encodedKey) {
        return "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":"
                + "{\"name\":\"" + bucket + "\"},\"object\":{\"key\":\"" + encodedKey + "\"}}}]}";
    }

    private static void addGood(String dataset, List<String> keys) {
        goodKeys.computeIfAbsent(dataset, d -> ConcurrentHashMap.newKeySet()).addAll(keys);
    }

    private static List<String> keysIn(String text) {
        return Pattern.compile("\"(?:order_id|click_id)\":\"(good-[^\"]+)\"").matcher(text).results()
                .map(m -> m.group(1)).toList();
    }

    // ------------------------------------------------------------------------------------------------ bytes

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] plain) {
        var out = new ByteArrayOutputStream();
        try (var gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static byte[] truncate(byte[] bytes, double keep) {
        return Arrays.copyOf(bytes, (int) (bytes.length * keep));
    }

    /** The gzip trailer's CRC no longer matches the data. */
    private static byte[] corruptTrailer(byte[] gzip) {
        byte[] copy = gzip.clone();
        copy[copy.length - 8] ^= 0x5a;
        return copy;
    }

    /**
     * A gzip bomb: {@code chunk}, compressed once at the best level, repeated as {@code times} gzip members (readers
     * inflate concatenated members as one stream), so a few hundred KiB inflate to {@code times} chunks.
     */
    private static byte[] gzipBomb(byte[] chunk, int times) {
        var deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(chunk);
        deflater.finish();
        var member = new ByteArrayOutputStream();
        member.writeBytes(new byte[] { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, (byte) 0xff });
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.finished()) {
            member.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        var crc = new CRC32();
        crc.update(chunk);
        writeIntLe(member, (int) crc.getValue());
        writeIntLe(member, chunk.length);
        byte[] one = member.toByteArray();
        var bomb = new ByteArrayOutputStream(one.length * times);
        for (int i = 0; i < times; i++) {
            bomb.writeBytes(one);
        }
        return bomb.toByteArray();
    }

    /** A JSON array of empty objects that inflates past the limit. */
    private static byte[] jsonArrayBomb() {
        byte[] objects = utf8("{},".repeat(MIB / 3));
        return concat(gzip(utf8("[")), gzipBomb(objects, 300), gzip(utf8("{}]")));
    }

    private static void writeIntLe(ByteArrayOutputStream out, int value) {
        for (int i = 0; i < 4; i++) {
            out.write((value >>> (8 * i)) & 0xff);
        }
    }

    // ------------------------------------------------------------------------------------------------ the lake

    /** Puts an object into the bucket the way S3Proxy's file-system backend keeps it: a file under the bucket. */
    private static void writeObject(String key, byte[] content) throws IOException {
        Path file = pipeline.lakeDir().resolve(key);
        Files.createDirectories(file.getParent());
        Path staged = Files.createTempFile(pipeline.home, "object", ".tmp");
        Files.write(staged, content);
        Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Every quarantine entry in the lake. */
    private static List<JsonNode> quarantine() throws IOException {
        Path zone = pipeline.lakeDir().resolve("quarantine");
        if (!Files.exists(zone)) {
            return List.of();
        }
        List<JsonNode> entries = new ArrayList<>();
        try (Stream<Path> files = Files.walk(zone)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".ndjson")).toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        entries.add(JSON.readTree(line));
                    }
                }
            }
        }
        return entries;
    }

    private static String silver(String dataset) {
        return "read_parquet('" + pipeline.lakeDir().resolve("silver/" + dataset)
                + "/**/*.parquet', hive_partitioning = true, union_by_name = true)";
    }

    private static boolean hasSilver(String dataset) throws IOException {
        Path zone = pipeline.lakeDir().resolve("silver/" + dataset);
        if (!Files.exists(zone)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(zone)) {
            return files.anyMatch(f -> f.toString().endsWith(".parquet"));
        }
    }

    /** The keys in a dataset's Silver matching a LIKE pattern, one entry per row. */
    private static List<String> silverKeys(String dataset, String column, String like) throws Exception {
        if (!hasSilver(dataset)) {
            return new ArrayList<>();
        }
        return rows("SELECT " + column + " FROM " + silver(dataset) + " WHERE " + column + " LIKE '" + like + "'");
    }

    private static List<String> silverColumn(String dataset, String column) throws Exception {
        return hasSilver(dataset) ? rows("SELECT " + column + " FROM " + silver(dataset)) : new ArrayList<>();
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
                    values.add(String.valueOf(rows.getObject(i)));
                }
                found.add(String.join("|", values));
            }
            return found;
        }
    }

    // ------------------------------------------------------------------------------------------------ queues

    private static final Map<String, String> queueUrls = new ConcurrentHashMap<>();

    private static String queueUrl(String name) {
        return queueUrls.computeIfAbsent(name, n -> sqs.getQueueUrl(b -> b.queueName(n)).queueUrl());
    }

    private static Map<String, MessageAttributeValue> sqsAttributes(Map<String, String> values) {
        return values.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> MessageAttributeValue.builder().dataType("String").stringValue(e.getValue()).build()));
    }

    /** Moves whatever waits on the two dead-letter queues into {@link #deadLetters}. */
    private static synchronized void collectDeadLetters() {
        for (String queue : List.of(INGEST_QUEUE + "-dlq", TRANSFORM_QUEUE + "-dlq")) {
            List<Message> messages;
            do {
                messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl(queue)).maxNumberOfMessages(10)
                        .waitTimeSeconds(0).messageAttributeNames("All")).messages();
                for (Message message : messages) {
                    var attributes = message.messageAttributes();
                    deadLetters.put(message.body(), new DeadLetter(queue,
                            attributes.containsKey("source-queue") ? attributes.get("source-queue").stringValue() : "",
                            attributes.containsKey("error") ? attributes.get("error").stringValue() : ""));
                    sqs.deleteMessage(b -> b.queueUrl(queueUrl(queue)).receiptHandle(message.receiptHandle()));
                }
            } while (!messages.isEmpty());
        }
    }

    // ------------------------------------------------------------------------------------------------ processes

    /**
     * Loads this class's nested classes now: other test classes of this module compiled while this one runs must not
     * take them from under it.
     */
    private static void loadNestedClasses(Class<?> type) throws ClassNotFoundException {
        for (Class<?> nested : type.getDeclaredClasses()) {
            Class.forName(nested.getName());
            loadNestedClasses(nested);
        }
    }

    private static long pid(String service) throws IOException {
        return Long.parseLong(Files.readString(pipeline.home.resolve("run/" + service + "-service.pid")).trim());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8(text)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
