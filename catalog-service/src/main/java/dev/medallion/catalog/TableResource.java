package dev.medallion.catalog;

import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.medallion.lake.catalog.AthenaDdl;
import dev.medallion.lake.catalog.EmbeddedCatalog;
import dev.medallion.lake.catalog.TableInput;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.support.ErrorMappers;

/** Read API of the catalog: table names, tables as Glue {@code TableInput} JSON, and their Athena DDL. */
@Path("/v1/tables/{database}")
public class TableResource {
    private final EmbeddedCatalog catalog;

    public TableResource(EmbeddedCatalog catalog) {
        this.catalog = catalog;
    }

    /** The names of the tables in a database, sorted; empty if it has none. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<String> tables(@PathParam("database") String database) {
        return catalog.tables(DatasetName.validate(database));
    }

    /** The newest version of a table, exactly as Glue's {@code TableInput} JSON. */
    @GET
    @Path("/{table}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response table(@PathParam("database") String database, @PathParam("table") String table) {
        return find(database, table).map(t -> Response.ok(t.toJson(), MediaType.APPLICATION_JSON_TYPE).build())
                .orElseGet(() -> unknown(database, table));
    }

    /** The Athena {@code CREATE EXTERNAL TABLE} statement of the newest version of a table. */
    @GET
    @Path("/{table}/ddl")
    @Produces(MediaType.TEXT_PLAIN)
    public Response ddl(@PathParam("database") String database, @PathParam("table") String table) {
        return find(database, table)
                .map(t -> Response.ok(AthenaDdl.createTable(database, t), MediaType.TEXT_PLAIN_TYPE).build())
                .orElseGet(() -> unknown(database, table));
    }

    private Optional<TableInput> find(String database, String table) {
        return catalog.table(DatasetName.validate(database), DatasetName.validate(table));
    }

    private static Response unknown(String database, String table) {
        return ErrorMappers.json(Response.Status.NOT_FOUND, "unknown_table",
                "Cannot find table " + database + "." + table + ": the catalog has no such table");
    }
}
