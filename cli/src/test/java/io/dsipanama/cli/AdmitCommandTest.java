package io.dsipanama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** {@code dsi admit} end to end through {@link Dsi#run}. */
class AdmitCommandTest {
    private record Result(int status, String out, String err) {
    }

    private static Result dsi(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Dsi.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The classic RM set in milliseconds: R = 1, 3, 10 ms, all on CPU 0. */
    @Test
    void exactResponseTimesInTheTable() {
        Result r = dsi("admit", "--policy", "rm-exact", "1ms/4ms", "2ms/6ms", "3ms/12ms");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("SCHEDULABLE: policy rm-exact, 1 CPU, U = 5/6 (0.8333)\n"), r.out());
        assertTrue(r.out().contains("task  C    T     D     U       response  cpu"), r.out());
        assertTrue(r.out().contains("#3    3ms  12ms  12ms  0.2500  10ms      0"), r.out());
    }

    /** Buttazzo's (2,5),(4,7): a miss under RM, exit status 1. */
    @Test
    void missExitsWithOne() {
        Result r = dsi("admit", "--policy=rm-exact", "2ms/5ms", "4ms/7ms");
        assertEquals(1, r.status());
        assertTrue(r.out().startsWith("NOT SCHEDULABLE"), r.out());
        assertTrue(r.out().contains("MISS (>= 8ms)"), r.out());
    }

    /** Two tasks 1/10/1: U = 0.2 but h(1) = 2; both rows show the violated point. */
    @Test
    void edfViolationJson() {
        Result r = dsi("admit", "--policy", "edf", "--json", "1/10/1", "1ns/10ns/1ns");
        assertEquals(1, r.status(), r.err());
        String expected = """
                {
                  "schedulable": false,
                  "policy": "edf",
                  "placement": "none",
                  "cpus": 1,
                  "utilisation": 0.2,
                  "utilisation_exact": "1/5",
                  "reason": "U = 1/5 (0.2000); first violated deadline: h(1ns) = 2ns > 1ns",
                  "tasks": [
                    {
                      "cost_ns": 1,
                      "period_ns": 10,
                      "deadline_ns": 1,
                      "cpu": 0
                    },
                    {
                      "cost_ns": 1,
                      "period_ns": 10,
                      "deadline_ns": 1,
                      "cpu": 0
                    }
                  ],
                  "processors": [
                    {
                      "cpu": 0,
                      "schedulable": false,
                      "utilisation_exact": "1/5",
                      "reason": "U = 1/5 (0.2000); first violated deadline: h(1ns) = 2ns > 1ns",
                      "first_violation": {
                        "t_ns": 1,
                        "demand_ns": 2,
                        "earliest": true
                      }
                    }
                  ]
                }
                """;
        assertEquals(expected, r.out());
        Result human = dsi("admit", "--policy", "edf", "1/10/1", "1/10/1");
        assertTrue(human.out().contains("#1    1ns  10ns  1ns  0.1000  h(1ns)=2ns > t  0"), human.out());
    }

    /** Partitioned: WFD places the RM set where FFD leaves (5,12) with cpu -1. */
    @Test
    void placementIsReported() {
        Result ffd = dsi("admit", "--policy", "rm-exact", "--cpus", "2", "--json", "1/2", "1/2", "4/8", "5/12");
        assertEquals(1, ffd.status());
        assertTrue(ffd.out().contains("\"placement\": \"ffd\""), ffd.out());
        assertTrue(ffd.out().contains("\"deadline_ns\": 12,\n      \"cpu\": -1\n"), ffd.out());
        Result wfd = dsi("admit", "--policy", "rm-exact", "--cpus", "2", "--placement", "wfd",
                "1/2", "1/2", "4/8", "5/12");
        assertEquals(0, wfd.status(), wfd.out());
        assertTrue(wfd.out().contains("2 CPUs, placement wfd"), wfd.out());
        assertTrue(wfd.out().contains("#4    5ns  12ns  12ns  0.4167  10ns      1"), wfd.out());
        assertTrue(wfd.out().contains("  cpu 0: ok, U = 1 (1.0000)"), wfd.out());
    }

    /** U exactly 1 under EDF, with decimals and units. */
    @Test
    void unitsAndDecimals() {
        Result r = dsi("admit", "--policy", "edf", "0.5ms/1ms", "250us/1ms", "250000/1000000");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("U = 1 (1.0000)"), r.out());
        assertTrue(r.out().contains("#1    500us  1ms"), r.out());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertUsage(dsi("admit", "1ms/2ms"), "dsi: admit: --policy is required");
        assertUsage(dsi("admit", "--policy", "fifo", "1/2"), "dsi: admit: unknown policy 'fifo'; known: edf,");
        assertUsage(dsi("admit", "--policy", "edf"), "dsi: admit: no tasks given");
        assertUsage(dsi("admit", "--policy", "edf", "1.5ns/2"), "dsi: admit: task '1.5ns/2': '1.5ns' is not a whole");
        assertUsage(dsi("admit", "--policy", "edf", "1/2/3"), "dsi: admit: task '1/2/3': task deadline 3 ns exceeds");
        assertUsage(dsi("admit", "--policy", "edf", "1/2/3/4"), "dsi: admit: task '1/2/3/4' is not C/T or C/T/D");
        assertUsage(dsi("admit", "--policy", "edf", "0/2"), "dsi: admit: task '0/2': task cost must be > 0 ns, got 0");
        assertUsage(dsi("admit", "--policy", "edf", "--cpus", "0", "1/2"), "dsi: admit: --cpus takes 1 to 4096, not 0");
        assertUsage(dsi("admit", "--policy", "edf", "--placement", "bf", "1/2"), "dsi: admit: unknown placement 'bf'");
        assertUsage(dsi("admit", "--policy", "edf", "--verbose", "1/2"), "dsi: admit: unknown option --verbose");
    }

    @Test
    void helpDescribesExitStatus() {
        Result r = dsi("admit", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("exit status: 0 schedulable, 1 not schedulable, 2 usage error"), r.out());
        assertTrue(dsi("help").out().contains("admit ...         is a task set schedulable?"));
    }

    private static void assertUsage(Result r, String message) {
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith(message), r.err());
        assertTrue(r.err().contains("usage: dsi COMMAND"), r.err());
    }
}
