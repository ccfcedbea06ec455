package dev.pipelinex.api;

import dev.pipelinex.config.Settings;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.ServletExtension;
import io.undertow.servlet.api.DeploymentInfo;
import jakarta.servlet.ServletContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;

/**
 * Lets a client that sends a refused body whole read the refusal. The server answers a request
 * it refuses before reading its body (413 on the declared length, 401, 415, …) at once; a
 * client that does not wait for {@code 100 Continue} goes on writing, and would get a broken
 * pipe instead of the answer if the connection closed under it. So the rest of the body is
 * read and discarded, but only so far: at most {@link #DRAIN_BYTES} beyond the request's
 * limit ({@link RequestLimits#bodyLimit}), and for at most {@link #DRAIN_TIME} after the
 * answer; past either the connection is closed. A client that announces its size with
 * {@code Expect: 100-continue} gets the refusal before it sends anything, as before.
 *
 * <p>Undertow does the discarding itself when an exchange ends with its body unread; this
 * bounds it. The bound is set before anything reads the body (the first handler of the
 * deployment, ahead of authentication), and replaces the listener's {@code max-post-size}.
 */
public class RefusalDrain implements ServletExtension {

    /** How much of a refused body beyond its limit is read and discarded. */
    static final long DRAIN_BYTES = 64L << 20;
    /** How long after a refusal the rest of its body is waited for. */
    static final Duration DRAIN_TIME = Duration.ofSeconds(30);

    @Override
    public void handleDeployment(DeploymentInfo deployment, ServletContext context) {
        deployment.addInitialHandlerChainWrapper(next -> exchange -> {
            bound(exchange);
            next.handleRequest(exchange);
        });
    }

    private static void bound(HttpServerExchange exchange) {
        if (!exchange.isRequestChannelAvailable() || exchange.isRequestComplete()) {
            return;
        }
        long limit = RequestLimits.bodyLimit(exchange.getRelativePath(), new Settings().intakeLimits().maxUploadBytes());
        exchange.setMaxEntitySize(limit + DRAIN_BYTES);
        exchange.addResponseCommitListener(answered -> {
            if (answered.getStatusCode() >= 400 && !answered.isRequestComplete()) {
                answered.getIoThread().executeAfter(() -> {
                    if (!answered.isRequestComplete()) {
                        IoUtils.safeClose(answered.getConnection());
                    }
                }, DRAIN_TIME.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }
}
