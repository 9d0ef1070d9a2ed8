package io.dsipanama.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Ctrl-C (SIGINT/SIGTERM) asks a long-running command to stop instead of killing it, and gives it up to two
 * seconds to print its summary and close its stream cleanly (so the peer sees "closed", not a crash).
 */
final class StopOnSignal implements AutoCloseable, BooleanSupplier {
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean stop;

    StopOnSignal() {
        hook = new Thread(() -> {
            stop = true;
            try {
                finished.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dsi-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public boolean getAsBoolean() {
        return stop;
    }

    /** The command is done (summary printed, stream closed): the JVM may exit. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // a signal arrived: the hook is running and now returns
        }
    }
}
