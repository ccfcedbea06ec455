package dev.pipelinex.job;

import jakarta.ejb.ApplicationException;
import java.util.List;

/**
 * A request the service will not carry out, with what a person needs to fix it.
 * The web layer turns it into an RFC 9457 problem; nothing it interrupted is left behind.
 */
@ApplicationException(rollback = true)
public class RequestRefusedException extends RuntimeException {

    private final Refusal refusal;
    private final String detail;
    private final List<String> reasons;
    private Long retryAfterSeconds;

    public RequestRefusedException(Refusal refusal, String detail) {
        this(refusal, detail, List.of(), null);
    }

    public RequestRefusedException(Refusal refusal, String detail, List<String> reasons) {
        this(refusal, detail, reasons, null);
    }

    public RequestRefusedException(Refusal refusal, String detail, List<String> reasons, Throwable cause) {
        super(refusal.title() + ": " + detail, cause);
        this.refusal = refusal;
        this.detail = detail;
        this.reasons = List.copyOf(reasons);
    }

    /** Tells the client when to try again (the {@code Retry-After} header). */
    public RequestRefusedException retryAfter(long seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** Seconds the client should wait before trying again, if the refusal is temporary. */
    public java.util.Optional<Long> retryAfterSeconds() {
        return java.util.Optional.ofNullable(retryAfterSeconds);
    }

    public Refusal refusal() {
        return refusal;
    }

    public String detail() {
        return detail;
    }

    public List<String> reasons() {
        return reasons;
    }
}
