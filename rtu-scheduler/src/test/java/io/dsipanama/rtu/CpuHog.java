package io.dsipanama.rtu;

import io.dsipanama.ffm.support.ProcessIdentity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Competing load at normal priority: one busy shell loop per CPU, each a separate process under
 * {@code timeout}, so it dies even if this JVM does. {@link #cpuSeconds()} proves the load really ran.
 */
final class CpuHog implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();

    private CpuHog(int count, int lifetimeSeconds) {
        try {
            for (int i = 0; i < count; i++) {
                processes.add(new ProcessBuilder("timeout", Integer.toString(lifetimeSeconds), "sh", "-c", "while :; do :; done")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} busy loops at SCHED_OTHER, nice 0, that end by themselves after {@code lifetimeSeconds}. */
    static CpuHog start(int count, int lifetimeSeconds) {
        return new CpuHog(count, lifetimeSeconds);
    }

    /** CPU time (user + system) the busy loops have used so far, in seconds. */
    double cpuSeconds() {
        double total = 0;
        long ticks = 100; // USER_HZ on Linux x86_64
        for (Process p : processes) {
            for (ProcessHandle h : p.descendants().toList()) {
                total += ticksOf(h.pid()) / (double) ticks;
            }
        }
        return total;
    }

    private static long ticksOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime: fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    boolean allAlive() {
        return processes.stream().allMatch(Process::isAlive) && ProcessIdentity.self().isAlive();
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
