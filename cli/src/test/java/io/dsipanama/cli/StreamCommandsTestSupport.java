package io.dsipanama.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs dsi commands in this JVM on a private stream root. */
final class StreamCommandsTestSupport {
    record Result(int status, String out, String err) {
    }

    private final Path root;

    StreamCommandsTestSupport(Path root) {
        this.root = root;
    }

    Result dsi(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] withRoot = new String[argv.length + 2];
        System.arraycopy(argv, 0, withRoot, 0, argv.length);
        withRoot[argv.length] = "--root";
        withRoot[argv.length + 1] = root.toString();
        int status = Dsi.run(withRoot, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
