package io.dsipanama.bench.jmh;

import io.dsipanama.bench.handoff.AeronTransport;
import io.dsipanama.bench.handoff.HandoffTransport;

/** Aeron IPC with an embedded media driver: see {@link AeronTransport}. */
public class AeronIpcBenchmark extends HandoffBenchmark {
    @Override
    protected HandoffTransport transport() {
        return new AeronTransport();
    }
}
