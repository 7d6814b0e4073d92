package dev.medallion.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every request that changes something ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) under
 * {@code /v1/} needs one of the configured API keys, as {@code Authorization: Bearer <key>} or
 * {@code X-Api-Key: <key>}. Keys are compared in constant time and never logged.
 */
public class ApiKeyFilter {
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final List<byte[]> keys;

    public ApiKeyFilter(LakeConfig config) {
        this.keys = config.auth().apiKeys().orElse(List.of()).stream().filter(k -> !k.isBlank())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request) {
        if (!MUTATING.contains(request.getMethod()) || !request.getUriInfo().getPath().startsWith("/v1/")) {
            return null;
        }
        String presented = presentedKey(request);
        if (presented == null) {
            return unauthorized("an API key is required: send 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
        }
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, candidate);
        }
        return match ? null : unauthorized("the API key is not valid");
    }

    private static String presentedKey(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return request.getHeaderString("X-Api-Key");
    }

    private static Response unauthorized(String reason) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"medallion\"")
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody("unauthorized", reason))
                .build();
    }
}
