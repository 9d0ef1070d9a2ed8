package io.dsipanama.stream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One stage of the chained pipeline tests, in its own JVM: {@code source ROOT CHAIN OUT N},
 * {@code filter ROOT CHAIN IN OUT} (drops every seq = 2 mod 3, forwards the rest by reference),
 * {@code sink ROOT CHAIN IN} (checks every byte, the offset the source wrote, and the sequence), and
 * {@code hold ROOT CHAIN IN OUT K} (takes K packets, forwards them, keeps holding them and an uncommitted
 * claim, then waits to be killed).
 */
public final class ChainPipelineMain {
    static final int BLOCK = 4096;
    static final int DESCRIPTORS = 64;
    static final long WAIT_NS = 10_000_000_000L;

    public static void main(String[] args) throws Exception {
        StreamDirectory dir = new StreamDirectory(Path.of(args[1]));
        try (ChainArea area = ChainArea.open(dir, args[2]); ChainHolder holder = area.attach()) {
            switch (args[0]) {
                case "source" -> source(holder, args[3], Integer.parseInt(args[4]));
                case "filter" -> filter(holder, args[3], args[4]);
                case "sink" -> sink(holder, args[3]);
                case "hold" -> hold(holder, args[3], args[4], Integer.parseInt(args[5]));
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }

    static StreamSpec spec() {
        return StreamSpec.builder().descriptorCount(DESCRIPTORS).maxPacketBytes(BLOCK).dataBytes(BLOCK)
                .policy(OverflowPolicy.BLOCK).build();
    }

    static int lengthOf(long seq) {
        return 16 + (int) ((seq * 7919) % (BLOCK - 16));
    }

    /** Writes packet {@code seq} at {@code offset}: seq, the offset itself, then a pattern of seq. */
    static void fill(MemorySegment data, long offset, long seq, int length) {
        data.set(JAVA_LONG, offset, seq);
        data.set(JAVA_LONG, offset + 8, offset);
        for (int i = 16; i < length; i++) {
            data.set(JAVA_BYTE, offset + i, (byte) (seq * 31 + i));
        }
    }

    /** The index of the first wrong byte of packet {@code seq} at {@code offset}, or -1. */
    static int check(MemorySegment data, long offset, long seq, int length) {
        if (data.get(JAVA_LONG, offset) != seq) {
            return 0;
        }
        if (data.get(JAVA_LONG, offset + 8) != offset) {
            return 8;
        }
        for (int i = 16; i < length; i++) {
            if (data.get(JAVA_BYTE, offset + i) != (byte) (seq * 31 + i)) {
                return i;
            }
        }
        return -1;
    }

    static long digest(long digest, long seq, long offset) {
        return digest * 1_000_003L + (seq * 0x9E3779B97F4A7C15L ^ offset);
    }

    private static void source(ChainHolder holder, String out, int count) {
        long digest = 0;
        try (StreamProducer p = holder.createProducer(out, spec())) {
            System.out.println("ready");
            for (long seq = 0; seq < count; seq++) {
                int length = lengthOf(seq);
                Claim c = p.claim(length, WAIT_NS);
                if (c == null) {
                    throw new IllegalStateException("no room for " + seq);
                }
                fill(c.buffer(), c.offset(), seq, length);
                if (seq % 3 != 2) {
                    digest = digest(digest, seq, c.offset());
                }
                c.commit(seq);
            }
            System.out.println("source done " + count + " digest " + digest);
        }
    }

    private static void filter(ChainHolder holder, String in, String out) {
        long forwarded = 0;
        long dropped = 0;
        try (StreamConsumer c = openConsumer(holder, in); StreamProducer p = holder.createProducer(out, spec())) {
            System.out.println("ready");
            while (true) {
                Packet k;
                try {
                    k = c.take(WAIT_NS);
                } catch (StreamPeerGoneException e) {
                    break;
                }
                if (k == null) {
                    throw new IllegalStateException("filter: nothing for 10 s");
                }
                long seq = k.buffer().get(JAVA_LONG, k.offset());
                if (seq % 3 == 2) {
                    dropped++;
                } else if (p.forward(k, k.virtualTime(), WAIT_NS)) {
                    forwarded++;
                } else {
                    throw new IllegalStateException("filter: forward of " + seq + " refused");
                }
                k.release();
            }
            System.out.println("filter done forwarded " + forwarded + " dropped " + dropped);
        }
    }

    private static void sink(ChainHolder holder, String in) {
        long count = 0;
        long bytes = 0;
        long bad = 0;
        long digest = 0;
        long expected = 0;
        try (StreamConsumer c = openConsumer(holder, in)) {
            System.out.println("ready");
            while (true) {
                Packet k;
                try {
                    k = c.take(WAIT_NS);
                } catch (StreamPeerGoneException e) {
                    break;
                }
                if (k == null) {
                    throw new IllegalStateException("sink: nothing for 10 s");
                }
                long seq = k.virtualTime();
                int wrong = check(k.buffer(), k.offset(), seq, k.length());
                boolean ok = wrong < 0 && seq == expected && k.length() == lengthOf(seq) && k.lostBefore() == 0
                        && k.isStillValid();
                if (!ok && bad++ < 5) {
                    System.out.println("sink bad seq " + seq + " expected " + expected + " wrong byte " + wrong
                            + " at offset " + k.offset());
                }
                digest = digest(digest, seq, k.offset());
                bytes += k.length();
                count++;
                expected = seq + (seq % 3 == 0 ? 1 : 2);
                k.release();
            }
            System.out.println("sink done count " + count + " bytes " + bytes + " digest " + digest + " bad " + bad);
        }
    }

    private static void hold(ChainHolder holder, String in, String out, int k) throws Exception {
        StreamConsumer c = openConsumer(holder, in);
        StreamProducer p = holder.createProducer(out, spec());
        for (int i = 0; i < k; i++) {
            Packet packet = c.take(WAIT_NS);
            if (packet == null || !p.forward(packet)) {
                throw new IllegalStateException("hold: packet " + i);
            }
        }
        Claim claim = p.tryClaim(100);
        System.out.println("holding " + k + " claim " + (claim == null ? -1 : claim.offset()) + " holder " + holder.index());
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (stdin.readLine() != null) {
            // wait for SIGKILL
        }
    }

    static StreamConsumer openConsumer(ChainHolder holder, String name) {
        long deadline = System.nanoTime() + WAIT_NS;
        while (true) {
            try {
                return holder.openConsumer(name);
            } catch (StreamAccessException | StreamFormatException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
            }
        }
    }
}
