package dev.medallion.catalog;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.medallion.api.ErrorMappers;
import dev.medallion.lake.aws.S3ObjectStore;
import dev.medallion.lake.catalog.AthenaDdl;
import dev.medallion.lake.catalog.Catalog;
import dev.medallion.lake.catalog.CatalogSync;
import dev.medallion.lake.catalog.Partition;
import dev.medallion.lake.catalog.PartitionLayout;
import dev.medallion.lake.catalog.TableInput;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.support.LakeConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The catalog's API: databases, tables (schema, projection, partitions in storage), their Athena DDL, and a rebuild
 * from storage. Reads are open; the rebuild, like every mutating endpoint, needs an API key or token.
 */
@Path("/v1/databases")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {
    private static final String PROJECTION = "projection.";

    private final Catalog catalog;
    private final CatalogUpdater updater;
    private final S3ObjectStore store;
    private final LakeConfig lake;

    public CatalogResource(Catalog catalog, CatalogUpdater updater, S3ObjectStore store, LakeConfig lake) {
        this.catalog = catalog;
        this.updater = updater;
        this.store = store;
        this.lake = lake;
    }

    /** A table as the API shows it. */
    // returned inside a Response (or as Object): native images know its shape only when registered
    @RegisterForReflection
    public record TableView(String database, String name, String location, List<Column> columns,
            List<Column> partitionKeys, Map<String, Map<String, String>> projection, PartitionsSeen partitions,
            TableInput table) {
    }

    /** A column and its Hive type, as Athena names it. */
    // returned inside a Response (or as Object): native images know its shape only when registered
    @RegisterForReflection
    public record Column(String name, String type) {
        static List<Column> of(List<TableInput.Column> columns) {
            return columns.stream().map(c -> new Column(c.name(), c.type())).toList();
        }
    }

    /**
     * The partitions holding Parquet objects under the table's location, first and last by time; absent when the
     * location is outside the lake bucket.
     */
    // returned inside a Response (or as Object): native images know its shape only when registered
    @RegisterForReflection
    public record PartitionsSeen(int count, Map<String, String> first, Map<String, String> last) {
    }

    /** What a rebuild did. */
    public record SyncView(String database, String name, boolean updated, List<String> refused,
            int partitionsInStorage, int partitionsRegistered, int partitionsRelocated, int partitionsDeregistered) {
    }

    @GET
    public List<String> databases() {
        return catalog.databases();
    }

    @GET
    @Path("/{database}/tables")
    public List<String> tables(@PathParam("database") String database) {
        return catalog.tables(DatasetName.validate(database));
    }

    @GET
    @Path("/{database}/tables/{table}")
    public Response table(@PathParam("database") String database, @PathParam("table") String table) {
        return find(database, table).map(t -> Response.ok(view(database, t)).build())
                .orElseGet(() -> unknown(database, table));
    }

    /** The Athena {@code CREATE EXTERNAL TABLE} statement of the table. */
    @GET
    @Path("/{database}/tables/{table}/ddl")
    @Produces(MediaType.TEXT_PLAIN)
    public Response ddl(@PathParam("database") String database, @PathParam("table") String table) {
        return find(database, table)
                .map(t -> Response.ok(AthenaDdl.createTable(database, t), MediaType.TEXT_PLAIN_TYPE).build())
                .orElseGet(() -> unknown(database, table));
    }

    /** Rebuilds the table from every partition in storage, as the events would have. */
    @POST
    @Path("/{database}/tables/{table}/sync")
    public SyncView sync(@PathParam("database") String database, @PathParam("table") String table) {
        CatalogUpdater.Outcome outcome = updater.rebuild(DatasetName.validate(database), DatasetName.validate(table));
        return new SyncView(outcome.database(), table, outcome.updated(), outcome.refused(),
                outcome.partitionsConsidered(), outcome.partitionsRegistered(), outcome.partitionsRelocated(),
                outcome.partitionsDeregistered());
    }

    @ServerExceptionMapper
    public Response notConfigured(CatalogUpdater.TableNotFoundException e) {
        return ErrorMappers.json(Response.Status.NOT_FOUND, "unknown_table", e.getMessage());
    }

    private TableView view(String database, TableInput table) {
        Map<String, Map<String, String>> projection = new TreeMap<>();
        table.parameters().forEach((key, value) -> {
            if (key.startsWith(PROJECTION) && key.indexOf('.', PROJECTION.length()) > 0) {
                String rest = key.substring(PROJECTION.length());
                int dot = rest.indexOf('.');
                projection.computeIfAbsent(rest.substring(0, dot), c -> new TreeMap<>()).put(rest.substring(dot + 1),
                        value);
            }
        });
        String location = table.storageDescriptor().location();
        return new TableView(database, table.name(), location, Column.of(table.storageDescriptor().columns()),
                Column.of(table.partitionKeys()), projection, partitionsSeen(table, location).orElse(null), table);
    }

    private Optional<PartitionsSeen> partitionsSeen(TableInput table, String location) {
        String inBucket = "s3://" + lake.lake().bucket() + "/";
        if (!location.startsWith(inBucket)) {
            return Optional.empty();
        }
        PartitionLayout layout = PartitionLayout.of(table.partitionKeys());
        SortedSet<Partition> partitions = CatalogSync.partitionsIn(store, location.substring(inBucket.length()),
                layout);
        return Optional.of(partitions.isEmpty() ? new PartitionsSeen(0, null, null)
                : new PartitionsSeen(partitions.size(), layout.values(partitions.first()),
                        layout.values(partitions.last())));
    }

    private Optional<TableInput> find(String database, String table) {
        return catalog.table(DatasetName.validate(database), DatasetName.validate(table));
    }

    private static Response unknown(String database, String table) {
        return ErrorMappers.json(Response.Status.NOT_FOUND, "unknown_table",
                "Cannot find table " + database + "." + table + ": the catalog has no such table");
    }
}
