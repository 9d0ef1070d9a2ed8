package io.dsipanama.ffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads {@code /proc/PID/task/TID/syscall} (the system call a blocked thread sits in, and its arguments),
 * so a test knows a waiter is really asleep in the kernel before it wakes it, instead of guessing with a
 * sleep.
 */
final class ProcSyscall {
    static final int SYS_READ = 0;
    static final int SYS_FUTEX = 202;

    private ProcSyscall() {
    }

    /** Polls until thread {@code tid} of {@code pid} is blocked in {@code nr} with {@code arg0} as first argument. */
    static void awaitBlockedIn(long pid, long tid, int nr, long arg0, Duration timeout) throws InterruptedException {
        Path file = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "syscall");
        String want = nr + " 0x" + Long.toHexString(arg0) + " ";
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (deadlineNs - System.nanoTime() > 0) {
            try {
                seen = Files.readString(file).trim();
            } catch (IOException e) {
                seen = e.toString();
            }
            if (seen.startsWith(want)) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("thread " + tid + " of " + pid + " never blocked in syscall " + nr + " on 0x"
                + Long.toHexString(arg0) + " within " + timeout + "; last seen: " + seen);
    }
}
