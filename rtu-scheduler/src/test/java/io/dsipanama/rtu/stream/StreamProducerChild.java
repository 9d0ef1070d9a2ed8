package io.dsipanama.rtu.stream;

import io.dsipanama.ffm.Sched;
import io.dsipanama.ffm.Time;
import io.dsipanama.stream.Claim;
import io.dsipanama.stream.OverflowPolicy;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.StreamMode;
import io.dsipanama.stream.StreamProducer;
import io.dsipanama.stream.StreamSpec;
import io.dsipanama.stream.synthetic.Payload;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The producer process of {@link StreamTriggerTest}: creates stream args[1] under root args[0] (virtual time
 * in CLOCK_MONOTONIC nanoseconds since the epoch), prints {@code ready}; on {@code go COUNT PERIOD_NS LENGTH}
 * publishes COUNT synthetic payloads at absolute release times, each stamped with its commit time, and
 * prints {@code done}; {@code exit} ends it. It runs at SCHED_FIFO 5 (below everything of the scheduler)
 * so the stamps are not skewed by its own preemption, and sleeps between packets.
 */
final class StreamProducerChild {
    private StreamProducerChild() {
    }

    public static void main(String[] args) throws Exception {
        Payload.verify(java.lang.foreign.MemorySegment.ofArray(new byte[64]), 0, 64, 0); // build the pattern now
        boolean fifo = Sched.setFifo(0, 5) == 0;
        StreamSpec spec = StreamSpec.builder().descriptorCount(64).maxPacketBytes(4096).nsPerTick(1)
                .mode(StreamMode.REAL_TIME).policy(OverflowPolicy.DROP_NEWEST).build();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
             StreamProducer p = StreamProducer.create(new StreamDirectory(Path.of(args[0])), args[1], spec)) {
            StreamSpec stored = p.spec();
            System.out.println("ready fifo=" + fifo);
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ");
                if (w[0].equals("go")) {
                    int count = Integer.parseInt(w[1]);
                    long periodNs = Long.parseLong(w[2]);
                    int length = Integer.parseInt(w[3]);
                    long next = Time.monotonicNs();
                    long refused = 0;
                    long firstRefused = -1;
                    for (int i = 0; i < count; i++) {
                        next += periodNs;
                        Time.sleepUntil(next);
                        Claim c = p.tryClaim(length);
                        if (c == null) {
                            firstRefused = refused++ == 0 ? i : firstRefused;
                            continue;
                        }
                        Payload.fill(c.buffer(), c.offset(), length, p.position(), 0);
                        c.commit(stored.toVirtualTime(Time.monotonicNs()));
                    }
                    System.out.println("done refused=" + refused + " first at " + firstRefused);
                } else if (w[0].equals("exit")) {
                    return;
                }
                System.out.flush();
            }
        } finally {
            Sched.setOther(0, 0);
        }
    }
}
