package dev.medallion.lake.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.medallion.lake.catalog.PartitionInput;
import dev.medallion.lake.catalog.TableDefinitions;
import dev.medallion.lake.catalog.TableInput;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.GlueException;

/** The Glue backend against a loopback endpoint that speaks Glue's JSON protocol; asserts the requests it sends. */
class GlueCatalogTest {
    private static final String SPEC = """
            datasets:
              sales:
                event-time: ts
                catalog: { database: lake }
                schema:
                  order_id: { type: string, required: true }
                  amount:   { type: "decimal(12,2)" }
                  ts:       { type: timestamp, required: true }
            """;

    private LocalGlueEndpoint endpoint;
    private GlueClient client;
    private DatasetSpec spec;

    @BeforeEach
    void start() throws Exception {
        endpoint = new LocalGlueEndpoint();
        // the catalog's retry policy with millisecond backoff: attempts and retried errors as in production
        var quickRetries = GlueCatalog.retries().toBuilder()
                .backoffStrategy(BackoffStrategy.fixedDelay(Duration.ofMillis(5)))
                .throttlingBackoffStrategy(BackoffStrategy.fixedDelay(Duration.ofMillis(5))).build();
        client = GlueCatalog.client(UrlConnectionHttpClient.create(), Region.EU_WEST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")),
                Optional.of(endpoint.uri()), List.of(), quickRetries);
        spec = DatasetSpecs.parse(new ByteArrayInputStream(SPEC.getBytes(StandardCharsets.UTF_8))).find("sales")
                .orElseThrow();
    }

    @AfterEach
    void stop() {
        client.close();
        endpoint.close();
    }

    @Test
    void createsDatabaseAndTableThenUpdatesOnlyWhenSomethingChanged() {
        var catalog = new GlueCatalog(client, Optional.empty());
        TableInput table = TableDefinitions.silver(spec, "lake-bucket", 2026, 2026);

        assertThat(catalog.put("lake", table)).isTrue();
        assertThat(catalog.put("lake", table)).isFalse();
        assertThat(catalog.table("lake", "sales")).contains(table);
        assertThat(endpoint.operations()).doesNotContain("UpdateTable");
        assertThat(endpoint.versions("lake", "sales")).isEqualTo(1);

        Map<String, String> wider = new TreeMap<>(table.parameters());
        wider.put("projection.year.range", "2025,2026");
        assertThat(catalog.put("lake", table.withParameters(wider))).isTrue();

        assertThat(endpoint.operations()).containsOnlyOnce("UpdateTable");
        assertThat(endpoint.versions("lake", "sales")).isEqualTo(2);
        assertThat(catalog.table("lake", "sales").orElseThrow().parameters())
                .containsEntry("projection.year.range", "2025,2026");
        assertThat(catalog.databases()).containsExactly("lake");
        assertThat(catalog.tables("lake")).containsExactly("sales");
        assertThat(catalog.tables("other")).isEmpty();
        assertThat(catalog.table("lake", "missing")).isEmpty();
    }

    @Test
    void aDatabaseOrTableThatAlreadyExistsIsSuccessAndTheRequestsNameTheCatalogId() {
        TableInput table = TableDefinitions.silver(spec, "lake-bucket", 2026, 2026);
        new GlueCatalog(client, Optional.of("123456789012")).put("lake", table);

        // another replica, started later: its CreateDatabase meets AlreadyExists
        assertThat(new GlueCatalog(client, Optional.of("123456789012")).put("lake", table)).isFalse();

        assertThat(endpoint.operations()).containsExactly("CreateDatabase", "GetTable", "CreateTable",
                "CreateDatabase", "GetTable");
        assertThat(endpoint.requests()).allSatisfy(
                r -> assertThat(r.body().path("CatalogId").asText()).isEqualTo("123456789012"));
        assertThat(endpoint.requests().get(2).body().path("TableInput").path("Parameters")
                .path("projection.enabled").asText()).isEqualTo("true");
    }

