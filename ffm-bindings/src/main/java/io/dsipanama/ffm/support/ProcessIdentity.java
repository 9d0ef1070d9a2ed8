package io.dsipanama.ffm.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process named by pid and start time, so a recycled pid is not mistaken for the process that wrote an
 * entry. The start time is field 22 of {@code /proc/PID/stat} ({@code starttime}, clock ticks since boot),
 * which never changes during a process's life.
 * Streams (peers, chain holders) and the reserve registry (entries) use it to tell a dead process's records.
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
        String stat = stat(pid);
        return stat == null ? GONE : startTime(stat);
    }

    /**
     * True while this exact process runs: its pid exists, is not a zombie, and has the recorded start time.
     * A zombie has released everything it held (its reserves, its mappings), so it counts as gone.
     * One read of {@code /proc/PID/stat}.
     */
    public boolean isAlive() {
        if (pid <= 0 || startTime == GONE) {
            return false;
        }
        String stat = stat(pid);
        if (stat == null || startTime(stat) != startTime) {
            return false;
        }
        int close = stat.lastIndexOf(')');
        return close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z'; // field 3, the state
    }

    /** The text of /proc/PID/stat, or null if there is no such process (or it cannot be read). */
    private static String stat(int pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Field 22 of a /proc/PID/stat text, or {@link #GONE}. */
    private static long startTime(String stat) {
        // comm (field 2) is in parentheses and may contain spaces and ')': fields resume after the last ')'
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return GONE;
        }
        String[] rest = stat.substring(close + 1).trim().split(" ");
        int index = 22 - 3; // rest[0] is field 3 (state)
        if (rest.length <= index) {
            return GONE;
        }
        try {
            return Long.parseLong(rest[index]);
        } catch (NumberFormatException e) {
            return GONE;
        }
    }
}
