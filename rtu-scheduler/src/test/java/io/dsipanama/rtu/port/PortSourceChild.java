package io.dsipanama.rtu.port;

import io.dsipanama.rtu.RtScheduler;
import io.dsipanama.rtu.SchedulerContext;
import io.dsipanama.stream.StreamDirectory;
import io.dsipanama.stream.synthetic.Payload;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The source's process of {@link CrossProcessConnectTest}: its own scheduler on the shared registry
 * (args[0]), ports on the stream root args[1], and the same source handler as the in-process tests
 * ({@link PortApp#source}), connected to the remote sink args[2] with {@code QoS(args[3], args[4], args[5])},
 * sending args[6] buffers of args[7] bytes. Prints {@code connected ...}, then {@code sent N ...} when done;
 * {@code exit} closes the connection and ends.
 */
final class PortSourceChild {
    private PortSourceChild() {
    }

    public static void main(String[] args) throws Exception {
        Payload.verify(java.lang.foreign.MemorySegment.ofArray(new byte[64]), 0, 64, 0); // build the pattern now
        QoS qos = new QoS(Long.parseLong(args[3]), Long.parseLong(args[4]), Long.parseLong(args[5]));
        long count = Long.parseLong(args[6]);
        int length = Integer.parseInt(args[7]);
        RtHandler fill = PortApp.source(length);
        RtPort source = RtPort.source("xsrc", length, 500_000, b -> b.sequence() < count && fill.onBuffer(b));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
             RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(Path.of(args[0])));
             Connection c = new RtPorts(s, new StreamDirectory(Path.of(args[1]))).connect(source, RtPort.remote(args[2]), qos)) {
            System.out.println("connected " + s.backend() + " stream=" + c.streamName() + " deadline=" + c.deadlineNs(0));
            while (source.metrics().handledCount() - source.metrics().droppedCount() < count) {
                Thread.sleep(10);
            }
            System.out.println("sent " + (source.metrics().handledCount() - source.metrics().droppedCount()) + " " + source.metrics());
            for (String line; (line = in.readLine()) != null; ) {
                if (line.trim().equals("exit")) {
                    return;
                }
            }
        }
    }
}
