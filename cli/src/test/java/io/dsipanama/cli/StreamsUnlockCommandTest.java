package io.dsipanama.cli;

import io.dsipanama.stream.LockState;
import io.dsipanama.stream.MemoryLock;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamPeerGoneException;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code dsi streams --unlock NAME}: the request reaches the ends, the listing and --json show their lock state. */
@Timeout(60)
class StreamsUnlockCommandTest {
    private final Path root = Path.of("/dev/shm", "dsi-cli-unlock-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    private final StreamCommandsTestSupport cli = new StreamCommandsTestSupport(root);

    @AfterEach
    void cleanUp() throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    @Test
    void unlockSendsTheRequestAndTheListingShowsEachEndsLock() throws Exception {
        assumeTrue(MemoryLock.hasIpcLock() || io.dsipanama.ffm.Resource.getrlimit(
                io.dsipanama.ffm.Resource.RLIMIT_MEMLOCK).curUnlimited(), "needs CAP_IPC_LOCK or no memlock limit");
        StreamDirectory dir = new StreamDirectory(root);
        StreamSpec spec = StreamSpec.builder().descriptorCount(16).maxPacketBytes(256).dataBytes(64 * 4096)
                .policy(OverflowPolicy.DROP_OLDEST).lockInMemory(true).build();
        AtomicLong taken = new AtomicLong();
        StreamProducer producer = StreamProducer.create(dir, "l", spec);
        try (StreamConsumer consumer = StreamConsumer.open(dir, "l")) {
            Thread thread = Thread.ofPlatform().name("consumer").start(() -> {
                try {
                    while (true) {
                        consumer.take(-1).release();
                        taken.incrementAndGet();
                    }
                } catch (StreamPeerGoneException | IllegalStateException end) {
                    // the producer closed
                }
            });
            assertTrue(cli.dsi("streams").out().matches("(?s).*\\nl +drop-oldest .* locked/locked +live.*"),
                    cli.dsi("streams").out());
            String json = cli.dsi("streams", "--json").out();
            assertTrue(json.contains("\"producer_lock\": \"locked\"") && json.contains("\"consumer_lock\": \"locked\"")
                    && json.contains("\"lock_demand\": 0"), json);

            StreamCommandsTestSupport.Result unlock = cli.dsi("streams", "--unlock", "l", "--wait-ms", "300");
            assertEquals(0, unlock.status(), unlock.err());
            // this thread's producer is idle, outside any call: it has not answered, and the command says so
            assertTrue(unlock.out().startsWith("unlock requested for l (request 1): producer locked, consumer "),
                    unlock.out());
            await("the blocked consumer demoted", () -> consumer.stats().consumerLock() == LockState.DEMOTED);
            for (int i = 0; i < 64; i++) {
                assertTrue(producer.offer(MemorySegment.ofArray(new byte[32]), i));
            }
            assertEquals(LockState.DEMOTED, producer.lockState(), "answered within 64 packets");
            await("packets taken", () -> taken.get() > 0);
            assertTrue(cli.dsi("streams").out().contains(" demoted/demoted "), cli.dsi("streams").out());
            assertTrue(cli.dsi("streams", "--json").out().contains("\"locked_bytes\": 0"));
            assertTrue(cli.dsi("streams", "--unlock", "l", "--wait-ms", "0").out()
                    .startsWith("unlock requested for l (request 2): producer demoted, consumer demoted"));
            producer.close();
            thread.join(20_000);
        } finally {
            producer.close(); // idempotent
        }
        StreamCommandsTestSupport.Result missing = cli.dsi("streams", "--unlock", "nosuch");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no stream 'nosuch'"), missing.err());
    }
}
