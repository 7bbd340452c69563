package io.dmazone.vm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The VMs this JVM has booted and not yet closed; a shutdown hook closes them. */
final class LiveVms {
    private static final Set<Vm> LIVE = new LinkedHashSet<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(LiveVms::closeAll, "dmazone-vm-shutdown"));
    }

    private LiveVms() {
    }

    static synchronized void register(Vm vm) {
        LIVE.add(vm);
    }

    static synchronized void unregister(Vm vm) {
        LIVE.remove(vm);
    }

    private static void closeAll() {
        List<Vm> open;
        synchronized (LiveVms.class) {
            open = new ArrayList<>(LIVE);
        }
        open.forEach(Vm::close);
    }
}
