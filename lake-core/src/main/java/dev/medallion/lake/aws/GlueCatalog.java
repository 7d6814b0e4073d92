package dev.medallion.lake.aws;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.medallion.lake.LakeException;
import dev.medallion.lake.catalog.Catalog;
import dev.medallion.lake.catalog.PartitionInput;
import dev.medallion.lake.catalog.TableInput;
import dev.medallion.lake.spec.DatasetName;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.BatchUpdatePartitionRequestEntry;
import software.amazon.awssdk.services.glue.model.Database;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.PartitionError;
import software.amazon.awssdk.services.glue.model.PartitionValueList;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;

/**
 * The catalog in AWS Glue, optionally another account's ({@code catalogId}). Tables are compared before they are
 * written, so {@code UpdateTable} runs only when something changed and a no-op sync adds no table version.
 * {@code AlreadyExists} from a create (another writer got there first) counts as success. Partitions are registered
 * with {@code BatchCreatePartition} in chunks of {@value #CREATE_BATCH}, moved with {@code BatchUpdatePartition} in
 * chunks of {@value #UPDATE_BATCH} and removed with {@code BatchDeletePartition} in chunks of {@value #DELETE_BATCH},
 * Glue's limits. Throttling and server errors are retried with backoff by the
 * client ({@link #client}).
 */
public final class GlueCatalog implements Catalog {
    /** Attempts per call, the first included: throttling backs off exponentially between them. */
    static final int MAX_ATTEMPTS = 8;
    static final int CREATE_BATCH = 100;
    static final int DELETE_BATCH = 25;
    static final int UPDATE_BATCH = 100;

    private final GlueClient glue;
    private final String catalogId;
    private final Set<String> knownDatabases = new HashSet<>();

    /**
     * @param catalogId the account whose catalog to use; empty for the caller's own
     */
    public GlueCatalog(GlueClient glue, Optional<String> catalogId) {
        this.glue = glue;
        this.catalogId = catalogId.orElse(null);
    }

    /** A Glue client as this catalog expects it ({@link #retries}), calling {@code interceptors} on each request. */
    public static GlueClient client(SdkHttpClient http, Region region, AwsCredentialsProvider credentials,
            Optional<URI> endpointOverride, List<ExecutionInterceptor> interceptors) {
        return client(http, region, credentials, endpointOverride, interceptors, retries());
    }

    /**
     * The SDK's standard retries, up to {@link #MAX_ATTEMPTS} tries: throttling ({@code ThrottlingException}), server
     * errors and connection failures are retried with exponential backoff and jitter.
     */
    static StandardRetryStrategy retries() {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(MAX_ATTEMPTS).build();
    }

