package io.dsipanama.bench.handoff;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness end to end: real consumer and producer JVMs, every byte checked, reports written. */
class CrossProcessTest {
    @Test
    @Timeout(120)
    void movesPacketsBetweenTwoJvmsForEveryTransport(@TempDir Path out) throws Exception {
        Path json = out.resolve("handoff.json");
        Path markdown = out.resolve("handoff.md");
        String[] args = {"--size", "4096", "--packets", "2000", "--warmup", "500", "--verify",
                "--json", json.toString(), "--md", markdown.toString(), "--timeout-s", "60"};
        List<RunResult> results = CrossProcess.run(CrossProcess.Options.parse(args), String.join(" ", args));

        assertEquals(HandoffTransports.names().size(), results.size());
        for (RunResult r : results) {
            assertEquals(0, r.gaps(), r.transport() + ": gaps");
            assertEquals(0, r.corrupt(), r.transport() + ": corrupt packets");
            assertEquals(2000, r.latencies().getTotalCount(), r.transport() + ": one latency per measured packet");
            assertTrue(r.nsPerPacket() > 0 && r.latencies().getMinValue() > 0, r.transport() + ": positive times");
        }
        String jsonText = Files.readString(json);
        for (String key : List.of("\"transport\":\"agrona\"", "\"transport\":\"aeron\"", "\"nsPerPacket\"", "\"p99_9\"",
                "\"producerAllocatedBytes\"", "\"corrupt\":0")) {
            assertTrue(jsonText.contains(key), key + " in " + jsonText);
        }
        List<String> rows = Files.readAllLines(markdown);
        assertEquals(2 + results.size(), rows.size(), "header, rule and one row per run");
        assertTrue(rows.get(2).startsWith("| aeron | 4096 | 2000 |"), rows.get(2));
    }
}
