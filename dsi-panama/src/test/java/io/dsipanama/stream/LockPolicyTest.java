package io.dsipanama.stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The resource manager's policy ({@link StreamDirectory#demoteLocks}: largest locked streams first, until
 * enough bytes) and the lock block's compatibility: a 1.1 file (zeros where 1.2 has the lock block) opens.
 */
@Timeout(60)
class LockPolicyTest {
    private static final long PAGE = io.dsipanama.ffm.Unistd.pageSize();
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    private StreamProducer create(String name, long dataPages, boolean locked) {
        return StreamProducer.create(root.dir, name, StreamSpec.builder().descriptorCount(16).maxPacketBytes(256)
                .dataBytes(dataPages * PAGE).policy(OverflowPolicy.DROP_OLDEST).lockInMemory(locked).build());
    }

    private static void publish(StreamProducer p, int packets) {
        for (int i = 0; i < packets; i++) {
            assertTrue(p.offer(MemorySegment.ofArray(new byte[64]), p.position()));
        }
    }

    @Test
    void demoteLocksAsksTheLargestLockedStreamsFirstUntilEnoughBytes() {
        assumeTrue(MemoryLock.hasIpcLock() || io.dsipanama.ffm.Resource.getrlimit(
                io.dsipanama.ffm.Resource.RLIMIT_MEMLOCK).curUnlimited(), "needs CAP_IPC_LOCK or no memlock limit");
        try (StreamProducer small = create("small", 16, true); StreamProducer mid = create("mid", 64, true);
             StreamProducer big = create("big", 128, true); StreamProducer huge = create("unlocked", 512, false)) {
            long bigBytes = big.stats().lockedBytes();
            assertEquals(big.mapping.layout().fileLength(), bigBytes);
            assertEquals(0, huge.stats().lockedBytes(), "not lockInMemory: nothing to free");
            assertEquals(LockState.NONE, huge.stats().producerLock());
            assertEquals(List.of(), root.dir.demoteLocks(0));

            assertEquals(List.of("big", "mid"), root.dir.demoteLocks(bigBytes + 1));
            assertEquals(1, big.stats().lockDemand());
            assertEquals(1, mid.stats().lockDemand());
            assertEquals(0, small.stats().lockDemand(), "not needed: not asked");
            // each end answers on its own thread: these producers' next packets
            publish(big, LockDemand.CHECK_EVERY_PACKETS - 1);
            assertEquals(LockState.LOCKED, big.lockState(), "no look before " + LockDemand.CHECK_EVERY_PACKETS);
            publish(big, 1);
            publish(mid, LockDemand.CHECK_EVERY_PACKETS);
            assertEquals(LockState.DEMOTED, big.stats().producerLock());
            assertEquals(LockState.DEMOTED, mid.stats().producerLock());
            assertEquals(LockState.LOCKED, small.stats().producerLock());
            assertEquals(0, big.stats().lockedBytes());

            // demoted streams hold nothing locked any more: the next round takes the remaining one
            assertEquals(List.of("small"), root.dir.demoteLocks(1));
            assertEquals(List.of(), root.dir.demoteLocks(0));
        }
    }

    @Test
    void aProducerBlockedInClaimAnswersWithinAWaitSliceAndStaysBlockedUntilRoom() throws Exception {
        assumeTrue(MemoryLock.hasIpcLock() || io.dsipanama.ffm.Resource.getrlimit(
                io.dsipanama.ffm.Resource.RLIMIT_MEMLOCK).curUnlimited(), "needs CAP_IPC_LOCK or no memlock limit");
        StreamSpec spec = StreamSpec.builder().descriptorCount(16).maxPacketBytes(256).dataBytes(16 * PAGE)
                .policy(OverflowPolicy.BLOCK).lockInMemory(true).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "full", spec);
             StreamConsumer c = StreamConsumer.open(root.dir, "full")) {
            publish(p, 16); // the ring is full: the next claim blocks until the consumer releases one
            java.util.concurrent.CompletableFuture<Boolean> blocked = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> p.offer(MemorySegment.ofArray(new byte[64]), 16, -1));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (p.stats().counter(StreamCounter.FUTEX_WAITS_PRODUCER) == 0) {
                assertTrue(System.nanoTime() - deadline < 0, "producer never slept in claim");
                Thread.sleep(5);
            }
            root.dir.demoteLock("full");
            while (c.stats().producerLock() != LockState.DEMOTED) {
                assertTrue(System.nanoTime() - deadline < 0, "blocked producer did not answer");
                Thread.sleep(5);
            }
            assertFalse(blocked.isDone(), "still waiting for room");
            assertEquals(LockState.LOCKED, c.stats().consumerLock(), "the consumer has not looked yet");
            Packet first = c.take(1_000_000_000L);
            assertEquals(0, first.position());
            assertTrue(first.release(), "released: room for the blocked claim");
            assertTrue(blocked.get(20, java.util.concurrent.TimeUnit.SECONDS), "the claim went through once there was room");
        }
    }

    @Test
    void aLayout11FileStillOpensAndShowsNoLock() throws Exception {
        try (StreamMapping m = root.dir.create("old", StreamSpec.builder().descriptorCount(16).maxPacketBytes(256)
                .dataBytes(16 * PAGE).build())) {
            m.header().releaseVersion(1 << 16 | 1);
        }
        try (StreamProducer p = StreamProducer.open(root.dir, "old"); StreamConsumer c = StreamConsumer.open(root.dir, "old")) {
            assertTrue(p.offer(MemorySegment.ofArray(new byte[10]), 1));
            assertEquals(10, c.take(1_000_000_000L).length());
            assertEquals("1.1", root.dir.list().getFirst().version());
            assertEquals(LockState.NONE, c.stats().consumerLock());
            assertEquals(0, root.dir.demoteLocks(Long.MAX_VALUE).size(), "nothing locked");
        }
    }
}
