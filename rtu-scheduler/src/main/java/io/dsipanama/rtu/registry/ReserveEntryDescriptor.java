package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.support.LayoutField;
import java.util.List;

/**
 * One reserve in the registry: who owns it, what it reserves, where it runs, its charge account and its
 * counters. Entries are {@link #LENGTH} bytes, four cache lines, starting at
 * {@link RegistryHeaderDescriptor#entryOffset(int)}.
 *
 * <pre>
 * +-------------------------------+ 0
 * | identity and reservation      |   state, owner, cpu, C/T/D, priority, flags
 * +-------------------------------+ 64
 * | name                          |   32 bytes
 * | charge account                |   written by servers in any process (CAS)
 * | metrics_slot                  |
 * +-------------------------------+ 128
 * | counters (ReserveCounter)     |   16 slots of 8 bytes, written by the owner's virtual processor
 * +-------------------------------+ 256
 * </pre>
 *
 * <pre>
 * | offset | size | field | written by | read by | ordering |
 * | 0 | 4 | state | lock holder | any | release store (FREE to ACTIVE last of all, ACTIVE to FREE); readers acquire |
 * | 4 | 4 | slot_generation | lock holder | any | plain; published by the state release |
 * | 8 | 4 | owner_pid | lock holder | any | plain; published by the state release |
 * | 12 | 4 | cpu | lock holder | any | plain; published by the state release |
 * | 16 | 8 | owner_start_time | lock holder | any | plain; published by the state release |
 * | 24 | 8 | budget_ns | lock holder | any | opaque (a modification rewrites it; the owner keeps its own copy) |
 * | 32 | 8 | period_ns | lock holder | any | opaque (as budget_ns) |
 * | 40 | 8 | deadline_ns | lock holder | any | opaque (as budget_ns) |
 * | 48 | 8 | admission_seq | lock holder | lock holder | plain; published by the state release |
 * | 56 | 4 | priority | lock holder | owner, any | opaque; rewritten when reserves on the same CPU come and go |
 * | 60 | 4 | flags | lock holder | any | plain; published by the state release |
 * | 64 | 32 | name | lock holder | any | plain ASCII, NUL-padded; published by the state release |
 * | 96 | 8 | charge_pending_ns | any charger; owner | owner | CAS: chargers getAndAdd, the owner getAndSet(0) |
 * | 104 | 8 | charge_total_ns | any charger | any | CAS: getAndAdd |
 * | 112 | 8 | charge_count | any charger | any | CAS: getAndAdd |
 * | 120 | 4 | metrics_slot | lock holder | any | plain; published by the state release |
 * | 124 | 4 | pad_metrics_slot | - | - | - |
 * | 128 | 128 | counters | owner | any | opaque: the single writer loads plain and stores opaque (ReserveCounter) |
 * </pre>
 *
 * <p>A reserve is named across processes by {@code (slot, slot_generation)} ({@code ReserveId}):
 * {@code slot_generation} grows every time the slot is reused, so a stale id no longer matches. The charge
 * account sits on its own cache line apart from the owner's counters: chargers in other processes write it
 * while the owner's virtual processor writes the counters.
 *
 * <p>{@code flags}: bits 0-3 the overrun policy (1 DEMOTE, 2 SKIP, 3 NOTIFY), bits 8-11 the backend of the
 * owning scheduler (1 SCHED_FIFO, 2 SCHED_DEADLINE, 3 non-real-time fallback). Informational: admission
 * does not read them.
 */
public final class ReserveEntryDescriptor {
    public static final int LENGTH = 256;

    public static final int STATE_FREE = 0;
    public static final int STATE_ACTIVE = 1;

    public static final int STATE_OFFSET = 0;
    public static final int SLOT_GENERATION_OFFSET = 4;
    public static final int OWNER_PID_OFFSET = 8;
    public static final int CPU_OFFSET = 12;
    public static final int OWNER_START_TIME_OFFSET = 16;
    public static final int BUDGET_NS_OFFSET = 24;
    public static final int PERIOD_NS_OFFSET = 32;
    public static final int DEADLINE_NS_OFFSET = 40;
    public static final int ADMISSION_SEQ_OFFSET = 48;
    public static final int PRIORITY_OFFSET = 56;
    public static final int FLAGS_OFFSET = 60;
    public static final int NAME_OFFSET = 64;
    public static final int NAME_LENGTH = 32;
    public static final int CHARGE_PENDING_NS_OFFSET = 96;
    public static final int CHARGE_TOTAL_NS_OFFSET = 104;
    public static final int CHARGE_COUNT_OFFSET = 112;
    public static final int METRICS_SLOT_OFFSET = 120;
    public static final int COUNTERS_OFFSET = 128;
    public static final int COUNTERS_CAPACITY = 16;

    public static final int FLAG_POLICY_MASK = 0xf;
    public static final int FLAG_BACKEND_SHIFT = 8;
    public static final int FLAG_BACKEND_MASK = 0xf << FLAG_BACKEND_SHIFT;

    /** The table above, row by row. */
    public static final List<LayoutField> FIELDS = List.of(
            new LayoutField(0, 4, "state", "lock holder", "any", "release store (FREE to ACTIVE last of all, ACTIVE to FREE); readers acquire"),
            new LayoutField(4, 4, "slot_generation", "lock holder", "any", "plain; published by the state release"),
            new LayoutField(8, 4, "owner_pid", "lock holder", "any", "plain; published by the state release"),
            new LayoutField(12, 4, "cpu", "lock holder", "any", "plain; published by the state release"),
            new LayoutField(16, 8, "owner_start_time", "lock holder", "any", "plain; published by the state release"),
            new LayoutField(24, 8, "budget_ns", "lock holder", "any", "opaque (a modification rewrites it; the owner keeps its own copy)"),
            new LayoutField(32, 8, "period_ns", "lock holder", "any", "opaque (as budget_ns)"),
            new LayoutField(40, 8, "deadline_ns", "lock holder", "any", "opaque (as budget_ns)"),
            new LayoutField(48, 8, "admission_seq", "lock holder", "lock holder", "plain; published by the state release"),
            new LayoutField(56, 4, "priority", "lock holder", "owner, any", "opaque; rewritten when reserves on the same CPU come and go"),
            new LayoutField(60, 4, "flags", "lock holder", "any", "plain; published by the state release"),
            new LayoutField(64, 32, "name", "lock holder", "any", "plain ASCII, NUL-padded; published by the state release"),
            new LayoutField(96, 8, "charge_pending_ns", "any charger; owner", "owner", "CAS: chargers getAndAdd, the owner getAndSet(0)"),
            new LayoutField(104, 8, "charge_total_ns", "any charger", "any", "CAS: getAndAdd"),
            new LayoutField(112, 8, "charge_count", "any charger", "any", "CAS: getAndAdd"),
            new LayoutField(120, 4, "metrics_slot", "lock holder", "any", "plain; published by the state release"),
            new LayoutField(124, 4, "pad_metrics_slot", "-", "-", "-"),
            new LayoutField(128, 128, "counters", "owner", "any", "opaque: the single writer loads plain and stores opaque (ReserveCounter)"));

    private ReserveEntryDescriptor() {
    }
}
