package io.dmazone;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import org.junit.jupiter.api.Test;

/** What an application on the module path can see of the API. */
class ModuleExportsTest {
    @Test
    void theApiPackagesAreExportedAndInternalIsNot() {
        Module api = Sizes.class.getModule();
        assertThat(api.isNamed()).as("tests run on the module path").isTrue();
        ModuleDescriptor d = api.getDescriptor();
        assertThat(d.name()).isEqualTo("io.dmazone");
        assertThat(d.exports()).map(ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrder("io.dmazone", "io.dmazone.memory", "io.dmazone.sysfs", "io.dmazone.vfio",
                        "io.dmazone.zone");
        assertThat(d.requires()).map(ModuleDescriptor.Requires::name).contains("io.dmazone.jni");
    }
}
