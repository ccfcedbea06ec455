package dev.pipelinex.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/** The JAX-RS runtime's own errors (unknown path, wrong method or media type) as problems too. */
@Provider
public class HttpErrorMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof dev.pipelinex.job.RequestRefusedException refused) {
                return new RefusalMapper().toResponse(refused);
            }
        }
        Response r = e.getResponse();
        int status = r.getStatus();
        String reason = r.getStatusInfo().getReasonPhrase();
        String slug = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 415 -> "unsupported-media-type";
            default -> status >= 500 ? "server-error" : "bad-request";
        };
        String detail = switch (status) {
            case 404 -> "there is no such resource; the API lives under /api/jobs";
            case 405 -> "this resource does not accept that HTTP method";
            case 415 -> "this resource does not accept that content type; an upload is multipart/form-data, "
                    + "a repository request application/json";
            default -> e.getMessage() == null ? reason : e.getMessage();
        };
        Response.ResponseBuilder b = Response.fromResponse(Problems.problem(status, slug, reason, detail, List.of()));
        if (r.getHeaderString("Allow") != null) {
            b.header("Allow", r.getHeaderString("Allow"));
        }
        return b.build();
    }
}
