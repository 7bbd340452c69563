package io.dmazone.guest;

import io.dmazone.Sizes;
import io.dmazone.memory.NativeMemory;
import io.dmazone.sysfs.PciDevice;
import io.dmazone.sysfs.PciSysfs;
import io.dmazone.vfio.DmaMapping;
import io.dmazone.vfio.IommuBackend;
import io.dmazone.vfio.MappedDma;
import io.dmazone.vfio.VfioContainer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA of 64 MiB through the Java API, against the
 * group of QEMU's edu device, which must already be bound to vfio-pci (see
 * {@link MapUnmapRatio}). The same loop in C is {@code test-vms/src/main/c/vfio_map_bench.c}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MapUnmapBenchmark {
    /** Mapping size and IOVA; the C program uses the same. */
    static final long SIZE = 64 * Sizes.MIB;
    static final long IOVA = 0x1000000;

    @Param({"TYPE1V2"})
    public String backend;

    private NativeMemory memory;
    private VfioContainer container;
    private DmaMapping mapping;

    @Setup(Level.Trial)
    public void setUp() {
        PciSysfs sysfs = PciSysfs.system();
        List<PciDevice> edu = sysfs.findByIds(EduDriver.VENDOR, EduDriver.DEVICE);
        if (edu.isEmpty() || !edu.get(0).boundToVfioPci()) {
            throw new IllegalStateException("edu (1234:11e8) must be bound to vfio-pci; run MapUnmapRatio, which binds it");
        }
        memory = NativeMemory.anonymous(SIZE);
        byte[] page = new byte[4096];
        java.util.Arrays.fill(page, (byte) 0xa5);
        for (long off = 0; off < SIZE; off += page.length) {
            memory.buffer(off, page.length).put(0, page);
        }
        container = VfioContainer.open(IommuBackend.parse(backend));
        container.attachGroupOf(edu.get(0).address());
        mapping = DmaMapping.readWrite(IOVA, SIZE);
    }

    @Benchmark
    public void mapUnmap64MiB() {
        try (MappedDma m = container.map(memory, mapping)) {
            // mapped, and unmapped on close
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try (NativeMemory m = memory; VfioContainer c = container) {
            // closed in reverse: container (unmaps, detaches), then memory
        }
    }
}
