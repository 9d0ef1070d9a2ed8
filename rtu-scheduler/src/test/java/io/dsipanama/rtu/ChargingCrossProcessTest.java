package io.dsipanama.rtu;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.TestRegistries;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mercer §4.2 across processes: a server in another JVM does 30 ms of work for this process's reserve
 * (budget 20 ms per 200 ms) and charges it through the shared registry; this process's virtual processor
 * counts it against the budget, so the period overruns although the client's own jobs are small.
 */
class ChargingCrossProcessTest {
    private static final long MS = 1_000_000L;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final Path registry = TestRegistries.freshPath();

    @AfterEach
    void removeFiles() {
        TestRegistries.delete(registry);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aServerInAnotherProcessChargesTheClientsReserve() throws Exception {
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(registry));
             ChildJvm server = ChildJvm.start(ChargingServerChild.class, registry.toString())) {
            AtomicLong overrunUsedNs = new AtomicLong();
            Reserve client = s.admit(new ReserveSpec("client", 20 * MS, 200 * MS, 200 * MS, new java.util.BitSet(),
                    OverrunPolicy.NOTIFY)).onOverrun((r, usedNs, budgetNs) -> overrunUsedNs.set(usedNs));
            client.startPeriodic(ctx -> Burn.cpuNs(MS));
            server.expect("ready", TIMEOUT);

            server.send("serve " + client.id() + " " + 30 * MS);
            String served = server.expect("served", TIMEOUT);
            long charged = field(served, "charged");
            long serverOwn = field(served, "own");
            assertTrue(served.contains("found=true"), served);
            assertTrue(charged >= 30 * MS && charged < 40 * MS, served);
            assertTrue(serverOwn < 10 * MS, "the server's own reserve did not pay for the client's work: " + served);
            assertEquals(charged, client.chargedTotalNs(), "the registry holds the charge");

            // the client's virtual processor drains the charge at its next job and counts it against the budget
            EnforcementTest.await(() -> client.counter(ReserveCounter.CHARGED_IN_NS) == charged, 30);
            EnforcementTest.await(() -> client.counter(ReserveCounter.OVERRUNS) >= 1, 30);
            assertTrue(overrunUsedNs.get() >= charged, "overrun handler saw " + overrunUsedNs.get() + " ns used");
            assertTrue(client.counter(ReserveCounter.CPU_USED_NS) < client.counter(ReserveCounter.RELEASES) * 3 * MS,
                    "the client's own jobs stayed small");

            server.send("serve 999:1 " + MS); // a stale id: nothing is charged
            assertTrue(server.expect("served", TIMEOUT).contains("found=false"));
            assertEquals(charged, client.chargedTotalNs());
            server.send("exit");
            assertEquals(0, server.waitFor(TIMEOUT));
        }
    }

    private static long field(String line, String name) {
        Matcher m = Pattern.compile(name + "=(\\d+)").matcher(line);
        assertTrue(m.find(), line);
        return Long.parseLong(m.group(1));
    }
}
