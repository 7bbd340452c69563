package io.dmazone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dmazone.jni.NativeLibrary;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizesAndErrorsTest {
    @Test
    void formatsInTheLargestExactUnit() {
        assertThat(Sizes.format(256 * Sizes.MIB)).isEqualTo("256 MiB");
        assertThat(Sizes.format(4096)).isEqualTo("4 KiB");
        assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
        assertThat(Sizes.format(100)).isEqualTo("100 B");
        assertThat(Sizes.format(2 * Sizes.GIB)).isEqualTo("2 GiB");
    }

    @Test
    void parsesTheUsualForms() {
        assertThat(Sizes.parse("64M")).isEqualTo(64 * Sizes.MIB);
        assertThat(Sizes.parse("64MiB")).isEqualTo(64 * Sizes.MIB);
        assertThat(Sizes.parse("2G")).isEqualTo(2 * Sizes.GIB);
        assertThat(Sizes.parse("4096")).isEqualTo(4096);
        assertThat(Sizes.parse("0x4000000")).isEqualTo(64 * Sizes.MIB);
        assertThat(Sizes.parse(" 16k ")).isEqualTo(16 * Sizes.KIB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "-1M", "12Q", "0xZZ", "99999999999T"})
    void rejectsUnreadableSizesSayingHowToWriteThem(String s) {
        assertThatThrownBy(() -> Sizes.parse(s)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64M, 2G, 4096 or 0x4000000");
    }

    @Test
    void nativeCallMessagesNameTheCallTheErrnoAndTheRemedy() {
        NativeCallException e = new DmaMapException("VFIO_IOMMU_MAP_DMA 256 MiB", Errno.ENOMEM,
                "RLIMIT_MEMLOCK is 64 MiB; raise it or map less", 0, 256 * Sizes.MIB);
        assertThat(e).hasMessage("VFIO_IOMMU_MAP_DMA 256 MiB failed: ENOMEM — RLIMIT_MEMLOCK is 64 MiB; raise it or map less");
        assertThat(e.errno()).isEqualTo(12);
        assertThat(e.errnoName()).isEqualTo("ENOMEM");
        assertThat(e.call()).isEqualTo("VFIO_IOMMU_MAP_DMA 256 MiB");
        assertThat(e).isInstanceOf(DmazoneException.class);
        assertThat(new NativeCallException("open(/dev/vfio/vfio)", 9999, null)).hasMessage("open(/dev/vfio/vfio) failed: errno 9999");
        assertThat(Errno.describe(Errno.EBUSY)).isEqualTo("EBUSY (Device or resource busy)");
    }

    @Test
    void errnoNamesComeFromTheCLibrary() {
        assertThat(Errno.name(12)).isEqualTo("ENOMEM");
        assertThat(Errno.name(9999)).isEqualTo("errno 9999");
        assertThat(Errno.name(-1)).isEqualTo("errno -1");
        assertThat(Errno.describe(9999)).isEqualTo("errno 9999");
    }

    @Test
    void everyErrnoConstantIsTheValueTheCLibraryNamesSo() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Field f : Errno.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                assertThat(Errno.name(f.getInt(null))).as(f.getName() + " = " + f.getInt(null)).isEqualTo(f.getName());
                checked.add(f.getName());
            }
        }
        assertThat(checked).contains("EPERM", "ENOMEM", "EOPNOTSUPP");
    }

    /**
     * Errno in a class loader of its own that hides the native library from dmazone-jni's
     * NativeLibrary, as on a machine where it cannot load: names fall back to the number.
     * The parent is the boot loader (null): the platform loader would hand back this
     * module path's classes, whose library is loaded.
     */
    @Test
    void errnoNamesFallBackToTheNumberWithoutTheNativeLibrary() throws Exception {
        URL[] classes = {codeSource(Errno.class), codeSource(NativeLibrary.class)};
        try (URLClassLoader loader = new URLClassLoader(classes, null) {
            @Override
            public URL findResource(String name) {
                return name.startsWith("META-INF/native/") ? null : super.findResource(name);
            }
        }) {
            Class<?> lib = Class.forName(NativeLibrary.class.getName(), true, loader);
            assertThat(lib).isNotSameAs(NativeLibrary.class);
            assertThat(lib.getMethod("isAvailable").invoke(null)).isEqualTo(false);
            Class<?> errno = Class.forName(Errno.class.getName(), true, loader);
            assertThat(errno.getMethod("name", int.class).invoke(null, Errno.ENOMEM)).isEqualTo("errno 12");
            assertThat(errno.getMethod("describe", int.class).invoke(null, Errno.ENOMEM)).isEqualTo("errno 12");
        }
    }

    private static URL codeSource(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void groupNotViableNamesTheBlockingDevices() {
        GroupNotViableException e = new GroupNotViableException(10, List.of("0000:00:1f.2 is bound to ahci"));
        assertThat(e.getMessage()).startsWith("group 10 is not viable: 0000:00:1f.2 is bound to ahci;");
        assertThat(e.group()).isEqualTo(10);
        assertThat(new DeviceNotBoundException("0000:00:0a.0", null).getMessage())
                .startsWith("0000:00:0a.0 is not bound to vfio-pci (it has no driver); bind it first");
    }

    @Test
    void closeableStackClosesInReverseAndKeepsEveryFailure() {
        List<String> order = new ArrayList<>();
        CloseableStack s = new CloseableStack();
        s.push(() -> order.add("container"));
        s.push(() -> {
            order.add("group");
            throw new IllegalStateException("group failed");
        });
        s.push(() -> order.add("device"));
        s.push(() -> {
            order.add("mapping");
            throw new IllegalArgumentException("unmap failed");
        });
        s.push(() -> order.add("memory"));
        assertThatThrownBy(s::close).isInstanceOf(IllegalArgumentException.class).hasMessage("unmap failed")
                .satisfies(t -> assertThat(t.getSuppressed()).extracting(Throwable::getMessage).containsExactly("group failed"));
        assertThat(order).containsExactly("memory", "mapping", "device", "group", "container");
        assertThat(s.size()).isZero();
        assertThatThrownBy(() -> s.push(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeableStackWrapsCheckedFailures() {
        CloseableStack s = new CloseableStack();
        s.push(() -> {
            throw new java.io.IOException("disk");
        });
        assertThatThrownBy(s::close).isInstanceOf(DmazoneException.class).hasCauseInstanceOf(java.io.IOException.class);
    }
}
