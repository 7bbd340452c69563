package io.dmazone.vm;

/**
 * One boot the watchdog killed before the one that counted.
 *
 * @param attempt        1 for the first boot
 * @param reason         what the watchdog saw
 * @param seconds        from that attempt's launch to its kill
 * @param consoleLog     that attempt's whole console, kept in the run directory
 * @param consoleExcerpt the last console lines before the kill (for a nested L2, then its QEMU's stderr)
 */
public record BootRetry(int attempt, String reason, double seconds, String consoleLog, String consoleExcerpt) {
}
