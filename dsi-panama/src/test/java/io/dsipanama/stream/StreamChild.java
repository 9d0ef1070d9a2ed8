package io.dsipanama.stream;

import io.dsipanama.ffm.support.ProcessIdentity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Second-process side of {@link StreamCrossProcessTest}: {@code StreamChild ROOT NAME} opens the stream as
 * consumer, prints what it sees, then obeys stdin: {@code position N} stores N as consumer_position
 * (release), {@code read} prints the first data long, {@code write-data} tries to write the read-only data
 * area, {@code exit} ends.
 */
public final class StreamChild {
    public static void main(String[] args) throws Exception {
        StreamDirectory dir = new StreamDirectory(Path.of(args[0]));
        try (StreamMapping m = dir.open(args[1], StreamRole.CONSUMER)) {
            StreamHeader h = m.header();
            h.releaseConsumer(ProcessIdentity.self());
            System.out.println("opened count=" + m.spec().descriptorCount() + " data=" + m.spec().dataBytes()
                    + " epoch=" + m.spec().epochNs() + " tick=" + m.spec().nsPerTick() + " policy=" + m.spec().policy()
                    + " creator=" + h.creator().pid());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.split(" ");
                switch (w[0]) {
                    case "position" -> {
                        // pairs with the parent's getAcquire of consumer_position
                        JAVA_LONG.varHandle().setRelease(m.headerSegment(),
                                (long) StreamHeaderDescriptor.CONSUMER_POSITION_OFFSET, Long.parseLong(w[1]));
                        System.out.println("position-set");
                    }
                    case "read" -> System.out.println("data " + m.dataSegment().get(JAVA_LONG, 0));
                    case "write-data" -> {
                        try {
                            m.dataSegment().set(JAVA_LONG, 0, 1L);
                            System.out.println("write-data allowed");
                        } catch (RuntimeException e) {
                            System.out.println("write-data refused " + e.getClass().getSimpleName());
                        }
                    }
                    case "exit" -> {
                        System.out.println("bye");
                        return;
                    }
                    default -> System.out.println("unknown " + line);
                }
            }
        }
    }
}
