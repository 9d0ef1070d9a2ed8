package io.dsipanama.cli;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import io.dsipanama.netio.NetCounter;
import io.dsipanama.netio.NetCounters;
import io.dsipanama.netio.server.NetdConfig;
import io.dsipanama.stream.StreamAccessException;
import io.dsipanama.stream.StreamConsumer;
import io.dsipanama.stream.StreamDirectory;

/** What dsi send and dsi recv share: addresses and the netio part of the JSON summary. */
final class BridgeOptions {
    private BridgeOptions() {
    }

    /** Opens the stream as its consumer, waiting up to {@code timeoutMs} for it to be created (null: never came). */
    static StreamConsumer openConsumer(StreamDirectory dir, String name, long timeoutMs, StopOnSignal stop) {
        StreamDirectory.validateName(name);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            try {
                return StreamConsumer.open(dir, name);
            } catch (StreamAccessException e) {
                if (e.reason() != StreamAccessException.Reason.NOT_FOUND) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0 || stop.getAsBoolean()) {
                    return null;
                }
                LockSupport.parkNanos(10_000_000L);
            }
        }
    }

    /** {@code HOST:PORT}, {@code [V6]:PORT} or {@code PORT} alone (then {@code defaultHost}): netd's parser. */
    static InetSocketAddress address(String option, String text, String defaultHost) {
        try {
            return NetdConfig.address(text, defaultHost);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--" + option + " takes [HOST:]PORT, not '" + text + "'");
        }
    }

    /** frames, fragments (datagrams), and every non-zero drop and loss counter, by reason. */
    static void netio(Map<String, Object> m, NetCounters c, boolean tx) {
        m.put("frames", c.get(tx ? NetCounter.TX_FRAMES : NetCounter.RX_FRAMES));
        m.put("fragments", c.get(tx ? NetCounter.TX_DATAGRAMS : NetCounter.RX_DATAGRAMS));
        Map<String, Object> drops = new LinkedHashMap<>();
        for (NetCounter counter : NetCounter.values()) {
            String label = counter.label();
            if ((label.startsWith("drop_") || label.startsWith("lost_")) && c.get(counter) != 0) {
                drops.put(label.toLowerCase(Locale.ROOT), c.get(counter));
            }
        }
        m.put("drops", drops);
    }
}
