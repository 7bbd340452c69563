package io.dmazone.cli;

import io.dmazone.DmazoneException;
import io.dmazone.Sizes;
import io.dmazone.memory.MemlockLimit;
import io.dmazone.memory.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What {@code dmazone check} looks at: the IOMMU, VFIO's modules and nodes, this process's
 * memlock limit and capabilities, huge pages. Reads a sysfs, dev and proc root, so tests
 * can give it a tree of their own.
 */
final class HostFacts {
    /** CAP_IPC_LOCK's bit in the capability sets of {@code /proc/<pid>/status}. */
    static final int CAP_IPC_LOCK = 14;
    /** CAP_SYS_RESOURCE's bit. */
    static final int CAP_SYS_RESOURCE = 24;

    private final Path sys;
    private final Path dev;
    private final Path proc;

    HostFacts(Path sys, Path dev, Path proc) {
        this.sys = sys;
        this.dev = dev;
        this.proc = proc;
    }

    static HostFacts system() {
        return new HostFacts(Path.of("/sys"), Path.of("/dev"), Path.of("/proc"));
    }

    /** Every fact, in the order a user fixes them. */
    List<HostFact> all() {
        List<HostFact> facts = new ArrayList<>();
        facts.add(iommu());
        facts.add(iommuGroups());
        facts.add(module("vfio", "modprobe vfio"));
        facts.add(module("vfio_pci", "modprobe vfio-pci"));
        facts.add(module("vfio_iommu_type1", "modprobe vfio_iommu_type1"));
        facts.add(vfioContainer());
        facts.add(iommufd());
        facts.add(memlock());
        facts.add(ipcLock());
        facts.add(hugepages());
        return facts;
    }

    HostFact iommu() {
        List<String> units = list(sys.resolve("class/iommu"));
        if (units.isEmpty()) {
            return HostFact.missing("iommu", "no IOMMU in " + sys.resolve("class/iommu"),
                    "turn it on: boot the host with intel_iommu=on (Intel; AMD's is on by default), "
                            + "or give a VM a vIOMMU (-device intel-iommu,caching-mode=on)");
        }
        return HostFact.ok("iommu", String.join(", ", units));
    }

    HostFact iommuGroups() {
        List<String> groups = list(sys.resolve("kernel/iommu_groups"));
        if (groups.isEmpty()) {
            return HostFact.missing("iommu_groups", "none",
                    "the IOMMU puts devices into groups once it is on; see the iommu line");
        }
        return HostFact.ok("iommu_groups", groups.size() + " (dmazone devices lists them)");
    }

    HostFact module(String name, String load) {
        // /sys/module/NAME exists for loaded modules and for built-in ones with parameters;
        // vfio-pci and type1 always have parameters.
        if (Files.isDirectory(sys.resolve("module").resolve(name))) {
            return HostFact.ok(name, "loaded");
        }
        return HostFact.missing(name, "not loaded", "load it: " + load);
    }

    HostFact vfioContainer() {
        Path node = dev.resolve("vfio/vfio");
        if (Files.exists(node)) {
            return HostFact.ok("vfio_container", node.toString());
        }
        return HostFact.missing("vfio_container", node + " missing",
                "the VFIO type1 API needs it: modprobe vfio (with CONFIG_VFIO_CONTAINER=y in the kernel)");
    }

    HostFact iommufd() {
        Path node = dev.resolve("iommu");
        if (Files.exists(node)) {
            return HostFact.ok("iommufd", node.toString());
        }
        return HostFact.note("iommufd", node + " missing",
                "not needed (dmazone uses VFIO type1); for the cdev path: modprobe iommufd");
    }

    HostFact memlock() {
        MemlockLimit limit;
        try {
            limit = ResourceLimits.memlock();
        } catch (DmazoneException e) {
            return HostFact.missing("memlock", "unreadable: " + e.getMessage(), "see the message");
        }
        String value = "soft " + MemlockLimit.describe(limit.soft()) + ", hard " + MemlockLimit.describe(limit.hard());
        if (limit.unlimited() || hasCapability(CAP_SYS_RESOURCE)) {
            return HostFact.ok("memlock", value + (limit.unlimited() ? "" : " (CAP_SYS_RESOURCE can raise it)"));
        }
        return HostFact.note("memlock", value, "QEMU must be allowed to lock the plan's budget "
                + "(dmazone plan prints it): raise the hard limit in limits.conf or run dmazone launch as root");
    }

    HostFact ipcLock() {
        if (hasCapability(CAP_IPC_LOCK)) {
            return HostFact.ok("cap_ipc_lock", "held: pins by this process's children ignore RLIMIT_MEMLOCK "
                    + "(dmazone launch drops it for QEMU)");
        }
        return HostFact.ok("cap_ipc_lock", "not held: RLIMIT_MEMLOCK bounds what VFIO pins");
    }

    HostFact hugepages() {
        String meminfo = read(proc.resolve("meminfo")).orElse("");
        String total = field(meminfo, "HugePages_Total").orElse("?");
        String size = field(meminfo, "Hugepagesize").orElse("?");
        String thp = read(sys.resolve("kernel/mm/transparent_hugepage/enabled")).map(String::strip).orElse("absent");
        String value = total + " of " + size + " reserved; transparent huge pages " + thp;
        if (thp.contains("[never]") && "0".equals(total)) {
            return HostFact.note("hugepages", value, "guest RAM in 4 KiB pages makes the IOMMU map the zone page by "
                    + "page: enable transparent huge pages (madvise) or back the guest with hugetlbfs");
        }
        return HostFact.ok("hugepages", value);
    }

    /** Whether this process's effective capabilities hold {@code bit}. */
    boolean hasCapability(int bit) {
        return read(proc.resolve("self/status")).flatMap(s -> field(s, "CapEff"))
                .map(hex -> (Long.parseUnsignedLong(hex, 16) >>> bit & 1) == 1).orElse(false);
    }

    private static Optional<String> field(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + ":")) {
                String v = line.substring(name.length() + 1).strip();
                return Optional.of(v.endsWith(" kB") ? Sizes.format(Long.parseLong(v.substring(0, v.length() - 3)) * Sizes.KIB) : v);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new DmazoneException("cannot list " + dir + ": " + e, e);
        }
    }
}
