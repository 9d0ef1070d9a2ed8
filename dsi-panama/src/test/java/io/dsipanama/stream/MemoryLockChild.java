package io.dsipanama.stream;

import java.nio.file.Path;

/**
 * The other process of {@link MemoryLockTest}: creates a {@code lockInMemory} stream of {@code dataBytes} and
 * prints {@code created} or {@code refused REASON MESSAGE}. Args: root, name, data bytes.
 */
public final class MemoryLockChild {
    private MemoryLockChild() {
    }

    public static void main(String[] args) {
        StreamDirectory dir = new StreamDirectory(Path.of(args[0]));
        StreamSpec spec = StreamSpec.builder().descriptorCount(16).maxPacketBytes(4096)
                .dataBytes(Long.parseLong(args[2])).lockInMemory(true).build();
        try (StreamProducer p = StreamProducer.create(dir, args[1], spec)) {
            System.out.println("created " + p.name() + " ipc_lock=" + MemoryLock.hasIpcLock());
        } catch (StreamAccessException e) {
            System.out.println("refused " + e.reason() + " " + e.getMessage() + " exists="
                    + dir.pathOf(args[1]).toFile().exists());
        }
        System.out.flush();
    }
}
