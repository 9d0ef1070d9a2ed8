package io.dsipanama.stream;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link StreamConsumer#awaitPublished}: a watcher thread sleeps until the producer publishes past what it
 * knows, while another thread polls; it times out unchanged, returns at once when there is more, and takes
 * nothing itself.
 */
class StreamAwaitPublishedTest {
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aWatcherSleepsUntilTheProducerPublishesAndTakesNothing() throws Exception {
        StreamSpec spec = StreamSpec.builder().descriptorCount(8).maxPacketBytes(64).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "w", spec);
             StreamConsumer c = StreamConsumer.open(root.dir, "w")) {
            long t0 = System.nanoTime();
            assertEquals(0, c.awaitPublished(0, 20_000_000L), "nothing published: times out unchanged");
            assertTrue(System.nanoTime() - t0 >= 15_000_000L, "it slept");
            CompletableFuture<Long> watcher = CompletableFuture.supplyAsync(() -> c.awaitPublished(0, 10_000_000_000L));
            Thread.sleep(50); // let it sleep on the futex (if it returned early the assertion below still holds)
            assertTrue(p.offer(MemorySegment.ofArray(new byte[16]), 1));
            assertEquals(1, watcher.get(10, TimeUnit.SECONDS), "woken by the publication");
            assertTrue(p.offer(MemorySegment.ofArray(new byte[16]), 2));
            assertEquals(2, c.awaitPublished(1, 10_000_000_000L), "more than known: at once");
            assertEquals(0, c.position(), "the watcher took nothing");
            Packet k = c.poll();
            assertNotNull(k);
            assertEquals(0, k.position());
            k.release();
        }
    }
}
