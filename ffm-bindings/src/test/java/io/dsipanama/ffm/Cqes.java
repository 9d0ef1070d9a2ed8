package io.dsipanama.ffm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.fail;

/** Test-side reaping: collects completions until enough have arrived or a deadline passes. */
final class Cqes {
    record Cqe(long userData, int res, int flags) {
        boolean has(int flag) {
            return (flags & flag) != 0;
        }
    }

    private Cqes() {
    }

    /**
     * Reaps until {@code n} completions have been seen, polling (parking briefly, which also lets pending
     * task work run) for at most {@code timeoutMs}; never enters io_uring itself, so a test's count of
     * submit calls stays exact.
     */
    static List<Cqe> reap(IoUring ring, int n, long timeoutMs) {
        List<Cqe> seen = new ArrayList<>();
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (seen.size() < n) {
            if (ring.forEachCqe((userData, res, flags) -> seen.add(new Cqe(userData, res, flags))) == 0) {
                if (deadlineNs - System.nanoTime() <= 0) {
                    fail("only " + seen.size() + " of " + n + " completions within " + timeoutMs + " ms: " + seen);
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
            }
        }
        return seen;
    }
}
