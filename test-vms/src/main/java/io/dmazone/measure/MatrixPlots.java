package io.dmazone.measure;

import io.dmazone.vm.PinnedSample;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The main job's plots, PNG files drawn headless with JFreeChart. */
public final class MatrixPlots {
    static final int WIDTH = 960;
    static final int HEIGHT = 540;
    private static final Color[] COLOURS = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd)};

    private MatrixPlots() {
    }

    /**
     * Pinned memory of L2's QEMU, as L1 sampled it, over the whole run of each mode (seconds
     * from L2 QEMU's start), with the zone marked: full pinning sits at L2's RAM from the
     * start, the zone modes at the zone once L2 mapped it.
     */
    static JFreeChart pinnedOverTime(Map<String, List<PinnedSample>> samplesByMode, long zoneKiB) {
        XYSeriesCollection data = new XYSeriesCollection();
        samplesByMode.forEach((mode, samples) -> {
            XYSeries series = new XYSeries(mode, true, true);
            for (PinnedSample s : samples) {
                series.add(s.millis() / 1000.0, s.pinnedKiB() / 1024.0);
            }
            data.addSeries(series);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Pinned memory of L2's QEMU, seen from L1",
                "seconds since L2's QEMU started", "pinned MiB (VmLck, VmPin)", data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        // Later modes on top, each its own colour; the zone modes share the zone line once
        // mapped, so the last one is dashed to keep the one under it visible.
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        for (int i = 0; i < samplesByMode.size(); i++) {
            plot.getRenderer().setSeriesPaint(i, COLOURS[i % COLOURS.length]);
            plot.getRenderer().setSeriesStroke(i, i == samplesByMode.size() - 1 && i > 0
                    ? new BasicStroke(3f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {8f, 6f}, 0f)
                    : new BasicStroke(2.5f));
        }
        if (zoneKiB > 0) {
            ValueMarker zone = new ValueMarker(zoneKiB / 1024.0, Color.DARK_GRAY,
                    new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
            zone.setLabel("zone " + zoneKiB / 1024 + " MiB");
            zone.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            zone.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(zone);
        }
        return chart;
    }

    /** Writes {@link #pinnedOverTime} for the modes' runs to {@code file}. */
    public static Path writePinnedOverTime(List<ModeMeasurement> modes, long zoneKiB, Path file) {
        Map<String, List<PinnedSample>> samples = new LinkedHashMap<>();
        modes.forEach(m -> samples.put(m.mode().label(), m.run().samples()));
        return writePng(pinnedOverTime(samples, zoneKiB), file);
    }

    static Path writePng(JFreeChart chart, Path file) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
