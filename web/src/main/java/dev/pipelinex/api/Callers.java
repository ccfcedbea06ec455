package dev.pipelinex.api;

import dev.pipelinex.access.Caller;
import dev.pipelinex.job.Refusal;
import dev.pipelinex.job.RequestRefusedException;
import jakarta.ws.rs.core.SecurityContext;

/** The authenticated account behind a request, as the API's access rules see it. */
final class Callers {

    private Callers() {
    }

    static Caller of(SecurityContext security) {
        if (security == null || security.getUserPrincipal() == null) {
            // web.xml lets no unauthenticated request reach the API; this is a second guard.
            throw new RequestRefusedException(Refusal.FORBIDDEN, "this call needs an account: send HTTP Basic "
                    + "credentials or a bearer token");
        }
        return new Caller(security.getUserPrincipal().getName(), security.isUserInRole(Caller.SUBMITTER),
                security.isUserInRole(Caller.VIEWER), security.isUserInRole(Caller.ADMIN));
    }

    /** The caller, when its roles let it submit jobs; a 403 that says so otherwise. */
    static Caller submitter(SecurityContext security) {
        Caller caller = of(security);
        if (!caller.maySubmit()) {
            throw new RequestRefusedException(Refusal.FORBIDDEN, "account '" + caller.name() + "' may read jobs "
                    + "but not submit them: submitting needs the role 'submitter' or 'admin'");
        }
        return caller;
    }
}
