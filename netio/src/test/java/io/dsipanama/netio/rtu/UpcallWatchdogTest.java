package io.dsipanama.netio.rtu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.dsipanama.ffm.SchedFeatures;
import io.dsipanama.netio.NetContext;
import io.dsipanama.rtu.Reserve;
import io.dsipanama.rtu.ReserveSpec;
import io.dsipanama.rtu.RtScheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A ring whose eventfd falls silent still runs: the setup unregisters the eventfd from the ring (as if the
 * kernel held deferred work without signalling it, which a ring timer cannot end either: its expiry is
 * deferred work too), so only the trigger's watchdog can fire jobs. They come about every {@code 2 * livenessNs}
 * and each reaps the ring timer's expiries. With a live eventfd the same ring needs no rescue.
 */
class UpcallWatchdogTest {
    private static final long MS = 1_000_000L;
    private static final long LIVENESS_NS = 20 * MS;
    private final Path registry = Path.of("/dev/shm", "dsi-watchdog-reg-" + ProcessHandle.current().pid() + "-" + System.nanoTime());

    @BeforeAll
    static void fifo() {
        var f = SchedFeatures.fifo();
        assumeTrue(f.available(), "SCHED_FIFO is not permitted here: " + f.detail());
    }

    @AfterEach
    void removeFiles() throws IOException {
        Files.deleteIfExists(registry);
    }

    /** An app with nothing to do; the setup may silence the ring's eventfd. */
    private record Idle() implements RingApp {
        @Override
        public int doWork(long nowNs) {
            return 0;
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theWatchdogRunsARingWhoseEventfdIsSilent() throws Exception {
        try (RtScheduler s = RtScheduler.start(UpcallNetTest.scheduler(registry))) {
            Reserve silent = s.admit(ReserveSpec.of(1 * MS, 10 * MS).withName("silent").onCpus(0));
            Reserve loud = s.admit(ReserveSpec.of(1 * MS, 10 * MS).withName("loud").onCpus(1));
            UpcallRing<Idle> mute = UpcallRing.reactive(silent, new NetContext(), 0, LIVENESS_NS, owner -> {
                owner.ring().unregisterEventfd();
                return new Idle();
            });
            UpcallRing<Idle> normal = UpcallRing.reactive(loud, new NetContext(), 0, LIVENESS_NS, owner -> new Idle());
            try {
                mute.awaitReady(10_000 * MS);
                normal.awaitReady(10_000 * MS);
                long jobsFrom = mute.jobs();
                long deadline = System.nanoTime() + 10_000 * MS;
                while (mute.jobs() - jobsFrom < 10 && System.nanoTime() - deadline < 0) {
                    Thread.sleep(10);
                }
                String summary = "silent: jobs " + mute.jobs() + " rescues " + mute.rescues() + " timer " + mute.timerExpiries()
                        + "; loud: jobs " + normal.jobs() + " rescues " + normal.rescues() + " timer " + normal.timerExpiries();
                System.out.println("watchdog: " + summary);
                assertTrue(mute.jobs() - jobsFrom >= 10, "a silent ring stopped: " + summary);
                assertTrue(mute.rescues() >= 10, summary);
                assertTrue(mute.timerExpiries() >= 5, "rescue jobs reap the ring timer: " + summary);
                // a ring whose timer wakes it every 20 ms clears its eventfd within every 40 ms window
                assertTrue(normal.timerExpiries() >= 10, summary);
                assertTrue(normal.rescues() <= normal.jobs() / 10, summary);
            } finally {
                mute.close();
                normal.close();
            }
            assertEquals(0, silent.lastError() == null ? 0 : 1, "upcall error: " + silent.lastError());
        }
    }
}
