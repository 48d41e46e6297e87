package io.vda.agent.reconcile;

import java.time.Duration;

/**
 * The wait before the next pass while objects are not converged: {@code first}, doubling after every unconverged
 * pass, never more than {@code ceiling} (the reconcile period); back to the ceiling once converged.
 */
public final class RetryDelay {
    private final Duration first;
    private final Duration ceiling;
    private Duration next;

    public RetryDelay(Duration first, Duration ceiling) {
        if (first.isNegative() || first.isZero() || ceiling.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= ceiling, got " + first + " and " + ceiling);
        }
        this.first = first;
        this.ceiling = ceiling;
        this.next = first;
    }

    /** The wait after a pass that left objects not converged. */
    public Duration next() {
        Duration wait = next;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(ceiling) > 0 ? ceiling : doubled;
        return wait;
    }

    /** The wait after a converged pass (the period); the next unconverged pass starts again from {@code first}. */
    public Duration reset() {
        next = first;
        return ceiling;
    }
}
