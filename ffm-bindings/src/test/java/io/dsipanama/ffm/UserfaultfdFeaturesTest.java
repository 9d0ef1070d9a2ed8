package io.dsipanama.ffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class UserfaultfdFeaturesTest {
    @Test
    void reportsTheThreeFeaturesByStableNameWithAReason() {
        List<Feature> features = UserfaultfdFeatures.features();
        features.forEach(f -> System.out.println("feature " + f));
        assertEquals(List.of("userfaultfd", "userfaultfd_minor_shmem", "userfaultfd_wp"),
                features.stream().map(Feature::name).toList());
        features.forEach(f -> assertFalse(f.detail().isBlank(), f::toString));
        Feature uffd = features.getFirst();
        if (uffd.available()) {
            assertTrue(uffd.detail().matches("door=(syscall|/dev/userfaultfd), features=0x[0-9a-f]+, ioctls=0x[0-9a-f]+, kernel .*"),
                    uffd.detail());
        }
        assertTrue(uffd.available() || features.stream().noneMatch(Feature::available),
                "the others need userfaultfd itself");
    }

    @Test
    void probingLeavesNoDescriptorOrMappingOpen() throws IOException {
        UserfaultfdFeatures.probe(); // warm up: classes, the shim, errno state
        long fdsBefore = openDescriptors();
        for (int i = 0; i < 3; i++) {
            UserfaultfdFeatures.probe();
        }
        assertEquals(fdsBefore, openDescriptors(), "descriptors left open by the probe");
        assertTrue(Files.readAllLines(Path.of("/proc/self/maps")).stream().noneMatch(l -> l.contains("dsi-uffd-probe")),
                "a probe mapping is still mapped");
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
