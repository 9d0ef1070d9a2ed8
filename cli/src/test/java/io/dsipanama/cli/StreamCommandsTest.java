package io.dsipanama.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** dsi produce / consume / streams through {@link Dsi#run}, on a private stream root. */
@Timeout(120)
class StreamCommandsTest {
    private final Path root = Path.of("/dev/shm", "dsi-cli-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());

    @AfterEach
    void cleanUp() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private record Result(int status, String out, String err) {
    }

    private Result dsi(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] withRoot = new String[argv.length + 2];
        System.arraycopy(argv, 0, withRoot, 0, argv.length);
        withRoot[argv.length] = "--root";
        withRoot[argv.length + 1] = root.toString();
        int status = Dsi.run(withRoot, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void produceThenConsumeVerifiesEveryPacketAndListsTheStream() throws Exception {
        CompletableFuture<Result> consumer = CompletableFuture.supplyAsync(
                () -> dsi("consume", "s", "--timeout-ms", "20000", "--json"));
        Result produced = dsi("produce", "s", "--create", "--packets", "5000", "--size", "1:64K", "--policy", "block",
                "--descriptors", "64");
        assertEquals(0, produced.status(), produced.err());
        assertTrue(produced.out().startsWith("produced 5000 of 5000 packets"), produced.out());
        Result consumed = consumer.get(60, TimeUnit.SECONDS);
        assertEquals(0, consumed.status(), consumed.out() + consumed.err());
        assertTrue(consumed.out().contains("\"received\": 5000"), consumed.out());
        assertTrue(consumed.out().contains("\"checksum_failures\": 0"), consumed.out());
        assertTrue(consumed.out().contains("\"lost_total\": 0"), consumed.out());
        assertTrue(consumed.out().contains("\"end\": \"producer_gone\""), consumed.out());

        Result list = dsi("streams");
        assertEquals(0, list.status());
        // idle, not stale: the creator (this JVM) still runs
        assertTrue(list.out().matches("(?s).*\\ns +block +closed +closed +0/64 +5000 +5000 +0 +-/- +idle.*"), list.out());
        Result json = dsi("streams", "--json");
        assertTrue(json.out().contains("\"name\": \"s\"") && json.out().contains("\"produced\": 5000"), json.out());
        assertTrue(dsi("streams", "--remove-stale").out().contains("0 stale streams removed"));
        assertEquals("removed s\n", dsi("streams", "--remove", "s").out());
        assertEquals("no streams in " + root + "\n", dsi("streams").out());
    }

    @Test
    void aSlowConsumerOfADropOldestStreamReportsItsLossesExactly() throws Exception {
        assertEquals(0, dsi("produce", "d", "--create", "--packets", "0", "--descriptors", "16").status());
        CompletableFuture<Result> consumer = CompletableFuture.supplyAsync(
                () -> dsi("consume", "d", "--delay-us", "2000", "--timeout-ms", "20000"));
        Thread.sleep(500);
        Result produced = dsi("produce", "d", "--packets", "3000", "--size", "4K", "--rate", "2000");
        assertEquals(0, produced.status(), produced.err());
        Result consumed = consumer.get(60, TimeUnit.SECONDS);
        assertEquals(0, consumed.status(), consumed.out());
        assertTrue(consumed.out().contains("all intact"), consumed.out());
        assertTrue(consumed.out().matches("(?s).*lost: \\d+ \\(overflow \\d+.*"), consumed.out());
        long received = Long.parseLong(consumed.out().replaceAll("(?s)^received (\\d+) .*", "$1"));
        long lost = Long.parseLong(consumed.out().replaceAll("(?s).*lost: (\\d+) .*", "$1"));
        assertEquals(3000, received + lost, consumed.out());
    }

    @Test
    void badInputGivesAClearErrorAndTheRightStatus() {
        Result badName = dsi("produce", "../x", "--create");
        assertEquals(1, badName.status());
        assertTrue(badName.err().contains("stream name"), badName.err());
        Result missing = dsi("consume", "nothing", "--timeout-ms", "100");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no stream 'nothing'"), missing.err());
        Result badPolicy = dsi("produce", "p", "--create", "--policy", "sometimes");
        assertEquals(2, badPolicy.status());
        assertTrue(badPolicy.err().contains("--policy is drop-oldest, drop-newest or block"), badPolicy.err());
        assertEquals(0, dsi("produce", "twice", "--create", "--packets", "1").status());
        Result twice = dsi("produce", "twice", "--create");
        assertEquals(1, twice.status());
        assertTrue(twice.err().contains("already exists"), twice.err());
    }
}
