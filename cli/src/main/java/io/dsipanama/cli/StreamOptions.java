package io.dsipanama.cli;

import io.dsipanama.stream.StreamDirectory;

import java.nio.file.Path;

/** Options the stream commands share. */
final class StreamOptions {
    private StreamOptions() {
    }

    /** {@code --root DIR}, else the {@code dsi.stream.root} property, else /dev/shm/dsi-panama. */
    static StreamDirectory directory(Args args) {
        String root = args.get("root", null);
        return root == null ? new StreamDirectory() : new StreamDirectory(Path.of(root));
    }

    /** A byte count with an optional K, M or G suffix (powers of 1024). */
    static long bytes(String option, String text) {
        String t = text.trim();
        long unit = 1;
        char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
        switch (last) {
            case 'K' -> unit = 1L << 10;
            case 'M' -> unit = 1L << 20;
            case 'G' -> unit = 1L << 30;
            default -> {
            }
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new Args.UsageException("--" + option + " takes a byte count such as 1500, 64K or 16M, not '" + text + "'");
        }
    }

    /** The only positional argument: the stream's name. */
    static String name(String command, Args args) {
        if (args.positional().size() != 1) {
            throw new Args.UsageException(command + ": give exactly one stream NAME (got " + args.positional() + ")");
        }
        return args.positional().getFirst();
    }

    static String rate(long count, long nanos) {
        return nanos <= 0 ? "-" : String.format(java.util.Locale.ROOT, "%.0f", count * 1e9 / nanos);
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
