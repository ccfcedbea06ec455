package dev.pipelinex.api;

import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import jakarta.ejb.EJBException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Anything else is a fault of the service: logged with an incident id that the problem also
 * carries, so an operator can find it; the client never sees a stack trace.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Exception> {

    /** Whether {@code e} arose while the runtime read the request body into a resource method's parameter. */
    static boolean isReaderFailure(Throwable e) {
        for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("org.jboss.resteasy.spi.ReaderException")) {
                return true;
            }
        }
        if (!(e instanceof java.io.IOException) && !(e.getCause() instanceof java.io.IOException)) {
            return false;
        }
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().endsWith(".MessageBodyParameterInjector")) {
                return true;
            }
            if (frame.getClassName().startsWith("dev.pipelinex.")) {
                return false;
            }
        }
        return false;
    }

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class.getName());

    @Override
    public Response toResponse(Exception e) {
        Throwable cause = e instanceof EJBException && e.getCause() != null ? e.getCause() : e;
        // A refusal raised while the runtime read the body (a limit, a broken upload) arrives wrapped.
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RequestRefusedException refused) {
                return new RefusalMapper().toResponse(refused);
            }
        }
        if (cause instanceof WebApplicationException web) {
            return new HttpErrorMapper().toResponse(web);
        }
        if (isReaderFailure(e)) {
            // The runtime could not read the body as its content type said (a broken multipart, …).
            return Problems.problem(400, Refusal.MALFORMED_REQUEST.slug(), Refusal.MALFORMED_REQUEST.title(),
                    "the request body could not be read as its Content-Type says; for an upload send "
                            + "multipart/form-data with a boundary and the parts 'project_zip' and 'metadata'", List.of());
        }
        String incident = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "incident " + incident, e);
        return Problems.problem(500, "internal-error", "Internal error",
                "the service failed to handle this request; quote incident " + incident
                        + " to the operator", List.of());
    }
}
