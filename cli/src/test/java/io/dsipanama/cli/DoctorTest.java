package io.dsipanama.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class DoctorTest {
    /** The stable top-level names the issue promises to scripts that read {@code dsi doctor --json}. */
    static final List<String> STABLE_KEYS = List.of("io_uring", "io_uring_send_zc", "io_uring_buf_ring",
            "io_uring_recv_multishot", "userfaultfd", "userfaultfd_minor_shmem", "sched_fifo", "sched_deadline",
            "memlock");

    @Test
    void jsonHasEveryStableFeatureWithAvailableAndDetail() {
        String json = run("doctor", "--json");
        for (String key : STABLE_KEYS) {
            Matcher m = Pattern.compile("\"" + key + "\": \\{\\s*\"available\": (true|false),\\s*\"detail\": \"[^\"]+\"")
                    .matcher(json);
            assertTrue(m.find(), key + " missing or malformed in:\n" + json);
        }
    }

    @Test
    void textReportListsEachFeatureOnce() {
        String text = run("doctor");
        for (String key : STABLE_KEYS) {
            assertEquals(1, Pattern.compile("(?m)^  " + key + " ").matcher(text).results().count(), text);
        }
    }

    @Test
    void unknownOptionIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Dsi.run(new String[] {"doctor", "--frob"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --frob; known: --json"), err.toString());
    }

    private static String run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = Dsi.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, rc);
        return out.toString(StandardCharsets.UTF_8);
    }
}
