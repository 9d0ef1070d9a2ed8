package io.dsipanama.stream;

import io.dsipanama.ffm.Unistd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Locked stream buffers: locking shows in this process's VmLck and unlocking gives it back while the stream
 * keeps working; without CAP_IPC_LOCK and past RLIMIT_MEMLOCK creation fails with a message naming the limit
 * (a child JVM run through {@code setpriv} without the capability and {@code prlimit --memlock}).
 */
@Timeout(90)
class MemoryLockTest {
    private static final long PAGE = Unistd.pageSize();
    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    private static long lockedKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmLck:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmLck in /proc/self/status");
    }

    @Test
    void aLockedStreamCountsInVmLckUntilUnlockedAndKeepsWorking() throws Exception {
        assumeTrue(MemoryLock.hasIpcLock() || io.dsipanama.ffm.Resource.getrlimit(
                io.dsipanama.ffm.Resource.RLIMIT_MEMLOCK).curUnlimited(), "needs CAP_IPC_LOCK or no memlock limit");
        long before = lockedKb();
        long data = 256 * PAGE;
        StreamSpec spec = StreamSpec.builder().descriptorCount(16).maxPacketBytes(4096).dataBytes(data)
                .lockInMemory(true).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "m", spec)) {
            long locked = lockedKb() - before;
            assertTrue(locked * 1024 >= data, "locked " + locked + " KiB for a " + data / 1024 + " KiB data area");
            p.unlockMemory();
            assertTrue((lockedKb() - before) * 1024 < PAGE, "unlocked, VmLck back to " + lockedKb() + " KiB");
            assertTrue(p.offer(java.lang.foreign.MemorySegment.ofArray(new byte[100]), 1), "still works");
        }
    }

    @Test
    void pastRlimitMemlockWithoutCapIpcLockCreationFailsNamingTheLimit() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/prlimit")),
                "needs setpriv and prlimit (util-linux)");
        String out = runChild(64 * 1024, 1024 * PAGE);
        assertTrue(out.startsWith("refused MEMORY_LOCK"), out);
        assertTrue(out.contains("RLIMIT_MEMLOCK is 65536/65536 bytes"), out);
        assertTrue(out.contains("lacks CAP_IPC_LOCK"), out);
        assertTrue(out.contains("ENOMEM") || out.contains("EPERM"), out);
        assertTrue(out.endsWith("exists=false"), "a refused stream leaves no file: " + out);
        // the same child under a limit that fits creates it: the limit, not something else, refused it
        String fits = runChild(1L << 20, 16 * PAGE);
        assertTrue(fits.startsWith("created m ipc_lock=false"), fits);
    }

    private String runChild(long memlockBytes, long dataBytes) throws Exception {
        root.dir.remove("m");
        // lower the limit first (prlimit runs with our capabilities), then drop CAP_IPC_LOCK for the JVM
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/prlimit", "--memlock=" + memlockBytes + ":" + memlockBytes,
                "/usr/bin/setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--illegal-native-access=deny", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path")));
        String nativeLib = System.getProperty("dsi.native.lib");
        if (nativeLib != null) {
            cmd.add("-Ddsi.native.lib=" + nativeLib);
        }
        cmd.addAll(List.of(MemoryLockChild.class.getName(), root.path.toString(), "m", Long.toString(dataBytes)));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child did not finish");
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, process.exitValue(), out);
            return out;
        } finally {
            process.destroyForcibly();
        }
    }
}
