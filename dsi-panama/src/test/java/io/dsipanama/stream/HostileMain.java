package io.dsipanama.stream;

import io.dsipanama.stream.synthetic.Payload;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The hostile or dying process of {@link StreamHostilePeerTest} and {@link StreamDeadPeerTest}:
 * {@code HostileMain MODE ROOT NAME key=value...}.
 * <ul>
 * <li>{@code scribbling-producer mutations=N seed=S}: produces verifiable packets and scribbles one random
 * value on the header or control area per packet; after N mutations prints {@code quiet ...} and produces
 * cleanly (about 10 kHz) until {@code exit}, then prints {@code report ...}.
 * <li>{@code scribbling-consumer mutations=N seed=S}: the same as a consumer: takes and releases packets,
 * scribbles; after N mutations prints {@code quiet} and consumes cleanly until {@code exit}; the report
 * counts the packets after the quiet point that verified and those that did not.
 * <li>{@code hold count=N}: takes N packets, keeps them, prints {@code holding}, waits (to be killed).
 * <li>{@code half-claim packets=N}: publishes N packets, claims one more and writes half of it, prints
 * {@code claimed}, waits (to be killed mid-claim). {@code half-publish}: the same, but opens the slot's
 * seqlock and writes half the descriptor, as a producer killed inside {@code commit}.
 * </ul>
 * Every exception other than {@link StreamCorruptionException} and {@link StreamPeerGoneException}
 * escapes, ends the process with a stack trace, and fails the test.
 */
