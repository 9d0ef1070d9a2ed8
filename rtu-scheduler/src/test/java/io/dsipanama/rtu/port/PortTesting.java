package io.dsipanama.rtu.port;

import io.dsipanama.ffm.Feature;
import io.dsipanama.ffm.SchedFeatures;
import io.dsipanama.ffm.Time;
import io.dsipanama.rtu.registry.TestRegistries;
import io.dsipanama.stream.StreamDirectory;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Helpers for the port and stream-trigger tests: privileges, private stream roots, bounded waits, CPU burn. */
public final class PortTesting {
    private static Feature fifo;

    private PortTesting() {
    }

    /** Skips (with the probe's reason) where SCHED_FIFO is not permitted; on this project's machines it is. */
    public static synchronized void assumeFifo() {
        if (fifo == null) {
            fifo = SchedFeatures.fifo();
        }
        assumeTrue(fifo.available(), "SCHED_FIFO is not permitted here: " + fifo.detail());
    }

    /** A fresh stream root under /dev/shm (the directory creates it 0700). */
    public static Path freshStreamRoot() {
        return Path.of("/dev/shm", "dsi-port-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), "root");
    }

    public static StreamDirectory directory(Path root) {
        return new StreamDirectory(root);
    }

    /** Removes the root's parent directory and everything in it. */
    public static void deleteRoot(Path root) {
        TestRegistries.delete(root);
    }

    /** Polls {@code condition} every 10 ms until it holds, or fails after {@code seconds}. */
    public static void await(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        await(condition, seconds, () -> what);
    }

    /** {@link #await(BooleanSupplier, int, String)} with a message made when it fails. */
    public static void await(BooleanSupplier condition, int seconds, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what.get() + ": not within " + seconds + " s");
            }
            Thread.sleep(10);
        }
    }

    /** Uses {@code cpuNs} of this thread's CPU time (allocation-free). */
    public static void burnCpuNs(long cpuNs) {
        long start = Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID);
        while (Time.clock_gettime(Time.CLOCK_THREAD_CPUTIME_ID) - start < cpuNs) {
            Thread.onSpinWait();
        }
    }
}
