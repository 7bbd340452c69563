package io.dmazone.guest;

import io.dmazone.DeviceNotBoundException;
import io.dmazone.DeviceNotFoundException;
import io.dmazone.DmaMapException;
import io.dmazone.Errno;
import io.dmazone.GroupNotViableException;
import io.dmazone.NativeCallException;
import io.dmazone.Sizes;
import io.dmazone.memory.MemlockLimit;
import io.dmazone.memory.NativeMemory;
import io.dmazone.memory.PinnedFootprint;
import io.dmazone.memory.ResourceLimits;
import io.dmazone.sysfs.IommuGroup;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import io.dmazone.sysfs.VfioPciBinding;
import io.dmazone.vfio.DmaMapping;
import io.dmazone.vfio.IommuBackend;
import io.dmazone.vfio.IommuInfo;
import io.dmazone.vfio.MappedDma;
import io.dmazone.vfio.VfioContainer;
import io.dmazone.vfio.VfioDevice;
import io.dmazone.vfio.VfioGroup;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The issue-4 checks of the Java API against QEMU's edu device, run as root inside an L1
 * VM with an intel-iommu: {@code java -cp <cp> io.dmazone.guest.EduVfioCheck type1|type1v2}.
 *
 * <p>Prints KTAP (see {@link CheckReport}): one result line per check and
 * {@code # VALUE <name> <value>} figures; exits 0 only if every check passed. Two checks run
 * in child JVMs started with this class's {@code --child-*} modes: one without
 * CAP_IPC_LOCK (root's CAP_IPC_LOCK lets type1 ignore RLIMIT_MEMLOCK), one that is killed
 * with SIGKILL while it holds a mapping.
 */
public final class EduVfioCheck {
    static final long ZONE = 16 * Sizes.MIB;
    /** Zone IOVA; edu's default dma_mask is 28 bits, so keep everything below 256 MiB. */
    static final long ZONE_IOVA = 0x1000000;
    /** An IOVA that is mapped for a moment and then unmapped. */
    static final long UNMAPPED_IOVA = 0x8000000;

    private final CheckReport report = new CheckReport(System.out);
    private final IommuBackend backend;
    private final PciSysfs sysfs = PciSysfs.system();

    private EduVfioCheck(IommuBackend backend) {
        this.backend = backend;
    }

    /**
     * {@code EduVfioCheck <type1|type1v2>}; the {@code --child-memlock} and
     * {@code --child-hold} modes are for the child JVMs it starts.
     */
    public static void main(String[] args) throws Exception {
        // The VM has no locale: print UTF-8 whatever file.encoding says (messages contain "—").
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8));
        if (args.length == 3 && args[0].equals("--child-memlock")) {
            System.exit(new EduVfioCheck(IommuBackend.parse(args[1])).childMemlock(PciAddress.parse(args[2])));
        }
        if (args.length == 3 && args[0].equals("--child-hold")) {
            new EduVfioCheck(IommuBackend.parse(args[1])).childHold(PciAddress.parse(args[2]));
            return;
        }
        if (args.length != 1) {
            System.err.println("usage: EduVfioCheck type1|type1v2   (as root, in a VM with an IOMMU and QEMU's edu device)");
            System.exit(2);
        }
        System.exit(new EduVfioCheck(IommuBackend.parse(args[0])).run());
    }

    private int run() {
        report.value("backend", backend);
        ensureVfioPci();
        List<PciDevice> edus = sysfs.findByIds(EduDriver.VENDOR, EduDriver.DEVICE);
        if (!report.check("find_edu", !edus.isEmpty(), edus.isEmpty() ? "no 1234:11e8 device; start QEMU with -device edu"
                : "edu at " + edus.get(0).address() + ", " + edus.get(0).bindingDescription() + ", group "
                + edus.get(0).iommuGroup().orElse(-1))) {
            return report.end();
        }
        PciDevice edu = edus.get(0);
        PciAddress addr = edu.address();
        report.value("edu_address", addr);
        report.value("edu_group", edu.iommuGroup().orElse(-1));
        report.value("memlock_limit", ResourceLimits.memlock());
        try (VfioPciBinding binding = sysfs.bindToVfioPci(addr)) {
            boolean ok = sysfs.require(addr).boundToVfioPci() && Files.exists(sysfs.groupNode(binding.iommuGroup()));
            report.check("bind_vfio_pci", ok, addr + " bound to vfio-pci through driver_override (was "
                    + binding.before().bindingDescription() + "); " + sysfs.groupNode(binding.iommuGroup()) + " present");
            zoneChecks(addr);
            wrongBdf(addr, binding.iommuGroup());
            memlockInChild(addr);
            killChild(addr, binding.iommuGroup());
        } catch (RuntimeException e) {
            report.fail("bind_or_teardown", e);
            e.printStackTrace(System.out);
        }
        Optional<String> now = sysfs.require(addr).driver();
        report.check("restore_driver", now.equals(edu.driver()), addr + " back to "
                + edu.bindingDescription() + " after closing the binding (now " + now.orElse("no driver") + ")");
        notBound(addr, edu);
        nonViableGroup(addr);
        return report.end();
    }

    private void ensureVfioPci() {
        if (!Files.isDirectory(Path.of("/sys/bus/pci/drivers/vfio-pci"))) {
            exec(List.of("modprobe", "vfio-pci"));
        }
    }

    /** Map a 16 MiB zone, DMA in and out, fault on an unmapped IOVA, VmLck while mapped and after close. */
    private void zoneChecks(PciAddress addr) {
        long lckBefore = PinnedFootprint.self().vmLckBytes();
        report.value("vmlck_before_kb", lckBefore / 1024);
        MappedDma zoneDma = null;
        byte[] expected = new byte[(int) ZONE];
        new Random(4).nextBytes(expected);
        try (NativeMemory zone = NativeMemory.anonymous(ZONE);
             NativeMemory bystander = NativeMemory.anonymous(Sizes.MIB);
             VfioContainer c = VfioContainer.open(backend);
             VfioDevice dev = c.openDevice(addr)) {
            IommuInfo info = c.info();
            report.value("iommu_pgsizes", Sizes.hex(info.iovaPageSizes()));
            report.value("iova_ranges", info.iovaRanges().toString().replace(" ", ""));
            report.value("dma_avail", info.dmaAvailable().isPresent() ? info.dmaAvailable().getAsInt() : "none");
            report.check("iommu_info", !info.iovaRanges().isEmpty() && info.dmaAvailable().isPresent()
                    && info.allows(DmaMapping.readWrite(ZONE_IOVA, ZONE)), info.toString());

            EduDriver edu = new EduDriver(dev);
            int id = edu.id();
            int live = edu.liveness(0x12345678);
            report.value("edu_id", Sizes.hex(id & 0xffffffffL));
            report.check("edu_registers", id == 0x010000ed && live == ~0x12345678,
                    "id " + Sizes.hex(id & 0xffffffffL) + ", liveness ~0x12345678 = " + Sizes.hex(live & 0xffffffffL)
                    + ", region " + dev.region(0) + ", reset " + (dev.info().resettable() ? "yes" : "no"));

            ByteBuffer zb = zone.buffer();
            zb.put(0, expected);
            zoneDma = c.map(zone, DmaMapping.readWrite(ZONE_IOVA, ZONE));
            long lck = PinnedFootprint.self().vmLckBytes();
            report.value("vmlck_mapped_kb", lck / 1024);
            report.check("vmlck_mapped", lck == ZONE, "VmLck " + Sizes.format(lck) + " with the " + Sizes.format(ZONE)
                    + " zone mapped (" + Sizes.format(lckBefore) + " before)");

            dmaRoundTrip(edu, zb, expected);
            unmappedIova(c, edu, zb, expected, bystander);
        } catch (RuntimeException e) {
            report.fail("zone_setup", e);
            e.printStackTrace(System.out);
        }
        long after = PinnedFootprint.self().vmLckBytes();
        report.value("vmlck_after_close_kb", after / 1024);
        report.check("vmlck_after_close", after == 0 && zoneDma != null && zoneDma.isClosed(),
                "VmLck " + Sizes.format(after) + " after closing the container; its close unmapped the zone: "
                + (zoneDma != null && zoneDma.isClosed()));
    }

    private void dmaRoundTrip(EduDriver edu, ByteBuffer zb, byte[] expected) {
        // Pairs of (source, destination) offsets in the zone: first page, last page, middle.
        long[][] moves = {{0, 5 * Sizes.MIB}, {ZONE - Sizes.PAGE_SIZE, 3 * Sizes.PAGE_SIZE}, {8 * Sizes.MIB + 123 * Sizes.PAGE_SIZE, ZONE - 2 * Sizes.PAGE_SIZE}};
        try {
            long t0 = System.nanoTime();
            for (long[] mv : moves) {
                edu.ramToDevice(ZONE_IOVA + mv[0], Sizes.PAGE_SIZE);
                edu.deviceToRam(ZONE_IOVA + mv[1], Sizes.PAGE_SIZE);
                System.arraycopy(expected, (int) mv[0], expected, (int) mv[1], Sizes.PAGE_SIZE);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            int diff = firstDifference(zb, expected);
            report.value("dma_roundtrip_ms", ms);
            report.check("dma_roundtrip", diff < 0, diff < 0
                    ? moves.length + " x (4 KiB RAM->edu->RAM) through IOVAs in the zone, all 16 MiB byte-exact (" + ms + " ms)"
                    : "zone differs from the expected pattern at offset " + Sizes.hex(diff));
        } catch (RuntimeException e) {
            report.fail("dma_roundtrip", e);
        }
    }

    private void unmappedIova(VfioContainer c, EduDriver edu, ByteBuffer zb, byte[] expected, NativeMemory bystander) {
        try {
            ByteBuffer bb = bystander.buffer();
            // Map the bystander, prove the device reaches it, then unmap it and DMA there again.
            try (MappedDma m = c.map(bystander, DmaMapping.readWrite(UNMAPPED_IOVA, Sizes.MIB))) {
                fill(bb, (byte) 0);
                edu.ramToDevice(ZONE_IOVA, Sizes.PAGE_SIZE);
                edu.deviceToRam(UNMAPPED_IOVA, Sizes.PAGE_SIZE);
                byte[] got = new byte[Sizes.PAGE_SIZE];
                bb.get(0, got);
                if (!Arrays.equals(got, Arrays.copyOf(expected, Sizes.PAGE_SIZE))) {
                    report.check("dma_unmapped_iova", false, "sanity DMA to " + Sizes.hex(UNMAPPED_IOVA)
                            + " while mapped did not arrive");
                    return;
                }
            }
            fill(bb, (byte) 0x5a);
            int dmesgBefore = dmesg().size();
            edu.deviceToRam(UNMAPPED_IOVA, Sizes.PAGE_SIZE); // edu buffer holds the zone's first page
            boolean bystanderClean = true;
            for (int i = 0; i < bystander.size(); i++) {
                if (bb.get(i) != 0x5a) {
                    bystanderClean = false;
                    break;
                }
            }
            int diff = firstDifference(zb, expected);
            String dmar = null;
            for (int tries = 0; tries < 20 && dmar == null; tries++) {
                List<String> lines = dmesg();
                for (String l : lines.subList(Math.min(dmesgBefore, lines.size()), lines.size())) {
                    if (l.contains("DMAR") && l.contains("fault addr " + Sizes.hex(UNMAPPED_IOVA))) {
                        dmar = l.strip();
                    }
                }
                if (dmar == null) {
                    sleep(100);
                }
            }
            report.check("dma_unmapped_iova", bystanderClean && diff < 0 && dmar != null,
                    "edu->RAM to unmapped IOVA " + Sizes.hex(UNMAPPED_IOVA) + ": former memory "
                    + (bystanderClean ? "untouched" : "CHANGED") + ", zone " + (diff < 0 ? "untouched" : "changed at "
                    + Sizes.hex(diff)) + "; dmesg: " + (dmar == null ? "no DMAR fault line" : dmar));
        } catch (RuntimeException e) {
            report.fail("dma_unmapped_iova", e);
        }
    }

    private void wrongBdf(PciAddress edu, int group) {
        try (VfioContainer c = VfioContainer.open(backend)) {
            PciAddress missing = null;
            for (int d = 0x1e; d >= 0 && missing == null; d--) {
                PciAddress a = new PciAddress(0, 0, d, 7);
                if (sysfs.device(a).isEmpty()) {
                    missing = a;
                }
            }
            String m1;
            try {
                c.openDevice(missing);
                m1 = null;
            } catch (DeviceNotFoundException e) {
                m1 = e.getMessage();
            }
            VfioGroup g = c.attachGroupOf(edu);
            PciAddress other = sysfs.devices().stream().map(PciDevice::address)
                    .filter(a -> sysfs.require(a).iommuGroup().orElse(group) != group).findFirst().orElseThrow();
            String m2;
            try {
                g.openDevice(other);
                m2 = null;
            } catch (DeviceNotFoundException e) {
                m2 = e.getMessage();
            }
            report.check("wrong_bdf", m1 != null && m1.startsWith("no PCI device " + missing)
                    && m2 != null && m2.contains("not group " + group), "\"" + m1 + "\" / \"" + m2 + "\"");
        } catch (RuntimeException e) {
            report.fail("wrong_bdf", e);
        }
    }

    private void notBound(PciAddress edu, PciDevice before) {
        if (before.boundToVfioPci()) {
            report.check("not_bound_to_vfio", false, edu + " was on vfio-pci before the test; unbind it and rerun");
            return;
        }
        try (VfioContainer c = VfioContainer.open(backend)) {
            String m1;
            try {
                c.openDevice(edu);
                m1 = null;
            } catch (DeviceNotBoundException e) {
                m1 = e.getMessage();
            }
            String m2;
            try {
                c.attachGroup(before.iommuGroup().getAsInt());
                m2 = null;
            } catch (NativeCallException e) {
                m2 = e.errno() == Errno.ENOENT ? e.getMessage() : null;
            }
            report.check("not_bound_to_vfio", m1 != null && m1.startsWith(edu + " is not bound to vfio-pci") && m2 != null,
                    "\"" + m1 + "\" / \"" + m2 + "\"");
        } catch (RuntimeException e) {
            report.fail("not_bound_to_vfio", e);
        }
    }

    /** Binds a harmless device of a group shared with host-driver devices and opens that group. */
    private void nonViableGroup(PciAddress edu) {
        PciDevice candidate = null;
        IommuGroup shared = null;
        for (PciDevice d : sysfs.devices()) {
            if (d.address().equals(edu) || d.iommuGroup().isEmpty()) {
                continue;
            }
            boolean harmless = d.driver().isEmpty() || d.driver().get().equals("i801_smbus");
            IommuGroup g = sysfs.iommuGroup(d.iommuGroup().getAsInt());
            if (harmless && g.devices().size() > 1 && g.blockers().stream().anyMatch(b -> !b.address().equals(d.address()))) {
                candidate = d;
                shared = g;
                break;
            }
        }
        if (candidate == null) {
            report.check("group_not_viable", false, "no IOMMU group with a spare device next to host-driver devices");
            return;
        }
        try (VfioPciBinding b = sysfs.bindToVfioPci(candidate.address());
             VfioContainer c = VfioContainer.open(backend)) {
            try {
                c.attachGroup(shared.number());
                report.check("group_not_viable", false, "group " + shared.number() + " attached although "
                        + shared.blockers() + " are bound to host drivers");
            } catch (GroupNotViableException e) {
                report.check("group_not_viable", e.getMessage().startsWith("group " + shared.number() + " is not viable: ")
                        && !e.blockers().isEmpty(), "bound " + candidate.address() + " (" + candidate.bindingDescription()
                        + ") to vfio-pci: \"" + e.getMessage() + "\"");
            }
        } catch (RuntimeException e) {
            report.fail("group_not_viable", e);
        }
        Optional<String> now = sysfs.require(candidate.address()).driver();
        report.check("group_not_viable_restored", now.equals(candidate.driver()),
                candidate.address() + " " + (now.isEmpty() ? "not bound to any driver" : "bound to " + now.get()) + " again");
    }

    /** The memlock checks run in a child JVM without CAP_IPC_LOCK; its KTAP lines are relayed into this report. */
    private void memlockInChild(PciAddress addr) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--"));
        cmd.addAll(javaCommand("--child-memlock", backend.name(), addr.toString()));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    report.relay("child", line);
                }
            }
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            report.check("memlock_child_exit", p.exitValue() == 0, "child JVM without CAP_IPC_LOCK exited " + p.exitValue());
        } catch (IOException | InterruptedException e) {
            report.fail("memlock_child_exit", e);
        }
    }

    private int childMemlock(PciAddress addr) {
        String capEff = statusField("CapEff");
        boolean noIpcLock = (Long.parseLong(capEff, 16) & (1L << 14)) == 0;
        report.value("child_capeff", capEff);
        ResourceLimits.setMemlock(MemlockLimit.of(ZONE)); // root keeps CAP_SYS_RESOURCE, so the hard limit may rise
        report.value("child_memlock_limit", ResourceLimits.memlock());
        try (NativeMemory mem = NativeMemory.anonymous(2 * ZONE);
             VfioContainer c = VfioContainer.open(backend)) {
            c.attachGroupOf(addr);
            try (MappedDma m = c.map(mem, DmaMapping.readWrite(ZONE_IOVA, 2 * ZONE))) {
                report.check("memlock_2x_fails", false, "mapping " + Sizes.format(2 * ZONE) + " succeeded under "
                        + ResourceLimits.memlock() + (noIpcLock ? "" : " (CAP_IPC_LOCK still effective)"));
            } catch (DmaMapException e) {
                report.check("memlock_2x_fails", e.errno() == Errno.ENOMEM
                        && e.getMessage().contains("RLIMIT_MEMLOCK is 16 MiB") && e.size() == 2 * ZONE, e.getMessage());
            }
            long lck = PinnedFootprint.self().vmLckBytes();
            report.check("memlock_nothing_pinned", lck == 0 && c.mappings().isEmpty(),
                    "VmLck " + Sizes.format(lck) + " after the failed map; " + c.mappings().size() + " mappings left");
            try (MappedDma m = c.map(mem, DmaMapping.readWrite(ZONE_IOVA, ZONE))) {
                long l = PinnedFootprint.self().vmLckBytes();
                report.check("memlock_zone_fits", l == ZONE, "mapping exactly the limit (" + Sizes.format(ZONE)
                        + ") works: VmLck " + Sizes.format(l));
            }
        } catch (RuntimeException e) {
            report.fail("memlock_child", e);
        }
        return report.end();
    }

    private void childHold(PciAddress addr) throws InterruptedException {
        NativeMemory mem = NativeMemory.anonymous(ZONE);
        VfioContainer c = VfioContainer.open(backend);
        c.attachGroupOf(addr);
        c.map(mem, DmaMapping.readWrite(ZONE_IOVA, ZONE));
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    /** A child JVM maps the zone and is killed with SIGKILL; its pins must go and the group must reopen. */
    private void killChild(PciAddress addr, int group) {
        Process p = null;
        try {
            p = new ProcessBuilder(javaCommand("--child-hold", backend.name(), addr.toString()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || !line.startsWith("READY ")) {
                report.check("kill_releases_pins", false, "child did not get ready: " + line);
                return;
            }
            long pid = p.pid();
            long childLck = PinnedFootprint.of(pid).vmLckBytes();
            report.value("child_vmlck_mapped_kb", childLck / 1024);
            p.destroyForcibly(); // SIGKILL
            p.waitFor(60, TimeUnit.SECONDS);
            boolean gone = !Files.exists(Path.of("/proc", Long.toString(pid)));
            long reLck;
            try (NativeMemory mem = NativeMemory.anonymous(ZONE);
                 VfioContainer c = VfioContainer.open(backend)) {
                c.attachGroupOf(addr);
                try (MappedDma m = c.map(mem, DmaMapping.readWrite(ZONE_IOVA, ZONE))) {
                    reLck = PinnedFootprint.self().vmLckBytes();
                }
            }
            long mine = PinnedFootprint.self().vmLckBytes();
            report.check("kill_releases_pins", childLck == ZONE && gone && reLck == ZONE && mine == 0,
                    "child " + pid + " had VmLck " + Sizes.format(childLck) + "; after kill -9 /proc/" + pid
                    + (gone ? " is gone" : " STILL EXISTS") + "; group " + group + " reopened and the same IOVA remapped"
                    + " (VmLck " + Sizes.format(reLck) + " here, " + Sizes.format(mine) + " after unmap)");
        } catch (IOException | InterruptedException | RuntimeException e) {
            report.fail("kill_releases_pins", e);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    static List<String> javaCommand(String... args) {
        return javaCommand(EduVfioCheck.class, args);
    }

    /** The command that runs {@code main} of {@code program} in a child JVM with this classpath. */
    static List<String> javaCommand(Class<?> program, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(program.getName());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private static int firstDifference(ByteBuffer b, byte[] expected) {
        byte[] got = new byte[expected.length];
        b.get(0, got);
        int m = Arrays.mismatch(got, expected);
        return m;
    }

    private static void fill(ByteBuffer b, byte v) {
        byte[] x = new byte[b.capacity()];
        Arrays.fill(x, v);
        b.put(0, x);
    }

    private static List<String> dmesg() {
        return exec(List.of("dmesg"));
    }

    private static List<String> exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<String> out;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                out = r.lines().toList();
            }
            p.waitFor();
            return out;
        } catch (IOException | InterruptedException e) {
            return List.of(cmd + ": " + e);
        }
    }

    private static String statusField(String name) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith(name + ":")) {
                    return l.substring(name.length() + 1).strip();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "0";
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
