package dev.pipelinex.scanners.sast;

/**
 * The shared state of one run of the precision step: the application's classes, the summaries
 * computed so far, and the time budget of the finding being examined.
 */
final class Analysis {

    /** Instructions one finding may interpret, its callees included. */
    static final long MAX_STEPS = 400_000;

    private final ClassRepository repository;
    private final Summaries summaries;
    private final Calls calls;
    private long deadlineNanos = Long.MAX_VALUE;
    private long steps;

    Analysis(ClassRepository repository) {
        this.repository = repository;
        this.summaries = new Summaries(this);
        this.calls = new Calls(summaries);
    }

    ClassRepository repository() {
        return repository;
    }

    Calls calls() {
        return calls;
    }

    /** Starts the budget of one finding. */
    void startBudget(long millis) {
        deadlineNanos = System.nanoTime() + millis * 1_000_000L;
        steps = 0;
    }

    void tick() {
        if (++steps > MAX_STEPS || (steps & 63) == 0 && System.nanoTime() > deadlineNanos) {
            throw new MethodFlow.Bailout("the time budget was exceeded", true);
        }
    }
}