    static GlueClient client(SdkHttpClient http, Region region, AwsCredentialsProvider credentials,
            Optional<URI> endpointOverride, List<ExecutionInterceptor> interceptors, StandardRetryStrategy retries) {
        var builder = GlueClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(c -> c.retryStrategy(retries).executionInterceptors(interceptors));
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Override
    public List<String> databases() {
        return glue.getDatabasesPaginator(b -> b.catalogId(catalogId)).stream()
                .flatMap(page -> page.databaseList().stream()).map(Database::name).sorted().toList();
    }

    @Override
    public List<String> tables(String database) {
        try {
            return glue.getTablesPaginator(b -> b.catalogId(catalogId).databaseName(DatasetName.validate(database)))
                    .stream().flatMap(page -> page.tableList().stream()).map(Table::name).sorted().toList();
        } catch (EntityNotFoundException e) {
            return List.of();
        }
    }

    @Override
    public Optional<TableInput> table(String database, String name) {
        try {
            Table table = glue.getTable(b -> b.catalogId(catalogId).databaseName(DatasetName.validate(database))
                    .name(DatasetName.validate(name))).table();
            return Optional.of(fromGlue(table));
        } catch (EntityNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public synchronized boolean put(String database, TableInput table) {
        ensureDatabase(database);
        Optional<TableInput> current = table(database, table.name());
        if (current.isEmpty()) {
            try {
                glue.createTable(b -> b.catalogId(catalogId).databaseName(database).tableInput(toGlue(table)));
                return true;
            } catch (AlreadyExistsException e) {
                current = table(database, table.name()); // created meanwhile by another writer: compare with it
            }
        }
        if (current.isPresent() && current.get().equals(table)) {
            return false;
        }
        glue.updateTable(b -> b.catalogId(catalogId).databaseName(database).tableInput(toGlue(table)));
        return true;
    }

    @Override
    public Map<List<String>, String> partitions(String database, String table) {
        try {
            Map<List<String>, String> partitions = new LinkedHashMap<>();
            glue.getPartitionsPaginator(b -> b.catalogId(catalogId).databaseName(DatasetName.validate(database))
                    .tableName(DatasetName.validate(table))).stream().flatMap(page -> page.partitions().stream())
                    .forEach(p -> partitions.put(List.copyOf(p.values()), p.storageDescriptor().location()));
            return partitions;
        } catch (EntityNotFoundException e) {
            return Map.of();
        }
    }

    @Override
    public int addPartitions(String database, TableInput table, Map<List<String>, String> locations) {
        int added = 0;
        for (List<List<String>> chunk : chunks(locations.keySet(), CREATE_BATCH)) {
            var inputs = chunk.stream().map(v -> partitionToGlue(PartitionInput.of(table, v, locations.get(v))))
                    .toList();
            var response = glue.batchCreatePartition(b -> b.catalogId(catalogId).databaseName(database)
                    .tableName(table.name()).partitionInputList(inputs));
            requireOnly(response.errors(), "AlreadyExistsException", "register partitions of " + table.name());
            added += chunk.size() - response.errors().size();
        }
        return added;
    }

    /** {@code BatchUpdatePartition}, {@value #UPDATE_BATCH} a request; every partition given is written. */
    @Override
    public int relocatePartitions(String database, TableInput table, Map<List<String>, String> locations) {
        int moved = 0;
        for (List<List<String>> chunk : chunks(locations.keySet(), UPDATE_BATCH)) {
            var entries = chunk.stream().map(v -> BatchUpdatePartitionRequestEntry.builder()
                    .partitionValueList(v).partitionInput(partitionToGlue(PartitionInput.of(table, v, locations.get(v))))
                    .build()).toList();
            var response = glue.batchUpdatePartition(b -> b.catalogId(catalogId).databaseName(database)
                    .tableName(table.name()).entries(entries));
            List<String> failed = response.errors().stream()
                    .filter(e -> !"EntityNotFoundException".equals(e.errorDetail().errorCode()))
                    .map(e -> e.partitionValueList() + ": " + e.errorDetail().errorCode() + " "
                            + e.errorDetail().errorMessage())
                    .toList();
            if (!failed.isEmpty()) {
                throw new LakeException("Cannot relocate partitions of " + table.name() + " in Glue: " + failed);
            }
            moved += chunk.size() - response.errors().size();
        }
        return moved;
    }

    @Override
    public int deletePartitions(String database, String table, Collection<List<String>> values) {
        int removed = 0;
        for (List<List<String>> chunk : chunks(values, DELETE_BATCH)) {
            var response = glue.batchDeletePartition(b -> b.catalogId(catalogId).databaseName(database)
                    .tableName(table).partitionsToDelete(chunk.stream()
                            .map(v -> PartitionValueList.builder().values(v).build()).toList()));
            requireOnly(response.errors(), "EntityNotFoundException", "remove partitions of " + table);
            removed += chunk.size() - response.errors().size();
        }
        return removed;
    }

    /** Per-partition errors of a batch call, other than the one that means "already done", fail it. */
    private static void requireOnly(List<PartitionError> errors, String harmless, String what) {
        List<String> failed = errors.stream().filter(e -> !harmless.equals(e.errorDetail().errorCode()))
                .map(e -> e.partitionValues() + ": " + e.errorDetail().errorCode() + " "
                        + e.errorDetail().errorMessage())
                .toList();
        if (!failed.isEmpty()) {
            throw new LakeException("Cannot " + what + " in Glue: " + failed);
        }
    }

    private static List<List<List<String>>> chunks(Collection<List<String>> values, int size) {
        List<List<String>> all = List.copyOf(values);
        List<List<List<String>>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            chunks.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return chunks;
    }

    private static software.amazon.awssdk.services.glue.model.PartitionInput partitionToGlue(PartitionInput partition) {
        return software.amazon.awssdk.services.glue.model.PartitionInput.builder().values(partition.values())
                .storageDescriptor(storageToGlue(partition.storageDescriptor())).build();
    }

    private void ensureDatabase(String database) {
        if (knownDatabases.contains(DatasetName.validate(database))) {
            return;
        }
        try {
            glue.createDatabase(b -> b.catalogId(catalogId).databaseInput(d -> d.name(database)
                    .description("Medallion lake tables")));
        } catch (AlreadyExistsException e) {
            // the usual case after the first table
        }
        knownDatabases.add(database);
    }

    private static software.amazon.awssdk.services.glue.model.TableInput toGlue(TableInput table) {
        return software.amazon.awssdk.services.glue.model.TableInput.builder()
                .name(table.name())
                .description(table.description())
                .tableType(table.tableType())
                .parameters(table.parameters())
                .partitionKeys(columnsToGlue(table.partitionKeys()))
                .storageDescriptor(storageToGlue(table.storageDescriptor()))
                .build();
    }

    private static StorageDescriptor storageToGlue(TableInput.StorageDescriptor sd) {
        return StorageDescriptor.builder().columns(columnsToGlue(sd.columns()))
                .location(sd.location())
                .inputFormat(sd.inputFormat())
                .outputFormat(sd.outputFormat())
                .compressed(sd.compressed())
                .serdeInfo(i -> i.serializationLibrary(sd.serdeInfo().serializationLibrary())
                        .parameters(sd.serdeInfo().parameters()))
                .build();
    }

    /** Glue's table as a {@link TableInput}; what Glue adds (times, versions, owner) is left out. */
    private static TableInput fromGlue(Table table) {
        var sd = table.storageDescriptor();
        return new TableInput(table.name(), orEmpty(table.description()), table.tableType(),
                table.hasParameters() ? table.parameters() : Map.of(), columnsFromGlue(table.partitionKeys()),
                new TableInput.StorageDescriptor(columnsFromGlue(sd.columns()), sd.location(), sd.inputFormat(),
                        sd.outputFormat(), Boolean.TRUE.equals(sd.compressed()),
                        new TableInput.SerDeInfo(sd.serdeInfo().serializationLibrary(),
                                sd.serdeInfo().hasParameters() ? sd.serdeInfo().parameters() : Map.of())));
    }

    private static List<software.amazon.awssdk.services.glue.model.Column> columnsToGlue(
            List<TableInput.Column> columns) {
        return columns.stream().map(c -> software.amazon.awssdk.services.glue.model.Column.builder().name(c.name())
                .type(c.type()).build()).toList();
    }

    private static List<TableInput.Column> columnsFromGlue(
            List<software.amazon.awssdk.services.glue.model.Column> columns) {
        return columns.stream().map(c -> new TableInput.Column(c.name(), c.type())).toList();
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }
}
