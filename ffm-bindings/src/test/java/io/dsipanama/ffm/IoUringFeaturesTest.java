package io.dsipanama.ffm;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** This machine (kernel 6.18, root) has every io_uring feature the project uses. */
@Timeout(60)
class IoUringFeaturesTest {
    private static final List<String> NAMES = List.of("io_uring", "io_uring_send_zc", "io_uring_sendmsg_zc",
            "io_uring_recv_multishot", "io_uring_buf_ring", "io_uring_single_issuer", "io_uring_defer_taskrun",
            "io_uring_sqpoll", "io_uring_futex_wait");

    @Test
    void everyFeatureIsAvailableHere() {
        List<Feature> features = IoUringFeatures.features();
        features.forEach(f -> System.out.println(f.name() + ": " + (f.available() ? "yes" : "NO") + " - "
                + f.detail()));
        assertEquals(NAMES, features.stream().map(Feature::name).toList(), "stable names, stable order");
        for (Feature f : features) {
            assertTrue(f.available(), f.name() + ": " + f.detail());
        }
        assertSame(features, IoUringFeatures.features(), "probed once");
    }

    @Test
    void probingClosesEverythingItOpened() {
        long before = OpenFds.socketsAndRings();
        assertEquals(NAMES.size(), IoUringFeatures.probe().size());
        assertEquals(before, OpenFds.socketsAndRings(), "sockets or rings left open by the probe");
    }
}
