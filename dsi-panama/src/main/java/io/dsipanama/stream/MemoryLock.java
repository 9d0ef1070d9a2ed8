package io.dsipanama.stream;

import io.dsipanama.ffm.ErrnoException;
import io.dsipanama.ffm.Mman;
import io.dsipanama.ffm.RLimit;
import io.dsipanama.ffm.Resource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locked stream buffers (Coulson: a connection's buffers are pinned so the holder gets guaranteed latency).
 * A stream whose spec has {@code lockInMemory} is mlock(2)ed by its creator at creation and by each producer
 * and consumer when they map it, so no page of it is ever swapped out and the steady state takes no major
 * fault. Locking counts against {@code RLIMIT_MEMLOCK} unless the process has {@code CAP_IPC_LOCK}; when it
 * fails the stream is not created (or opened), with a {@link StreamAccessException} of reason
 * {@code MEMORY_LOCK} that names the limit, its value and how to raise it.
 *
 * <p><b>Policy: unlock, never take.</b> Coulson's resource manager may reclaim a locked buffer from a
 * holder; reclaiming the <em>lock</em> turns the buffer into ordinary swappable memory: the holder loses the
 * latency guarantee, not its data. That is {@link StreamProducer#unlockMemory()} /
 * {@link StreamConsumer#unlockMemory()}: munlock(2) of that process's mappings (locks are per process, so each
 * end decides for itself), after which the stream works exactly as before. Taking the data back is
 * {@link StreamProducer#reclaim}, a different thing.
 *
 * <p><b>Under a policy, from any process.</b> A resource manager cannot munlock another process's pages, so
 * it asks: {@link StreamDirectory#demoteLock} increments the header's {@code lock_demand} word and each end
 * answers on its own thread at a cheap point ({@code LockDemand}: every 64 packets, a refused claim, each wait
 * slice), with the same munlock and {@link LockState#DEMOTED} in its state word.
 * {@link StreamDirectory#demoteLocks} is the policy that picks streams (largest first until enough bytes);
 * {@link StreamStats} shows the states.
 */
public final class MemoryLock {
    private static final int CAP_IPC_LOCK = 14;

    private MemoryLock() {
    }

    /** mlock(2) of {@code length} bytes at {@code address}, or a {@code MEMORY_LOCK} refusal naming RLIMIT_MEMLOCK. */
    static void lock(String stream, String what, MemorySegment address, long length) {
        try {
            Mman.mlock(address, length);
        } catch (ErrnoException e) {
            throw new StreamAccessException(StreamAccessException.Reason.MEMORY_LOCK, "stream '" + stream
                    + "': cannot lock its " + what + " in memory (" + length + " bytes, lockInMemory): "
                    + e.getMessage() + "; " + limits(length));
        }
    }

    /** munlock(2) of {@code length} bytes at {@code address}: the pages stay, they may be swapped. */
    static void unlock(MemorySegment address, long length) {
        Mman.munlock(address, length);
    }

    /** Unlocks both mappings of {@code mapping} in this process (header and control, data). */
    static void unlock(StreamMapping mapping) {
        unlock(mapping.headerSegment(), mapping.layout().dataOffset());
        unlock(mapping.dataSegment(), mapping.dataSegment().byteSize());
    }

    /** What limits locking here: RLIMIT_MEMLOCK soft/hard, the capability, and what to do. */
    static String limits(long wanted) {
        RLimit limit = Resource.getrlimit(Resource.RLIMIT_MEMLOCK);
        return "RLIMIT_MEMLOCK is " + limit + " bytes (soft/hard)" + (hasIpcLock() ? " and this process has CAP_IPC_LOCK"
                : ", this process lacks CAP_IPC_LOCK (which would ignore the limit)") + ", and " + wanted
                + " more bytes were asked for (a process's locked total counts: other locked streams, mlockall)"
                + "; raise the limit (ulimit -l, prlimit --memlock, systemd LimitMEMLOCK=) or create the stream"
                + " without lockInMemory";
    }

    /** For {@code dsi doctor}: whether {@code lockInMemory} streams can be locked here, and up to what size. */
    public static io.dsipanama.ffm.Feature feature() {
        RLimit limit = Resource.getrlimit(Resource.RLIMIT_MEMLOCK);
        if (hasIpcLock()) {
            return io.dsipanama.ffm.Feature.yes("stream_memlock", "CAP_IPC_LOCK: any size (RLIMIT_MEMLOCK " + limit
                    + " is ignored)");
        }
        return new io.dsipanama.ffm.Feature("stream_memlock", limit.cur() != 0, "RLIMIT_MEMLOCK " + limit
                + " bytes (soft/hard), no CAP_IPC_LOCK: lockInMemory streams larger than that fail to create");
    }

    /** True if the effective capability set of this process holds CAP_IPC_LOCK (from /proc/self/status). */
    public static boolean hasIpcLock() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << CAP_IPC_LOCK)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
