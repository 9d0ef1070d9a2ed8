package io.dsipanama.stream;

import io.dsipanama.ffm.ChildJvm;
import io.dsipanama.ffm.support.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.*;

/** A second JVM opens the stream by name, sees the same header, and writes words the first JVM sees. */
@Timeout(120)
class StreamCrossProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void secondProcessSeesTheHeaderAndWritesVisibleWords() throws Exception {
        try (TestRoot root = new TestRoot();
             StreamMapping p = root.dir.create("x", StreamSpec.builder().descriptorCount(32).maxPacketBytes(512)
                     .epochNs(123_456_789L).nsPerTick(40_000_000L).policy(OverflowPolicy.DROP_NEWEST).build());
             ChildJvm child = ChildJvm.start(StreamChild.class, root.path.toString(), "x")) {
            p.dataSegment().set(JAVA_LONG, 0, 0xCAFEL);
            String opened = child.expect("opened", WAIT);
            assertEquals("opened count=32 data=" + p.spec().dataBytes() + " epoch=123456789 tick=40000000"
                    + " policy=DROP_NEWEST creator=" + ProcessHandle.current().pid(), opened);
            child.send("read");
            assertEquals("data " + 0xCAFEL, child.expect("data", WAIT));
            child.send("write-data");
            assertEquals("write-data refused IllegalArgumentException", child.expect("write-data", WAIT));

            child.send("position 77");
            child.expect("position-set", WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((long) JAVA_LONG.varHandle().getAcquire(p.headerSegment(),
                    (long) StreamHeaderDescriptor.CONSUMER_POSITION_OFFSET) != 77L) {
                assertTrue(System.nanoTime() < deadline, "consumer_position never became 77");
                Thread.onSpinWait();
            }
            ProcessIdentity consumer = p.header().acquireConsumer();
            assertEquals(child.pid(), consumer.pid());
            assertTrue(consumer.isAlive());
            assertFalse(root.dir.list().getFirst().stale());

            child.send("exit");
            child.expect("bye", WAIT);
            assertEquals(0, child.waitFor(WAIT));
            assertFalse(consumer.isAlive(), "start time no longer matches a live process");
        }
    }

    @Test
    void streamsWhoseCreatorAndPeersAreGoneAreStale() throws Exception {
        try (TestRoot root = new TestRoot()) {
            root.dir.create("orphan", StreamSpec.builder().build()).close();
            root.dir.create("mine", StreamSpec.builder().build()).close();
            ProcessIdentity dead;
            try (ChildJvm child = ChildJvm.start(StreamChild.class, root.path.toString(), "orphan")) {
                child.expect("opened", WAIT);
                dead = new ProcessIdentity((int) child.pid(), ProcessIdentity.startTimeOf((int) child.pid()));
                assertTrue(dead.isAlive());
                child.send("exit");
                assertEquals(0, child.waitFor(WAIT));
            }
            assertFalse(dead.isAlive());
            // make the dead child the orphan's creator as well (it was its consumer already)
            var file = root.dir.pathOf("orphan");
            TestRoot.putInt(file, StreamHeaderDescriptor.CREATOR_PID_OFFSET, dead.pid());
            TestRoot.putLong(file, StreamHeaderDescriptor.CREATOR_START_TIME_OFFSET, dead.startTime());
            List<StreamInfo> stale = root.dir.findStale();
            assertEquals(List.of("orphan"), stale.stream().map(StreamInfo::name).toList());
            assertEquals(dead, stale.getFirst().consumer());
            assertTrue(root.dir.remove("orphan"));
            assertTrue(root.dir.findStale().isEmpty());
        }
    }
}
