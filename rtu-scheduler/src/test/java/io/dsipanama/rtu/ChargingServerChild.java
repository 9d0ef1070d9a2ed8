package io.dsipanama.rtu;

import io.dsipanama.rtu.registry.ReserveCounter;
import io.dsipanama.rtu.registry.ReserveId;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server process of {@link ChargingCrossProcessTest}: its own scheduler and reserve, and a reactive
 * upcall that does work on behalf of a client and charges it to the client's reserve. args[0] is the
 * registry path. Commands: {@code serve SLOT:GEN CPU_NS} -> {@code served charged=NS own=NS found=BOOL};
 * {@code exit}.
 */
final class ChargingServerChild {
    private ChargingServerChild() {
    }

    public static void main(String[] args) throws Exception {
        Burn.cpuNs(1_000_000);
        try (RtScheduler s = RtScheduler.start(new SchedulerContext().registryPath(Path.of(args[0])));
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            Reserve own = s.admit(ReserveSpec.of(10_000_000, 100_000_000).withName("server")
                    .withOverrun(OverrunPolicy.NOTIFY));
            ReactiveTest.PushSource requests = new ReactiveTest.PushSource();
            AtomicReference<ReserveId> client = new AtomicReference<>();
            AtomicLong workNs = new AtomicLong();
            AtomicLong chargedNs = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicReference<Boolean> found = new AtomicReference<>();
            own.startReactive(requests, 0, ctx -> {
                ChargeScope scope = ctx.chargeTo(client.get());
                try (scope) {
                    Burn.cpuNs(workNs.get()); // the work done for the client
                }
                chargedNs.set(scope.lastChargedNs());
                found.set(scope.lastCharged());
                Burn.cpuNs(100_000); // a little work of its own
                done.incrementAndGet();
            });
            System.out.println("ready " + s.backend());
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ");
                if (w[0].equals("serve")) {
                    client.set(ReserveId.parse(w[1]));
                    workNs.set(Long.parseLong(w[2]));
                    long before = done.get();
                    requests.trigger.fire(1);
                    while (done.get() == before) {
                        Thread.sleep(5);
                    }
                    System.out.println("served charged=" + chargedNs.get() + " own=" + own.counter(ReserveCounter.CPU_USED_NS)
                            + " found=" + found.get());
                } else if (w[0].equals("exit")) {
                    return;
                }
                System.out.flush();
            }
        }
    }
}
