package io.dmazone.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The Java driver's edu register map is the kernel test client's edu_regs.h, read at class load. */
class EduRegistersTest {
    @Test
    void theMapComesFromTheHeader() {
        assertThat(EduDriver.VENDOR).isEqualTo(0x1234);
        assertThat(EduDriver.DEVICE).isEqualTo(0x11e8);
        assertThat(new int[] {EduDriver.REG_ID, EduDriver.REG_LIVENESS, EduDriver.REG_DMA_SRC, EduDriver.REG_DMA_DST,
            EduDriver.REG_DMA_CNT, EduDriver.REG_DMA_CMD}).containsExactly(0x00, 0x04, 0x80, 0x88, 0x90, 0x98);
        assertThat(EduDriver.EDU_BUFFER).isEqualTo(0x40000);
        assertThat(EduDriver.EDU_BUFFER_SIZE).isEqualTo(4096);
    }

    @Test
    void aNameTheHeaderLacksIsNamed() {
        assertThatThrownBy(() -> EduRegisters.value("EDU_REG_NOPE")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("edu_regs.h defines no EDU_REG_NOPE");
    }
}
