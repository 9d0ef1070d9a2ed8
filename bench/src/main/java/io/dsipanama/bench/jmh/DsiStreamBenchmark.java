package io.dsipanama.bench.jmh;

import io.dsipanama.bench.handoff.DsiTransport;
import io.dsipanama.bench.handoff.HandoffTransport;

/** A DSI stream (dsi-panama) over a {@code /dev/shm} file: see {@link DsiTransport}. */
public class DsiStreamBenchmark extends HandoffBenchmark {
    @Override
    protected HandoffTransport transport() {
        return new DsiTransport();
    }
}
