package io.dmazone.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * dmazone_insn loaded into a nested L2's QEMU (test-vms/qemu-plugin/dmazone_insn.c): it counts
 * the instructions L2 executes, as user, kernel and the named ranges of L2's kernel below, and
 * L1's companion reads the sums around each of its measurements. The ranges are read from the
 * kernel's symbol table: a kernel that may place itself at random boots with {@code nokaslr}.
 *
 * @param plugin      the plugin's shared object
 * @param ranges      the ranges counted apart from the rest of the kernel, at most
 *                    {@value #MAX_RANGES}, none overlapping
 * @param randomBase  the kernel places itself at random unless told not to
 *                    (CONFIG_RANDOMIZE_BASE, or a kernel whose config is not at hand)
 */
public record InsnCounter(Path plugin, List<Range> ranges, boolean randomBase) {
    /** The plugin's limit. */
    public static final int MAX_RANGES = 8;

    /** A range's name as the plugin takes it; before the ranges below, which check theirs against it. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    /**
     * The kernel code the counts are split by, each part by the symbols that start it, which
     * must be adjacent in the symbol table: the part runs from the first to the symbol after the
     * last. On a CPU without FSRM/ERMS (TCG's default model) memcpy jumps to memcpy_orig, and
     * user copies call rep_movs_alternative, whose large copies are one {@code rep movsq}: QEMU
     * counts each of its iterations that starts a translation block.
     */
    static final Map<String, List<String>> KERNEL_PARTS = parts();

    /**
     * Where x86-64 Linux loads modules, without and with KASLR's larger image (MODULES_VADDR
     * is 0xffffffffa0000000 or 0xffffffffc0000000, MODULES_END 0xffffffffff000000): the drivers
     * (e1000e, dmazone) and BPF programs run there.
     */
    static final Range MODULES = new Range("modules", 0xffffffffa0000000L, 0xffffffffff000000L);

    public InsnCounter {
        Objects.requireNonNull(plugin, "plugin");
        ranges = List.copyOf(ranges);
        if (ranges.size() > MAX_RANGES) {
            throw new IllegalArgumentException("ranges: " + ranges.size() + " ranges; the plugin counts at most "
                    + MAX_RANGES);
        }
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                Range a = ranges.get(i);
                Range b = ranges.get(j);
                if (a.name().equals(b.name())) {
                    throw new IllegalArgumentException("ranges: the name " + a.name() + " is used twice");
                }
                if (Long.compareUnsigned(a.low(), b.high()) < 0 && Long.compareUnsigned(b.low(), a.high()) < 0) {
                    throw new IllegalArgumentException("ranges: " + a + " overlaps " + b);
                }
            }
        }
    }

    /**
     * A named address range [low, high), compared as unsigned.
     *
     * @param name  how the plugin's lines name its count
     * @param low   its first address
     * @param high  the address after its last
     */
    public record Range(String name, long low, long high) {
        public Range {
            if (name == null || !NAME.matcher(name).matches() || List.of("user", "kernel", "boot").contains(name)) {
                throw new IllegalArgumentException("range name '" + name
                        + "': 1 to 32 letters, digits, '_' or '-', and not user, kernel or boot");
            }
            if (Long.compareUnsigned(low, high) >= 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "range %s: low 0x%x must be below high 0x%x", name, low, high));
            }
        }

        /** As the plugin reads it: {@code NAME:0xLOW-0xHIGH}. */
        String argument() {
            return String.format(Locale.ROOT, "%s:0x%x-0x%x", name, low, high);
        }
    }

    /**
     * The plugin with {@link #KERNEL_PARTS} and {@link #MODULES} for {@code kernel}, read from
     * its System.map (beside its vmlinux, or /boot/System.map-RELEASE for an installed kernel).
     *
     * @throws IllegalStateException when the plugin is not built, the kernel has no symbol
     *                               table, or a part's symbols are missing or not adjacent
     */
    public static InsnCounter forKernel(KernelBuild kernel) {
        Path plugin = QemuPlugins.insnCounter();
        Path map = systemMap(kernel).orElseThrow(() -> new IllegalStateException("kernel " + kernel.release()
                + " has no System.map beside " + kernel.vmlinux() + " nor at /boot/System.map-" + kernel.release()
                + ": the instruction counts cannot be split by its code"));
        try {
            return new InsnCounter(plugin, kernelRanges(Files.readAllLines(map), map.toString()), randomBase(kernel));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + map, e);
        }
    }

    /** Whether the kernel's config, beside its vmlinux or in /boot, lets it place itself at random. */
    private static boolean randomBase(KernelBuild kernel) throws IOException {
        for (Path config : List.of(kernel.vmlinux().resolveSibling(".config"),
                Path.of("/boot/config-" + kernel.release()))) {
            if (Files.isReadable(config)) {
                return Files.readAllLines(config).contains("CONFIG_RANDOMIZE_BASE=y");
            }
        }
        return true;
    }

    private static Optional<Path> systemMap(KernelBuild kernel) {
        return java.util.stream.Stream.of(kernel.vmlinux().resolveSibling("System.map"),
                        Path.of("/boot/System.map-" + kernel.release()))
                .filter(Files::isReadable).findFirst();
    }

    /**
     * {@link #KERNEL_PARTS} located in a System.map's lines ({@code ADDRESS TYPE NAME}), then
     * {@link #MODULES}; {@code source} names the map in errors.
     */
    static List<Range> kernelRanges(List<String> systemMap, String source) {
        Map<String, Long> addressOf = new HashMap<>();
        TreeSet<Long> addresses = new TreeSet<>(Long::compareUnsigned);
        for (String line : systemMap) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || !f[0].matches("[0-9a-fA-F]{1,16}")) {
                continue;
            }
            long address = Long.parseUnsignedLong(f[0], 16);
            addressOf.putIfAbsent(f[2], address);
            addresses.add(address);
        }
        List<Range> ranges = new ArrayList<>();
        KERNEL_PARTS.forEach((part, symbols) -> {
            long low = symbolAddress(addressOf, symbols.get(0), part, source);
            long last = low;
            for (String symbol : symbols.subList(1, symbols.size())) {
                long next = symbolAddress(addressOf, symbol, part, source);
                Long between = addresses.higher(last);
                if (between == null || between != next) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "%s: %s (0x%x) does not follow "
                            + "the previous symbol of part %s; the part would take in other code", source, symbol,
                            next, part));
                }
                last = next;
            }
            Long high = addresses.higher(last);
            if (high == null) {
                throw new IllegalStateException(source + ": no symbol after " + symbols.get(symbols.size() - 1)
                        + " to end part " + part);
            }
            ranges.add(new Range(part, low, high));
        });
        ranges.add(MODULES);
        return ranges;
    }

    private static long symbolAddress(Map<String, Long> addressOf, String symbol, String part, String source) {
        Long address = addressOf.get(symbol);
        if (address == null) {
            throw new IllegalStateException(source + ": no symbol " + symbol + " (part " + part
                    + " of the instruction counts)");
        }
        return address;
    }

    private static Map<String, List<String>> parts() {
        Map<String, List<String>> parts = new LinkedHashMap<>();
        parts.put("memcpy", List.of("memcpy", "memcpy_orig"));
        parts.put("usercopy", List.of("rep_movs_alternative"));
        parts.put("csum", List.of("csum_partial_copy_generic", "csum_partial"));
        return java.util.Collections.unmodifiableMap(parts);
    }

    /**
     * The argument of QEMU's {@code -plugin} for an L2 of {@code l2MemoryMiB}, without where it
     * writes and listens: the path and the ranges ({@code PATH,range=...}); l1-nested.sh adds
     * {@code out=} and {@code ctl=}. With the {@link #MODULES} range it also counts the device
     * register accesses of the drivers' code there: every access above L2's RAM and below 4 GiB,
     * where q35 puts the 32-bit BARs of L2's PCI devices (an L2 of up to 2 GiB has all its RAM
     * below them).
     */
    public String pluginArgument(int l2MemoryMiB) {
        if (l2MemoryMiB < 1 || l2MemoryMiB > 2048) {
            throw new IllegalArgumentException("l2MemoryMiB: " + l2MemoryMiB
                    + " must be 1..2048 for the register window above L2's RAM and below 4 GiB");
        }
        StringBuilder sb = new StringBuilder(plugin.toString());
        ranges.forEach(r -> sb.append(",range=").append(r.argument()));
        if (ranges.stream().anyMatch(r -> r.name().equals(MODULES.name()))) {
            sb.append(String.format(Locale.ROOT, ",mmio=0x%x-0x100000000,mmio-code=%s", l2MemoryMiB * (1L << 20),
                    MODULES.name()));
        }
        return sb.toString();
    }

    /** The names the plugin's lines give their counts, in order: user, kernel, boot, the ranges. */
    public List<String> countNames() {
        List<String> names = new ArrayList<>(List.of("user", "kernel", "boot"));
        ranges.forEach(r -> names.add(r.name()));
        return List.copyOf(names);
    }
}
