package dev.pipelinex.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenIssuerTest {

    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    @Test
    void aTokenIsAnRs256JwtWithTheClaimsTheRealmChecks() throws Exception {
        KeyPair keys = keys();
        TokenIssuer.Token token = new TokenIssuer(keys.getPrivate())
                .issue("alice", List.of("submitter", "viewer"), NOW, Duration.ofDays(2));
        String[] parts = token.value().split("\\.");
        assertEquals(3, parts.length);
        ObjectMapper json = new ObjectMapper();
        JsonNode header = json.readTree(Base64.getUrlDecoder().decode(parts[0]));
        JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("RS256", header.path("alg").asText());
        assertEquals("pipelinex", claims.path("iss").asText());
        assertEquals("pipelinex-api", claims.path("aud").asText());
        assertEquals("alice", claims.path("sub").asText());
        assertEquals("[\"submitter\",\"viewer\"]", claims.path("groups").toString());
        assertEquals(NOW.plus(Duration.ofDays(2)).getEpochSecond(), claims.path("exp").asLong());
        assertEquals(NOW.plus(Duration.ofDays(2)), token.expiresAt());
        assertFalse(token.value().contains("="), "base64url without padding");

        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(keys.getPublic());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rsa.verify(Base64.getUrlDecoder().decode(parts[2])), "the signature verifies with the public key");

        rsa.initVerify(keys().getPublic());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertFalse(rsa.verify(Base64.getUrlDecoder().decode(parts[2])), "and not with another key");
    }

    @Test
    void twoTokensDiffer() throws Exception {
        TokenIssuer issuer = new TokenIssuer(keys().getPrivate());
        assertFalse(issuer.issue("a", List.of(), NOW, Duration.ofDays(1)).value()
                .equals(issuer.issue("a", List.of(), NOW, Duration.ofDays(1)).value()), "each has its own jti");
    }

    @Test
    void aMissingKeyStoreSaysWhich(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TokenIssuer.fromKeyStore(dir.resolve("none.p12"), "x".toCharArray()));
        assertTrue(e.getMessage().contains("none.p12"), e.getMessage());
    }
}
