package io.dsipanama.ffm.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shim's parse of /proc/PID/stat against Java's own, on real processes: this one, a running child, a
 * zombie (a child its parent never reaps) and a pid that no longer exists.
 */
class ProcessIdentityTest {
    /** Field 22 of /proc/PID/stat, parsed in Java (after the last ')' of comm). */
    private static long field22(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(rest[22 - 3]);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void startTimesMatchProcAndOnlyTheLivingProcessIsAlive() throws Exception {
        ProcessIdentity self = ProcessIdentity.self();
        assertEquals(field22(ProcessHandle.current().pid()), self.startTime());
        assertTrue(self.isAlive());
        assertFalse(new ProcessIdentity(self.pid(), self.startTime() + 1).isAlive(), "another start time is another process");
        assertFalse(new ProcessIdentity(self.pid(), ProcessIdentity.GONE).isAlive());

        // sh forks a short-lived child, then becomes "sleep 5", which never reaps it: a zombie until we kill the parent
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & exec sleep 5").start();
        try {
            ProcessIdentity running = ProcessIdentity.of((int) parent.pid());
            assertEquals(field22(parent.pid()), running.startTime());
            assertTrue(running.isAlive());
            ProcessHandle zombie = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (zombie == null && System.nanoTime() - deadline < 0) {
                Optional<ProcessHandle> child = parent.children().findFirst();
                if (child.isPresent() && Files.readString(Path.of("/proc/" + child.get().pid() + "/stat")).contains(") Z ")) {
                    zombie = child.get();
                } else {
                    Thread.sleep(10);
                }
            }
            assertTrue(zombie != null, "no zombie child appeared");
            ProcessIdentity z = ProcessIdentity.of((int) zombie.pid());
            assertEquals(field22(zombie.pid()), z.startTime(), "a zombie still has its start time");
            assertFalse(z.isAlive(), "a zombie counts as gone");
        } finally {
            parent.destroyForcibly();
            parent.waitFor(5, TimeUnit.SECONDS);
        }
        ProcessIdentity dead = new ProcessIdentity((int) parent.pid(), field22(ProcessHandle.current().pid()));
        assertFalse(dead.isAlive());
        assertEquals(ProcessIdentity.GONE, ProcessIdentity.startTimeOf(0));
    }
}
