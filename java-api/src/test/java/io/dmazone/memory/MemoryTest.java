package io.dmazone.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dmazone.DmazoneException;
import io.dmazone.Sizes;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryTest {
    static final String STATUS = String.join("\n",
            "Name:\tjava", "VmPeak:\t 4000000 kB", "VmLck:\t   16384 kB", "VmPin:\t       0 kB",
            "VmHWM:\t  100000 kB", "VmRSS:\t   51200 kB", "Threads:\t20", "");

    @Test
    void parsesProcStatus() {
        PinnedFootprint f = PinnedFootprint.parse(42, STATUS);
        assertThat(f.vmLckBytes()).isEqualTo(16 * Sizes.MIB);
        assertThat(f.vmPinBytes()).isZero();
        assertThat(f.vmRssBytes()).isEqualTo(50 * Sizes.MIB);
        assertThat(f).hasToString("PinnedFootprint[pid 42: VmLck 16 MiB, VmPin 0 B, VmRSS 50 MiB]");
    }

    @Test
    void badStatusTextSaysWhatItExpects() {
        assertThatThrownBy(() -> PinnedFootprint.parse(42, "Name:\tkthreadd\n")).hasMessageContaining("no VmLck line");
        assertThatThrownBy(() -> PinnedFootprint.parse(42, STATUS.replace("16384 kB", "lots"))).hasMessageContaining("<n> kB");
        assertThatThrownBy(() -> PinnedFootprint.parse(42, STATUS.replace("16384 kB", "16384 MB"))).hasMessageContaining("<n> kB");
        assertThatThrownBy(() -> PinnedFootprint.parse(0, STATUS)).hasMessageContaining("pid must be positive");
        assertThatThrownBy(() -> new PinnedFootprint(1, -1, 0, 0)).hasMessageContaining("cannot be negative");
    }

    @Test
    void readsALiveProcessAndNamesAMissingOne(@TempDir Path tmp) throws Exception {
        assertThat(PinnedFootprint.self().vmRssBytes()).isPositive();
        assertThatThrownBy(() -> PinnedFootprint.read(tmp.resolve("status"), 77)).isInstanceOf(DmazoneException.class)
                .hasMessageContaining("no process 77");
        Files.writeString(tmp.resolve("status"), STATUS);
        assertThat(PinnedFootprint.read(tmp.resolve("status"), 77).vmLckBytes()).isEqualTo(16 * Sizes.MIB);
    }

    @Test
    void memlockLimitValues() {
        assertThat(MemlockLimit.of(64 * Sizes.MIB)).hasToString("MemlockLimit[soft 64 MiB, hard 64 MiB]");
        assertThat(MemlockLimit.UNLIMITED.unlimited()).isTrue();
        assertThat(new MemlockLimit(Sizes.MIB, MemlockLimit.INFINITY).soft()).isEqualTo(Sizes.MIB);
        assertThatThrownBy(() -> new MemlockLimit(2 * Sizes.MIB, Sizes.MIB)).hasMessageContaining("raise the hard limit");
        assertThatThrownBy(() -> new MemlockLimit(MemlockLimit.INFINITY, Sizes.MIB)).hasMessageContaining("raise the hard limit");
        assertThatThrownBy(() -> MemlockLimit.of(-5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsAndRestoresThisProcessMemlockLimit() {
        MemlockLimit now = ResourceLimits.memlock();
        assertThat(ResourceLimits.memlock(ProcessHandle.current().pid())).isEqualTo(now);
        long lower = now.unlimited() ? 64 * Sizes.MIB : Math.min(now.soft(), 64 * Sizes.MIB);
        MemlockLimit before = ResourceLimits.setMemlock(new MemlockLimit(lower, now.hard()));
        try {
            assertThat(before).isEqualTo(now);
            assertThat(ResourceLimits.memlock().soft()).isEqualTo(lower);
        } finally {
            ResourceLimits.setMemlock(now);
        }
        assertThatThrownBy(() -> ResourceLimits.memlock(Integer.MAX_VALUE)).hasMessageContaining("ESRCH");
        assertThatThrownBy(() -> ResourceLimits.memlock(-1)).hasMessageContaining("use 0 for this process");
    }

    @Test
    void anonymousAndMemfdMemoryAreUsableAndClosedOnce() {
        try (NativeMemory m = NativeMemory.anonymous(64 * Sizes.KIB)) {
            ByteBuffer b = m.buffer();
            b.putInt(100, 0x12345678);
            assertThat(m.buffer(100, 4).getInt(0)).isEqualTo(0x12345678);
            assertThat(m.kind()).isEqualTo(NativeMemory.Kind.ANONYMOUS);
            assertThatThrownBy(() -> m.buffer(64 * Sizes.KIB - 2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        }
        NativeMemory f = NativeMemory.memfd("dmazone-test", 8192);
        assertThat(f.fd()).isNotNegative();
        f.buffer().put(8191, (byte) 7);
        f.close();
        f.close();
        assertThat(f.isClosed()).isTrue();
        assertThatThrownBy(f::buffer).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> NativeMemory.anonymous(100)).hasMessageContaining("multiple of 4 KiB");
    }

    @Test
    void hugetlbWithoutReservedPagesSaysToReserveThem() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.readString(Path.of("/proc/sys/vm/nr_hugepages")).strip().equals("0"), "huge pages are reserved here");
        assertThatThrownBy(() -> NativeMemory.hugetlb(2 * Sizes.MIB)).isInstanceOf(io.dmazone.NativeCallException.class)
                .hasMessageContaining("failed: ENOMEM — reserve huge pages first");
    }
}
