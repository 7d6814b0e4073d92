package dev.medallion.ingest;

import java.io.IOException;
import java.io.InputStream;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.medallion.lake.message.BronzeObjectLanded;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.support.ErrorMappers;
import io.micrometer.core.instrument.MeterRegistry;

/** HTTP ingest: a 2xx means the request's bytes are stored in Bronze and queued for transformation. */
@Path("/v1/datasets/{dataset}/records")
public class IngestResource {
    private final BronzeWriter bronze;
    private final DatasetSpecs specs;
    private final MeterRegistry metrics;

    public IngestResource(BronzeWriter bronze, DatasetSpecs specs, MeterRegistry metrics) {
        this.bronze = bronze;
        this.specs = specs;
        this.metrics = metrics;
    }

    /** The body of a successful ingest. */
    public record Accepted(String dataset, String bronzeKey, long storedBytes, String receivedAt) {
    }

    @POST
    @Consumes({ "application/x-ndjson", "application/jsonl", MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN })
    @Produces(MediaType.APPLICATION_JSON)
    public Response ingest(@PathParam("dataset") String dataset, @HeaderParam("Content-Encoding") String encoding,
            @HeaderParam("X-Request-Id") String requestId, InputStream body) throws IOException {
        DatasetName.validate(dataset);
        if (specs.find(dataset).isEmpty()) {
            count(dataset, "unknown_dataset");
            return ErrorMappers.json(Response.Status.NOT_FOUND, "unknown_dataset",
                    "Cannot ingest into '" + dataset + "': no such dataset is configured");
        }
        boolean gzipped = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        if (encoding != null && !gzipped && !encoding.trim().equalsIgnoreCase("identity")) {
            count(dataset, "rejected");
            return ErrorMappers.json(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_encoding",
                    "Cannot ingest with Content-Encoding '" + encoding + "': send gzip or identity");
        }
        BronzeObjectLanded landed = bronze.land(dataset, body, gzipped, "http",
                requestId == null ? "" : requestId.replaceAll("[^A-Za-z0-9._:-]", "_"));
        count(dataset, "accepted");
        metrics.counter("medallion.ingest.bytes", "dataset", dataset).increment(landed.bytes());
        return Response.ok(new Accepted(dataset, landed.key(), landed.bytes(), landed.receivedAt().toString())).build();
    }

    private void count(String dataset, String outcome) {
        // only configured dataset names become tag values, so a client cannot blow up metric cardinality
        String tag = specs.find(dataset).isPresent() ? dataset : "_unknown";
        metrics.counter("medallion.ingest.requests", "dataset", tag, "outcome", outcome).increment();
    }
}
