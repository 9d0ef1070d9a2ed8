package io.dsipanama.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments of one {@code dsi} sub-command: {@code --name value}, {@code --name=value},
 * boolean {@code --flag}s and positional words. Unknown options are an error that lists the known ones.
 */
final class Args {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {
    }

    /**
     * @param valued options that take a value
     * @param flags  options that take none
     */
    static Args parse(String command, String[] argv, int from, Set<String> valued, Set<String> flags) {
        Args args = new Args();
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || a.equals("--")) {
                args.positional.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) && value == null) {
                args.options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    value = argv[++i];
                }
                args.options.put(name, value);
            } else {
                List<String> known = new ArrayList<>();
                valued.forEach(v -> known.add("--" + v + " VALUE"));
                flags.forEach(f -> known.add("--" + f));
                known.sort(null);
                throw new UsageException(command + ": unknown option --" + name
                        + (known.isEmpty() ? " (it takes none)" : "; known: " + String.join(", ", known)));
            }
        }
        return args;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    long getLong(String name, long fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " takes a whole number, not '" + v + "'");
        }
    }

    List<String> positional() {
        return positional;
    }

    /** A mistake in how the command was called: printed with the usage, exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
