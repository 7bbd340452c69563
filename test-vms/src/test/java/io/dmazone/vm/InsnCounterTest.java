package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the instruction counter's ranges come from, and how QEMU is told them. */
class InsnCounterTest {
    /** The lines of the lean test kernel's System.map around the parts, as built. */
    private static final List<String> SYSTEM_MAP = List.of(
            "ffffffff81000000 T _text",
            "ffffffff81577500 t copy_page_regs",
            "ffffffff815775e0 T rep_movs_alternative",
            "ffffffff81577660 T copy_to_nontemporal",
            "ffffffff81577800 T x86_stepping",
            "ffffffff81577810 T csum_partial_copy_generic",
            "ffffffff815779f0 T csum_partial",
            "ffffffff81577ae0 T ip_compute_csum",
            "ffffffff8157e500 T __memcpy",
            "ffffffff8157e500 T memcpy",
            "ffffffff8157e510 t memcpy_orig",
            "ffffffff8157e620 T __memmove",
            "ffffffff8157e620 T memmove",
            "0000000000000000 A garbage-free: an absolute symbol",
            "ffffffff81800000 T _etext");

    @Test
    void eachPartRunsFromItsFirstSymbolToTheSymbolAfterItsLast() {
        List<InsnCounter.Range> ranges = InsnCounter.kernelRanges(SYSTEM_MAP, "System.map");

        assertThat(ranges).containsExactly(
                new InsnCounter.Range("memcpy", 0xffffffff8157e500L, 0xffffffff8157e620L),
                new InsnCounter.Range("usercopy", 0xffffffff815775e0L, 0xffffffff81577660L),
                new InsnCounter.Range("csum", 0xffffffff81577810L, 0xffffffff81577ae0L),
                InsnCounter.MODULES);
    }

    @Test
    void aPartWhoseSymbolsHaveOtherCodeBetweenThemIsRefused() {
        List<String> map = new ArrayList<>(SYSTEM_MAP);
        map.add("ffffffff81577900 t csum_helper_in_between");

        assertThatThrownBy(() -> InsnCounter.kernelRanges(map, "System.map"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("csum_partial (0xffffffff815779f0) does not follow the previous symbol of part csum");
    }

    @Test
    void aMissingSymbolIsNamedWithItsPart() {
        List<String> map = SYSTEM_MAP.stream().filter(l -> !l.endsWith(" memcpy_orig")).toList();

        assertThatThrownBy(() -> InsnCounter.kernelRanges(map, "/k/System.map"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("/k/System.map: no symbol memcpy_orig (part memcpy of the instruction counts)");
    }

    @Test
    void thePluginArgumentNamesThePathAndEveryRangeInHex() {
        InsnCounter counter = new InsnCounter(Path.of("/p/libdmazone_insn.so"),
                List.of(new InsnCounter.Range("memcpy", 0xffffffff8157e500L, 0xffffffff8157e620L), InsnCounter.MODULES),
                false);

        assertThat(counter.pluginArgument(256)).as("the register window: above 256 MiB of RAM, below 4 GiB")
                .isEqualTo("/p/libdmazone_insn.so"
                + ",range=memcpy:0xffffffff8157e500-0xffffffff8157e620"
                + ",range=modules:0xffffffffa0000000-0xffffffffff000000"
                + ",mmio=0x10000000-0x100000000,mmio-code=modules");
        assertThat(new InsnCounter(Path.of("/p/libdmazone_insn.so"),
                List.of(new InsnCounter.Range("memcpy", 0xffffffff8157e500L, 0xffffffff8157e620L)), false)
                .pluginArgument(256)).as("no module area counted: no drivers' code to watch")
                .isEqualTo("/p/libdmazone_insn.so,range=memcpy:0xffffffff8157e500-0xffffffff8157e620");
        assertThatThrownBy(() -> counter.pluginArgument(4096)).hasMessageContaining("must be 1..2048");
        assertThat(counter.countNames()).containsExactly("user", "kernel", "boot", "memcpy", "modules");
    }

    @Test
    void rangesThePluginWouldRefuseAreRefusedHere() {
        Path so = Path.of("/p/libdmazone_insn.so");
        InsnCounter.Range a = new InsnCounter.Range("a", 0x1000, 0x2000);
        assertThatThrownBy(() -> new InsnCounter(so, List.of(a, new InsnCounter.Range("b", 0x1fff, 0x3000)), false))
                .hasMessageContaining("overlaps");
        assertThatThrownBy(() -> new InsnCounter(so, List.of(a, new InsnCounter.Range("a", 0x3000, 0x4000)), false))
                .hasMessageContaining("the name a is used twice");
        List<InsnCounter.Range> nine = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            nine.add(new InsnCounter.Range("r" + i, 0x1000L * (i + 1), 0x1000L * (i + 2)));
        }
        assertThatThrownBy(() -> new InsnCounter(so, nine, false)).hasMessageContaining("at most 8");
        assertThatThrownBy(() -> new InsnCounter.Range("kernel", 1, 2)).hasMessageContaining("not user, kernel or boot");
        assertThatThrownBy(() -> new InsnCounter.Range("x y", 1, 2)).hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> new InsnCounter.Range("x", 0xffffffffff000000L, 0xffffffffa0000000L))
                .hasMessageContaining("must be below");
    }
}