    @Test
    void throttlingIsRetriedWithBackoffAndGivenUpOnAfterTheLastAttempt() {
        var catalog = new GlueCatalog(client, Optional.empty());
        TableInput table = TableDefinitions.silver(spec, "lake-bucket", 2026, 2026);
        endpoint.throttleNext(3);

        assertThat(catalog.put("lake", table)).isTrue();
        assertThat(endpoint.operations()).startsWith("CreateDatabase", "CreateDatabase", "CreateDatabase",
                "CreateDatabase", "GetTable");

        endpoint.throttleNext(GlueCatalog.MAX_ATTEMPTS);
        assertThatThrownBy(() -> catalog.tables("lake")).isInstanceOf(GlueException.class)
                .hasMessageContaining("Rate exceeded");
        assertThat(endpoint.operations().stream().filter("GetTables"::equals)).hasSize(GlueCatalog.MAX_ATTEMPTS);
        assertThat(List.copyOf(catalog.tables("lake"))).containsExactly("sales");
    }

    @Test
    void partitionsAreRegisteredInBatchesOfAHundredAndRemovedInBatchesOfTwentyFive() {
        var catalog = new GlueCatalog(client, Optional.empty());
        TableInput table = TableDefinitions.silver(spec, "lake-bucket", 2026, 2026);
        catalog.put("lake", table);
        List<List<String>> days = new java.util.ArrayList<>();
        for (java.time.LocalDate d = java.time.LocalDate.of(2026, 1, 1); days.size() < 250; d = d.plusDays(1)) {
            days.add(List.of(Integer.toString(d.getYear()), String.format("%02d", d.getMonthValue()),
                    String.format("%02d", d.getDayOfMonth())));
        }

        assertThat(catalog.addPartitions("lake", table, atOwnFolders(table, days))).isEqualTo(250);
        assertThat(catalog.addPartitions("lake", table, atOwnFolders(table, days.subList(0, 10)))).isZero();
        assertThat(catalog.deletePartitions("lake", "sales", days.subList(200, 250))).isEqualTo(50);

        assertThat(endpoint.requests()).filteredOn(r -> r.operation().equals("BatchCreatePartition"))
                .extracting(r -> r.body().path("PartitionInputList").size()).containsExactly(100, 100, 50, 10);
        assertThat(endpoint.requests()).filteredOn(r -> r.operation().equals("BatchDeletePartition"))
                .extracting(r -> r.body().path("PartitionsToDelete").size()).containsExactly(25, 25);
        assertThat(catalog.partitions("lake", "sales")).hasSize(200).containsEntry(List.of("2026", "01", "01"),
                "s3://lake-bucket/silver/sales/year=2026/month=01/day=01/");
        assertThat(endpoint.requests()).filteredOn(r -> r.operation().equals("BatchCreatePartition")).first()
                .satisfies(r -> assertThat(r.body().path("PartitionInputList").get(0).path("StorageDescriptor")
                        .path("Location").asText()).isEqualTo("s3://lake-bucket/silver/sales/year=2026/month=01/day=01/"));
    }

    @Test
    void aMovedPartitionIsPointedAtItsNewFolderInBatchesOfAHundred() {
        var catalog = new GlueCatalog(client, Optional.empty());
        TableInput table = TableDefinitions.silver(spec, "lake-bucket", 2026, 2026);
        catalog.put("lake", table);
        Map<List<String>, String> moved = new java.util.LinkedHashMap<>();
        for (int day = 1; day <= 31; day++) {
            List<String> values = List.of("2026", "01", String.format("%02d", day));
            catalog.addPartitions("lake", table, atOwnFolders(table, List.of(values)));
            moved.put(values, PartitionInput.defaultLocation(table, values) + "_gen=g" + day + "/");
        }
        for (int day = 1; day <= 100; day++) {
            moved.put(List.of("2027", "01", Integer.toString(day)), "s3://lake-bucket/silver/sales/x/");
        }

        assertThat(catalog.relocatePartitions("lake", table, moved)).as("the 2027 ones are not registered")
                .isEqualTo(31);

        assertThat(endpoint.requests()).filteredOn(r -> r.operation().equals("BatchUpdatePartition"))
                .extracting(r -> r.body().path("Entries").size()).containsExactly(100, 31);
        assertThat(catalog.partitions("lake", "sales")).hasSize(31).containsEntry(List.of("2026", "01", "07"),
                "s3://lake-bucket/silver/sales/year=2026/month=01/day=07/_gen=g7/");
    }

    private static Map<List<String>, String> atOwnFolders(TableInput table, List<List<String>> partitions) {
        Map<List<String>, String> locations = new java.util.LinkedHashMap<>();
        partitions.forEach(values -> locations.put(values, PartitionInput.defaultLocation(table, values)));
        return locations;
    }
}
