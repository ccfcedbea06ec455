package dev.pipelinex.api;

import dev.pipelinex.service.Capacity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;

/**
 * Runs before a submission's body is read: a full queue or too many of the caller's jobs waiting (429), or a nearly full workspace disk
 * (503) refuses the job before anything of its upload is stored.
 */
@Provider
@CapacityChecked
@ApplicationScoped
public class CapacityFilter implements ContainerRequestFilter {

    @Inject
    private Capacity capacity;

    @Override
    public void filter(ContainerRequestContext request) {
        java.security.Principal caller = request.getSecurityContext() == null ? null
                : request.getSecurityContext().getUserPrincipal();
        capacity.checkCapacity(caller == null ? null : caller.getName());
    }
}
