package io.dsipanama.cli;

import java.io.PrintStream;

/**
 * The {@code dsi} command. {@code bin/dsi} finds a JDK, builds the project when needed and runs this
 * with the right JVM flags.
 */
public final class Dsi {
    static final String USAGE = """
            usage: dsi COMMAND [OPTIONS]
              doctor [--json]   what this machine offers: kernel features, privileges, limits
              admit ...         is a task set schedulable? exit 0 yes, 1 no, 2 usage error (dsi admit --help)
              produce NAME ...  write verifiable packets into a stream (dsi produce --help)
              consume NAME ...  read and verify them, report loss by reason (dsi consume --help)
              send NAME --to HOST:PORT ...  send a stream to dsi recv on another host (dsi send --help)
              recv --listen [HOST:]PORT --into NAME ...  receive it into a local stream (dsi recv --help)
              netd --send NAME=HOST:PORT --listen PORT=NAME ...  the network server (dsi netd --help)
              streams [--json]  list streams: peers, liveness, fill, counters; remove stale ones
              test              (bin/dsi only) install build dependencies and run the whole test suite
              help              this text
            """;

    private Dsi() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0) {
            err.print(USAGE);
            return 2;
        }
        try {
            return switch (argv[0]) {
                case "doctor" -> Doctor.run(argv, out);
                case "admit" -> AdmitCommand.run(argv, out);
                case "produce" -> ProduceCommand.run(argv, out, err);
                case "consume" -> ConsumeCommand.run(argv, out, err);
                case "send" -> SendCommand.run(argv, out, err);
                case "recv" -> RecvCommand.run(argv, out, err);
                case "netd" -> NetdCommand.run(argv, out, err);
                case "streams" -> StreamsCommand.run(argv, out, err);
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> throw new Args.UsageException("unknown command '" + argv[0] + "'");
            };
        } catch (Args.UsageException e) {
            err.println("dsi: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }
}
