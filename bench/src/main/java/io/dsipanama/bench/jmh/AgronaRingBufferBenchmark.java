package io.dsipanama.bench.jmh;

import io.dsipanama.bench.handoff.AgronaTransport;
import io.dsipanama.bench.handoff.HandoffTransport;

/** Agrona's OneToOneRingBuffer over a {@code /dev/shm} file: see {@link AgronaTransport}. */
public class AgronaRingBufferBenchmark extends HandoffBenchmark {
    @Override
    protected HandoffTransport transport() {
        return new AgronaTransport();
    }
}
