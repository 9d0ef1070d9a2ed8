package io.dsipanama.rtu;

/**
 * The scheduler's side of the trigger seam: a reactive upcall's doorbell. A {@link TriggerSource} calls
 * {@link #fire} when events arrive; the upcall then runs as soon as its policing allows (minimum
 * inter-arrival time, budget per period), once for all events that arrived meanwhile.
 *
 * <p><b>Threading.</b> Any thread may call {@link #fire}: it is lock-free, allocates nothing, and makes at
 * most one futex wake system call (none when the virtual processor is awake).
 */
public interface Trigger {
    /** Records {@code events >= 1} new events and wakes the upcall's virtual processor if it sleeps. */
    void fire(long events);
}
