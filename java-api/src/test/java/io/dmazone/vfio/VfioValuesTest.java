package io.dmazone.vfio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dmazone.Sizes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VfioValuesTest {
    @Test
    void iovaRangesAreInclusiveAndUnsigned() {
        IovaRange r = new IovaRange(0, 0xfedfffffL);
        assertThat(r.size()).isEqualTo(0xfee00000L);
        assertThat(r.contains(0xfed00000L, 0x100000)).isTrue();
        assertThat(r.contains(0xfed00000L, 0x100001)).isFalse();
        assertThat(r.contains(0, 0)).isFalse();
        IovaRange high = new IovaRange(0xfef00000L, 0xffffffffffffL);
        assertThat(high.contains(0xfef00000L, 4096)).isTrue();
        assertThat(new IovaRange(0, -1L).contains(-4096L, 4096)).isTrue();
        assertThat(new IovaRange(0, -1L).contains(-4096L, 8192)).isFalse();
        assertThat(IovaRange.ofSize(0x1000, 0x1000)).isEqualTo(new IovaRange(0x1000, 0x1fff));
        assertThat(r.toString()).isEqualTo("[0x0-0xfedfffff]");
    }

    @Test
    void badIovaRangesSayWhatIsWrong() {
        assertThatThrownBy(() -> new IovaRange(0x2000, 0x1000)).hasMessageContaining("end is inclusive");
        assertThatThrownBy(() -> IovaRange.ofSize(-4096L, 8192)).hasMessageContaining("wraps");
        assertThatThrownBy(() -> IovaRange.ofSize(0, 0)).hasMessageContaining("size is 0");
    }

    @Test
    void dmaMappingsValidateAlignmentSizeAndAccess() {
        DmaMapping m = DmaMapping.readWrite(0x100000, 16 * Sizes.MIB);
        assertThat(m.flags()).isEqualTo(3);
        assertThat(m.range()).isEqualTo(new IovaRange(0x100000, 0x10fffff));
        assertThat(new DmaMapping(0, 4096, true, false).flags()).isEqualTo(1);
        assertThat(m.toString()).isEqualTo("DmaMapping[16 MiB at IOVA 0x100000, rw]");
        assertThatThrownBy(() -> DmaMapping.readWrite(0x100, 4096)).hasMessageContaining("4 KiB aligned");
        assertThatThrownBy(() -> DmaMapping.readWrite(0, 100)).hasMessageContaining("multiple of 4 KiB");
        assertThatThrownBy(() -> DmaMapping.readWrite(0, 0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> DmaMapping.readWrite(-4096L, 8192)).hasMessageContaining("wraps");
        assertThatThrownBy(() -> new DmaMapping(0, 4096, false, false)).hasMessageContaining("allow at least one");
    }

    /** A type1 info buffer as the L1 kernel returned it (platform-probe §3). */
    static byte[] type1Info(boolean withCaps) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        b.putInt(0, withCaps ? 24 + 48 + 12 + 4 : 24);
        b.putInt(4, withCaps ? 3 : 1);
        b.putLong(8, 0x40201000L);
        if (withCaps) {
            b.putInt(16, 24);
            // IOVA_RANGE at 24: header, nr_iovas=2, reserved, 2 ranges
            b.putShort(24, (short) 1).putShort(26, (short) 1).putInt(28, 24 + 48);
            b.putInt(32, 2);
            b.putLong(40, 0).putLong(48, 0xfedfffffL).putLong(56, 0xfef00000L).putLong(64, 0xffffffffffffL);
            // DMA_AVAIL at 72
            b.putShort(72, (short) 3).putShort(74, (short) 1).putInt(76, 0);
            b.putInt(80, 65535);
        }
        return b.array();
    }

    @Test
    void iommuInfoParsesTheCapabilityChain() {
        IommuInfo i = IommuInfo.parse(type1Info(true));
        assertThat(i.iovaPageSizes()).isEqualTo(0x40201000L);
        assertThat(i.minPageSize()).isEqualTo(4096);
        assertThat(i.iovaRanges()).containsExactly(new IovaRange(0, 0xfedfffffL), new IovaRange(0xfef00000L, 0xffffffffffffL));
        assertThat(i.dmaAvailable()).isEqualTo(OptionalInt.of(65535));
        assertThat(i.allows(DmaMapping.readWrite(0x1000, 4096))).isTrue();
        assertThat(i.allows(DmaMapping.readWrite(0xfee00000L, 4096))).isFalse();
        IommuInfo bare = IommuInfo.parse(type1Info(false));
        assertThat(bare.iovaRanges()).isEmpty();
        assertThat(bare.dmaAvailable()).isEmpty();
        assertThat(bare.allows(DmaMapping.readWrite(0xfee00000L, 4096))).isTrue();
    }

    @Test
    void malformedCapabilityChainsAreRejected() {
        byte[] loop = type1Info(true);
        ByteBuffer.wrap(loop).order(ByteOrder.nativeOrder()).putInt(76, 72); // DMA_AVAIL points at itself
        assertThatThrownBy(() -> IommuInfo.parse(loop)).hasMessageContaining("malformed");
        byte[] tooMany = type1Info(true);
        ByteBuffer.wrap(tooMany).order(ByteOrder.nativeOrder()).putInt(32, 1000);
        assertThatThrownBy(() -> IommuInfo.parse(tooMany)).hasMessageContaining("1000 ranges");
        assertThatThrownBy(() -> IommuInfo.parse(new byte[8])).hasMessageContaining("at least 24");
    }

    @ParameterizedTest
    @EnumSource(IommuBackend.class)
    void backendsAreContainerTypesAndParseByName(IommuBackend b) {
        assertThat(b.family()).isEqualTo(IommuBackend.Family.VFIO_CONTAINER);
        assertThat(IommuBackend.parse(b.name().toLowerCase())).isEqualTo(b);
    }

    @Test
    void backendParsing() {
        assertThat(IommuBackend.parse("type1")).isEqualTo(IommuBackend.TYPE1);
        assertThat(IommuBackend.parse("TYPE1v2")).isEqualTo(IommuBackend.TYPE1V2);
        assertThat(IommuBackend.parse("type1_v2")).isEqualTo(IommuBackend.TYPE1V2);
        assertThat(IommuBackend.TYPE1V2.kernelType()).isEqualTo(3);
        assertThatThrownBy(() -> IommuBackend.parse("iommufd")).hasMessageContaining("use type1 or type1v2");
    }

    @Test
    void deviceAndRegionInfo() {
        RegionInfo r = new RegionInfo(0, 1 | 2 | 4, 4096, 0);
        assertThat(r.readable() && r.writable() && r.mappable()).isTrue();
        assertThat(r.contains(4092, 4)).isTrue();
        assertThat(r.contains(4093, 4)).isFalse();
        assertThatThrownBy(() -> new RegionInfo(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new DeviceInfo(3, 9, 5).resettable()).isTrue();
        assertThat(new DeviceInfo(2, 9, 5).pci()).isTrue();
        assertThatThrownBy(() -> new DeviceInfo(0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
