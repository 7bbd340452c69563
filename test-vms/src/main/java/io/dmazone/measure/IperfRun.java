package io.dmazone.measure;

import com.fasterxml.jackson.databind.JsonNode;
import io.dmazone.vm.Reports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One iperf3 TCP run, from its JSON ({@code iperf3 -J}): what the receiving end got.
 *
 * @param bytes         bytes received
 * @param seconds       the measured interval
 * @param bitsPerSecond receive rate
 * @param retransmits   TCP retransmissions the sender counted
 */
public record IperfRun(long bytes, double seconds, double bitsPerSecond, long retransmits) {

    public double megabitsPerSecond() {
        return bitsPerSecond / 1e6;
    }

    /**
     * Reads {@code iperf3 -J} output.
     *
     * @throws IllegalStateException naming the file and iperf3's error when the run failed
     */
    public static IperfRun read(Path file) {
        JsonNode root;
        try {
            root = Reports.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("iperf3 left no readable JSON in " + file + ": " + e.getMessage(), e);
        }
        if (root.hasNonNull("error")) {
            throw new IllegalStateException("iperf3 failed (" + file + "): " + root.get("error").asText());
        }
        JsonNode received = root.path("end").path("sum_received");
        if (!received.has("bytes")) {
            throw new IllegalStateException("iperf3 JSON without end.sum_received: " + file);
        }
        return new IperfRun(received.get("bytes").asLong(), received.get("seconds").asDouble(),
                received.get("bits_per_second").asDouble(),
                root.path("end").path("sum_sent").path("retransmits").asLong());
    }

    /** Reads it if the file exists and holds a completed run, else null. */
    static IperfRun readIfCompleted(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return read(file);
        } catch (IllegalStateException e) {
            return null;
        }
    }
}
