package io.dsipanama.netio.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.dsipanama.netio.stream.StreamFrameDescriptor;

/**
 * What a {@link NetDaemon} serves: routes, one per line of a config file or one per command-line option.
 *
 * <pre>
 * # comment
 * send   NAME HOST:PORT [priority P] [id N]   # consume local stream NAME, send it to HOST:PORT
 * listen [HOST:]PORT NAME [create]           # receive on PORT, produce into local stream NAME
 * </pre>
 *
 * The command-line forms are {@code --send NAME=HOST:PORT[,priority=P][,id=N]} and
 * {@code --listen [HOST:]PORT=NAME[,create]}. Priority defaults to 4, the stream id to
 * {@link StreamFrameDescriptor#streamId(String)}, the listen host to 0.0.0.0.
 */
public record NetdConfig(List<SendRoute> sends, List<ListenRoute> listens) {
    /** Consume local stream {@code stream} and send it to {@code to}. */
    public record SendRoute(String stream, InetSocketAddress to, int streamId, int priority) {
    }

    /** Receive on {@code listen} and produce into local stream {@code stream} (created by netd when {@code create}). */
    public record ListenRoute(InetSocketAddress listen, String stream, boolean create) {
    }

    public NetdConfig {
        sends = List.copyOf(sends);
        listens = List.copyOf(listens);
    }

    /** Parses config-file lines (see the class comment). */
    public static NetdConfig parseLines(List<String> lines) {
        List<SendRoute> sends = new ArrayList<>();
        List<ListenRoute> listens = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.replaceFirst("#.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] w = line.split("\\s+");
            if (w[0].equals("send") && w.length >= 3) {
                int priority = 4;
                int id = StreamFrameDescriptor.streamId(w[1]);
                for (int i = 3; i + 1 < w.length; i += 2) {
                    switch (w[i]) {
                        case "priority" -> priority = Integer.parseInt(w[i + 1]);
                        case "id" -> id = Integer.parseInt(w[i + 1]);
                        default -> throw new IllegalArgumentException("unknown send option '" + w[i] + "' in: " + raw);
                    }
                }
                sends.add(send(w[1], w[2], priority, id));
            } else if (w[0].equals("listen") && (w.length == 3 || w.length == 4 && w[3].equals("create"))) {
                listens.add(new ListenRoute(address(w[1], "0.0.0.0"), w[2], w.length == 4));
            } else {
                throw new IllegalArgumentException("not a route: '" + raw + "' (send NAME HOST:PORT [priority P] [id N]"
                        + " | listen [HOST:]PORT NAME [create])");
            }
        }
        return new NetdConfig(sends, listens);
    }

    /** {@code NAME=HOST:PORT[,priority=P][,id=N]}. */
    public static SendRoute parseSend(String option) {
        String[] parts = option.split(",");
        int eq = parts[0].indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--send takes NAME=HOST:PORT[,priority=P][,id=N], not '" + option + "'");
        }
        String name = parts[0].substring(0, eq);
        int priority = 4;
        int id = StreamFrameDescriptor.streamId(name);
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            switch (kv[0]) {
                case "priority" -> priority = Integer.parseInt(kv[1]);
                case "id" -> id = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown --send option '" + kv[0] + "'");
            }
        }
        return send(name, parts[0].substring(eq + 1), priority, id);
    }

    /** {@code [HOST:]PORT=NAME[,create]}. */
    public static ListenRoute parseListen(String option) {
        String[] parts = option.split(",");
        int eq = parts[0].indexOf('=');
        if (eq <= 0 || parts.length > 2 || parts.length == 2 && !parts[1].equals("create")) {
            throw new IllegalArgumentException("--listen takes [HOST:]PORT=NAME[,create], not '" + option + "'");
        }
        return new ListenRoute(address(parts[0].substring(0, eq), "0.0.0.0"), parts[0].substring(eq + 1),
                parts.length == 2);
    }

    private static SendRoute send(String name, String to, int priority, int id) {
        if (priority < 0 || priority > 7) {
            throw new IllegalArgumentException("priority is 0..7, not " + priority);
        }
        return new SendRoute(name, address(to, "127.0.0.1"), id, priority);
    }

    /** {@code HOST:PORT}, {@code [V6]:PORT} or {@code PORT} alone (then {@code defaultHost}). */
    public static InetSocketAddress address(String text, String defaultHost) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? defaultHost : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new IllegalArgumentException("not [HOST:]PORT: '" + text + "'", e);
        }
    }

    /** Both lists together. */
    public NetdConfig with(NetdConfig other) {
        List<SendRoute> s = new ArrayList<>(sends);
        s.addAll(other.sends);
        List<ListenRoute> l = new ArrayList<>(listens);
        l.addAll(other.listens);
        return new NetdConfig(s, l);
    }
}
