package io.dsipanama.rtu;

import io.dsipanama.rtu.registry.RegistryConfig;
import io.dsipanama.rtu.registry.ReserveRegistry;

import java.nio.file.Path;
import java.util.BitSet;

/**
 * How an {@link RtScheduler} is set up: fluent setters, then {@link #conclude()} validates and freezes (the
 * scheduler calls it). Defaults and their system properties:
 *
 * <table>
 *   <caption>Configuration</caption>
 *   <tr><th>setter</th><th>default</th><th>property</th></tr>
 *   <tr><td>{@link #backend}</td><td>AUTO</td><td>{@value #BACKEND_PROPERTY} (auto, fifo, deadline, fallback)</td></tr>
 *   <tr><td>{@link #requireRealTime}</td><td>false</td><td>-</td></tr>
 *   <tr><td>{@link #registryPath}</td><td>{@link ReserveRegistry#DEFAULT_PATH}</td><td>{@value ReserveRegistry#PATH_PROPERTY}</td></tr>
 *   <tr><td>{@link #registryConfig}</td><td>every online CPU; RM exact for FIFO, EDF for DEADLINE</td><td>-</td></tr>
 *   <tr><td>{@link #cpus}</td><td>every CPU this process may run on</td><td>-</td></tr>
 *   <tr><td>{@link #virtualProcessorsPerCpu}</td><td>1</td><td>-</td></tr>
 *   <tr><td>{@link #lockMemory}</td><td>false</td><td>{@value #LOCK_MEMORY_PROPERTY}</td></tr>
 *   <tr><td>{@link #maxReserves}</td><td>64</td><td>-</td></tr>
 *   <tr><td>{@link #backgroundNice}</td><td>0</td><td>-</td></tr>
 *   <tr><td>{@link #deadlineOverheadNs}</td><td>100 us</td><td>-</td></tr>
 *   <tr><td>{@link #enforcerPriority}, {@link #reactorPriority}</td><td>99, 90</td><td>-</td></tr>
 *   <tr><td>{@link #publishIntervalMs}</td><td>100</td><td>-</td></tr>
 * </table>
 */
public final class SchedulerContext {
    public static final String BACKEND_PROPERTY = "dsi.rtu.backend";
    public static final String LOCK_MEMORY_PROPERTY = "dsi.rtu.lockMemory";

    private Backend backend = Backend.valueOf(System.getProperty(BACKEND_PROPERTY, "auto").toUpperCase(java.util.Locale.ROOT));
    private boolean requireRealTime;
    private Path registryPath = ReserveRegistry.defaultPath();
    private RegistryConfig registryConfig;
    private BitSet cpus;
    private int virtualProcessorsPerCpu = 1;
    private boolean lockMemory = Boolean.getBoolean(LOCK_MEMORY_PROPERTY);
    private int maxReserves = 64;
    private int backgroundNice;
    private long deadlineOverheadNs = 100_000;
    private int enforcerPriority = 99;
    private int reactorPriority = 90;
    private long publishIntervalMs = 100;
    private boolean concluded;

    public SchedulerContext backend(Backend value) {
        check();
        backend = value;
        return this;
    }

    /** Refuse to start rather than fall back when no real-time class is permitted. */
    public SchedulerContext requireRealTime(boolean value) {
        check();
        requireRealTime = value;
        return this;
    }

    public SchedulerContext registryPath(Path value) {
        check();
        registryPath = value;
        return this;
    }

    /** Used only if this scheduler creates the registry; otherwise the file's configuration rules. */
    public SchedulerContext registryConfig(RegistryConfig value) {
        check();
        registryConfig = value;
        return this;
    }

    /** CPUs to run virtual processors on (intersected with this process's affinity). */
    public SchedulerContext cpus(int... value) {
        check();
        cpus = new BitSet();
        for (int cpu : value) {
            cpus.set(cpu);
        }
        return this;
    }

    public SchedulerContext virtualProcessorsPerCpu(int value) {
        check();
        virtualProcessorsPerCpu = value;
        return this;
    }

    /** mlockall(MCL_CURRENT | MCL_FUTURE) at start, so real-time work takes no page faults. */
    public SchedulerContext lockMemory(boolean value) {
        check();
        lockMemory = value;
        return this;
    }

    public SchedulerContext maxReserves(int value) {
        check();
        maxReserves = value;
        return this;
    }

    /** Nice value of demoted (background) work. */
    public SchedulerContext backgroundNice(int value) {
        check();
        backgroundNice = value;
        return this;
    }

    /** Added per reserve to a SCHED_DEADLINE runtime for the virtual processor's own bookkeeping. */
    public SchedulerContext deadlineOverheadNs(long value) {
        check();
        deadlineOverheadNs = value;
        return this;
    }

    public SchedulerContext enforcerPriority(int value) {
        check();
        enforcerPriority = value;
        return this;
    }

    public SchedulerContext reactorPriority(int value) {
        check();
        reactorPriority = value;
        return this;
    }

    /** How often histograms are written to the metrics file. */
    public SchedulerContext publishIntervalMs(long value) {
        check();
        publishIntervalMs = value;
        return this;
    }

    /** Validates and freezes; returns this. */
    public SchedulerContext conclude() {
        if (concluded) {
            return this;
        }
        if (virtualProcessorsPerCpu < 1 || virtualProcessorsPerCpu > 16) {
            throw new IllegalArgumentException("virtualProcessorsPerCpu must be 1..16: " + virtualProcessorsPerCpu);
        }
        if (maxReserves < 1) {
            throw new IllegalArgumentException("maxReserves must be >= 1: " + maxReserves);
        }
        if (backgroundNice < -20 || backgroundNice > 19) {
            throw new IllegalArgumentException("backgroundNice must be -20..19: " + backgroundNice);
        }
        if (enforcerPriority < 1 || enforcerPriority > 99 || reactorPriority < 1 || reactorPriority > 99) {
            throw new IllegalArgumentException("priorities must be 1..99");
        }
        if (deadlineOverheadNs < 0 || publishIntervalMs < 1) {
            throw new IllegalArgumentException("deadlineOverheadNs >= 0 and publishIntervalMs >= 1 required");
        }
        if (cpus != null && cpus.isEmpty()) {
            throw new IllegalArgumentException("cpus must name at least one CPU");
        }
        concluded = true;
        return this;
    }

    private void check() {
        if (concluded) {
            throw new IllegalStateException("the context is concluded");
        }
    }

    Backend backend() {
        return backend;
    }

    boolean requireRealTime() {
        return requireRealTime;
    }

    Path registryPath() {
        return registryPath;
    }

    RegistryConfig registryConfig() {
        return registryConfig;
    }

    BitSet cpus() {
        return cpus == null ? null : (BitSet) cpus.clone();
    }

    int virtualProcessorsPerCpu() {
        return virtualProcessorsPerCpu;
    }

    boolean lockMemory() {
        return lockMemory;
    }

    int maxReserves() {
        return maxReserves;
    }

    int backgroundNice() {
        return backgroundNice;
    }

    long deadlineOverheadNs() {
        return deadlineOverheadNs;
    }

    int enforcerPriority() {
        return enforcerPriority;
    }

    int reactorPriority() {
        return reactorPriority;
    }

    long publishIntervalMs() {
        return publishIntervalMs;
    }
}
