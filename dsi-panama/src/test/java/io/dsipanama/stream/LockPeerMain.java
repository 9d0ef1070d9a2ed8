package io.dsipanama.stream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The other processes of {@link LockDemotionCrossProcessTest}. Args: mode, root, name.
 * <ul>
 * <li>{@code produce}: creates a {@code lockInMemory} BLOCK stream and prints {@code created PID}; a producer
 * thread publishes {@link #fill numbered packets} while commands on stdin allow it: {@code run} (for ever),
 * {@code burst N} (N more), {@code close} (stop, close, print {@code closed N}, exit). While it has nothing
 * to do it parks (not in a claim), like an application between bursts.</li>
 * <li>{@code demote}: a third party: {@link StreamDirectory#demoteLock} and prints {@code demand N}.</li>
 * </ul>
 */
public final class LockPeerMain {
    static final long DATA_BYTES = 256 * 4096;

    private static volatile long target;
    private static volatile boolean stop;

    private LockPeerMain() {
    }

    public static void main(String[] args) throws Exception {
        StreamDirectory dir = new StreamDirectory(Path.of(args[1]));
        if (args[0].equals("demote")) {
            System.out.println("demand " + dir.demoteLock(args[2]));
            return;
        }
        StreamSpec spec = StreamSpec.builder().descriptorCount(64).maxPacketBytes(4096).dataBytes(DATA_BYTES)
                .policy(OverflowPolicy.BLOCK).lockInMemory(true).build();
        StreamProducer producer = StreamProducer.create(dir, args[2], spec);
        java.util.concurrent.atomic.AtomicLong produced = new java.util.concurrent.atomic.AtomicLong();
        Thread thread = Thread.ofPlatform().name("producer").start(() -> {
            while (!stop) {
                if (produced.get() >= target) {
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                long i = produced.get();
                Claim c = producer.claim(length(i), 100_000_000L);
                if (c != null) {
                    fill(c.segment(), i);
                    c.commit(i);
                    produced.set(i + 1);
                }
            }
        });
        System.out.println("created " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("run")) {
                target = Long.MAX_VALUE;
            } else if (line.startsWith("burst ")) {
                target = produced.get() + Long.parseLong(line.substring(6));
            } else if (line.equals("close")) {
                break;
            }
        }
        stop = true;
        thread.join();
        producer.close();
        System.out.println("closed " + produced.get());
    }

    /** Packet i: 8..4096 bytes, varying so packets wrap the ring at different offsets. */
    static int length(long i) {
        return 8 + (int) (i * 1031 % 4089);
    }

    /** The packet's number in its first 8 bytes, then bytes derived from it and their index. */
    static void fill(MemorySegment s, long i) {
        s.set(JAVA_LONG_UNALIGNED, 0, i);
        for (int j = 8; j < s.byteSize(); j++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, j, (byte) (i * 31 + j));
        }
    }

    /** Null if {@code s} is packet {@code i} intact, else what is wrong. */
    static String check(MemorySegment s, long i) {
        if (s.byteSize() != length(i)) {
            return "packet " + i + ": " + s.byteSize() + " bytes, expected " + length(i);
        }
        if (s.get(JAVA_LONG_UNALIGNED, 0) != i) {
            return "packet " + i + ": numbered " + s.get(JAVA_LONG_UNALIGNED, 0);
        }
        for (int j = 8; j < s.byteSize(); j++) {
            if (s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, j) != (byte) (i * 31 + j)) {
                return "packet " + i + ": byte " + j + " differs";
            }
        }
        return null;
    }
}
