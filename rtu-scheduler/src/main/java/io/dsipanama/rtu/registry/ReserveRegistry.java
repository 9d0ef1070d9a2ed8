package io.dsipanama.rtu.registry;

import io.dsipanama.ffm.support.ProcessIdentity;
import io.dsipanama.rtu.admission.Admission;
import io.dsipanama.rtu.admission.CpuVerdict;
import io.dsipanama.rtu.admission.Placement;
import io.dsipanama.rtu.admission.Rational;
import io.dsipanama.rtu.admission.Task;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host-wide reserve registry (Mercer's reserves, Coulson's "bulletin board"): every admitted reserve of
 * every process on this host is an entry of one shared file, so two processes cannot together overcommit a
 * processor. Admission, modification and release happen under the registry lock and run the admission test
 * ({@link Admission}) on every reserve already placed on the processor, whoever owns it. Entries of dead
 * processes (pid gone, or reused with another start time) are reclaimed at every admission.
 *
 * <p>Default file: {@value #DEFAULT_PATH} (directory 0700, file 0600, owner-checked), or the system
 * property {@value #PATH_PROPERTY}. Host-wide therefore means "for this user": processes of different users
 * use different files unless pointed at one.
 *
 * <p><b>Threading.</b> Any thread may call any method; admission, modification, release and reclaim are
 * serialised by the registry lock across threads and processes. {@link #charge} takes no lock.
 */
public final class ReserveRegistry implements AutoCloseable {
    public static final String PATH_PROPERTY = "dsi.rtu.registry";
    public static final String DEFAULT_PATH = "/dev/shm/dsi-panama-rtu/registry";

    private final RegistryFile file;
    private final ReserveEntry scan;       // used under the lock only
    private final ReserveEntry chargeView; // used by charge(), under its own monitor

    private ReserveRegistry(RegistryFile file) {
        this.file = file;
        this.scan = new ReserveEntry(file.segment());
        this.chargeView = new ReserveEntry(file.segment());
    }

    /**
     * Opens the registry at {@code path}, creating it with {@code creating} when it does not exist; with
     * {@code creating == null} (a monitor) a missing registry is an {@link IllegalStateException}.
     */
    public static ReserveRegistry open(Path path, RegistryConfig creating) {
        return new ReserveRegistry(RegistryFile.openOrCreate(path, creating));
    }

    /** The path from {@value #PATH_PROPERTY}, else {@value #DEFAULT_PATH}. */
    public static Path defaultPath() {
        return Path.of(System.getProperty(PATH_PROPERTY, DEFAULT_PATH));
    }

    public Path path() {
        return file.path();
    }

    /** The configuration recorded in the file (the creator's), which every process admits with. */
    public RegistryConfig config() {
        return file.config();
    }

    /** Bumped, with release, after every admission, modification, release and reclaim. */
    public long acquireGeneration() {
        return file.acquireGeneration();
    }

    public long counter(RegistryCounter counter) {
        return file.opaqueCounter(counter);
    }

    /** A new flyweight over this registry's entries, for one thread's use. */
    public ReserveEntry newEntryView() {
        return new ReserveEntry(file.segment());
    }

    /**
     * Admits a reserve for this process: tries the allowed processors in the registry's placement order
     * (first fit: by number; worst fit: least utilised first) and takes the first whose admission test passes
     * with the reserve added to every reserve already there.
     *
     * @throws AdmissionException when no processor admits it (the message has each processor's reason)
     */
    public Admitted admit(ReserveRequest request) {
        return file.locked(() -> {
            reclaimDeadLocked();
            RegistryConfig config = file.config();
            List<Integer> cpus = candidateCpus(request.allowedCpus());
            StringBuilder why = new StringBuilder();
            for (int cpu : cpus) {
                List<Integer> slots = activeOn(cpu);
                if (config.policy().fixedPriority() && slots.size() >= config.priorityLevels()) {
                    why.append("; cpu ").append(cpu).append(": all ").append(config.priorityLevels())
                            .append(" SCHED_FIFO priorities are taken");
                    continue;
                }
                CpuVerdict verdict = Admission.admit(config.policy(), tasksOf(slots), request.task());
                if (!verdict.schedulable()) {
                    why.append("; cpu ").append(cpu).append(": ").append(verdict.reason());
                    continue;
                }
                int slot = freeSlot();
                if (slot < 0) {
                    file.incrementCounter(RegistryCounter.REJECTIONS, 1);
                    throw new AdmissionException("registry " + file.path() + " is full (" + config.capacity() + " entries)");
                }
                ReserveId id = activate(slot, cpu, request);
                assignPriorities(cpu);
                file.incrementCounter(RegistryCounter.ADMISSIONS, 1);
                file.bumpGeneration();
                return new Admitted(id, cpu, scan.wrap(slot).opaquePriority(), verdict);
            }
            file.incrementCounter(RegistryCounter.REJECTIONS, 1);
            throw new AdmissionException("reserve " + request.task() + " ns not admitted under " + config.policy().cliName()
                    + (cpus.isEmpty() ? ": none of the allowed CPUs " + request.allowedCpus() + " is among the registry's "
                    + config.cpus() : why.toString()));
        });
    }

    /**
     * Changes an admitted reserve of this process to {@code task} on the same processor, if admission allows
     * it with every other reserve there (Mercer: "can be modified at any time, subject to availability").
     *
     * @return the verdict that allowed it
     * @throws AdmissionException when the change is refused; the reserve is then unchanged
     */
    public CpuVerdict modify(ReserveId id, Task task) {
        return file.locked(() -> {
            reclaimDeadLocked();
            ReserveEntry e = ownActive(id);
            int cpu = e.cpu();
            List<Integer> slots = activeOn(cpu);
            CpuVerdict verdict = Admission.replace(file.config().policy(), tasksOf(slots), slots.indexOf(id.slot()), task);
            if (!verdict.schedulable()) {
                file.incrementCounter(RegistryCounter.MODIFICATION_REJECTIONS, 1);
                throw new AdmissionException("reserve " + id + " cannot become " + task + " ns on cpu " + cpu + ": "
                        + verdict.reason());
            }
            scan.wrap(id.slot()).writeReservation(task.costNs(), task.periodNs(), task.deadlineNs());
            assignPriorities(cpu);
            file.incrementCounter(RegistryCounter.MODIFICATIONS, 1);
            file.bumpGeneration();
            return verdict;
        });
    }

    /** Gives back a reserve of this process; returns false if it was already gone. */
    public boolean release(ReserveId id) {
        return file.locked(() -> {
            ReserveEntry e = scan.wrap(id.slot());
            if (!e.isActive(id)) {
                return false;
            }
            requireOwn(e, id);
            int cpu = e.cpu();
            e.releaseState(ReserveEntryDescriptor.STATE_FREE); // pairs with acquireState() in readers
            assignPriorities(cpu);
            file.incrementCounter(RegistryCounter.RELEASES, 1);
            file.bumpGeneration();
            return true;
        });
    }

    /** Frees every entry whose owner is gone; returns how many. Admission does this by itself. */
    public int reclaimDead() {
        return file.locked(this::reclaimDeadLocked);
    }

    /**
     * Charges {@code cpuNs} of CPU time, spent by a server on behalf of reserve {@code id}, to that reserve:
     * its owner counts it against the budget of the period in which it next looks (Mercer §4.2). Works from
     * any process. Returns false, charging nothing, when the reserve no longer exists.
     *
     * <p>{@code NOTE:} a reserve released and its slot reused between the check and the add would receive
     * the charge; the window is a few instructions against a release that takes the registry lock.
     */
    public boolean charge(ReserveId id, long cpuNs) {
        if (cpuNs < 0) {
            throw new IllegalArgumentException("cpuNs must be >= 0: " + cpuNs);
        }
        synchronized (chargeView) {
            ReserveEntry e = chargeView.wrap(id.slot());
            if (id.slot() >= file.config().capacity() || !e.isActive(id)) {
                return false;
            }
            e.charge(cpuNs);
            return true;
        }
    }

    /** Every active entry, for monitors and tests (no lock: a snapshot that may be mid-change). */
    public List<ReserveInfo> active() {
        List<ReserveInfo> out = new ArrayList<>();
        ReserveEntry e = newEntryView();
        for (int slot = 0; slot < file.config().capacity(); slot++) {
            e.wrap(slot);
            if (e.acquireState() == ReserveEntryDescriptor.STATE_ACTIVE) {
                out.add(ReserveInfo.of(e));
            }
        }
        return out;
    }

    /** {@code sum C/T} of the reserves on {@code cpu}, exactly (no lock: a snapshot). */
    public Rational utilisation(int cpu) {
        Rational u = Rational.ZERO;
        for (ReserveInfo r : active()) {
            if (r.cpu() == cpu) {
                u = u.add(r.task().utilisation());
            }
        }
        return u;
    }

    // ---- under the lock ----

    private int reclaimDeadLocked() {
        Map<ProcessIdentity, Boolean> alive = new HashMap<>();
        BitSet touched = new BitSet();
        int freed = 0;
        for (int slot = 0; slot < file.config().capacity(); slot++) {
            ReserveEntry e = scan.wrap(slot);
            if (e.acquireState() != ReserveEntryDescriptor.STATE_ACTIVE) {
                continue;
            }
            ProcessIdentity owner = e.owner();
            if (!alive.computeIfAbsent(owner, ProcessIdentity::isAlive)) {
                touched.set(e.cpu());
                e.releaseState(ReserveEntryDescriptor.STATE_FREE);
                freed++;
            }
        }
        if (freed > 0) {
            touched.stream().forEach(this::assignPriorities);
            file.incrementCounter(RegistryCounter.RECLAIMED, freed);
            file.bumpGeneration();
        }
        return freed;
    }

    private List<Integer> candidateCpus(BitSet allowed) {
        RegistryConfig config = file.config();
        List<Integer> cpus = new ArrayList<>();
        for (int cpu = 0; cpu < config.cpus(); cpu++) {
            if (allowed.isEmpty() || allowed.get(cpu)) {
                cpus.add(cpu);
            }
        }
        if (config.placement() == Placement.WFD) {
            Map<Integer, Rational> load = new HashMap<>();
            for (int cpu : cpus) {
                Rational u = Rational.ZERO;
                for (Task t : tasksOf(activeOn(cpu))) {
                    u = u.add(t.utilisation());
                }
                load.put(cpu, u);
            }
            cpus.sort(Comparator.comparing((Integer c) -> load.get(c)).thenComparingInt(c -> c));
        }
        return cpus;
    }

    /** Active slots on {@code cpu} in admission order (the order admission analyses them in). */
    private List<Integer> activeOn(int cpu) {
        List<Integer> slots = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        for (int slot = 0; slot < file.config().capacity(); slot++) {
            ReserveEntry e = scan.wrap(slot);
            if (e.acquireState() == ReserveEntryDescriptor.STATE_ACTIVE && e.cpu() == cpu) {
                slots.add(slot);
                seqs.add(e.admissionSeq());
            }
        }
        List<Integer> order = new ArrayList<>(slots);
        order.sort(Comparator.comparingLong(s -> seqs.get(slots.indexOf(s))));
        return order;
    }

    private List<Task> tasksOf(List<Integer> slots) {
        List<Task> tasks = new ArrayList<>(slots.size());
        for (int slot : slots) {
            ReserveEntry e = scan.wrap(slot);
            tasks.add(Task.of(e.opaqueBudgetNs(), e.opaquePeriodNs(), e.opaqueDeadlineNs()));
        }
        return tasks;
    }

    private int freeSlot() {
        for (int slot = 0; slot < file.config().capacity(); slot++) {
            if (scan.wrap(slot).acquireState() == ReserveEntryDescriptor.STATE_FREE) {
                return slot;
            }
        }
        return -1;
    }

    private ReserveId activate(int slot, int cpu, ReserveRequest request) {
        ReserveEntry e = scan.wrap(slot);
        int generation = Math.max(1, e.slotGeneration() + 1);
        e.writeIdentity(generation, ProcessIdentity.self(), cpu, file.nextAdmissionSeq(), request.flags(),
                request.name(), request.metricsSlot());
        e.writeReservation(request.task().costNs(), request.task().periodNs(), request.task().deadlineNs());
        // pairs with acquireState() in isActive() and in every scan: the fields above are visible first
        e.releaseState(ReserveEntryDescriptor.STATE_ACTIVE);
        return new ReserveId(slot, generation);
    }

    /**
     * Deadline-monotonic SCHED_FIFO priorities for the reserves on {@code cpu}: ordered by deadline, then
     * period, then admission (the tie-break of the response-time analysis), the first gets the top priority
     * and each next one the priority below. Under EDF every priority is 0.
     */
    private void assignPriorities(int cpu) {
        RegistryConfig config = file.config();
        List<Integer> slots = activeOn(cpu);
        List<Task> tasks = tasksOf(slots);
        Integer[] order = new Integer[slots.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.<Integer>comparingLong(i -> tasks.get(i).deadlineNs())
                .thenComparingLong(i -> tasks.get(i).periodNs()).thenComparingInt(i -> i));
        for (int rank = 0; rank < order.length; rank++) {
            int priority = config.policy().fixedPriority() ? Math.max(config.fifoPriorityBottom(),
                    config.fifoPriorityTop() - rank) : 0;
            scan.wrap(slots.get(order[rank])).writePriority(priority);
        }
    }

    private ReserveEntry ownActive(ReserveId id) {
        ReserveEntry e = scan.wrap(id.slot());
        if (!e.isActive(id)) {
            throw new IllegalStateException("reserve " + id + " is not active in " + file.path());
        }
        requireOwn(e, id);
        return e;
    }

    private static void requireOwn(ReserveEntry e, ReserveId id) {
        if (!e.owner().equals(ProcessIdentity.self())) {
            throw new IllegalStateException("reserve " + id + " belongs to process " + e.owner().pid() + ", not to us");
        }
    }

    @Override
    public void close() {
        file.close();
    }
}
