package io.dsipanama.bench.handoff;

class AeronTransportTest extends HandoffTransportConformance {
    @Override
    HandoffTransport transport() {
        return new AeronTransport();
    }
}
