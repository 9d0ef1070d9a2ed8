package io.dsipanama.stream;

import io.dsipanama.ffm.Unistd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * One process's mapping of a stream file: the open descriptor and the mappings, owned by one shared
 * {@link Arena}. Header and control area are one read-write mapping; the data area is a second mapping of
 * the file at {@code data_offset} (page-aligned), read-write for the producer and {@code PROT_READ} for
 * the consumer and observers.
 *
 * <p>Why the consumer's data segment is also {@link MemorySegment#asReadOnly() read-only in Java}: the
 * kernel delivers a store to a {@code PROT_READ} page as SIGSEGV, and the JVM treats a SIGSEGV in compiled
 * or native code it did not expect as a crash of the whole process. The Java-level read-only view makes a
 * stray write throw {@code IllegalArgumentException} before any store is issued; {@code PROT_READ} stays
 * as the guarantee that holds even for native code handed the address.
 *
 * <p>The file's size cannot be sealed (only memfds can be), so a process of the same user that truncates
 * the file after it was validated would make later accesses fault with SIGBUS; streams live in a 0700
 * directory and files are 0600 so only the owner can do that.
 *
 * <p><b>Threading.</b> The accessors may be called from any thread; the segments may be used from any
 * thread (shared arena) and across processes. {@link #close()} is idempotent; it must not race with use of
 * the segments (a shared arena refuses to close while another thread is inside an access, and accesses
 * after close throw).
 */
public final class StreamMapping implements AutoCloseable {
    private final String name;
    private final Path path;
    private final StreamRole role;
    private final StreamSpec spec;
    private final StreamLayout layout;
    private final Arena arena;
    private final int fd;
    private final MemorySegment header;
    private final MemorySegment control;
    private final MemorySegment data;
    private final StreamHeader headerView;
    private final long lockDemandAtMap;
    private boolean closed;

    StreamMapping(String name, Path path, StreamRole role, StreamSpec spec, StreamLayout layout, Arena arena, int fd,
                  MemorySegment headerAndControl, MemorySegment data, long lockDemandAtMap) {
        this.name = name;
        this.lockDemandAtMap = lockDemandAtMap;
        this.path = path;
        this.role = role;
        this.spec = spec;
        this.layout = layout;
        this.arena = arena;
        this.fd = fd;
        this.header = headerAndControl.asSlice(0, StreamHeaderDescriptor.LENGTH);
        this.control = headerAndControl.asSlice(layout.controlOffset(), layout.controlLength());
        this.data = data;
        this.headerView = new StreamHeader(header);
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    public StreamRole role() {
        return role;
    }

    /** The spec recorded in the header (epoch fixed). */
    public StreamSpec spec() {
        return spec;
    }

    /** The validated offsets and lengths this mapping was sliced with. */
    public StreamLayout layout() {
        return layout;
    }

    /** The stream file's descriptor (open while the mapping is): the producer punches reclaimed pages through it. */
    int fd() {
        return fd;
    }

    /** {@code lock_demand} as read before this process mlocked the mapping: the demands it need not answer. */
    long lockDemandAtMap() {
        return lockDemandAtMap;
    }

    /** The header page, read-write. */
    public MemorySegment headerSegment() {
        return header;
    }

    public StreamHeader header() {
        return headerView;
    }

    /** The control area (descriptor slots), read-write. */
    public MemorySegment controlSegment() {
        return control;
    }

    /** The data area: read-write for {@link StreamRole#PRODUCER}, read-only (OS and Java) otherwise. */
    public MemorySegment dataSegment() {
        return data;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            arena.close();
        } finally {
            Unistd.close(fd);
        }
    }
}
