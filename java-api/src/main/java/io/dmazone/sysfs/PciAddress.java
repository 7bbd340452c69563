package io.dmazone.sysfs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PCI address (BDF with domain), written {@code 0000:00:0a.0} as in sysfs and {@code lspci -D}.
 *
 * @param domain   0..0xffff
 * @param bus      0..0xff
 * @param device   0..0x1f
 * @param function 0..7
 */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {
    private static final Pattern FORM = Pattern.compile(
            "(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

    /** Validates the ranges. */
    public PciAddress {
        check("domain", domain, 0xffff);
        check("bus", bus, 0xff);
        check("device", device, 0x1f);
        check("function", function, 7);
    }

    private static void check(String what, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException("PCI " + what + " " + v + " out of range 0.."
                    + max + "; addresses read like 0000:00:0a.0 (domain:bus:device.function)");
        }
    }

    /**
     * Parses {@code "0000:00:0a.0"}, or {@code "00:0a.0"} (domain 0).
     *
     * @throws IllegalArgumentException saying what the form is
     */
    public static PciAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("PCI address is null; write it like 0000:00:0a.0");
        }
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a PCI address; write it like "
                    + "0000:00:0a.0 (domain:bus:device.function, hex), as lspci -D prints it");
        }
        int domain = m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16);
        return new PciAddress(domain, Integer.parseInt(m.group(2), 16),
                Integer.parseInt(m.group(3), 16), Integer.parseInt(m.group(4)));
    }

    /** {@code "0000:00:0a.0"}. */
    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
    }

    @Override
    public int compareTo(PciAddress o) {
        return Long.compare(key(), o.key());
    }

    private long key() {
        return ((long) domain << 16) | (bus << 8) | (device << 3) | function;
    }
}
