package dev.pipelinex.api;

import dev.pipelinex.job.RequestRefusedException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused request becomes a problem with the refusal's status, type and detail. */
@Provider
public class RefusalMapper implements ExceptionMapper<RequestRefusedException> {

    @Override
    public Response toResponse(RequestRefusedException e) {
        Response problem = Problems.problem(e.refusal().status(), e.refusal().slug(), e.refusal().title(), e.detail(),
                e.reasons());
        return e.retryAfterSeconds()
                .map(s -> Response.fromResponse(problem).header("Retry-After", Long.toString(s)).build())
                .orElse(problem);
    }
}