public final class HostileMain {
    private static volatile boolean exit;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = StreamPeerMain.parse(String.join(" ", args));
        StreamDirectory dir = new StreamDirectory(Path.of(args[1]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
                    // wait for the parent
                }
            } catch (Exception ignored) {
                // parent gone
            }
            exit = true;
        });
        long mutations = Long.parseLong(o.getOrDefault("mutations", "100000"));
        long seed = Long.parseLong(o.getOrDefault("seed", "1"));
        switch (args[0]) {
            case "scribbling-producer" -> scribblingProducer(dir, args[2], mutations, seed);
            case "scribbling-consumer" -> scribblingConsumer(dir, args[2], mutations, seed);
            case "hold" -> hold(dir, args[2], Integer.parseInt(o.get("count")));
            case "half-claim", "half-publish" -> half(dir, args[2], Integer.parseInt(o.get("packets")),
                    args[0].equals("half-publish"));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void scribblingProducer(StreamDirectory dir, String name, long mutations, long seed) {
        try (StreamProducer p = StreamProducer.open(dir, name)) {
            Scribbler pen = new Scribbler(p.mapping, seed);
            System.out.println("attached");
            long seq = 0;
            long lastVt = Long.MIN_VALUE;
            long refused = 0;
            long quietAt = -1;
            while (!exit) {
                if (quietAt < 0 && pen.mutations() >= mutations) {
                    quietAt = p.position();
                    System.out.println("quiet mutations=" + pen.mutations() + " position=" + quietAt + " refused="
                            + refused + " missed=" + pen.missed().size());
                }
                try {
                    Claim k = p.tryClaim(Payload.HEADER + (int) (seq * 7919 % 2000));
                    if (k != null) {
                        long vt = Math.max(p.virtualTimeNow(), lastVt);
                        Payload.fill(k.buffer(), k.offset(), k.length(), seq, vt);
                        k.commit(vt);
                        lastVt = vt;
                        seq++;
                    }
                } catch (StreamCorruptionException e) {
                    refused++;
                }
                if (quietAt < 0) {
                    pen.scribble(p.position());
                    if ((seq & 63) == 0) {
                        Thread.yield();
                    }
                } else {
                    LockSupport.parkNanos(100_000);
                }
            }
            System.out.println("report published=" + seq + " refused=" + refused + " producerCorruption="
                    + p.stats().counter(StreamCounter.PRODUCER_CORRUPTION_DETECTED));
        }
    }

    private static void scribblingConsumer(StreamDirectory dir, String name, long mutations, long seed) {
        try (StreamConsumer c = StreamConsumer.open(dir, name)) {
            Scribbler pen = new Scribbler(c.mapping, seed);
            long dataLength = c.mapping.layout().dataLength();
            System.out.println("attached");
            long quietAt = -1;
            long cleanAfterNs = Long.MAX_VALUE;
            long cleanFromVt = Long.MAX_VALUE;
            long refused = 0;
            long clean = 0;
            long bad = 0;
            long gone = 0;
            while (!exit) {
                if (quietAt < 0 && pen.mutations() >= mutations) {
                    quietAt = c.position();
                    // packets published half a second after the scribbling stopped went into rewritten slots
                    cleanAfterNs = System.nanoTime() + 500_000_000L;
                    cleanFromVt = c.spec().toVirtualTime(cleanAfterNs);
                    System.out.println("quiet mutations=" + pen.mutations() + " position=" + quietAt + " refused="
                            + refused + " missed=" + pen.missed().size());
                }
                try {
                    Packet k = quietAt < 0 ? c.poll() : c.take(10_000_000L);
                    if (k != null) {
                        if (k.offset() < 0 || k.offset() + k.length() > dataLength) {
                            throw new AssertionError("packet outside the data area: " + k);
                        }
                        boolean ok = Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime());
                        // packets published long after the quiet point were written into clean slots
                        if (System.nanoTime() > cleanAfterNs && k.virtualTime() >= cleanFromVt && k.isStillValid()) {
                            if (ok) {
                                clean++;
                            } else {
                                bad++;
                            }
                        }
                        k.release();
                    }
                } catch (StreamCorruptionException e) {
                    refused++;
                } catch (StreamPeerGoneException e) {
                    gone++;
                }
                if (quietAt < 0) {
                    pen.scribble(c.position());
                }
            }
            StreamStats st = c.stats();
            long cursor = c.position();
            System.out.println("report clean=" + clean + " bad=" + bad + " refused=" + refused + " gone=" + gone
                    + " cursor=" + cursor + " quietAt=" + quietAt + " producerPosition=" + st.producerPosition()
                    + " free=" + st.freePosition() + " seqAtCursor=" + c.slots.acquireSequence(c.slots.base(cursor))
                    + " stateAtCursor=0x" + Long.toHexString(c.slots.acquireState(c.slots.base(cursor))));
        }
    }

    private static void hold(StreamDirectory dir, String name, int count) throws InterruptedException {
        StreamConsumer c = StreamConsumer.open(dir, name); // never closed: the parent kills this process
        for (int i = 0; i < count; i++) {
            if (c.take(10_000_000_000L) == null) {
                throw new IllegalStateException("no packet " + i);
            }
        }
        System.out.println("holding " + count + " position=" + c.position());
        while (!exit) {
            Thread.sleep(10);
        }
    }

    private static void half(StreamDirectory dir, String name, int packets, boolean inCommit) throws InterruptedException {
        StreamProducer p = StreamProducer.open(dir, name); // never closed: the parent kills this process
        for (int i = 0; i < packets; i++) {
            Claim k = p.tryClaim(1000);
            Payload.fill(k.buffer(), k.offset(), k.length(), i, i);
            k.commit(i);
        }
        Claim k = p.tryClaim(1000);
        Payload.fill(k.buffer(), k.offset(), 500, packets, packets); // half of it, then "crash"
        if (inCommit) {
            long base = p.slots.base(p.position());
            p.slots.open(base, p.position());
            p.slots.write(base, packets, k.offset(), 1000, 0, Long.MAX_VALUE,
                    PacketDescriptorDescriptor.state(p.position(), PacketDescriptorDescriptor.STATE_READY), 0, 0);
        }
        System.out.println("claimed position=" + p.position() + " offset=" + k.offset());
        while (!exit) {
            Thread.sleep(10);
        }
    }
}
