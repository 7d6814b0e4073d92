package dev.medallion.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.medallion.api.ErrorBody;
import dev.medallion.api.ErrorMappers;
import dev.medallion.lake.bronze.BodyRejectedException;
import dev.medallion.lake.bronze.BronzeFormat;
import dev.medallion.lake.bronze.SegmentHeader;
import dev.medallion.lake.ingest.BronzeBatcher;
import dev.medallion.lake.ingest.BuffersFullException;
import dev.medallion.lake.ingest.IdempotencyRecords;
import dev.medallion.lake.ingest.SegmentEncoder;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.spec.DatasetSpecs;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.common.annotation.Blocking;

/**
 * HTTP ingest. A 2xx means the request's bytes are stored in a Bronze object and announced to the transform step:
 * the request joins its dataset's open batch and is answered when that batch is stored. A retry carrying the same
 * {@code Idempotency-Key} is answered from the first attempt's record instead of being stored again.
 */
@Path("/v1/datasets/{dataset}/records")
public class IngestResource {
    static final String SOURCE = "http";
    private static final Map<String, BronzeFormat> FORMATS = Map.of(
            "application/x-ndjson", BronzeFormat.NDJSON,
            "application/jsonl", BronzeFormat.NDJSON,
            "application/x-jsonlines", BronzeFormat.NDJSON,
            "text/plain", BronzeFormat.NDJSON,
            "application/json", BronzeFormat.JSON,
            "text/csv", BronzeFormat.CSV);
    private static final int UNPROCESSABLE = 422;
    /** Printable ASCII: the key becomes part of every record's lineage id. */
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,256}");

    private final SegmentEncoder encoder;
    private final BronzeBatcher batcher;
    private final IdempotencyRecords idempotency;
    private final DatasetSpecs specs;
    private final IngestMetrics metrics;
    private final IngestConfig config;
    /** Idempotency keys of requests being stored, so a concurrent retry waits rather than storing twice. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

    public IngestResource(SegmentEncoder encoder, BronzeBatcher batcher, IdempotencyRecords idempotency,
            DatasetSpecs specs, IngestMetrics metrics, IngestConfig config) {
        this.encoder = encoder;
        this.batcher = batcher;
        this.idempotency = idempotency;
        this.specs = specs;
        this.metrics = metrics;
        this.config = config;
    }

    /**
     * The body of a stored request.
     *
     * @param requestId the id its records' lineage is derived from: the Idempotency-Key, or one made up
     * @param malformedPositions the first malformed NDJSON lines, which go to quarantine with a reason
     * @param replayed whether this answers a retry from the first attempt's record
     */
    // returned inside a Response (or as Object): native images know its shape only when registered
    @RegisterForReflection
    public record Accepted(String dataset, String requestId, String bronzeKey, long records, long malformed,
            List<Long> malformedPositions, String receivedAt, boolean replayed) {
    }

    @POST
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> ingest(@PathParam("dataset") String dataset,
            @HeaderParam("Content-Type") String contentType, @HeaderParam("Content-Encoding") String encoding,
            @HeaderParam("Idempotency-Key") String idempotencyKey, @HeaderParam("Content-Length") Long length,
            InputStream body) throws IOException {
        DatasetName.validate(dataset);
        if (specs.find(dataset).isEmpty()) {
            return reject(dataset, Response.Status.NOT_FOUND, "unknown_dataset",
                    "Cannot ingest into '" + dataset + "': no such dataset is configured");
        }
        Optional<BronzeFormat> format = formatOf(contentType);
        if (format.isEmpty()) {
            return reject(dataset, Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Cannot ingest Content-Type '" + contentType + "': send one of " + FORMATS.keySet());
        }
        boolean gzipped = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        if (encoding != null && !gzipped && !encoding.trim().equalsIgnoreCase("identity")) {
            return reject(dataset, Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_encoding",
                    "Cannot ingest with Content-Encoding '" + encoding + "': send gzip or identity");
        }
        if (length != null && length > config.maxRequestBytes().asLongValue()) {
            return reject(dataset, Response.Status.REQUEST_ENTITY_TOO_LARGE, "body_too_large", "The body is "
                    + length + " bytes; the limit is " + config.maxRequestBytes().asLongValue());
        }
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            return reject(dataset, Response.Status.BAD_REQUEST, "invalid_idempotency_key",
                    "An Idempotency-Key is 1 to 256 printable ASCII characters");
        }
        if (idempotencyKey == null) {
            return store(dataset, format.get(), gzipped, UUID.randomUUID().toString(), false, body);
        }
        String flight = dataset + "/" + idempotencyKey;
        if (!inFlight.add(flight)) {
            return busy(dataset, Response.Status.CONFLICT, "request_in_progress",
                    "A request with this Idempotency-Key is being stored; retry to get its outcome");
        }
        try {
            return store(dataset, format.get(), gzipped, idempotencyKey, true, body)
                    .whenComplete((response, failure) -> inFlight.remove(flight));
        } catch (IOException | RuntimeException e) {
            inFlight.remove(flight);
            throw e;
        }
    }

    private CompletionStage<Response> store(String dataset, BronzeFormat format, boolean gzipped, String requestId,
            boolean idempotent, InputStream body) throws IOException {
        Instant receivedAt = Instant.now();
        SegmentEncoder.Encoded encoded;
        try {
            encoded = encoder.encode(body, gzipped, new SegmentHeader(SOURCE, requestId, format, receivedAt), true,
                    idempotent);
        } catch (BodyRejectedException e) {
            Response.Status status = switch (e.reason()) {
                case BODY_TOO_LARGE, RECORD_TOO_LARGE -> Response.Status.REQUEST_ENTITY_TOO_LARGE;
                default -> Response.Status.BAD_REQUEST;
            };
            return reject(dataset, status, e.reason().label(), e.getMessage());
        } catch (BuffersFullException e) {
            return busy(dataset, Response.Status.SERVICE_UNAVAILABLE, "buffers_full", e.getMessage());
        }
        var scan = encoded.scan();
        var segment = encoded.segment();
        if (idempotent) {
            var earlier = idempotency.find(dataset, requestId);
            if (earlier.isPresent() && !earlier.get().bodySha256().equals(encoded.bodySha256())) {
                segment.data().release();
                return reject(dataset, UNPROCESSABLE, "idempotency_key_reused",
                        "This Idempotency-Key was used for a different body; use a new key for new data");
            }
            if (earlier.isPresent() && batcher.announceAgain(earlier.get().bronzeKey())) {
                segment.data().release();
                var stored = earlier.get();
                return CompletableFuture.completedFuture(Response.ok(new Accepted(dataset, requestId,
                        stored.bronzeKey(), stored.records(), scan.malformed(), scan.malformedPositions(),
                        stored.receivedAt().toString(), true)).build());
            }
            // first attempt, or one that died before its object was stored: record where this one goes first
            segment = segment.withBeforeStore(bronzeKey -> idempotency.save(dataset, requestId,
                    new IdempotencyRecords.Stored(encoded.bodySha256(), bronzeKey, scan.records(), receivedAt)));
        }
        return batcher.add(dataset, segment).handle((landing, failure) -> {
            if (failure != null) {
                return busy(dataset, Response.Status.SERVICE_UNAVAILABLE, "store_failed",
                        "The records could not be stored, and nothing was kept; retry").toCompletableFuture().join();
            }
            metrics.accepted(dataset, SOURCE, scan.records(), scan.bytes());
            return Response.ok(new Accepted(dataset, requestId, landing.bronzeKey(), scan.records(), scan.malformed(),
                    scan.malformedPositions(), receivedAt.toString(), false)).build();
        });
    }

    private static Optional<BronzeFormat> formatOf(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return Optional.ofNullable(FORMATS.get(mediaType));
    }

    private CompletionStage<Response> reject(String dataset, Response.Status status, String error, String reason) {
        return reject(dataset, status.getStatusCode(), error, reason);
    }

    private CompletionStage<Response> reject(String dataset, int status, String error, String reason) {
        metrics.rejected(dataset, SOURCE, error);
        return CompletableFuture.completedFuture(ErrorMappers.json(status, error, reason));
    }

    /** Nothing was stored, and the same request will succeed later. */
    private CompletionStage<Response> busy(String dataset, Response.Status status, String error, String reason) {
        metrics.rejected(dataset, SOURCE, error);
        return CompletableFuture.completedFuture(Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Retry-After", Math.max(1, config.retryAfter().toSeconds()))
                .entity(new ErrorBody(error, reason)).build());
    }
}
