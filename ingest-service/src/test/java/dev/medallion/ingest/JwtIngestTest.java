package dev.medallion.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.medallion.support.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Signed JWT bearer tokens, verified with a configured public key, beside API keys. */
@QuarkusTest
@TestProfile(JwtIngestTest.JwtProfile.class)
@QuarkusTestResource(value = LocalStackResource.class, restrictToAnnotatedClass = true)
class JwtIngestTest {
    private static final String ISSUER = "https://issuer.medallion.test";
    private static final byte[] RECORDS = "{\"order_id\":\"t1\"}\n".getBytes(StandardCharsets.UTF_8);

    /** Tokens on: verified with the public half of the test key in src/test/resources/jwt. */
    public static class JwtProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try (InputStream in = JwtIngestTest.class.getResourceAsStream("/jwt/test-signing-key.pub")) {
                return Map.of("mp.jwt.verify.publickey", new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim(),
                        "mp.jwt.verify.issuer", ISSUER);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void acceptsASignedTokenForTheDatasetsItsClaimNames() throws Exception {
        post(token(ISSUER, "[\"sales\"]", 300)).statusCode(200).body("records", equalTo(1));
    }

    @Test
    void refusesATokenForAnotherDataset() throws Exception {
        post(token(ISSUER, "[\"orders\"]", 300)).statusCode(403).body("reason", containsString("this token"));
        post(token(ISSUER, null, 300)).statusCode(403);
    }

    @Test
    void refusesExpiredForgedAndForeignTokens() throws Exception {
        post(token(ISSUER, "[\"sales\"]", -600)).statusCode(401).body("reason", containsString("token"));
        post(token("https://elsewhere.example", "[\"sales\"]", 300)).statusCode(401);
        String token = token(ISSUER, "[\"sales\"]", 300);
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        post(forged).statusCode(401);
        post("not-a-token-nor-a-key").statusCode(401);
    }

    @Test
    void apiKeysStillWorkAsBearerAndHeader() {
        given().header("Authorization", "Bearer test-key").body(RECORDS).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records").then().statusCode(200);
        given().header("X-Api-Key", "test-key").body(RECORDS).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records").then().statusCode(200);
    }

    private static io.restassured.response.ValidatableResponse post(String bearer) {
        return given().header("Authorization", "Bearer " + bearer).body(RECORDS).contentType("application/x-ndjson")
                .when().post("/v1/datasets/sales/records").then();
    }

    /** An RS256 JWT signed with the test key; {@code datasets} is a JSON array, or null for no claim. */
    private static String token(String issuer, String datasets, long expiresInSeconds)
            throws IOException, GeneralSecurityException {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + issuer + "\",\"sub\":\"producer-1\",\"iat\":" + now + ",\"exp\":"
                + (now + expiresInSeconds) + (datasets == null ? "" : ",\"datasets\":" + datasets) + "}";
        String signed = base64(header.getBytes(StandardCharsets.UTF_8)) + "."
                + base64(payload.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(signingKey());
        rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + base64(rsa.sign());
    }

    private static PrivateKey signingKey() throws IOException, GeneralSecurityException {
        try (InputStream in = JwtIngestTest.class.getResourceAsStream("/jwt/test-signing-key.pem")) {
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                    .decode(pem)));
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
