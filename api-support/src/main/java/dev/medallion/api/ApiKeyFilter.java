package dev.medallion.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.json.JsonString;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.medallion.lake.ValidationException;
import dev.medallion.lake.spec.DatasetName;
import dev.medallion.lake.spec.DatasetSpec;
import dev.medallion.lake.spec.DatasetSpecs;
import dev.medallion.support.LakeConfig;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Every request that changes something ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) under
 * {@code /v1/} needs a credential: a configured API key, as {@code Authorization: Bearer <key>} or
 * {@code X-Api-Key: <key>}, or, when a verification key is configured, a signed JWT bearer token that SmallRye JWT
 * verifies (signature, issuer, expiry). A request under {@code /v1/datasets/{dataset}/}, or under
 * {@code /v1/databases/{db}/tables/{table}/} for a table of a configured dataset (its Silver table or one of its Gold
 * tables), also needs the credential to be scoped to that dataset: the key's configured datasets, or the token's
 * datasets claim. Keys are configured as SHA-256 hashes, compared in constant time, and never logged.
 */
public class ApiKeyFilter {
    private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");
    private static final Pattern DATASET_PATH = Pattern.compile("^/v1/datasets/([^/]+)/");
    private static final Pattern TABLE_PATH = Pattern.compile("^/v1/databases/([^/]+)/tables/([^/]+)/");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private record Key(String name, byte[] sha256, Set<String> datasets) {
    }

    private final List<Key> keys;
    private final boolean tokens;
    private final String datasetsClaim;
    private final CurrentIdentityAssociation identity;
    private final DatasetSpecs specs;

    public ApiKeyFilter(LakeConfig config, CurrentIdentityAssociation identity, DatasetSpecs specs,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> jwksLocation,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> publicKey) {
        this.specs = specs;
        this.keys = config.auth().keys().entrySet().stream().map(e -> {
            String hash = e.getValue().sha256().trim().toLowerCase(java.util.Locale.ROOT);
            if (!SHA256_HEX.matcher(hash).matches()) {
                throw new ValidationException("Cannot use API key '" + e.getKey()
                        + "': medallion.auth.keys." + e.getKey() + ".sha256 must be 64 hex digits");
            }
            return new Key(e.getKey(), HexFormat.of().parseHex(hash), Set.copyOf(e.getValue().datasets()));
        }).toList();
        this.tokens = jwksLocation.isPresent() || publicKey.isPresent();
        this.datasetsClaim = config.auth().jwt().datasetsClaim();
        this.identity = identity;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!MUTATING.contains(request.getMethod()) || !path.startsWith("/v1/")) {
            return Uni.createFrom().nullItem();
        }
        String bearer = bearer(request);
        String presented = bearer != null ? bearer : request.getHeaderString("X-Api-Key");
        if (presented == null || presented.isEmpty()) {
            return done(error(Response.Status.UNAUTHORIZED, "unauthorized", "a credential is required: send "
                    + "'Authorization: Bearer <key or token>' or 'X-Api-Key: <key>'"));
        }
        Key key = keyMatching(presented);
        if (key != null) {
            return done(scope(path, key.datasets, "API key '" + key.name + "'"));
        }
        if (!tokens || bearer == null) {
            return done(error(Response.Status.UNAUTHORIZED, "unauthorized", "the API key is not valid"));
        }
        // not one of our keys: a token for SmallRye JWT to verify (signature, issuer, expiry)
        return identity.getDeferredIdentity()
                .map(caller -> caller.isAnonymous()
                        ? error(Response.Status.UNAUTHORIZED, "unauthorized", "the bearer token is not valid")
                        : scope(path, datasetsOf(caller), "this token"))
                .onFailure().recoverWithItem(() -> error(Response.Status.UNAUTHORIZED, "unauthorized",
                        "the bearer token is not valid"));
    }

    private Key keyMatching(String presented) {
        byte[] hash = sha256(presented);
        Key match = null;
        for (Key key : keys) {
            if (MessageDigest.isEqual(key.sha256, hash)) {
                match = key;
            }
        }
        return match;
    }

    /** Null (go on) unless the path names a dataset, or a table of one, that the credential may not write. */
    private Response scope(String path, Set<String> datasets, String who) {
        Optional<String> dataset = datasetOf(path);
        if (dataset.isPresent() && !datasets.contains(dataset.get())) {
            return error(Response.Status.FORBIDDEN, "forbidden", who + " may not write to this dataset");
        }
        return null;
    }

    /**
     * The dataset a path writes to, if it names one; an invalid name or an unknown table is left to the endpoint,
     * which answers with a status that says why.
     */
    private Optional<String> datasetOf(String path) {
        Matcher dataset = DATASET_PATH.matcher(path);
        if (dataset.find()) {
            return isValidName(dataset.group(1)) ? Optional.of(dataset.group(1)) : Optional.empty();
        }
        Matcher table = TABLE_PATH.matcher(path);
        if (table.find()) {
            String database = table.group(1);
            String name = table.group(2);
            return specs.all().stream().filter(s -> s.database().equals(database))
                    .filter(s -> s.name().equals(name) || s.gold().stream().anyMatch(g -> g.name().equals(name)))
                    .map(DatasetSpec::name).findFirst();
        }
        return Optional.empty();
    }

    private Set<String> datasetsOf(SecurityIdentity caller) {
        if (!(caller.getPrincipal() instanceof JsonWebToken token)) {
            return Set.of();
        }
        Object claim = token.getClaim(datasetsClaim);
        if (claim instanceof Collection<?> values) {
            return values.stream().map(v -> v instanceof JsonString text ? text.getString() : String.valueOf(v))
                    .collect(Collectors.toSet());
        }
        if (claim instanceof JsonString text) {
            claim = text.getString();
        }
        return claim instanceof String text ? Set.copyOf(Arrays.asList(text.trim().split("\\s+"))) : Set.of();
    }

    private static boolean isValidName(String name) {
        try {
            DatasetName.validate(name);
            return true;
        } catch (ValidationException e) {
            return false;
        }
    }

    private static String bearer(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return null;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    private static Uni<Response> done(Response response) {
        return Uni.createFrom().item(response);
    }

    private static Response error(Response.Status status, String code, String reason) {
        var response = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(code, reason));
        if (status == Response.Status.UNAUTHORIZED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"medallion\"");
        }
        return response.build();
    }
}
