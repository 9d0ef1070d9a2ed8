package io.dsipanama.bench.handoff;

class DsiTransportTest extends HandoffTransportConformance {
    @Override
    HandoffTransport transport() {
        return new DsiTransport();
    }
}
