package io.dsipanama.bench.handoff;

class AgronaTransportTest extends HandoffTransportConformance {
    @Override
    HandoffTransport transport() {
        return new AgronaTransport();
    }
}
