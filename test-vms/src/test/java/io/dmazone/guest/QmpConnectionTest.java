package io.dmazone.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QmpConnectionTest {
    @Test
    void aDeviceSpecBecomesDeviceAddArgumentsDriverFirst() {
        Map<String, String> args = QmpConnection.deviceAddArguments(
                "vfio-pci,host=0000:00:03.0,bus=dmazone-port0,id=dmazone-dev0");
        assertThat(args).containsExactly(Map.entry("driver", "vfio-pci"), Map.entry("host", "0000:00:03.0"),
                Map.entry("bus", "dmazone-port0"), Map.entry("id", "dmazone-dev0"));
    }

    @Test
    void aSpecWithoutDriverOrWithABarePartIsRefused() {
        assertThatThrownBy(() -> QmpConnection.deviceAddArguments("host=0000:00:03.0"))
                .hasMessageContaining("must start with the driver");
        assertThatThrownBy(() -> QmpConnection.deviceAddArguments("vfio-pci,0000:00:03.0"))
                .hasMessageContaining("'0000:00:03.0'").hasMessageContaining("not KEY=VALUE");
    }

    @Test
    void commandsAreQmpJsonWithTheirStringsEscaped() {
        assertThat(QmpConnection.command("qmp_capabilities", Map.of())).isEqualTo("{\"execute\": \"qmp_capabilities\"}");
        Map<String, String> args = new LinkedHashMap<>();
        args.put("driver", "vfio-pci");
        args.put("id", "a\"b\\c\n");
        assertThat(QmpConnection.command("device_add", args)).isEqualTo(
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"vfio-pci\", \"id\": \"a\\\"b\\\\c\\u000a\"}}");
    }
}
