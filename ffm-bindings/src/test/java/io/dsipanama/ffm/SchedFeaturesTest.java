package io.dsipanama.ffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SchedFeaturesTest {
    @Test
    @Timeout(30)
    void realTimeClassesAndMemlockAreAvailableAndNothingStaysRealTime() throws Exception {
        assumeTrue(SchedFeatures.hasCapSysNice(), "the real-time probes need root or CAP_SYS_NICE to succeed");
        SchedAttr before = Sched.getattr(0);

        List<Feature> features = SchedFeatures.features();
        features.forEach(f -> System.out.println("feature " + f));

        assertEquals(List.of("sched_fifo", "sched_deadline", "memlock", "rtprio"),
                features.stream().map(Feature::name).toList());
        for (Feature f : features.subList(0, 3)) {
            assertTrue(f.available(), f::toString);
        }
        Feature fifo = features.get(0);
        assertTrue(fifo.detail().contains("RLIMIT_RTPRIO") && fifo.detail().contains("sched_rt_runtime_us")
                && fifo.detail().contains("CAP_SYS_NICE"), fifo::detail);
        assertTrue(features.get(2).detail().contains("RLIMIT_MEMLOCK"), features.get(2)::detail);
        assertTrue(features.get(3).available(), "with CAP_SYS_NICE every real-time priority is usable");

        SchedAttr after = Sched.getattr(0);
        assertEquals(Sched.SCHED_OTHER, after.policy(), after::toString);
        assertEquals(before, after);
        assertEquals(List.of(), realTimeThreads(), "threads of this JVM left in a real-time class");
    }

    @Test
    void rtprioReportsTheLimit() {
        Feature rtprio = SchedFeatures.rtprio();
        assertTrue(rtprio.detail().contains("RLIMIT_RTPRIO " + Resource.getrlimit(Resource.RLIMIT_RTPRIO)),
                rtprio::detail);
    }

    /** Every thread of this process whose class is real-time, by kernel thread id. */
    private static List<String> realTimeThreads() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    SchedAttr attr = Sched.getattr(Integer.parseInt(task.getFileName().toString()));
                    if (attr.isRealTime()) {
                        found.add(task.getFileName() + " " + attr);
                    }
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.ESRCH) { // a thread that ended since the listing
                        throw e;
                    }
                }
            }
        }
        return found;
    }
}
