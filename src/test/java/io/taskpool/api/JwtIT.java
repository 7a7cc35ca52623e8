package io.taskpool.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * JWT bearer tokens next to API keys: a token signed by the configured key acts for the tenant
 * in its {@code tenant} claim with the roles in its {@code roles} claim; a token signed by
 * another key, expired, or without a tenant is refused with 401.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:taskpool-jwt-test;DB_CLOSE_DELAY=-1",
        "management.server.port=0",
        "taskpool.node-id=jwt-test",
        "taskpool.workers.count=1",
        "taskpool.workers.max-heap=64MB",
        "taskpool.security.api-keys[0].tenant=acme",
        "taskpool.security.api-keys[0].key-sha256=" + SecurityIT.ACME_HASH,
        "taskpool.security.api-keys[0].roles=submit,read"})
class JwtIT {

    private static final KeyPair ISSUER = rsaKeyPair();
    private static final KeyPair STRANGER = rsaKeyPair();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void issuerKey(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location",
                () -> "file:" + publicKeyFile(ISSUER));
    }

    RequestSpecification as(String token) {
        return given().port(port).accept(ContentType.JSON).header("Authorization", "Bearer " + token);
    }

    @Test
    void aTokenActsForTheTenantAndRolesItsClaimsName() {
        String token = token(ISSUER, Map.of("tenant", "acme", "roles", List.of("submit", "read")), 300);
        String id = as(token).contentType(ContentType.JSON).body(Map.of("type", "noop", "input", Map.of()))
                .queryParam("waitMs", 20000).post("/api/v1/tasks")
                .then().statusCode(200).body("tenant", equalTo("acme")).extract().path("id");
        // The same tenant by API key sees it; a token of another tenant does not.
        as("acme-key").get("/api/v1/tasks/{id}", id).then().statusCode(200);
        String beta = token(ISSUER, Map.of("tenant", "beta", "roles", "read submit"), 300);
        as(beta).get("/api/v1/tasks/{id}", id).then().statusCode(404);
        // Roles come from the token: read only may not submit; no admin, no workers.
        String reader = token(ISSUER, Map.of("tenant", "acme", "roles", List.of("read")), 300);
        as(reader).contentType(ContentType.JSON).body(Map.of("type", "noop")).post("/api/v1/tasks")
                .then().statusCode(403);
        as(token).get("/api/v1/workers").then().statusCode(403);
    }

    @Test
    void aTokenNotFromTheIssuerExpiredOrWithoutTenantIsRefused() {
        for (String token : List.of(
                token(STRANGER, Map.of("tenant", "acme", "roles", List.of("read")), 300),
                token(ISSUER, Map.of("tenant", "acme", "roles", List.of("read")), -300),
                token(ISSUER, Map.of("roles", List.of("read")), 300),
                token(ISSUER, Map.of("tenant", "../../etc", "roles", List.of("read")), 300))) {
            as(token).get("/api/v1/tasks").then().statusCode(401)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:taskpool:problem:unauthorized"));
        }
    }

    private static String token(KeyPair key, Map<String, Object> claims, long validSeconds) {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().subject("client-1")
                .issueTime(Date.from(Instant.now().minusSeconds(600)))
                .expirationTime(Date.from(Instant.now().plusSeconds(validSeconds)));
        claims.forEach(set::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), set.build());
        try {
            jwt.sign(new RSASSASigner((RSAPrivateKey) key.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path publicKeyFile(KeyPair key) {
        try {
            Path file = Files.createTempFile("taskpool-jwt-issuer", ".pem");
            file.toFile().deleteOnExit();
            Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
