package io.dmazone.guest;

import io.dmazone.DmazoneException;
import io.dmazone.Sizes;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import io.dmazone.sysfs.VfioPciBinding;
import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZonePlan;
import io.dmazone.zone.ZonePlanner;
import io.dmazone.zone.ZoneSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * L1 as a VFIO host, through the Java API: checks that its IOMMU made groups, then hands
 * each device named by {@code VENDOR:DEVICE} to vfio-pci for good (the nested guest's QEMU
 * takes it from there). An id named twice takes the second device with that id, in address
 * order; {@code VENDOR:DEVICE/N} takes the one at index N (from 0) in that order, whatever was
 * named before. With {@code --bdfs-to FILE} it writes the devices' addresses there, one per line in
 * the order named, for the script that starts the nested guest. With {@code --plan DIR
 * GUEST_RAM ZONE VIOMMU} it also plans that guest's zone for the devices it bound
 * ({@link ZonePlanner}, as {@code dmazone plan} does) and writes the plan where the script
 * takes it from: {@code DIR/qemu-args} (one argument per line), {@code DIR/cmdline} and
 * {@code DIR/memlock-bytes}, and {@code DIR/hot-add}: with {@code --hot-add} the plan adds the
 * devices once the guest's IOMMU is on ({@link ZonePlanner#hotAdd()}) and this file holds their
 * {@code device_add} specifications, one per line; else it is empty.
 * {@code java -cp <cp> io.dmazone.guest.PassthroughDevices [--bdfs-to FILE] [--plan DIR GUEST_RAM ZONE VIOMMU [--hot-add]] VENDOR:DEVICE...}
 */
public final class PassthroughDevices {
    private PassthroughDevices() {
    }

    public static void main(String[] args) {
        List<String> ids = new ArrayList<>(List.of(args));
        Path bdfsTo = null;
        List<String> plan = null;
        boolean hotAdd = false;
        while (!ids.isEmpty() && ids.get(0).startsWith("--")) {
            if (ids.get(0).equals("--bdfs-to") && ids.size() > 1) {
                bdfsTo = Path.of(ids.get(1));
                ids = ids.subList(2, ids.size());
            } else if (ids.get(0).equals("--plan") && ids.size() > 4) {
                plan = ids.subList(1, 5);
                ids = ids.subList(5, ids.size());
            } else if (ids.get(0).equals("--hot-add")) {
                hotAdd = true;
                ids = ids.subList(1, ids.size());
            } else {
                ids = List.of();
            }
        }
        if (ids.isEmpty() || (hotAdd && plan == null)
                || ids.stream().anyMatch(id -> !id.matches("\\p{XDigit}{4}:\\p{XDigit}{4}(/\\d{1,3})?"))) {
            System.err.println("usage: PassthroughDevices [--bdfs-to FILE] [--plan DIR GUEST_RAM ZONE VIOMMU "
                    + "[--hot-add]] "
                    + "VENDOR:DEVICE[/INDEX]... (e.g. 8086:10d3, or 8086:10d3/2 for the third in address order)");
            System.exit(2);
        }
        CheckReport report = new CheckReport(System.out);
        checkIommu(report);
        PciSysfs sysfs = PciSysfs.system();
        Map<String, Integer> taken = new HashMap<>();
        List<String> bdfs = new ArrayList<>();
        for (String named : ids) {
            String id = named.substring(0, 9);
            int nth = named.length() > 9 ? Integer.parseInt(named.substring(10)) : taken.merge(id, 1, Integer::sum) - 1;
            String name = "bind-" + id + (nth == 0 ? "" : "-" + nth);
            try {
                bdfs.add(bind(sysfs, id, nth, name, report));
            } catch (DmazoneException | IllegalArgumentException | UncheckedIOException e) {
                report.fail(name, e);
            }
        }
        if (plan != null && report.failed() == 0) {
            writePlan(plan, hotAdd, bdfs, report);
        }
        if (bdfsTo != null) {
            try {
                Files.write(bdfsTo, bdfs);
            } catch (IOException e) {
                report.fail("bdfs-written", e);
            }
        }
        System.exit(report.end());
    }

    /** Binds the nth device with that id; returns its address. */
    private static String bind(PciSysfs sysfs, String id, int nth, String name, CheckReport report) {
        String[] vd = id.split(":");
        List<PciDevice> found = sysfs.findByIds(Integer.parseInt(vd[0], 16), Integer.parseInt(vd[1], 16));
        if (found.size() <= nth) {
            report.check(name, false, "asked for device " + (nth + 1) + " with id " + id + ", found " + found.size());
            return "";
        }
        PciDevice device = found.get(nth);
        // Not closed: the device stays on vfio-pci for the nested guest.
        VfioPciBinding binding = sysfs.bindToVfioPci(device.address());
        int group = binding.iommuGroup();
        boolean node = Files.exists(sysfs.groupNode(group)) && !Files.isRegularFile(sysfs.groupNode(group));
        report.value("group-" + id + (nth == 0 ? "" : "-" + nth), group);
        report.check(name, node, device.address() + " group " + group + " was "
                + binding.before().bindingDescription() + ", now vfio-pci, " + sysfs.groupNode(group)
                + (node ? " present" : " missing"));
        return device.address().toString();
    }

    /** The plan of the guest that gets the devices, in files for the script that starts it. */
    private static void writePlan(List<String> args, boolean hotAdd, List<String> bdfs, CheckReport report) {
        try {
            ZonePlanner planner = ZonePlanner.forZone(ZoneSpec.parse(args.get(2)), Sizes.parse(args.get(1)))
                    .viommu(VIommu.parse(args.get(3)));
            bdfs.forEach(b -> planner.device(PciAddress.parse(b)));
            if (hotAdd) {
                planner.hotAdd();
            }
            ZonePlan zonePlan = planner.plan();
            Path dir = Files.createDirectories(Path.of(args.get(0)));
            Files.write(dir.resolve("qemu-args"), zonePlan.qemuArgs());
            Files.write(dir.resolve("hot-add"), zonePlan.hotAddDevices());
            Files.writeString(dir.resolve("cmdline"), zonePlan.kernelCmdlineString() + "\n");
            Files.writeString(dir.resolve("memlock-bytes"), zonePlan.memlockBytes() + "\n");
            zonePlan.notes().forEach(report::info);
            report.check("zone-plan", true, zonePlan.toString());
        } catch (IOException e) {
            report.fail("zone-plan", new UncheckedIOException(e));
        } catch (RuntimeException e) {
            report.fail("zone-plan", e);
        }
    }

    /** IOMMU groups exist and intel-iommu has a remapping unit registered. */
    private static void checkIommu(CheckReport report) {
        long groups = count(Path.of("/sys/kernel/iommu_groups"));
        report.value("iommu_groups", groups);
        report.check("iommu-groups", groups > 0, groups + " groups in /sys/kernel/iommu_groups");
        try (Stream<Path> units = Files.list(Path.of("/sys/class/iommu"))) {
            List<String> dmar = units.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("dmar")).toList();
            report.check("dmar-enabled", !dmar.isEmpty(), "intel-iommu units in /sys/class/iommu: " + dmar);
        } catch (IOException e) {
            report.fail("dmar-enabled", e);
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }
}
