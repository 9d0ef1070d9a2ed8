package io.dsipanama.ffm.support;

import io.dsipanama.ffm.Unistd;

/**
 * A process named by pid and start time, so a recycled pid is not mistaken for the process that wrote an
 * entry. The start time is field 22 of {@code /proc/PID/stat} ({@code starttime}, clock ticks since boot),
 * which never changes during a process's life.
 * Streams (peers, chain holders) and the reserve registry (entries) use it to tell a dead process's records.
 *
 * <p>The shim ({@code dsi_proc_start_time}, bound as {@link Unistd#procStartTime}) reads and parses {@code /proc/PID/stat} in a stack buffer, so
 * {@link #isAlive()} and {@link #startTimeOf} allocate nothing: a stream's non-blocking consumer asks from its
 * hot path (netio's upcall-driven sender, every 100 ms), where a {@code Files.readString} and a split cost
 * ~3 KB a look.
 */
public record ProcessIdentity(int pid, long startTime) {
    /** Start time of a pid that does not exist (or cannot be read). */
    public static final long GONE = -1;

    private static final class Self {
        static final ProcessIdentity VALUE = of((int) ProcessHandle.current().pid());
    }

    public static ProcessIdentity self() {
        return Self.VALUE;
    }

    /** The process that has {@code pid} now (start time {@link #GONE} when there is none). */
    public static ProcessIdentity of(int pid) {
        return new ProcessIdentity(pid, startTimeOf(pid));
    }

    /** Field 22 of /proc/PID/stat, or {@link #GONE}. */
    public static long startTimeOf(int pid) {
        return startTime(pid, false);
    }

    /**
     * True while this exact process runs: its pid exists, is not a zombie, and has the recorded start time.
     * A zombie has released everything it held (its reserves, its mappings), so it counts as gone.
     * One read of {@code /proc/PID/stat}.
     */
    public boolean isAlive() {
        return isAlive(pid, startTime);
    }

    /** {@link #isAlive()} of {@code (pid, startTime)} without making the record (a hot caller's C1 code would). */
    public static boolean isAlive(int pid, long startTime) {
        if (pid <= 0 || startTime == GONE) {
            return false;
        }
        return startTime(pid, true) == startTime;
    }

    /** Field 22, or {@link #GONE} (no such pid, unreadable, or with {@code liveOnly} a zombie). */
    private static long startTime(int pid, boolean liveOnly) {
        if (pid <= 0) {
            return GONE;
        }
        long rc = Unistd.procStartTime(pid, liveOnly);
        return rc < 0 ? GONE : rc;
    }
}
