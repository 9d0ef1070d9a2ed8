package io.dsipanama.rtu.admission;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Admission control: may these reserves run together and all meet their deadlines?
 *
 * <p>Three forms. {@link #analyse} decides a whole set on one processor. {@link #admit} and {@link #replace}
 * are the incremental questions a reserve registry asks at run time ("can this reserve be added to the ones
 * already on this processor?", "can this one be changed?"). {@link #schedule} partitions a set over several
 * processors with first-fit or worst-fit decreasing and tests every processor.
 *
 * <p>Every verdict is decided in exact integer or rational arithmetic on nanoseconds; floating point only
 * ever appears in the human-readable reasons.
 */
public final class Admission {
    private Admission() {
    }

    /** The verdict of {@code policy}'s test on {@code tasks} as the whole load of one processor (cpu 0). */
    public static CpuVerdict analyse(Policy policy, List<Task> tasks) {
        return Objects.requireNonNull(policy, "policy").analyse(0, checked(tasks));
    }

    /**
     * Can {@code candidate} join {@code existing} on one processor? The verdict covers all of them;
     * {@code candidate} is the last task in it.
     */
    public static CpuVerdict admit(Policy policy, List<Task> existing, Task candidate) {
        List<Task> all = new ArrayList<>(checked(existing));
        all.add(Objects.requireNonNull(candidate, "candidate"));
        return analyse(policy, all);
    }

    /** Can task {@code index} of {@code existing} become {@code replacement}, the others unchanged? */
    public static CpuVerdict replace(Policy policy, List<Task> existing, int index, Task replacement) {
        List<Task> all = new ArrayList<>(checked(existing));
        Objects.checkIndex(index, all.size());
        all.set(index, Objects.requireNonNull(replacement, "replacement"));
        return analyse(policy, all);
    }

    /**
     * {@code tasks} over {@code cpus} processors. With one processor there is nothing to place: the whole set
     * is analysed together and the placement is null. With more, tasks are taken in order of decreasing
     * utilisation (ties: input order) and each is placed on the first processor that admits it, in the
     * order {@code placement} gives (see {@link Placement}); a task no processor admits is left
     * {@linkplain TaskVerdict#UNPLACED unplaced} and makes the set unschedulable.
     */
    public static Verdict schedule(Policy policy, Placement placement, int cpus, List<Task> tasks) {
        Objects.requireNonNull(policy, "policy");
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be >= 1, got " + cpus);
        }
        List<Task> all = checked(tasks);
        if (cpus == 1) {
            CpuVerdict v = policy.analyse(0, all);
            return new Verdict(policy, null, 1, v.schedulable(), v.utilisation(), v.tasks(), List.of(v), v.reason());
        }
        return partition(policy, Objects.requireNonNull(placement, "placement"), cpus, all);
    }

    private static Verdict partition(Policy policy, Placement placement, int cpus, List<Task> tasks) {
        List<List<Integer>> onCpu = new ArrayList<>(cpus);
        Rational[] load = new Rational[cpus];
        for (int c = 0; c < cpus; c++) {
            onCpu.add(new ArrayList<>());
            load[c] = Rational.ZERO;
        }
        List<Task> unplaced = new ArrayList<>();
        for (int i : decreasingUtilisation(tasks)) {
            boolean placed = false;
            for (int c : candidates(placement, load)) {
                List<Task> trial = new ArrayList<>(tasksOf(tasks, onCpu.get(c)));
                trial.add(tasks.get(i));
                if (policy.analyse(c, trial).schedulable()) {
                    onCpu.get(c).add(i);
                    load[c] = load[c].add(tasks.get(i).utilisation());
                    placed = true;
                    break;
                }
            }
            if (!placed) {
                unplaced.add(tasks.get(i));
            }
        }
        TaskVerdict[] byInput = new TaskVerdict[tasks.size()];
        List<CpuVerdict> processors = new ArrayList<>(cpus);
        for (int c = 0; c < cpus; c++) {
            int[] inputIndex = onCpu.get(c).stream().mapToInt(Integer::intValue).toArray();
            CpuVerdict v = policy.analyse(c, tasksOf(tasks, onCpu.get(c))).relabel(c, inputIndex);
            processors.add(v);
            v.tasks().forEach(t -> byInput[t.index()] = t);
        }
        for (int i = 0; i < byInput.length; i++) {
            if (byInput[i] == null) {
                byInput[i] = new TaskVerdict(i, tasks.get(i), TaskVerdict.UNPLACED, TaskVerdict.NOT_COMPUTED, null);
            }
        }
        boolean ok = unplaced.isEmpty() && processors.stream().allMatch(CpuVerdict::schedulable);
        String reason = ok
                ? "every task placed by " + placement.cliName() + "; each CPU passes " + policy.cliName()
                : unplaced.size() + " task(s) fit on no CPU with " + placement.cliName() + ": "
                        + String.join(", ", unplaced.stream().map(Reasons::task).toList());
        return new Verdict(policy, placement, cpus, ok, Reasons.utilisation(tasks), Arrays.asList(byInput),
                processors, reason);
    }

    /** Task indexes by decreasing {@code C/T}, compared exactly; ties keep input order. */
    static int[] decreasingUtilisation(List<Task> tasks) {
        Integer[] order = new Integer[tasks.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparing((Integer i) -> tasks.get(i).utilisation()).reversed()
                .thenComparingInt(i -> i));
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** Processors in the order a task is offered to them. */
    private static int[] candidates(Placement placement, Rational[] load) {
        Integer[] order = new Integer[load.length];
        Arrays.setAll(order, c -> c);
        if (placement == Placement.WFD) {
            Arrays.sort(order, Comparator.comparing((Integer c) -> load[c]).thenComparingInt(c -> c));
        }
        return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    private static List<Task> tasksOf(List<Task> tasks, List<Integer> indexes) {
        return indexes.stream().map(tasks::get).toList();
    }

    private static List<Task> checked(List<Task> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        for (int i = 0; i < tasks.size(); i++) {
            Objects.requireNonNull(tasks.get(i), "task " + i);
        }
        return List.copyOf(tasks);
    }
}
