package io.dsipanama.rtu.registry;

import io.dsipanama.rtu.admission.Task;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The other process of the registry tests (started with ChildJvm). args[0] is the registry path; it must
 * exist already (the parent creates it). One command per line:
 *
 * <pre>
 *   admit C T D        -> admitted SLOT:GEN cpu=N | rejected REASON
 *   burst N C T        -> burst admitted=K rejected=R   (N admissions as fast as possible)
 *   charge SLOT:GEN NS -> charged true|false
 *   exit
 * </pre>
 */
final class RegistryChild {
    private RegistryChild() {
    }

    public static void main(String[] args) throws Exception {
        try (ReserveRegistry registry = ReserveRegistry.open(Path.of(args[0]), null);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready pid=" + ProcessHandle.current().pid());
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ");
                switch (w[0]) {
                    case "admit" -> {
                        try {
                            Admitted a = registry.admit(new ReserveRequest(Task.of(Long.parseLong(w[1]),
                                    Long.parseLong(w[2]), Long.parseLong(w[3])), new BitSet(), "child", 0, -1));
                            System.out.println("admitted " + a.id() + " cpu=" + a.cpu());
                        } catch (AdmissionException e) {
                            System.out.println("rejected " + e.getMessage());
                        }
                    }
                    case "burst" -> {
                        int admitted = 0;
                        int rejected = 0;
                        for (int i = 0; i < Integer.parseInt(w[1]); i++) {
                            try {
                                registry.admit(new ReserveRequest(Task.of(Long.parseLong(w[2]), Long.parseLong(w[3])),
                                        new BitSet(), "burst", 0, -1));
                                admitted++;
                            } catch (AdmissionException e) {
                                rejected++;
                            }
                        }
                        System.out.println("burst admitted=" + admitted + " rejected=" + rejected);
                    }
                    case "charge" -> System.out.println("charged " + registry.charge(ReserveId.parse(w[1]), Long.parseLong(w[2])));
                    case "exit" -> {
                        return;
                    }
                    default -> System.out.println("error unknown command " + line);
                }
                System.out.flush();
            }
        }
    }
}
