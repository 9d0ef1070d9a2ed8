package io.dsipanama.stream;

import io.dsipanama.ffm.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Unlock under a policy, across processes: a {@code lockInMemory} stream with its producer in a child JVM
 * ({@link LockPeerMain}) and its consumer here, both locked (VmLck of each process in /proc/PID/status);
 * a third party asks for demotion through the header; each end munlocks on its own thread (VmLck drops by
 * the stream's size, its state word says DEMOTED) while every packet keeps arriving intact.
 */
@Timeout(120)
class LockDemotionCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final TestRoot root = new TestRoot();
    private final AtomicLong consumed = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @BeforeEach
    void needLocking() {
        assumeTrue(MemoryLock.hasIpcLock() || io.dsipanama.ffm.Resource.getrlimit(
                io.dsipanama.ffm.Resource.RLIMIT_MEMLOCK).curUnlimited(), "needs CAP_IPC_LOCK or no memlock limit");
    }

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    static long lockedKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmLck:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmLck in /proc/" + pid + "/status");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    /** Takes and verifies every packet in order until the producer closes. */
    private Thread consume(StreamConsumer consumer) {
        return Thread.ofPlatform().name("consumer").start(() -> {
            try {
                while (true) {
                    Packet p = consumer.take(-1);
                    String bad = LockPeerMain.check(p.segment(), consumed.get());
                    assertNull(bad, bad);
                    assertEquals(0, p.lostBefore(), "nothing lost before packet " + consumed.get());
                    assertTrue(p.release(), "released intact");
                    consumed.incrementAndGet();
                }
            } catch (StreamPeerGoneException expected) {
                // the producer closed after its last packet
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    @Test
    void aThirdPartyDemotesBothLockedEndsWhilePacketsFlowIntact() throws Exception {
        long selfBeforeKb = lockedKb(ProcessHandle.current().pid());
        try (ChildJvm producer = ChildJvm.start(LockPeerMain.class, "produce", root.path.toString(), "s")) {
            producer.expect("created", WAIT);
            try (StreamConsumer consumer = StreamConsumer.open(root.dir, "s")) {
                long fileKb = consumer.mapping.layout().fileLength() / 1024;
                long dataKb = LockPeerMain.DATA_BYTES / 1024;
                Thread thread = consume(consumer);
                producer.send("run");
                await("packets flowing", () -> consumed.get() > 500 || failure.get() != null);
                long childLockedKb = lockedKb(producer.pid());
                long selfLockedKb = lockedKb(ProcessHandle.current().pid()) - selfBeforeKb;
                assertTrue(childLockedKb >= fileKb, "producer VmLck " + childLockedKb + " kB, file " + fileKb + " kB");
                assertTrue(selfLockedKb >= fileKb, "consumer VmLck +" + selfLockedKb + " kB, file " + fileKb + " kB");
                StreamStats before = consumer.stats();
                assertEquals(LockState.LOCKED, before.producerLock());
                assertEquals(LockState.LOCKED, before.consumerLock());
                assertEquals(consumer.mapping.layout().fileLength(), before.lockedBytes());

                long askedNs = System.nanoTime();
                try (ChildJvm manager = ChildJvm.start(LockPeerMain.class, "demote", root.path.toString(), "s")) {
                    assertEquals("demand 1", manager.expect("demand", WAIT));
                }
                await("both ends demoted", () -> consumer.stats().producerLock() == LockState.DEMOTED
                        && consumer.stats().consumerLock() == LockState.DEMOTED);
                long answeredMs = (System.nanoTime() - askedNs) / 1_000_000;
                long atDemotion = consumed.get();
                long childAfterKb = lockedKb(producer.pid());
                long selfAfterKb = lockedKb(ProcessHandle.current().pid()) - selfBeforeKb;
                assertTrue(childLockedKb - childAfterKb >= dataKb, "producer VmLck " + childLockedKb + " -> "
                        + childAfterKb + " kB");
                assertTrue(selfLockedKb - selfAfterKb >= dataKb, "consumer VmLck +" + selfLockedKb + " -> +"
                        + selfAfterKb + " kB");
                assertEquals(0, consumer.stats().lockedBytes());
                assertEquals(1, consumer.stats().lockDemand());
                assertEquals(LockState.DEMOTED, consumer.lockState());

                await("packets still flowing after the demotion",
                        () -> consumed.get() > atDemotion + 1000 || failure.get() != null);
                producer.send("close");
                long produced = Long.parseLong(producer.expect("closed", WAIT).substring(7));
                thread.join(WAIT.toMillis());
                assertNull(failure.get(), () -> "consumer failed: " + failure.get());
                assertEquals(produced, consumed.get(), "every packet taken, in order, intact");
                System.out.println("lock demotion: answered in " + answeredMs + " ms (third-party JVM start included), "
                        + "VmLck producer " + childLockedKb + " -> " + childAfterKb + " kB, consumer +" + selfLockedKb
                        + " -> +" + selfAfterKb + " kB, " + produced + " packets intact");
            }
        }
    }

    @Test
    void aBlockedConsumerAnswersWithinAWaitSliceAndAnIdleProducerAtItsNextPackets() throws Exception {
        try (ChildJvm producer = ChildJvm.start(LockPeerMain.class, "produce", root.path.toString(), "b")) {
            producer.expect("created", WAIT);
            try (StreamConsumer consumer = StreamConsumer.open(root.dir, "b")) {
                Thread thread = consume(consumer);
                await("consumer asleep in take", () -> consumer.stats().counter(StreamCounter.FUTEX_WAITS_CONSUMER) > 0);
                long askedNs = System.nanoTime();
                root.dir.demoteLock("b");
                await("blocked consumer demoted", () -> consumer.stats().consumerLock() == LockState.DEMOTED);
                long answeredMs = (System.nanoTime() - askedNs) / 1_000_000;
                assertEquals(0, consumed.get(), "it was blocked: no packet came");
                assertTrue(thread.isAlive(), "still in take");
                // the producer parks outside claim: it answers on its slow path or within 64 packets
                assertEquals(LockState.LOCKED, consumer.stats().producerLock());
                producer.send("burst " + LockDemand.CHECK_EVERY_PACKETS);
                await("producer demoted within " + LockDemand.CHECK_EVERY_PACKETS + " packets",
                        () -> consumer.stats().producerLock() == LockState.DEMOTED);
                await("burst delivered", () -> consumed.get() == LockDemand.CHECK_EVERY_PACKETS || failure.get() != null);
                assertTrue(lockedKb(producer.pid()) * 1024 < LockPeerMain.DATA_BYTES, "producer VmLck "
                        + lockedKb(producer.pid()) + " kB after demotion");
                producer.send("close");
                producer.expect("closed " + LockDemand.CHECK_EVERY_PACKETS, WAIT);
                thread.join(WAIT.toMillis());
                assertNull(failure.get(), () -> "consumer failed: " + failure.get());
                System.out.println("blocked consumer answered a demotion in " + answeredMs + " ms");
            }
        }
    }
}
