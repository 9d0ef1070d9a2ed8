package io.dsipanama.ffm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The other process of the cross-process tests, started with {@link ChildJvm}: maps a file shared and
 * obeys one command per stdin line, answering with one line each. Offsets are decimal bytes.
 *
 * <pre>
 *   map PATH LENGTH               -> mapped ADDRESS         (opens PATH read-write, maps it MAP_SHARED)
 *   get OFF                       -> value OFF LONG         (volatile read)
 *   put OFF LONG                  -> put OFF                (volatile write)
 *   nonzero OFF LEN               -> nonzero OFF COUNT      (bytes that are not 0)
 *   wait OFF EXPECTED TIMEOUT_NS  -> waiting tid=TID, then woke rc=RC value=INT elapsedNs=NS
 *   waituntil OFF EXPECTED IN_NS  -> waiting tid=TID, then woke rc=RC value=INT lateNs=NS
 *   wake OFF INT                  -> woken COUNT            (volatile int write, then FUTEX_WAKE of all)
 *   exit                          -> (exits with status 0)
 * </pre>
 * A failing command prints {@code error MESSAGE} and the child goes on.
 */
final class MappedFileChild {
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    private MappedFileChild() {
    }

    public static void main(String[] args) throws Exception {
        try (Arena arena = Arena.ofShared();
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            MemorySegment map = MemorySegment.NULL;
            say("ready pid=" + Unistd.getpid());
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" +");
                try {
                    switch (w[0]) {
                        case "map" -> {
                            int fd = Fcntl.open(w[1], Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
                            if (fd < 0) {
                                throw new IllegalStateException("open " + w[1] + ": " + Errno.name(-fd));
                            }
                            try {
                                map = Mman.map(arena, Long.parseLong(w[2]), Mman.PROT_READ | Mman.PROT_WRITE,
                                        Mman.MAP_SHARED, fd, 0);
                            } finally {
                                Unistd.close(fd); // the mapping keeps the file
                            }
                            say("mapped " + map.address());
                        }
                        case "get" -> say("value " + w[1] + " " + (long) LONG.getVolatile(map, Long.parseLong(w[1])));
                        case "put" -> {
                            LONG.setVolatile(map, Long.parseLong(w[1]), Long.parseLong(w[2]));
                            say("put " + w[1]);
                        }
                        case "nonzero" -> {
                            MemorySegment s = map.asSlice(Long.parseLong(w[1]), Long.parseLong(w[2]));
                            long n = 0;
                            for (long i = 0; i < s.byteSize(); i++) {
                                n += s.get(JAVA_BYTE, i) != 0 ? 1 : 0;
                            }
                            say("nonzero " + w[1] + " " + n);
                        }
                        case "wait" -> {
                            long off = Long.parseLong(w[1]);
                            say("waiting tid=" + Unistd.gettid());
                            long t0 = System.nanoTime();
                            int rc = Futex.wait(map, off, Integer.parseInt(w[2]), Long.parseLong(w[3]));
                            long elapsedNs = System.nanoTime() - t0;
                            say("woke rc=" + rc + " value=" + (int) INT.getVolatile(map, off) + " elapsedNs=" + elapsedNs);
                        }
                        case "waituntil" -> {
                            long off = Long.parseLong(w[1]);
                            say("waiting tid=" + Unistd.gettid());
                            long deadlineNs = Time.monotonicNs() + Long.parseLong(w[3]);
                            int rc = Futex.waitUntil(map, off, Integer.parseInt(w[2]), deadlineNs);
                            long lateNs = Time.monotonicNs() - deadlineNs;
                            say("woke rc=" + rc + " value=" + (int) INT.getVolatile(map, off) + " lateNs=" + lateNs);
                        }
                        case "wake" -> {
                            long off = Long.parseLong(w[1]);
                            INT.setVolatile(map, off, Integer.parseInt(w[2]));
                            say("woken " + Futex.wake(map, off, Integer.MAX_VALUE));
                        }
                        case "exit" -> {
                            return;
                        }
                        default -> say("error unknown command " + line);
                    }
                } catch (RuntimeException e) {
                    say("error " + e);
                }
            }
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
