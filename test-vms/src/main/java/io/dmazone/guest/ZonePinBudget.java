package io.dmazone.guest;

import io.dmazone.DmazoneException;
import io.dmazone.memory.MemlockLimit;
import io.dmazone.memory.PinnedFootprint;
import io.dmazone.memory.ResourceLimits;
import java.io.UncheckedIOException;

/**
 * The host side of a zone, through the Java API, run as root in L1 beside the nested
 * guest's QEMU: gives that QEMU an RLIMIT_MEMLOCK of exactly the zone, so VFIO type1
 * refuses to pin anything beyond it (QEMU must run without CAP_IPC_LOCK, which would
 * lift the limit). Applied once QEMU has started, which suffices when it pins nothing
 * at start (virtio-iommu with boot-bypass=off).
 * {@code java -cp <cp> io.dmazone.guest.ZonePinBudget QEMU_PID ZONE_BYTES}
 */
public final class ZonePinBudget {
    private ZonePinBudget() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ZonePinBudget QEMU_PID ZONE_BYTES");
            System.exit(2);
        }
        long pid = Long.parseLong(args[0]);
        long zone = Long.parseLong(args[1]);
        CheckReport report = new CheckReport(System.out);
        try {
            MemlockLimit before = ResourceLimits.setMemlock(pid, MemlockLimit.of(zone));
            MemlockLimit now = ResourceLimits.memlock(pid);
            report.check("pin_budget_applied", now.equals(MemlockLimit.of(zone)),
                    "RLIMIT_MEMLOCK of QEMU " + pid + ": " + before + " -> " + now);
            PinnedFootprint footprint = PinnedFootprint.of(pid);
            report.check("pin_budget_before_guest_maps", footprint.vmLckBytes() <= zone,
                    "pinned when the budget was set: " + footprint);
            report.value("pin_budget_bytes", now.soft());
        } catch (DmazoneException | IllegalArgumentException | UncheckedIOException e) {
            report.fail("pin_budget_applied", e);
        }
        System.exit(report.end());
    }
}
