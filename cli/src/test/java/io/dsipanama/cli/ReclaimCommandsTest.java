package io.dsipanama.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The two-terminal demo of reclaim: {@code dsi produce --reclaim-every 100} in a second JVM, {@code dsi consume
 * --json} here; the consumer reports revocations told by page faults apart from those the state check found.
 */
@Timeout(120)
class ReclaimCommandsTest {
    private final Path root = Path.of("/dev/shm", "dsi-cli-reclaim-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
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

    private static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void produceWithReclaimEveryAndConsumeJsonReportRevocationsByPageFault() throws Exception {
        CompletableFuture<StreamCommandsTestSupport.Result> consumer = CompletableFuture.supplyAsync(
                () -> cli.dsi("consume", "r", "--json", "--delay-us", "300", "--timeout-ms", "30000"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path")));
        String nativeLib = System.getProperty("dsi.native.lib");
        if (nativeLib != null) {
            cmd.add("-Ddsi.native.lib=" + nativeLib);
        }
        cmd.addAll(List.of(Dsi.class.getName(), "produce", "r", "--create", "--size", "16K:64K", "--rate", "2000",
                "--packets", "3000", "--reclaim-every", "100", "--root", root.toString()));
        Process producer = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            assertTrue(producer.waitFor(60, TimeUnit.SECONDS), "producer did not finish");
            String produced = new String(producer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, producer.exitValue(), produced);
            assertTrue(produced.contains("reclaimed "), produced);
            StreamCommandsTestSupport.Result consumed = consumer.get(60, TimeUnit.SECONDS);
            System.out.println(produced + consumed.out());
            assertEquals(0, consumed.status(), consumed.out() + consumed.err());
            String json = consumed.out();
            assertEquals(0, number(json, "checksum_failures"), json);
            assertTrue(json.contains("\"fault_watch\": \"minor_and_missing\"") || json.contains("\"fault_watch\": \"missing\""), json);
            assertTrue(number(json, "revoked_by_fault") > 0, "revocations told by page fault: " + json);
            assertEquals(number(json, "revoked_while_held"), number(json, "revoked_by_fault") + number(json, "revoked_by_check"), json);
            assertEquals(3000, number(json, "received") + number(json, "lost_total"), json);
        } finally {
            producer.destroyForcibly();
        }
    }
}
