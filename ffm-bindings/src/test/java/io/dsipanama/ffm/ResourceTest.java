package io.dsipanama.ffm;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** getrlimit/setrlimit, checked against the kernel's own account in /proc/self/limits. */
class ResourceTest {
    @Test
    void memlockLimitIsSaneAndMatchesProc() throws Exception {
        RLimit memlock = Resource.getrlimit(Resource.RLIMIT_MEMLOCK);
        assertTrue(Long.compareUnsigned(memlock.cur(), memlock.max()) <= 0, memlock::toString);
        assertTrue(memlock.curUnlimited() || memlock.cur() >= 0, memlock::toString);
        assertEquals(fromProc("Max locked memory"), memlock);
    }

    @Test
    void realTimeLimitsMatchProc() throws Exception {
        assertEquals(fromProc("Max realtime priority"), Resource.getrlimit(Resource.RLIMIT_RTPRIO));
        assertEquals(fromProc("Max realtime timeout"), Resource.getrlimit(Resource.RLIMIT_RTTIME));
    }

    @Test
    void nofileSoftLimitRoundTrips() throws Exception {
        RLimit before = Resource.getrlimit(Resource.RLIMIT_NOFILE);
        assertEquals(fromProc("Max open files"), before);
        try {
            assertEquals(0, Resource.setrlimit(Resource.RLIMIT_NOFILE, before));
            assertEquals(before, Resource.getrlimit(Resource.RLIMIT_NOFILE));
            if (!before.curUnlimited() && before.cur() > 1024) {
                // a real change the kernel must report, then back
                RLimit lower = before.withCur(before.cur() - 1);
                assertEquals(0, Resource.setrlimit(Resource.RLIMIT_NOFILE, lower));
                assertEquals(lower, Resource.getrlimit(Resource.RLIMIT_NOFILE));
                assertEquals(lower, fromProc("Max open files"));
            }
        } finally {
            Resource.setrlimit(Resource.RLIMIT_NOFILE, before);
        }
        assertEquals(before, Resource.getrlimit(Resource.RLIMIT_NOFILE));
    }

    @Test
    void softAboveHardIsEinval() {
        RLimit nofile = Resource.getrlimit(Resource.RLIMIT_NOFILE);
        assumeTrue(!nofile.maxUnlimited(), "the hard limit of RLIMIT_NOFILE is unlimited");
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Resource.setrlimit(Resource.RLIMIT_NOFILE, new RLimit(nofile.max() + 1, nofile.max())));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(nofile, Resource.getrlimit(Resource.RLIMIT_NOFILE));
    }

    @Test
    void infinityPrintsAsUnlimited() {
        assertEquals("unlimited/unlimited", new RLimit(Resource.RLIM_INFINITY, Resource.RLIM_INFINITY).toString());
        assertEquals("65536/unlimited", new RLimit(65536, -1).toString());
    }

    /** A row of /proc/self/limits: "Max locked memory   8388608   8388608   bytes". */
    private static RLimit fromProc(String name) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith(name + " ")) {
                String[] columns = line.substring(name.length()).trim().split("\\s+");
                return new RLimit(parse(columns[0]), parse(columns[1]));
            }
        }
        throw new AssertionError("no '" + name + "' in /proc/self/limits");
    }

    private static long parse(String value) {
        return value.equals("unlimited") ? Resource.RLIM_INFINITY : Long.parseUnsignedLong(value);
    }
}
