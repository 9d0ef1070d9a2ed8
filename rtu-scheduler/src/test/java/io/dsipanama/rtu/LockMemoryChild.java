package io.dsipanama.rtu;

import java.nio.file.Files;
import java.nio.file.Path;

/** For {@link LockMemoryTest}: a scheduler with lockMemory(true); prints VmLck and the report. args[0]: registry. */
final class LockMemoryChild {
    private LockMemoryChild() {
    }

    public static void main(String[] args) throws Exception {
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(Path.of(args[0])).lockMemory(true))) {
            String vmLck = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmLck"))
                    .findFirst().orElse("VmLck: ?").replaceAll("\\s+", " ");
            System.out.println("locked " + s.memoryLocked() + " " + vmLck + " | " + s.report().replace('\n', '|'));
        }
        String after = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmLck"))
                .findFirst().orElse("VmLck: ?").replaceAll("\\s+", " ");
        System.out.println("closed " + after);
    }
}
