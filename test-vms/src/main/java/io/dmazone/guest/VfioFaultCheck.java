package io.dmazone.guest;

import io.dmazone.DmaMapException;
import io.dmazone.Errno;
import io.dmazone.Sizes;
import io.dmazone.jni.Natives;
import io.dmazone.memory.NativeMemory;
import io.dmazone.memory.PinnedFootprint;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import io.dmazone.sysfs.VfioPciBinding;
import io.dmazone.vfio.DmaMapping;
import io.dmazone.vfio.IommuBackend;
import io.dmazone.vfio.IovaRange;
import io.dmazone.vfio.MappedDma;
import io.dmazone.vfio.VfioContainer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Faults and load on the Java API's VFIO type1 path, as root in an L1 VM with an IOMMU and
 * QEMU's edu device: {@code java -cp <cp> io.dmazone.guest.VfioFaultCheck [SECONDS]}.
 *
 * <ul>
 *   <li>a child JVM killed with SIGKILL inside a 1 GiB {@code VFIO_IOMMU_MAP_DMA}, and another
 *       in the middle of a sequence of 4 MiB maps: nothing stays pinned, the group reopens;</li>
 *   <li>eight threads mapping and unmapping disjoint ranges of one container for SECONDS (30):
 *       every call's result matches, nothing is lost or unmapped twice, VmLck returns to 0;</li>
 *   <li>two threads mapping the same IOVA: exactly one wins, the other gets {@link DmaMapException};</li>
 *   <li>edge cases after the kernel's VFIO selftests: one page at the last IOVA of the last
 *       usable range, and a range that wraps past 2^64 (refused by the API before the
 *       kernel; the kernel's own answer to the same request is recorded).</li>
 * </ul>
 * Prints KTAP (see {@link CheckReport}); exits 0 only if every check passed.
 */
public final class VfioFaultCheck {
    static final long LARGE = Sizes.GIB;
    static final long CHUNK = 4 * Sizes.MIB;
    static final long IOVA_BASE = 0x100000000L;

    private final CheckReport report = new CheckReport(System.out);
    private final PciSysfs sysfs = PciSysfs.system();
    private final IommuBackend backend = IommuBackend.TYPE1V2;

    public static void main(String[] args) throws Exception {
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8));
        if (args.length == 2 && args[0].equals("--child-large")) {
            childLarge(PciAddress.parse(args[1]));
            return;
        }
        if (args.length == 2 && args[0].equals("--child-sequence")) {
            childSequence(PciAddress.parse(args[1]));
            return;
        }
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        System.exit(new VfioFaultCheck().run(seconds));
    }

    private int run(int seconds) {
        List<PciDevice> edus = sysfs.findByIds(EduDriver.VENDOR, EduDriver.DEVICE);
        if (!report.check("find_edu", !edus.isEmpty(), edus.isEmpty() ? "no 1234:11e8 device"
                : "edu at " + edus.get(0).address())) {
            return report.end();
        }
        PciAddress addr = edus.get(0).address();
        try (VfioPciBinding binding = sysfs.bindToVfioPci(addr)) {
            killInside("kill_mid_large_map", addr, "--child-large");
            killInside("kill_mid_map_sequence", addr, "--child-sequence");
            threads(addr, seconds);
            overlap(addr);
            lastIovaPage(addr);
            wrappingRange(addr);
        } catch (RuntimeException e) {
            report.fail("bind_or_teardown", e);
            e.printStackTrace(System.out);
        }
        return report.end();
    }

    /** Child: maps 1 GiB in one call (the parent kills it inside that call). */
    private static void childLarge(PciAddress addr) {
        NativeMemory mem = NativeMemory.anonymous(LARGE);
        VfioContainer c = VfioContainer.open(IommuBackend.TYPE1V2);
        c.attachGroupOf(addr);
        System.out.println("MAPPING " + ProcessHandle.current().pid());
        c.map(mem, DmaMapping.readWrite(IOVA_BASE, LARGE));
        System.out.println("MAPPED");
        sleepForever();
    }

    /** Child: maps 4 MiB pieces of 1 GiB one after another. */
    private static void childSequence(PciAddress addr) {
        NativeMemory mem = NativeMemory.anonymous(LARGE);
        VfioContainer c = VfioContainer.open(IommuBackend.TYPE1V2);
        c.attachGroupOf(addr);
        System.out.println("MAPPING " + ProcessHandle.current().pid());
        for (long off = 0; off < LARGE; off += CHUNK) {
            c.map(mem, off, DmaMapping.readWrite(IOVA_BASE + off, CHUNK));
        }
        System.out.println("MAPPED");
        sleepForever();
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts a child in {@code mode}, waits until some but not all of its memory is pinned,
     * kills it with SIGKILL, and
     * checks that the memory it pinned came back and the group opens and maps again.
     */
    private void killInside(String check, PciAddress addr, String mode) {
        Process p = null;
        try {
            long availableBefore = memAvailable();
            p = new ProcessBuilder(EduVfioCheck.javaCommand(VfioFaultCheck.class, mode, addr.toString()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("MAPPING ")) {
                report.check(check, false, "child did not start mapping: " + line);
                return;
            }
            long pid = p.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            boolean inside = false;
            long lockedAtKill = 0;
            // Some but not all of the 1 GiB pinned: the child is inside the one MAP_DMA (or, mapping
            // 4 MiB pieces, in the middle of the sequence). /proc/PID/syscall cannot show it: a thread
            // busy pinning is running, and the kernel reports a running thread's call as "running".
            while (System.nanoTime() < deadline && p.isAlive()) {
                long locked = lockedOrZero(pid);
                if (locked > 0 && locked < LARGE) {
                    inside = true;
                    lockedAtKill = locked;
                    break;
                }
                Thread.sleep(1);
            }
            p.destroyForcibly(); // SIGKILL
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            report.value(check + "_vmlck_at_kill_kb", lockedAtKill / 1024);
            // The kernel frees the dead process's pins when its last fd on the container closes.
            long availableAfter = awaitAvailable(availableBefore - 128 * Sizes.MIB, 30);
            report.value(check + "_memavailable_before_kb", availableBefore / 1024);
            report.value(check + "_memavailable_after_kb", availableAfter / 1024);
            long relocked;
            try (NativeMemory mem = NativeMemory.anonymous(CHUNK);
                 VfioContainer c = VfioContainer.open(backend)) {
                c.attachGroupOf(addr);
                try (MappedDma m = c.map(mem, DmaMapping.readWrite(IOVA_BASE, CHUNK))) {
                    relocked = PinnedFootprint.self().vmLckBytes();
                }
            }
            boolean released = availableAfter >= availableBefore - 128 * Sizes.MIB;
            report.check(check, inside && exited && released && relocked == CHUNK
                            && PinnedFootprint.self().vmLckBytes() == 0,
                    (inside ? "killed with " + Sizes.format(lockedAtKill) + " of " + Sizes.format(LARGE) + " pinned"
                            : "never caught with part of the memory pinned") + "; " + (exited ? "reaped" : "NOT REAPED")
                            + "; MemAvailable " + Sizes.format(availableBefore) + " before, " + Sizes.format(availableAfter)
                            + " after (" + (released ? "released" : "STILL PINNED") + "); the group reopened and "
                            + "mapped " + Sizes.format(relocked) + " again");
        } catch (IOException | InterruptedException | RuntimeException e) {
            report.fail(check, e);
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    private static long lockedOrZero(long pid) {
        try {
            return PinnedFootprint.of(pid).vmLckBytes();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    static long memAvailable() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemAvailable:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("no MemAvailable in /proc/meminfo");
    }

    private static long awaitAvailable(long atLeast, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long now = memAvailable();
        while (now < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(100);
            now = memAvailable();
        }
        return now;
    }

    /** Eight threads map and unmap their own 4 MiB window of one container for {@code seconds}. */
    private void threads(PciAddress addr, int seconds) {
        int n = 8;
        AtomicLong calls = new AtomicLong();
        AtomicInteger mismatches = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (VfioContainer c = VfioContainer.open(backend)) {
            c.attachGroupOf(addr);
            List<Thread> threads = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (int t = 0; t < n; t++) {
                long iova = IOVA_BASE + t * 2 * CHUNK;
                Thread th = new Thread(() -> {
                    try (NativeMemory mem = NativeMemory.anonymous(CHUNK)) {
                        start.await();
                        while (System.nanoTime() < end) {
                            MappedDma m = c.map(mem, DmaMapping.readWrite(iova, CHUNK));
                            if (m.mapping().iova() != iova || !c.mappings().contains(m)) {
                                mismatches.incrementAndGet();
                            }
                            m.close(); // throws if the kernel unmapped other than exactly CHUNK
                            if (c.mappings().contains(m)) {
                                mismatches.incrementAndGet();
                            }
                            calls.addAndGet(2);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "mapper-" + t);
                threads.add(th);
                th.start();
            }
            start.countDown();
            for (Thread th : threads) {
                th.join();
            }
            long lockedInside = PinnedFootprint.self().vmLckBytes();
            report.value("threads_calls", calls.get());
            report.value("threads_calls_per_s", calls.get() / Math.max(1, seconds));
            report.check("threads_disjoint_maps", failure.get() == null && mismatches.get() == 0 && calls.get() > 0
                            && c.mappings().isEmpty() && lockedInside == 0,
                    n + " threads, " + seconds + " s: " + calls.get() + " map/unmap calls, " + mismatches.get()
                            + " mismatched results, " + c.mappings().size() + " mappings left, VmLck "
                            + Sizes.format(lockedInside) + (failure.get() == null ? "" : "; first failure " + failure.get()));
        } catch (InterruptedException | RuntimeException e) {
            report.fail("threads_disjoint_maps", e);
        }
        report.check("threads_vmlck_zero", PinnedFootprint.self().vmLckBytes() == 0,
                "VmLck after the container closed: " + Sizes.format(PinnedFootprint.self().vmLckBytes()));
    }

    /** Two threads map different memory at the same IOVA, 50 times: one wins each time. */
    private void overlap(PciAddress addr) {
        int rounds = 50;
        int oneWon = 0;
        List<String> odd = new ArrayList<>();
        try (VfioContainer c = VfioContainer.open(backend);
             NativeMemory a = NativeMemory.anonymous(CHUNK);
             NativeMemory b = NativeMemory.anonymous(CHUNK)) {
            c.attachGroupOf(addr);
            for (int r = 0; r < rounds; r++) {
                List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
                CountDownLatch go = new CountDownLatch(1);
                Thread[] ts = new Thread[2];
                NativeMemory[] mems = {a, b};
                for (int i = 0; i < 2; i++) {
                    NativeMemory mem = mems[i];
                    ts[i] = new Thread(() -> {
                        try {
                            go.await();
                            results.add(c.map(mem, DmaMapping.readWrite(IOVA_BASE, CHUNK)));
                        } catch (Throwable e) {
                            results.add(e);
                        }
                    });
                    ts[i].start();
                }
                go.countDown();
                ts[0].join();
                ts[1].join();
                long won = results.stream().filter(x -> x instanceof MappedDma).count();
                long refused = results.stream().filter(x -> x instanceof DmaMapException d && d.errno() == Errno.EEXIST)
                        .count();
                if (won == 1 && refused == 1) {
                    oneWon++;
                } else if (odd.size() < 3) {
                    odd.add(results.toString());
                }
                for (Object x : results) {
                    if (x instanceof MappedDma m) {
                        m.close();
                    }
                }
            }
            report.check("overlap_one_wins", oneWon == rounds && PinnedFootprint.self().vmLckBytes() == 0,
                    oneWon + " of " + rounds + " races had exactly one map and one DmaMapException(EEXIST)"
                            + (odd.isEmpty() ? "" : "; others: " + odd));
        } catch (InterruptedException | RuntimeException e) {
            report.fail("overlap_one_wins", e);
        }
    }

    /** One page at the last IOVA of the last usable range: maps and unmaps. */
    private void lastIovaPage(PciAddress addr) {
        try (VfioContainer c = VfioContainer.open(backend);
             NativeMemory page = NativeMemory.anonymous(Sizes.PAGE_SIZE)) {
            c.attachGroupOf(addr);
            List<IovaRange> ranges = c.info().iovaRanges();
            IovaRange last = ranges.get(ranges.size() - 1);
            long iova = last.end() - Sizes.PAGE_SIZE + 1;
            report.value("last_iova_range", last);
            long locked;
            try (MappedDma m = c.map(page, DmaMapping.readWrite(iova, Sizes.PAGE_SIZE))) {
                locked = PinnedFootprint.self().vmLckBytes();
            }
            report.check("last_iova_page", locked == Sizes.PAGE_SIZE && c.mappings().isEmpty()
                            && PinnedFootprint.self().vmLckBytes() == 0,
                    "one page at " + Sizes.hex(iova) + " (last page of " + last + "): mapped with VmLck "
                            + Sizes.format(locked) + ", unmapped to " + Sizes.format(PinnedFootprint.self().vmLckBytes()));
        } catch (RuntimeException e) {
            report.fail("last_iova_page", e);
        }
    }

    /**
     * A range from the last page of the address space on: the API refuses it before any
     * ioctl; the kernel, asked directly, refuses it too. Nothing is pinned either way.
     */
    private void wrappingRange(PciAddress addr) {
        long iova = -Sizes.PAGE_SIZE; // 0xfffffffffffff000
        long size = 2L * Sizes.PAGE_SIZE;
        Throwable api = null;
        try {
            DmaMapping.readWrite(iova, size);
        } catch (IllegalArgumentException e) {
            api = e;
        }
        try (VfioContainer c = VfioContainer.open(backend);
             NativeMemory mem = NativeMemory.anonymous(size)) {
            c.attachGroupOf(addr);
            int fd = containerFd(c);
            int map = fd < 0 ? 0 : Natives.vfioMapDma(fd, mem.address(), iova, size,
                    Natives.VFIO_DMA_MAP_FLAG_READ | Natives.VFIO_DMA_MAP_FLAG_WRITE);
            long unmap = fd < 0 ? 0 : Natives.vfioUnmapDma(fd, iova, size);
            report.value("kernel_wrapping_map_errno", map < 0 ? Errno.name(-map) : "none (" + map + ")");
            report.value("kernel_wrapping_unmap_errno", unmap < 0 ? Errno.name((int) -unmap) : "none (" + unmap + ")");
            long locked = PinnedFootprint.self().vmLckBytes();
            report.check("wrapping_range_refused", api != null && api.getMessage().contains("wraps") && map < 0
                            && unmap < 0 && locked == 0,
                    "API: " + (api == null ? "ACCEPTED" : api.getMessage()) + "; kernel map " + map + ", unmap " + unmap
                            + "; VmLck " + Sizes.format(locked));
        } catch (RuntimeException e) {
            report.fail("wrapping_range_refused", e);
        }
    }

    /** The container's fd, read from /proc/self/fd (the API keeps it private): the newest /dev/vfio/vfio. */
    private static int containerFd(VfioContainer c) {
        int best = -1;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path f : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(f).toString().equals("/dev/vfio/vfio")) {
                        best = Math.max(best, Integer.parseInt(f.getFileName().toString()));
                    }
                } catch (IOException | NumberFormatException e) {
                    // not a link we can read
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return best;
    }
}
