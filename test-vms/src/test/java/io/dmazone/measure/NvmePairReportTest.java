package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dmazone.vm.Reports;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** nvme-pair.json: laid out like the matrix and edu reports, so one reader takes all three. */
class NvmePairReportTest {

    private static NvmePairMain.Side side(String mode, double writeMbps, long vmLckKiB) {
        return new NvmePairMain.Side(mode, writeMbps, Double.NaN, vmLckKiB, vmLckKiB, 262144, 2, List.of(),
                Path.of("/tmp/run"));
    }

    @Test
    void theReportStartsWithItsSchemaVersionAndWritesTheVerdictAsTheOtherReportsDo() {
        NvmePairMain.Report report = new NvmePairMain.Report(side("full pinning", 64.0, 262208),
                side("zone / DMA ops", 26.0, 65536), 65536, 26.0 / 64.0, Double.NaN, NvmePairMain.TARGET,
                Verdict.UNRESOLVED);

        JsonNode json = Reports.mapper().valueToTree(report);

        assertThat(json.fieldNames().next()).isEqualTo("schemaVersion");
        assertThat(json.get("schemaVersion").asInt()).isEqualTo(NvmePairMain.Report.SCHEMA_VERSION);
        assertThat(json.get("verdict").asText()).as("as matrix.json and edu-bench.json write a verdict")
                .isEqualTo(Reports.mapper().valueToTree(Verdict.UNRESOLVED).asText())
                .isEqualTo("UNRESOLVED");
        assertThat(json.get("readRatio").isNull()).as("a ratio not measured").isTrue();
    }
}
