package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import static io.dsipanama.stream.StreamHeaderDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Holds the producer or the consumer role of a stream through its peer block (one producer and one
 * consumer per stream). Attaching CASes the pid from 0, {@link #DETACHED} or a dead process's pid to {@link #ATTACHING},
 * writes the start time, then stores the pid with release, so a reader never pairs a new pid with an old
 * start time. A live holder makes attaching fail with {@link StreamAccessException.Reason#PEER_ATTACHED}.
 *
 * <p><b>Threading.</b> Any thread; one instance per attached role.
 */
final class PeerAttachment {
    /** pid value while an attacher writes the start time. */
    static final int ATTACHING = -1;

    /** pid value left by a holder that detached cleanly (closed): the peer is gone, not yet absent. */
    static final int DETACHED = -2;

    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG_OPAQUE = JAVA_LONG.varHandle();
    private static final long ATTACH_WAIT_NS = 2_000_000_000L;
    /** Linux's largest pid on 64-bit ({@code PID_MAX_LIMIT}, the ceiling of {@code kernel.pid_max}). */
    static final int PID_MAX_LIMIT = 1 << 22;
    /** How long a "running" verdict on the peer is reused (see {@link #isAlive(int, long)}). */
    static final long ALIVE_RECHECK_NS = 100_000_000L;

    private final MemorySegment header;
    private final StreamRole role;
    private final int block;
    private final ProcessIdentity self;
    private boolean attached;
    private boolean peerSeen;
    /** The peer last found running by {@link #isAlive(int, long)}, and when (0: none cached). */
    private int alivePid;
    private long aliveStartTime;
    private long aliveCheckedNs;

    private PeerAttachment(MemorySegment header, StreamRole role, ProcessIdentity self) {
        this.header = header;
        this.role = role;
        this.block = role == StreamRole.PRODUCER ? PRODUCER_PEER_OFFSET : CONSUMER_PEER_OFFSET;
        this.self = self;
    }

    /** Takes {@code role} of the stream whose header is {@code header}, or throws if a live process holds it. */
    static PeerAttachment attach(String stream, MemorySegment header, StreamRole role) {
        PeerAttachment a = new PeerAttachment(header, role, ProcessIdentity.self());
        a.take(stream);
        return a;
    }

    private void take(String stream) {
        long deadline = System.nanoTime() + ATTACH_WAIT_NS;
        while (true) {
            int pid = (int) INT.getAcquire(header, (long) block + PEER_PID);
            if (pid == ATTACHING && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(1_000_000); // another process is attaching; it will finish or time out
                continue;
            }
            if (pid > 0) {
                ProcessIdentity holder = new ProcessIdentity(pid, header.get(JAVA_LONG, block + PEER_START_TIME));
                if (holder.isAlive() && !holder.equals(self)) {
                    throw new StreamAccessException(StreamAccessException.Reason.PEER_ATTACHED, "stream '" + stream
                            + "' already has a " + role.name().toLowerCase() + ": pid " + pid + " is alive");
                }
                if (holder.equals(self)) {
                    throw new StreamAccessException(StreamAccessException.Reason.PEER_ATTACHED, "stream '" + stream
                            + "': this process is already its " + role.name().toLowerCase());
                }
            }
            if (INT.compareAndSet(header, (long) block + PEER_PID, pid, ATTACHING)) {
                header.set(JAVA_LONG, block + PEER_START_TIME, self.startTime());
                heartbeat(System.nanoTime());
                // pairs with the getAcquire above and in StreamHeader.acquirePeer: the start time is visible
                INT.setRelease(header, (long) block + PEER_PID, self.pid());
                attached = true;
                ProcessIdentity other = peer();
                peerSeen = other.pid() > 0; // alive, or crashed before we came: either way a peer we wait on
                return;
            }
        }
    }

    /** The other side's identity (pid 0: none attached yet; pid {@link #ATTACHING}: attaching). */
    ProcessIdentity peer() {
        int other = role == StreamRole.PRODUCER ? CONSUMER_PEER_OFFSET : PRODUCER_PEER_OFFSET;
        int pid = (int) INT.getAcquire(header, (long) other + PEER_PID);
        return new ProcessIdentity(pid, header.get(JAVA_LONG, other + PEER_START_TIME));
    }

    /**
     * True if the other side crashed (its pid no longer runs with its start time), or closed after being
     * active while we were attached: we saw it attached, or {@code activeSinceAttach} (the caller saw it
     * publish or consume since). A peer that had closed cleanly before we came does not count: the stream
     * waits for a new one.
     */
    boolean peerGone(boolean activeSinceAttach) {
        // primitives, not peer(): a non-blocking caller asks on every empty poll, and this allocates nothing
        int other = role == StreamRole.PRODUCER ? CONSUMER_PEER_OFFSET : PRODUCER_PEER_OFFSET;
        int pid = (int) INT.getAcquire(header, (long) other + PEER_PID);
        long startTime = header.get(JAVA_LONG, other + PEER_START_TIME);
        if (implausible(pid, startTime)) {
            return false; // not a process at all: see implausiblePeer()
        }
        if (pid > 0) {
            boolean alive = isAlive(pid, startTime);
            peerSeen |= alive;
            return !alive;
        }
        return pid == DETACHED && (peerSeen || activeSinceAttach);
    }

    /**
     * Whether {@code peer} runs. Asking {@code /proc} costs a file read (no allocation), and a non-blocking
     * caller may ask on every empty poll, so a "running" verdict is kept for {@link #ALIVE_RECHECK_NS} while the
     * peer words stay the same (a death is then seen that much later; a new peer changes the words and is seen
     * at once): the same 100 ms a blocked side waits between looks. "Gone" is final for that identity.
     */
    private boolean isAlive(int pid, long startTime) {
        long now = System.nanoTime();
        if (pid == alivePid && startTime == aliveStartTime && now - aliveCheckedNs < ALIVE_RECHECK_NS) {
            return true;
        }
        boolean alive = ProcessIdentity.isAlive(pid, startTime); // no record: allocates nothing
        alivePid = alive ? pid : 0;
        aliveStartTime = startTime;
        aliveCheckedNs = now;
        return alive;
    }

    /**
     * What is impossible about the other side's peer words (a pid no process can have, or a start time no
     * process can have), or null. Such words say nothing about the peer's liveness: the caller reports them
     * as corruption instead of guessing "gone".
     */
    String implausiblePeer() {
        ProcessIdentity peer = peer();
        if (!implausible(peer.pid(), peer.startTime())) {
            return null;
        }
        String other = role == StreamRole.PRODUCER ? "consumer" : "producer";
        return other + "_pid " + peer.pid() + " with " + other + "_start_time " + peer.startTime()
                + " is no process (pids are 1.." + PID_MAX_LIMIT + ", or 0, " + ATTACHING + ", " + DETACHED + ")";
    }

    private static boolean implausible(int pid, long startTime) {
        return pid < DETACHED || pid > PID_MAX_LIMIT || (pid > 0 && startTime < 0);
    }

    /** Why {@link #peerGone(boolean)} is true, for the exception message. */
    String peerGoneReason() {
        ProcessIdentity peer = peer();
        String other = role == StreamRole.PRODUCER ? "consumer" : "producer";
        return peer.pid() == DETACHED ? "the " + other + " closed the stream"
                : "the " + other + " (pid " + peer.pid() + ") is gone";
    }

    /**
     * Records liveness; called on every wait slice. Also re-asserts our peer words if someone scribbled on
     * them (a hostile peer or a third process) and they name no live process, so the other side sees us
     * alive again within one slice.
     */
    void heartbeat(long monotonicNs) {
        LONG_OPAQUE.setOpaque(header, (long) block + PEER_LIVENESS, monotonicNs);
        if (!attached) {
            return;
        }
        int pid = (int) INT.getOpaque(header, (long) block + PEER_PID);
        long startTime = header.get(JAVA_LONG, block + PEER_START_TIME);
        if (pid == self.pid() && startTime == self.startTime()) {
            return;
        }
        // never fight a live process that attached in our place (it believed the scribbled words)
        if (pid != ATTACHING && !ProcessIdentity.isAlive(pid, startTime)) {
            header.set(JAVA_LONG, block + PEER_START_TIME, self.startTime());
            INT.setRelease(header, (long) block + PEER_PID, self.pid()); // as in take()
        }
    }

    /** Gives the role up (idempotent); the start time stays for monitors. */
    void detach() {
        if (attached) {
            attached = false;
            INT.compareAndSet(header, (long) block + PEER_PID, self.pid(), DETACHED);
        }
    }
}
