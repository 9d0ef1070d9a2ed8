package io.dsipanama.rtu;

/**
 * Work the scheduler runs on a reserve: periodically, or when its trigger fires. An upcall runs to
 * completion on its virtual processor and no other upcall of that virtual processor runs meanwhile, so its
 * state needs no locks (RTU's run-to-completion concurrency). It should not block: it holds the processor
 * at the reserve's priority while it runs.
 *
 * <p>The context is a flyweight valid only during the call; in steady state nothing is allocated on the
 * way in or out.
 */
@FunctionalInterface
public interface Upcall {
    void onUpcall(UpcallContext context);
}
