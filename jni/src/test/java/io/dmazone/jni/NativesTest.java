package io.dmazone.jni;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NativesTest {
    @BeforeAll
    static void loaded() {
        assertThat(NativeLibrary.unavailabilityCause()).isEmpty();
        assertThat(NativeLibrary.isAvailable()).isTrue();
    }

    @Test
    void javaConstantsMatchTheHeadersTheLibraryWasBuiltWith() throws Exception {
        long[] values = Natives.uapiConstants();
        assertThat(values).hasSize(Natives.UAPI_NAMES.size());
        for (int i = 0; i < values.length; i++) {
            Field f = Natives.class.getField(Natives.UAPI_NAMES.get(i));
            assertThat(((Number) f.get(null)).longValue()).as(f.getName()).isEqualTo(values[i]);
        }
    }

    @Test
    void failuresComeBackAsNegativeErrno() {
        assertThat(Natives.open("/nonexistent/dmazone", Natives.O_RDWR)).isEqualTo(-2); // ENOENT
        assertThat(Natives.close(-1)).isEqualTo(-9); // EBADF
        assertThat(Natives.vfioGetApiVersion(-1)).isEqualTo(-9);
        assertThat(Natives.strerror(2)).isEqualTo("No such file or directory");
    }

    @Test
    void errnoNamesAndMessagesComeFromTheCLibrary() {
        assertThat(Natives.errnoName(12)).isEqualTo("ENOMEM");
        assertThat(Natives.errnoName(1)).isEqualTo("EPERM");
        assertThat(Natives.errnoName(95)).isEqualTo("EOPNOTSUPP");
        assertThat(Natives.errnoName(9999)).isNull();
        assertThat(Natives.errnoName(-1)).isNull();
        assertThat(Natives.strerror(12)).isEqualTo("Cannot allocate memory");
        assertThat(Natives.strerror(9999)).isEqualTo("Unknown error 9999");
    }

    @Test
    void stringArgumentsReachTheCallAndANullOneIsEinval() throws Exception {
        int fd = Natives.open("/dev/null", Natives.O_RDWR);
        assertThat(fd).isNotNegative();
        Natives.close(fd);
        assertThat(Natives.vfioGroupGetDeviceFd(-1, "0000:00:0a.0")).isEqualTo(-9); // EBADF
        fd = Natives.memfdCreate("dmazone-string-test", 0);
        assertThat(fd).isNotNegative();
        try {
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString())
                    .startsWith("/memfd:dmazone-string-test");
        } finally {
            Natives.close(fd);
        }
        assertThat(Natives.open(null, Natives.O_RDWR)).isEqualTo(-22); // EINVAL
        assertThat(Natives.vfioGroupGetDeviceFd(-1, null)).isEqualTo(-22);
        assertThat(Natives.memfdCreate(null, 0)).isEqualTo(-22);
    }

    @Test
    void anonymousMemoryIsReadableAndWritableThroughADirectBuffer() {
        long len = 2 * 4096;
        long addr = Natives.mmap(len, Natives.PROT_READ | Natives.PROT_WRITE,
                Natives.MAP_PRIVATE | Natives.MAP_ANONYMOUS, -1, 0);
        assertThat(addr).isPositive();
        ByteBuffer b = Natives.directBuffer(addr, len);
        assertThat(b.capacity()).isEqualTo((int) len);
        b.put(4097, (byte) 42);
        assertThat(b.get(4097)).isEqualTo((byte) 42);
        assertThat(Natives.munmap(addr, len)).isZero();
    }

    @Test
    void memfdCanBeSizedReadAndWritten() {
        int fd = Natives.memfdCreate("dmazone-test", 0);
        assertThat(fd).isNotNegative();
        try {
            assertThat(Natives.ftruncate(fd, 4096)).isZero();
            byte[] out = {1, 2, 3};
            assertThat(Natives.pwrite(fd, out, 0, 3, 100)).isEqualTo(3);
            byte[] in = new byte[5];
            assertThat(Natives.pread(fd, in, 1, 3, 100)).isEqualTo(3);
            assertThat(in).containsExactly(0, 1, 2, 3, 0);
            assertThat(Natives.pread(fd, in, 4, 3, 0)).isEqualTo(-22); // EINVAL: out of bounds
        } finally {
            Natives.close(fd);
        }
    }

    @Test
    void memlockLimitOfThisProcessCanBeRead() {
        long[] old = new long[2];
        assertThat(Natives.prlimitMemlock(0, false, 0, 0, old)).isZero();
        assertThat(old[0]).isNotZero();
        assertThat(Natives.prlimitMemlock(Integer.MAX_VALUE, false, 0, 0, old)).isEqualTo(-3); // ESRCH
    }
}
