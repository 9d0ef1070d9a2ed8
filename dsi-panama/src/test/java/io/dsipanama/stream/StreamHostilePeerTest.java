package io.dsipanama.stream;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.stream.synthetic.Payload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 4 item 6: a second JVM scribbles 10^5 random values on every field of the header and the control
 * area (cursors, drop record, slot sequence, state, offsets, lengths, expiry, counters, attachment words)
 * while it produces (or consumes), and the other side, in this JVM, runs against it. That side never fails
 * with anything but {@link StreamCorruptionException} (whose message names the field) or
 * {@link StreamPeerGoneException} (the attachment words are the peer's to fake), never hands out or writes a
 * region outside the data area, never blocks a call beyond its bound, and once the scribbling stops the
 * stream carries verified packets again.
 */
@Timeout(120)
class StreamHostilePeerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long MUTATIONS = 100_000;
    /** Words a corruption message names: a field of a shared table, or what the ring checks. */
    private static final List<String> FIELD_WORDS = fieldWords();

    private final TestRoot root = new TestRoot();

    @AfterEach
    void cleanUp() throws Exception {
        root.close();
    }

    private static List<String> fieldWords() {
        List<String> words = new ArrayList<>(List.of("sequence", "state", "producer_position", "free_position",
                "drop_record_sequence", "consumer_position", "consumer's position"));
        PacketDescriptorDescriptor.FIELDS.forEach(f -> words.add(f.name()));
        StreamHeaderDescriptor.FIELDS.stream().filter(f -> !f.name().startsWith("pad")).forEach(f -> words.add(f.name()));
        return List.copyOf(words);
    }

    private static void assertNamesAField(StreamCorruptionException e) {
        String m = e.getMessage();
        assertTrue(FIELD_WORDS.stream().anyMatch(m::contains), "the report names no field: " + m);
    }

    private ChildJvm hostile(String mode, long seed) {
        return ChildJvm.start(HostileMain.class, mode, root.path.toString(), "s", "mutations=" + MUTATIONS, "seed=" + seed);
    }

    private static long quietValue(String line, String key) {
        return Long.parseLong(StreamPeerMain.parse(line).get(key));
    }

    @Test
    void aConsumerSurvivesAScribblingProducer() throws Exception {
        StreamSpec spec = StreamSpec.builder().descriptorCount(64).dataBytes(1 << 20).maxPacketBytes(4096)
                .policy(OverflowPolicy.DROP_OLDEST).mode(StreamMode.REAL_TIME).nsPerTick(1_000_000).validityTicks(1000)
                .build();
        StreamProducer.create(root.dir, "s", spec).close(); // the hostile child produces
        try (StreamConsumer c = StreamConsumer.open(root.dir, "s"); ChildJvm child = hostile("scribbling-producer", 11)) {
            child.expect("attached", WAIT);
            long dataLength = c.mapping.layout().dataLength();
            long corrupt = 0;
            long gone = 0;
            long delivered = 0;
            long maxCallNs = 0;
            long quietAt = -1;
            long clean = 0;
            long deadline = System.nanoTime() + 20_000_000_000L;
            for (long i = 0; clean < 200 && System.nanoTime() < deadline; i++) {
                if (quietAt < 0 && (i & 255) == 0 && child.transcript().contains("quiet")) {
                    String line = child.expect("quiet", WAIT);
                    assertTrue(quietValue(line, "mutations") >= MUTATIONS, line);
                    assertEquals(0, quietValue(line, "missed"), "every field was scribbled on: " + line);
                    quietAt = quietValue(line, "position");
                }
                long start = System.nanoTime();
                try {
                    Packet k = c.take(20_000_000L);
                    if (k != null) {
                        delivered++;
                        assertTrue(k.offset() >= 0 && k.length() >= 0 && k.offset() + k.length() <= dataLength,
                                "a region outside the data area was handed out: " + k);
                        k.segment(); // a checked slice: must not throw
                        boolean ok = Payload.verify(k.buffer(), k.offset(), k.length(), k.virtualTime());
                        if (quietAt >= 0 && k.position() > quietAt + 2L * spec.descriptorCount() && k.isStillValid()) {
                            assertTrue(ok, "a packet published after the scribbling stopped is intact: " + k);
                            clean++;
                        }
                        k.release();
                    }
                } catch (StreamCorruptionException e) {
                    corrupt++;
                    assertNamesAField(e);
                } catch (StreamPeerGoneException e) {
                    gone++; // the scribbler wrote a dead pid into its own attachment words
                }
                maxCallNs = Math.max(maxCallNs, System.nanoTime() - start);
            }
            String summary = "delivered=" + delivered + " corrupt=" + corrupt + " gone=" + gone + " clean=" + clean
                    + " maxCallMs=" + maxCallNs / 1_000_000 + " stats=" + c.stats().counters();
            System.out.println("hostile producer: " + summary);
            assertTrue(quietAt >= 0, "the scribbler finished its mutations: " + summary + "\n" + child.transcript());
            assertTrue(clean >= 200, "verified packets flow again after the scribbling: " + summary);
            assertTrue(corrupt > 0, "the consumer reported corruption: " + summary);
            assertTrue(c.lost(LossReason.CORRUPT) > 0, "and accounted refused positions as CORRUPT: " + summary);
            assertTrue(maxCallNs < 5_000_000_000L, "take(20 ms) returned within 5 s: " + summary);
            child.send("exit");
            String report = child.expect("report", WAIT);
            assertEquals(0, child.waitFor(WAIT), "the scribbling producer itself never failed: " + child.transcript());
            System.out.println("hostile producer's own view: " + report);
        }
    }

    @ParameterizedTest
    @EnumSource(value = OverflowPolicy.class, names = {"DROP_OLDEST", "BLOCK"})
    void aProducerSurvivesAScribblingConsumer(OverflowPolicy policy) throws Exception {
        StreamSpec spec = StreamSpec.builder().descriptorCount(64).dataBytes(1 << 20).maxPacketBytes(4096)
                .policy(policy).mode(StreamMode.REAL_TIME).nsPerTick(1_000_000).validityTicks(1000).build();
        try (StreamProducer p = StreamProducer.create(root.dir, "s", spec); ChildJvm child = hostile("scribbling-consumer", 12)) {
            child.expect("attached", WAIT);
            long dataLength = p.mapping.layout().dataLength();
            long corrupt = 0;
            long published = 0;
            long publishedAfterQuiet = 0;
            long maxCallNs = 0;
            boolean quiet = false;
            long lastVt = Long.MIN_VALUE;
            long deadline = System.nanoTime() + 25_000_000_000L;
            for (long i = 0; publishedAfterQuiet < 20_000 && System.nanoTime() < deadline; i++) {
                if (!quiet && (i & 255) == 0 && child.transcript().contains("quiet")) {
                    String line = child.expect("quiet", WAIT);
                    assertTrue(quietValue(line, "mutations") >= MUTATIONS, line);
                    assertEquals(0, quietValue(line, "missed"), "every field was scribbled on: " + line);
                    quiet = true;
                }
                long start = System.nanoTime();
                try {
                    int length = Payload.HEADER + (int) (i * 7919 % 2000);
                    Claim k = p.tryClaim(length);
                    if (k != null) {
                        assertTrue(k.offset() >= 0 && k.offset() + k.length() <= dataLength
                                && k.offset() % StreamProducer.ALIGNMENT == 0, "a claim outside the data area: "
                                + k.offset() + "+" + k.length());
                        long vt = Math.max(p.virtualTimeNow(), lastVt);
                        Payload.fill(k.buffer(), k.offset(), k.length(), i, vt);
                        k.commit(vt);
                        lastVt = vt;
                        published++;
                        publishedAfterQuiet += quiet ? 1 : 0;
                    }
                } catch (StreamCorruptionException e) {
                    corrupt++;
                    assertNamesAField(e);
                }
                maxCallNs = Math.max(maxCallNs, System.nanoTime() - start);
                if (quiet) {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                } else if ((i & 63) == 0) {
                    Thread.yield();
                }
            }
            child.send("exit");
            Map<String, String> report = StreamPeerMain.parse(child.expect("report", WAIT));
            String summary = policy + ": published=" + published + " afterQuiet=" + publishedAfterQuiet + " corrupt="
                    + corrupt + " maxCallMs=" + maxCallNs / 1_000_000 + " consumer " + report;
            System.out.println("hostile consumer: " + summary);
            assertEquals(0, child.waitFor(WAIT), "the scribbling consumer itself never failed: " + child.transcript());
            assertTrue(quiet, "the scribbler finished its mutations: " + summary);
            assertTrue(publishedAfterQuiet > 1000, "the producer keeps producing after the scribbling: " + summary);
            assertTrue(corrupt > 0, "the producer reported corruption: " + summary);
            assertTrue(Long.parseLong(report.get("clean")) >= 200, "verified packets reach the consumer again: " + summary);
            assertEquals("0", report.get("bad"), "no packet published after the scribbling is damaged: " + summary);
            assertTrue(maxCallNs < 5_000_000_000L, "tryClaim returned within 5 s: " + summary);
        }
    }
}
