package io.dsipanama.netio.rtu;

import java.util.List;

import io.dsipanama.rtu.Reactor;
import io.dsipanama.rtu.Trigger;
import io.dsipanama.rtu.TriggerSource;

/**
 * Several trigger sources feeding one reactive upcall (a sender wakes on its stream's data and on its ring's
 * completions). {@link Trigger#fire} is callable from any thread, so each source simply gets the same trigger.
 */
final class AnyTrigger implements TriggerSource {
    private final List<TriggerSource> sources;

    AnyTrigger(List<TriggerSource> sources) {
        this.sources = List.copyOf(sources);
    }

    @Override
    public void attach(Trigger trigger, Reactor reactor) {
        for (TriggerSource s : sources) {
            s.attach(trigger, reactor);
        }
    }

    @Override
    public void detach() {
        RuntimeException first = null;
        for (TriggerSource s : sources) {
            try {
                s.detach();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
