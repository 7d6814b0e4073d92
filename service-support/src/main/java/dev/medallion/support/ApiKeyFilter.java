package dev.medallion.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetName;

/**
 * Every request that changes something ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) under
 * {@code /v1/} needs a configured API key, as {@code Authorization: Bearer <key>} or {@code X-Api-Key: <key>}; a
 * request under {@code /v1/datasets/{dataset}/} also needs a key scoped to that dataset. Keys are configured as
 * SHA-256 hashes, compared in constant time, and never logged.
 */
public class ApiKeyFilter {
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Pattern DATASET_PATH = Pattern.compile("^/v1/datasets/([^/]+)/");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private record Key(String name, byte[] sha256, Set<String> datasets) {
    }

    private final List<Key> keys;

    public ApiKeyFilter(LakeConfig config) {
        this.keys = config.auth().keys().entrySet().stream().map(e -> {
            String hash = e.getValue().sha256().trim().toLowerCase(java.util.Locale.ROOT);
            if (!SHA256_HEX.matcher(hash).matches()) {
                throw new ValidationException("Cannot use API key '" + e.getKey()
                        + "': medallion.auth.keys." + e.getKey() + ".sha256 must be 64 hex digits");
            }
            return new Key(e.getKey(), HexFormat.of().parseHex(hash), Set.copyOf(e.getValue().datasets()));
        }).toList();
    }

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!MUTATING.contains(request.getMethod()) || !path.startsWith("/v1/")) {
            return null;
        }
        String presented = presentedKey(request);
        if (presented == null || presented.isEmpty()) {
            return error(Response.Status.UNAUTHORIZED, "unauthorized",
                    "an API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
        }
        byte[] hash = sha256(presented);
        Key match = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(key.sha256, hash)) {
                match = key;
            }
        }
        if (match == null) {
            return error(Response.Status.UNAUTHORIZED, "unauthorized", "the API key is not valid");
        }
        Matcher dataset = DATASET_PATH.matcher(path);
        // an invalid name is left to the endpoint, which rejects it with a 400 that says why
        if (dataset.find() && isValidName(dataset.group(1)) && !match.datasets.contains(dataset.group(1))) {
            return error(Response.Status.FORBIDDEN, "forbidden",
                    "API key '" + match.name + "' may not write to this dataset");
        }
        return null;
    }

    private static boolean isValidName(String name) {
        try {
            DatasetName.validate(name);
            return true;
        } catch (ValidationException e) {
            return false;
        }
    }

    private static String presentedKey(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return request.getHeaderString("X-Api-Key");
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static Response error(Response.Status status, String code, String reason) {
        var response = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(code, reason));
        if (status == Response.Status.UNAUTHORIZED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"medallion\"");
        }
        return response.build();
    }
}
