package dev.pipelinex.access;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Issues API tokens: JWTs signed with RS256 by the key in the server's token key store, which the
 * server's token realm checks with the same key pair's certificate. A token names its account
 * ({@code sub}) and carries the account's roles ({@code groups}) as they were when it was issued.
 */
public final class TokenIssuer {

    public static final String ISSUER = "pipelinex";
    public static final String AUDIENCE = "pipelinex-api";
    public static final String ALIAS = "pipelinex-tokens";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final PrivateKey key;

    public TokenIssuer(PrivateKey key) {
        this.key = key;
    }

    /** Reads the signing key from a PKCS#12 key store (entry {@value #ALIAS}). */
    public static TokenIssuer fromKeyStore(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            if (!(store.getKey(ALIAS, password) instanceof PrivateKey key)) {
                throw new IllegalStateException("the key store " + file + " has no private key '" + ALIAS + "'");
            }
            return new TokenIssuer(key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the token key store " + file + ": " + e.getMessage(), e);
        }
    }

    /** A signed token, and when it stops being accepted. */
    public record Token(String value, Instant expiresAt) {
    }

    public Token issue(String account, List<String> roles, Instant now, Duration lifetime) {
        Instant expires = now.plus(lifetime);
        ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER).put("aud", AUDIENCE).put("sub", account)
                .put("iat", now.getEpochSecond()).put("nbf", now.getEpochSecond())
                .put("exp", expires.getEpochSecond()).put("jti", UUID.randomUUID().toString());
        ArrayNode groups = claims.putArray("groups");
        roles.forEach(groups::add);
        String signed = part(header) + "." + part(claims);
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(signed.getBytes(StandardCharsets.US_ASCII));
            return new Token(signed + "." + B64.encodeToString(rsa.sign()), expires);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
    }

    private static String part(ObjectNode node) {
        return B64.encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
    }
}
