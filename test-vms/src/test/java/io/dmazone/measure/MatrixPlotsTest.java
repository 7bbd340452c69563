package io.dmazone.measure;

import static io.dmazone.measure.MatrixReportTest.round;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dmazone.vm.PinnedSample;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.YIntervalSeriesCollection;
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

    @Test
    void throughputShowsEveryRoundAndEachMediansIntervalBesideItsMode(@TempDir Path dir) throws Exception {
        List<TrafficRound> six = List.of(round(5, 1), round(9, 1), round(6, 1), round(8, 1), round(7, 1),
                round(30, 2));
        List<ModeMeasurement> modes = List.of(
                new ModeMeasurement(MatrixMode.FULL_PINNING, 0, 1, 1, six, 0L, 0L, 0L, 90, List.of(), null),
                new ModeMeasurement(MatrixMode.ZONE_VIRTIO, 64L << 20, 1, 1, List.of(round(12, 3)), 0L, 0L, 0L, 90,
                        List.of(), null));
        JFreeChart chart = MatrixPlots.throughputPerRound(modes);
        YIntervalSeriesCollection medians = (YIntervalSeriesCollection) chart.getXYPlot().getDataset(0);
        // full pinning, L1>L2: median 7.5 in [5, 30], just left of the mode's tick
        assertThat(medians.getXValue(0, 0)).isCloseTo(-0.12, within(1e-9));
        assertThat(medians.getYValue(0, 0)).isEqualTo(7.5);
        assertThat(medians.getStartYValue(0, 0)).isEqualTo(5.0);
        assertThat(medians.getEndYValue(0, 0)).isEqualTo(30.0);
        // the zone mode, one round: no interval, the bar is the median
        assertThat(medians.getXValue(1, 1)).isCloseTo(1.12, within(1e-9));
        assertThat(medians.getStartYValue(1, 1)).isEqualTo(3.0);
        assertThat(medians.getEndYValue(1, 1)).isEqualTo(3.0);
        XYDataset rounds = chart.getXYPlot().getDataset(1);
        assertThat(rounds.getItemCount(0)).as("L1>L2 rounds of both modes").isEqualTo(7);
        assertThat(((SymbolAxis) chart.getXYPlot().getDomainAxis()).getSymbols())
                .containsExactly("full pinning", "zone / virtio-iommu boot-bypass=off");
        assertThat(ImageIO.read(MatrixPlots.writeThroughputPerRound(modes, dir.resolve("t.png")).toFile()))
                .isNotNull();
    }

    @Test
    void theEduPlotHasEveryRoundAndEachModesMedianOnItsOwnColumn(@TempDir Path dir) throws Exception {
        List<EduRound> slow = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> new EduRound(100, 4 + i, 1, 400, null)).toList();
        List<EduRound> fast = List.of(new EduRound(100, 2, 1, 0, null), new EduRound(100, 4, 1, 0, null));
        List<EduBenchRun> runs = List.of(new EduBenchRun(EduBenchMode.VIOMMU_DYNAMIC, slow, List.of(), null),
                new EduBenchRun(EduBenchMode.ZONE, fast, List.of(), null));

        JFreeChart chart = MatrixPlots.eduRoundTrips(runs);

        YIntervalSeriesCollection medians = (YIntervalSeriesCollection) chart.getXYPlot().getDataset(0);
        assertThat(medians.getItemCount(0)).isEqualTo(2);
        // 100 round trips in 4..9 s: 25, 20, 16.7, 14.3, 12.5, 11.1 per s, median 15.48, interval min to max
        assertThat(medians.getYValue(0, 0)).isCloseTo((100 / 6.0 + 100 / 7.0) / 2, within(1e-9));
        assertThat(medians.getStartYValue(0, 0)).isCloseTo(100 / 9.0, within(1e-9));
        assertThat(medians.getEndYValue(0, 0)).isCloseTo(25.0, within(1e-9));
        assertThat(medians.getXValue(0, 1)).isEqualTo(1.0);
        assertThat(medians.getStartYValue(0, 1)).as("two rounds: no interval").isEqualTo(medians.getYValue(0, 1));
        assertThat(chart.getXYPlot().getDataset(1).getItemCount(0)).isEqualTo(8);
        assertThat(((SymbolAxis) chart.getXYPlot().getDomainAxis()).getSymbols())
                .containsExactly("vIOMMU dynamic", "zone / intel-iommu");
        Path png = MatrixPlots.writeEduRoundTrips(runs, dir.resolve("edu.png"));
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(MatrixPlots.WIDTH);
    }
}
