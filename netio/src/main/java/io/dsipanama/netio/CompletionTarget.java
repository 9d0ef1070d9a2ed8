package io.dsipanama.netio;

/**
 * Something a {@link RingOwner} drives: it submits requests tagged with {@link RingOwner#userData}, gets
 * their completions back, and does its periodic work (Agrona's agent shape) on the ring's thread.
 */
public interface CompletionTarget extends AutoCloseable {
    /** One CQE of ours: {@code data} is the low 56 bits given to {@link RingOwner#userData}. */
    void onCompletion(long data, int res, int flags);

    /** Work for this cycle (fill SQEs, dispatch, expire); returns the amount done, 0 when idle. */
    int doWork(long nowNs);

    /** Requests whose last CQE is still due (the owner waits for 0 before freeing their memory). */
    int inFlight();

    /** Cancels what is in flight, waits for it, frees everything. Idempotent; on the ring's thread. */
    @Override
    void close();
}
