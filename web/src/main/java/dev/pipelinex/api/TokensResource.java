package dev.pipelinex.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipelinex.access.Caller;
import dev.pipelinex.access.TokenIssuer;
import dev.pipelinex.config.Settings;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * API tokens for tooling: an account that signs in with its password (HTTP Basic) gets a bearer
 * token with its current roles, valid for {@code days} days (default 30, at most
 * {@code pipelinex.tokens.max-days}). A token cannot be used to get another one.
 */
@Path("/tokens")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class TokensResource {

    static final int DEFAULT_DAYS = 30;

    @Inject
    private Settings settings;

    @Context
    private SecurityContext security;

    @POST
    public String issue(String body) {
        Caller caller = Callers.of(security);
        if (!SecurityContext.BASIC_AUTH.equalsIgnoreCase(String.valueOf(security.getAuthenticationScheme()))) {
            throw new RequestRefusedException(Refusal.FORBIDDEN, "a token is issued only to an account that "
                    + "signs in with its password (HTTP Basic), not to another token");
        }
        int days = days(body, settings.tokenMaxDays());
        List<String> roles = new ArrayList<>();
        if (caller.submitter()) {
            roles.add(Caller.SUBMITTER);
        }
        if (caller.viewer()) {
            roles.add(Caller.VIEWER);
        }
        if (caller.admin()) {
            roles.add(Caller.ADMIN);
        }
        TokenIssuer.Token token = settings.tokenIssuer().issue(caller.name(), roles,
                Instant.now().truncatedTo(ChronoUnit.SECONDS), Duration.ofDays(days));
        ObjectNode out = JobFiles.json().createObjectNode();
        out.put("token_type", "Bearer");
        out.put("access_token", token.value());
        out.put("account", caller.name());
        out.set("roles", JobFiles.json().valueToTree(roles));
        out.put("expires_at", token.expiresAt().toString());
        return out.toString();
    }

    /** {@code {"days": N}}, or an empty body for the default. */
    static int days(String body, int max) {
        if (body == null || body.isBlank()) {
            return Math.min(DEFAULT_DAYS, max);
        }
        JsonNode days;
        try {
            JsonNode root = JobFiles.json().readTree(body);
            if (root == null || !root.isObject()) {
                throw new IOException("not an object");
            }
            root.fieldNames().forEachRemaining(f -> {
                if (!f.equals("days")) {
                    throw new RequestRefusedException(Refusal.MALFORMED_REQUEST, "unknown field '" + f
                            + "'; the body may hold only {\"days\": N}");
                }
            });
            days = root.get("days");
        } catch (IOException e) {
            throw new RequestRefusedException(Refusal.MALFORMED_REQUEST, "the body must be empty or a JSON object "
                    + "such as {\"days\": 30}");
        }
        if (days == null) {
            return Math.min(DEFAULT_DAYS, max);
        }
        if (!days.isInt() || days.asInt() < 1 || days.asInt() > max) {
            throw new RequestRefusedException(Refusal.MALFORMED_REQUEST, "field 'days' must be a whole number from 1 "
                    + "to " + max + " (pipelinex.tokens.max-days)");
        }
        return days.asInt();
    }
}
