package io.dmazone.measure;

import io.dmazone.vm.PinnedSample;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
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
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** The main job's plots, PNG files drawn headless with JFreeChart. */
public final class MatrixPlots {
    static final int WIDTH = 960;
    static final int HEIGHT = 540;
    private static final Color[] COLOURS = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

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

    /** Where each direction sits beside its mode's tick on the throughput plot. */
    private static final double L1_TO_L2_OFFSET = -0.12;
    private static final double L2_TO_L1_OFFSET = 0.12;

    /**
     * Throughput per mode, both directions side by side: every round as a small dot, the
     * median as a large one with its 95 % interval as an error bar (none under 6 rounds,
     * where the bar shrinks to the median).
     */
    static JFreeChart throughputPerRound(List<ModeMeasurement> modes) {
        YIntervalSeries rxMedian = new YIntervalSeries("L1>L2 median [95% CI]");
        YIntervalSeries txMedian = new YIntervalSeries("L2>L1 median [95% CI]");
        XYSeries rxRounds = new XYSeries("L1>L2 rounds", false, true);
        XYSeries txRounds = new XYSeries("L2>L1 rounds", false, true);
        String[] labels = new String[modes.size()];
        for (int i = 0; i < modes.size(); i++) {
            ModeMeasurement m = modes.get(i);
            labels[i] = m.mode().label();
            addMedian(rxMedian, i + L1_TO_L2_OFFSET, m.l2RxMbps());
            addMedian(txMedian, i + L2_TO_L1_OFFSET, m.l2TxMbps());
            for (double v : m.l2RxMbps()) {
                rxRounds.add(i + L1_TO_L2_OFFSET, v);
            }
            for (double v : m.l2TxMbps()) {
                txRounds.add(i + L2_TO_L1_OFFSET, v);
            }
        }
        YIntervalSeriesCollection medians = new YIntervalSeriesCollection();
        medians.addSeries(rxMedian);
        medians.addSeries(txMedian);
        XYSeriesCollection rounds = new XYSeriesCollection();
        rounds.addSeries(rxRounds);
        rounds.addSeries(txRounds);

        XYErrorRenderer medianRenderer = new XYErrorRenderer();
        medianRenderer.setDrawXError(false);
        medianRenderer.setCapLength(10);
        medianRenderer.setErrorStroke(new BasicStroke(2f));
        XYLineAndShapeRenderer roundRenderer = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < 2; i++) {
            medianRenderer.setSeriesPaint(i, COLOURS[i]);
            medianRenderer.setSeriesShape(i, new Ellipse2D.Double(-6, -6, 12, 12));
            roundRenderer.setSeriesPaint(i, COLOURS[i]);
            roundRenderer.setSeriesShape(i, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        }
        SymbolAxis modeAxis = new SymbolAxis("mode", labels);
        modeAxis.setGridBandsVisible(false);
        XYPlot plot = new XYPlot(medians, modeAxis, new NumberAxis("Mbit/s (iperf3 TCP)"), medianRenderer);
        plot.setDataset(1, rounds);
        plot.setRenderer(1, roundRenderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return new JFreeChart("Throughput per mode: each round, and the median with its 95 % interval",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    }

    private static void addMedian(YIntervalSeries series, double x, List<Double> values) {
        if (values.isEmpty()) {
            return;
        }
        double median = Statistics.median(values);
        Statistics.Interval ci = Statistics.medianInterval(values);
        series.add(x, median, Double.isNaN(ci.low()) ? median : ci.low(),
                Double.isNaN(ci.high()) ? median : ci.high());
    }

    /** Writes {@link #throughputPerRound} for the modes to {@code file}. */
    public static Path writeThroughputPerRound(List<ModeMeasurement> modes, Path file) {
        return writePng(throughputPerRound(modes), file);
    }

    /**
     * The edu benchmark's round trips per second per mode: every round as a small dot, the
     * median as a large one with its 95 % interval (none under 6 rounds).
     */
    static JFreeChart eduRoundTrips(List<EduBenchRun> runs) {
        YIntervalSeries median = new YIntervalSeries("median [95% CI]");
        XYSeries rounds = new XYSeries("rounds", false, true);
        String[] labels = new String[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            EduBenchRun run = runs.get(i);
            labels[i] = run.mode().label();
            addMedian(median, i, run.transfersPerSecond());
            for (double v : run.transfersPerSecond()) {
                rounds.add(i, v);
            }
        }
        XYErrorRenderer medianRenderer = new XYErrorRenderer();
        medianRenderer.setDrawXError(false);
        medianRenderer.setCapLength(10);
        medianRenderer.setErrorStroke(new BasicStroke(2f));
        medianRenderer.setSeriesPaint(0, COLOURS[1]);
        medianRenderer.setSeriesShape(0, new Ellipse2D.Double(-6, -6, 12, 12));
        XYLineAndShapeRenderer roundRenderer = new XYLineAndShapeRenderer(false, true);
        roundRenderer.setSeriesPaint(0, COLOURS[1]);
        roundRenderer.setSeriesShape(0, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        SymbolAxis modeAxis = new SymbolAxis("mode", labels);
        modeAxis.setGridBandsVisible(false);
        XYPlot plot = new XYPlot(new YIntervalSeriesCollection(), modeAxis,
                new NumberAxis("edu round trips per second (host clock)"), medianRenderer);
        ((YIntervalSeriesCollection) plot.getDataset()).addSeries(median);
        plot.setDataset(1, new XYSeriesCollection(rounds));
        plot.setRenderer(1, roundRenderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return new JFreeChart("edu DMA round trips per mode: each round, and the median with its 95 % interval",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    }

    /** Writes {@link #eduRoundTrips} for the runs to {@code file}. */
    public static Path writeEduRoundTrips(List<EduBenchRun> runs, Path file) {
        return writePng(eduRoundTrips(runs), file);
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
