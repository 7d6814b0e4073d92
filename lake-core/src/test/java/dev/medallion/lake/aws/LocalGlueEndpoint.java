package dev.medallion.lake.aws;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Glue Data Catalog on loopback that speaks Glue's JSON protocol ({@code POST /}, {@code X-Amz-Target:
 * AWSGlue.<Operation>}, {@code application/x-amz-json-1.1}) for the operations the catalog uses, keeps databases and
 * tables in memory (each create or update of a table is a new table version, as in Glue), records every request, and
 * can answer the next requests with {@code ThrottlingException}. No Glue emulator exists here; this one is only as
 * faithful as the operations and errors it implements.
 */
public final class LocalGlueEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received: the operation, e.g. {@code CreateTable}, and its JSON body. */
    public record Request(String operation, JsonNode body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, Map<String, ObjectNode>> tables = new TreeMap<>();
    private final Map<String, Integer> versions = new TreeMap<>();
    /** Per table ({@code db.table}), partition values joined by '/' to the partition. */
    private final Map<String, Map<String, JsonNode>> partitions = new TreeMap<>();
    private final AtomicInteger throttle = new AtomicInteger();

    public LocalGlueEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers the next {@code count} requests with a throttling error. */
    public void throttleNext(int count) {
        throttle.set(count);
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The operations received so far, in order. */
    public synchronized List<String> operations() {
        return requests.stream().map(Request::operation).toList();
    }

    /** How many versions a table has: one per create or update. */
    public synchronized int versions(String database, String table) {
        return versions.getOrDefault(database + "." + table, 0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
            JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            synchronized (this) {
                requests.add(new Request(operation, body));
            }
            if (throttle.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                error(exchange, "ThrottlingException", "Rate exceeded");
                return;
            }
            answer(exchange, operation, body);
        }
    }

    private synchronized void answer(HttpExchange exchange, String operation, JsonNode body) throws IOException {
        String database = body.path("DatabaseName").asText(body.path("DatabaseInput").path("Name").asText());
        switch (operation) {
            case "CreateDatabase" -> {
                if (tables.containsKey(database)) {
                    error(exchange, "AlreadyExistsException", "Database already exists.");
                    return;
                }
                tables.put(database, new TreeMap<>());
                ok(exchange, JSON.createObjectNode());
            }
            case "GetDatabases" -> {
                ArrayNode list = JSON.createArrayNode();
                tables.keySet().forEach(name -> list.addObject().put("Name", name));
                ok(exchange, JSON.createObjectNode().set("DatabaseList", list));
            }
            case "GetTables" -> {
                if (!tables.containsKey(database)) {
                    error(exchange, "EntityNotFoundException", "Database " + database + " not found.");
                    return;
                }
                ArrayNode list = JSON.createArrayNode();
                tables.get(database).values().forEach(list::add);
                ok(exchange, JSON.createObjectNode().set("TableList", list));
            }
            case "GetTable" -> {
                ObjectNode table = tables.getOrDefault(database, Map.of()).get(body.path("Name").asText());
                if (table == null) {
                    error(exchange, "EntityNotFoundException", "Table " + body.path("Name").asText() + " not found.");
                    return;
                }
                ok(exchange, JSON.createObjectNode().set("Table", table));
            }
            case "CreateTable", "UpdateTable" -> {
                if (!tables.containsKey(database)) {
                    error(exchange, "EntityNotFoundException", "Database " + database + " not found.");
                    return;
                }
                String name = body.path("TableInput").path("Name").asText();
                boolean exists = tables.get(database).containsKey(name);
                if (exists == operation.equals("CreateTable")) {
                    error(exchange, exists ? "AlreadyExistsException" : "EntityNotFoundException",
                            "Table " + name + (exists ? " already exists." : " not found."));
                    return;
                }
                int version = versions.merge(database + "." + name, 1, Integer::sum);
                ObjectNode table = ((ObjectNode) body.path("TableInput")).deepCopy();
                table.put("DatabaseName", database).put("CreateTime", 1.7e9).put("UpdateTime", 1.7e9 + version)
                        .put("VersionId", Integer.toString(version)).put("IsRegisteredWithLakeFormation", false);
                tables.get(database).put(name, table);
                ok(exchange, JSON.createObjectNode());
            }
            case "GetPartitions" -> {
                ArrayNode list = JSON.createArrayNode();
                partitions.getOrDefault(database + "." + body.path("TableName").asText(), Map.of()).values()
                        .forEach(list::add);
                ok(exchange, JSON.createObjectNode().set("Partitions", list));
            }
            case "BatchCreatePartition" -> batch(exchange, body, Batch.CREATE);
            case "BatchDeletePartition" -> batch(exchange, body, Batch.DELETE);
            case "BatchUpdatePartition" -> batch(exchange, body, Batch.UPDATE);
            default -> error(exchange, "InvalidInputException", "Operation " + operation + " is not implemented here");
        }
    }

    /** Glue's partition batch calls: where the entries and their values are, and how many one request may hold. */
    private enum Batch {
        CREATE("PartitionInputList", "Values", "PartitionValues", 100),
        DELETE("PartitionsToDelete", "Values", "PartitionValues", 25),
        UPDATE("Entries", "PartitionValueList", "PartitionValueList", 100);

        final String entries;
        final String values;
        final String errorValues;
        final int limit;

        Batch(String entries, String values, String errorValues, int limit) {
            this.entries = entries;
            this.values = values;
            this.errorValues = errorValues;
            this.limit = limit;
        }
    }

    /** Glue's batch semantics: at most {@code limit} entries, per-entry errors in the answer, the rest applied. */
    private void batch(HttpExchange exchange, JsonNode body, Batch batch) throws IOException {
        JsonNode entries = body.path(batch.entries);
        if (entries.size() > batch.limit) {
            error(exchange, "InvalidInputException", batch.entries + " holds " + entries.size() + " entries; at most "
                    + batch.limit);
            return;
        }
        String table = body.path("DatabaseName").asText() + "." + body.path("TableName").asText();
        Map<String, JsonNode> existing = partitions.computeIfAbsent(table, t -> new TreeMap<>());
        ArrayNode errors = JSON.createArrayNode();
        for (JsonNode entry : entries) {
            List<String> values = new ArrayList<>();
            entry.path(batch.values).forEach(v -> values.add(v.asText()));
            String id = String.join("/", values);
            boolean present = existing.containsKey(id);
            if ((batch == Batch.CREATE) == present) {
                ObjectNode failure = errors.addObject();
                failure.set(batch.errorValues, entry.path(batch.values));
                failure.putObject("ErrorDetail").put("ErrorCode", present ? "AlreadyExistsException"
                        : "EntityNotFoundException").put("ErrorMessage", "Partition " + id);
            } else {
                switch (batch) {
                    case CREATE -> existing.put(id, entry);
                    case DELETE -> existing.remove(id);
                    case UPDATE -> existing.put(id, entry.path("PartitionInput"));
                }
            }
        }
        ok(exchange, JSON.createObjectNode().set("Errors", errors));
    }

    /** Where a registered partition (its values joined by '/') is. */
    public synchronized String location(String database, String table, String partition) {
        return partitions.get(database + "." + table).get(partition).path("StorageDescriptor").path("Location").asText();
    }

    /** Points a registered partition elsewhere, as someone editing the catalog by hand would. */
    public synchronized void relocate(String database, String table, String partition, String location) {
        ((ObjectNode) partitions.get(database + "." + table).get(partition).path("StorageDescriptor")).put("Location",
                location);
    }

    /** The partitions registered for a table, as their values joined by '/'. */
    public synchronized List<String> partitions(String database, String table) {
        return List.copyOf(partitions.getOrDefault(database + "." + table, Map.of()).keySet());
    }

    private static void ok(HttpExchange exchange, JsonNode body) throws IOException {
        send(exchange, 200, body, null);
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        send(exchange, 400, JSON.createObjectNode().put("__type", type).put("Message", message), type);
    }

    private static void send(HttpExchange exchange, int status, JsonNode body, String errorType) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
