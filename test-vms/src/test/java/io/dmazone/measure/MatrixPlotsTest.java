package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.vm.PinnedSample;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MatrixPlotsTest {
    private static final long ZONE_KIB = 64 * 1024;

    private static Map<String, List<PinnedSample>> twoModes() {
        Map<String, List<PinnedSample>> samples = new LinkedHashMap<>();
        samples.put("full pinning", List.of(new PinnedSample(0, 327680, 0, "boot"),
                new PinnedSample(30_000, 327680, 0, "command")));
        samples.put("zone / virtio-iommu", List.of(new PinnedSample(0, 0, 0, "boot"),
                new PinnedSample(20_500, 65536, 0, "boot"), new PinnedSample(30_000, 65536, 0, "command")));
        return samples;
    }

    @Test
    void oneSeriesPerModeInSecondsAndMibWithTheZoneMarked() {
        JFreeChart chart = MatrixPlots.pinnedOverTime(twoModes(), ZONE_KIB);
        XYDataset data = chart.getXYPlot().getDataset();
        assertThat(data.getSeriesCount()).isEqualTo(2);
        assertThat(data.getSeriesKey(0)).isEqualTo("full pinning");
        assertThat(data.getYValue(0, 1)).isEqualTo(320.0);
        assertThat(data.getXValue(1, 1)).isEqualTo(20.5);
        assertThat(data.getYValue(1, 1)).isEqualTo(64.0);
        assertThat(chart.getXYPlot().getRangeMarkers(Layer.FOREGROUND)).singleElement()
                .satisfies(m -> assertThat(((ValueMarker) m).getValue()).isEqualTo(64.0))
                .satisfies(m -> assertThat(((ValueMarker) m).getLabel()).isEqualTo("zone 64 MiB"));
    }

    @Test
    void theChartIsWrittenAsAPng(@TempDir Path dir) throws Exception {
        Path file = MatrixPlots.writePng(MatrixPlots.pinnedOverTime(twoModes(), ZONE_KIB), dir.resolve("p/pinned.png"));
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("a PNG ImageIO can read").isNotNull();
        assertThat(image.getWidth()).isEqualTo(MatrixPlots.WIDTH);
        assertThat(image.getHeight()).isEqualTo(MatrixPlots.HEIGHT);
    }
}
