package io.dsipanama.rtu;

/**
 * The source's side of the trigger seam: anything that can tell a reactive upcall "there is work", such as
 * an eventfd ({@link EventfdTrigger}), a DSI stream that has data, or a completion the network module
 * posts. The scheduler attaches a {@link Trigger} when the upcall starts and detaches it when the upcall is
 * closed; between the two the source calls {@link Trigger#fire} from whichever thread sees the event.
 *
 * <p>A source that has a pollable file descriptor can hand it to the scheduler's {@link Reactor} instead
 * of running a thread of its own, as {@link EventfdTrigger} does.
 */
public interface TriggerSource {
    /** Starts delivering events to {@code trigger}. Called once, from the thread starting the upcall. */
    void attach(Trigger trigger, Reactor reactor);

    /** Stops delivering; after it returns the source no longer calls the trigger. */
    void detach();
}
