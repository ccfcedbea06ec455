package dev.pipelinex.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pipelinex.access.SignInThrottle;
import dev.pipelinex.config.Settings;
import dev.pipelinex.job.JobFiles;
import dev.pipelinex.job.Refusal;
import io.undertow.security.api.SecurityContext;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.ServletExtension;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.util.Headers;
import jakarta.servlet.ServletContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Throttles failed HTTP Basic sign-ins ({@link SignInThrottle}): ahead of authentication, an
 * attempt whose account or address must wait is answered 429 {@code sign-in-throttled} with a
 * {@code Retry-After}, its password unchecked; after it, a 401 to Basic credentials counts as a
 * failure of its account and address, and an authenticated request clears them. Bearer tokens
 * are not throttled: they are signed, not guessed. Slowed and locked keys are logged, and the
 * counts are in {@code /metrics}. The client address is the connection's peer.
 */
public class SignInGuard implements ServletExtension {

    private static final Logger LOG = Logger.getLogger(SignInGuard.class.getName());
    private static volatile SignInThrottle throttle;

    /** The throttle of this deployment (for the metrics); null before it is deployed. */
    static SignInThrottle throttle() {
        return throttle;
    }

    @Override
    public void handleDeployment(DeploymentInfo deployment, ServletContext context) {
        SignInThrottle t = new Settings().signInThrottle();
        throttle = t;
        deployment.addInitialHandlerChainWrapper(next -> exchange -> {
            String account = basicAccount(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
            if (account == null) {
                next.handleRequest(exchange);
                return;
            }
            String address = address(exchange);
            Optional<SignInThrottle.Refusal> refused = t.check(account, address);
            if (refused.isPresent()) {
                refuse(exchange, refused.get());
                return;
            }
            exchange.addResponseCommitListener(done -> after(t, done, account, address));
            next.handleRequest(exchange);
        });
    }

    private static void after(SignInThrottle t, HttpServerExchange done, String account, String address) {
        SecurityContext security = done.getSecurityContext();
        boolean authenticated = security != null && security.isAuthenticated()
                && security.getAuthenticatedAccount() != null
                && account.equals(security.getAuthenticatedAccount().getPrincipal().getName());
        if (authenticated) {
            t.succeeded(account, address);
        } else if (done.getStatusCode() == 401) {
            SignInThrottle.Outcome o = t.failed(account, address);
            if (o.locked() != null) {
                LOG.warning("sign-in: " + o.locked() + " is locked after repeated failures (the last for account '"
                        + account + "' from " + address + "); its attempts are refused for a while");
            } else if (o.slowed() != null) {
                LOG.warning("sign-in: " + o.slowed() + " has failed repeatedly (the last for account '" + account
                        + "' from " + address + "); each further attempt must wait longer");
            }
        }
    }

    private static void refuse(HttpServerExchange exchange, SignInThrottle.Refusal r) {
        ObjectNode body = JobFiles.json().createObjectNode();
        body.put("type", Problems.TYPE_PREFIX + Refusal.SIGN_IN_THROTTLED.slug());
        body.put("title", Refusal.SIGN_IN_THROTTLED.title());
        body.put("status", Refusal.SIGN_IN_THROTTLED.status());
        body.put("detail", "too many failed sign-ins for " + r.key() + (r.locked() ? ": it is locked" : "")
                + "; this attempt was not checked. Try again in " + r.retryAfterSeconds() + " s, with the right "
                + "password, or use an API token");
        exchange.setStatusCode(Refusal.SIGN_IN_THROTTLED.status());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, Problems.MEDIA_TYPE);
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(r.retryAfterSeconds()));
        exchange.getResponseSender().send(body.toString());
    }

    /** The account named by {@code Basic} credentials, cleaned for keys and logs; null for none. */
    static String basicAccount(String authorization) {
        if (authorization == null || authorization.length() < 7 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null; // not Basic credentials at all: the mechanism answers it
        }
        int colon = decoded.indexOf(':');
        String name = (colon < 0 ? decoded : decoded.substring(0, colon)).replaceAll("\\p{Cntrl}", "?");
        return name.length() > 100 ? name.substring(0, 100) : name;
    }

    private static String address(HttpServerExchange exchange) {
        InetSocketAddress peer = exchange.getSourceAddress();
        return peer == null || peer.getAddress() == null ? "unknown" : peer.getAddress().getHostAddress();
    }
}
