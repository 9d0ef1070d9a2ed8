package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

import static io.dsipanama.rtu.registry.ReserveEntryDescriptor.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Flyweight over one registry entry ({@link ReserveEntryDescriptor}): made once, re-pointed with
 * {@link #wrap}, allocates nothing in its accessors. Accessor names say their access mode.
 *
 * <p><b>Threading.</b> A flyweight is not thread-safe (its position is plain state); the memory behind it
 * is shared across processes. The counters have one writer, the owner's virtual processor: only it calls
 * {@link #addCounter}, {@link #maxCounter} and {@link #setCounter}. Any thread of any process may
 * {@link #charge}; only the owner may {@link #drainChargePending}. Everything else is written by the registry
 * under its lock.
 */
public final class ReserveEntry {
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle LONG = JAVA_LONG.varHandle();

    private final MemorySegment file;
    private long base;
    private int slot = -1;

    ReserveEntry(MemorySegment file) {
        this.file = file;
    }

    /** Points this flyweight at entry {@code slot}; returns this. */
    public ReserveEntry wrap(int slot) {
        this.slot = slot;
        this.base = RegistryHeaderDescriptor.entryOffset(slot);
        return this;
    }

    public int slot() {
        return slot;
    }

    public int acquireState() {
        return (int) INT.getAcquire(file, base + STATE_OFFSET);
    }

    public int slotGeneration() {
        return file.get(JAVA_INT, base + SLOT_GENERATION_OFFSET);
    }

    /** True when the entry is active and still has the generation of {@code id}. */
    public boolean isActive(ReserveId id) {
        // acquire: pairs with the release store of state in ReserveRegistry.activate, so the generation read
        // next is the one that activation published
        return id.slot() == slot && acquireState() == STATE_ACTIVE && slotGeneration() == id.generation();
    }

    public ReserveId id() {
        return new ReserveId(slot, slotGeneration());
    }

    public ProcessIdentity owner() {
        return new ProcessIdentity(file.get(JAVA_INT, base + OWNER_PID_OFFSET),
                file.get(JAVA_LONG, base + OWNER_START_TIME_OFFSET));
    }

    public int cpu() {
        return file.get(JAVA_INT, base + CPU_OFFSET);
    }

    public long opaqueBudgetNs() {
        return (long) LONG.getOpaque(file, base + BUDGET_NS_OFFSET);
    }

    public long opaquePeriodNs() {
        return (long) LONG.getOpaque(file, base + PERIOD_NS_OFFSET);
    }

    public long opaqueDeadlineNs() {
        return (long) LONG.getOpaque(file, base + DEADLINE_NS_OFFSET);
    }

    long admissionSeq() {
        return file.get(JAVA_LONG, base + ADMISSION_SEQ_OFFSET);
    }

    public int opaquePriority() {
        return (int) INT.getOpaque(file, base + PRIORITY_OFFSET);
    }

    public int flags() {
        return file.get(JAVA_INT, base + FLAGS_OFFSET);
    }

    public int metricsSlot() {
        return file.get(JAVA_INT, base + METRICS_SLOT_OFFSET);
    }

    public String name() {
        byte[] bytes = file.asSlice(base + NAME_OFFSET, NAME_LENGTH).toArray(JAVA_BYTE);
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.US_ASCII);
    }

    // ---- charge account (any process) ----

    /** Adds {@code cpuNs} to the account: pending for the owner to drain, and the running total. */
    public void charge(long cpuNs) {
        LONG.getAndAdd(file, base + CHARGE_PENDING_NS_OFFSET, cpuNs);
        LONG.getAndAdd(file, base + CHARGE_TOTAL_NS_OFFSET, cpuNs);
        LONG.getAndAdd(file, base + CHARGE_COUNT_OFFSET, 1L);
    }

    /** Owner only: takes what servers charged since the last drain. */
    public long drainChargePending() {
        return (long) LONG.getAndSet(file, base + CHARGE_PENDING_NS_OFFSET, 0L);
    }

    public long volatileChargeTotalNs() {
        return (long) LONG.getVolatile(file, base + CHARGE_TOTAL_NS_OFFSET);
    }

    public long volatileChargeCount() {
        return (long) LONG.getVolatile(file, base + CHARGE_COUNT_OFFSET);
    }

    // ---- counters (single writer: the owner's virtual processor) ----

    public long opaqueCounter(ReserveCounter counter) {
        return (long) LONG.getOpaque(file, base + counter.offset());
    }

    public void addCounter(ReserveCounter counter, long delta) {
        long offset = base + counter.offset();
        LONG.setOpaque(file, offset, file.get(JAVA_LONG, offset) + delta);
    }

    public void maxCounter(ReserveCounter counter, long value) {
        long offset = base + counter.offset();
        if (value > file.get(JAVA_LONG, offset)) {
            LONG.setOpaque(file, offset, value);
        }
    }

    public void setCounter(ReserveCounter counter, long value) {
        LONG.setOpaque(file, base + counter.offset(), value);
    }

    // ---- written by the registry under its lock ----

    void writeIdentity(int generation, ProcessIdentity owner, int cpu, long admissionSeq, int flags, String name,
                       int metricsSlot) {
        file.asSlice(base, LENGTH).fill((byte) 0);
        file.set(JAVA_INT, base + SLOT_GENERATION_OFFSET, generation);
        file.set(JAVA_INT, base + OWNER_PID_OFFSET, owner.pid());
        file.set(JAVA_LONG, base + OWNER_START_TIME_OFFSET, owner.startTime());
        file.set(JAVA_INT, base + CPU_OFFSET, cpu);
        file.set(JAVA_LONG, base + ADMISSION_SEQ_OFFSET, admissionSeq);
        file.set(JAVA_INT, base + FLAGS_OFFSET, flags);
        file.set(JAVA_INT, base + METRICS_SLOT_OFFSET, metricsSlot);
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(ascii, 0, file, JAVA_BYTE, base + NAME_OFFSET, Math.min(ascii.length, NAME_LENGTH));
    }

    void writeReservation(long budgetNs, long periodNs, long deadlineNs) {
        LONG.setOpaque(file, base + BUDGET_NS_OFFSET, budgetNs);
        LONG.setOpaque(file, base + PERIOD_NS_OFFSET, periodNs);
        LONG.setOpaque(file, base + DEADLINE_NS_OFFSET, deadlineNs);
    }

    void writePriority(int priority) {
        INT.setOpaque(file, base + PRIORITY_OFFSET, priority);
    }

    void releaseState(int state) {
        INT.setRelease(file, base + STATE_OFFSET, state);
    }
}
