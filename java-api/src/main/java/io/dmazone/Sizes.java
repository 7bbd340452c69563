package io.dmazone;

import java.util.Locale;

/** Byte sizes as people write them: {@code "256 MiB"}, and parsed from {@code "64M"}, {@code "2G"}, {@code "0x4000000"}. */
public final class Sizes {
    private Sizes() {
    }

    public static final long KIB = 1L << 10;
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;
    public static final long TIB = 1L << 40;
    /** The x86 base page: the alignment of every mapping, zone and buffer the API takes. */
    public static final int PAGE_SIZE = 4096;

    /**
     * Formats a byte count in the largest binary unit that divides it exactly, else with
     * one decimal: {@code 268435456 -> "256 MiB"}, {@code 1536 -> "1.5 KiB"}, {@code 100 -> "100 B"}.
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            return Long.toUnsignedString(bytes) + " B";
        }
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        long[] scale = {TIB, GIB, MIB, KIB};
        for (int i = 0; i < units.length; i++) {
            if (bytes >= scale[i]) {
                if (bytes % scale[i] == 0) {
                    return bytes / scale[i] + " " + units[i];
                }
                return String.format(Locale.ROOT, "%.1f %s", (double) bytes / scale[i], units[i]);
            }
        }
        return bytes + " B";
    }

    /**
     * Parses {@code "64M"}, {@code "64MiB"}, {@code "2G"}, {@code "4096"}, {@code "0x4000000"}
     * (K, M, G, T suffixes are binary).
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("size is empty; write it like 64M, 2G, 4096 or 0x4000000");
        }
        String s = text.trim();
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                String digits = s.substring(2);
                if (digits.startsWith("-") || digits.startsWith("+")) {
                    throw new NumberFormatException("sign after 0x");
                }
                // Long.parseLong, not parseUnsignedLong: 0x8000000000000000 and above would come back negative.
                return Long.parseLong(digits, 16);
            }
            String u = s.toUpperCase(Locale.ROOT).replace(" ", "");
            if (u.endsWith("IB")) {
                u = u.substring(0, u.length() - 2);
            } else if (u.endsWith("B") && u.length() > 1 && !Character.isDigit(u.charAt(u.length() - 2))) {
                u = u.substring(0, u.length() - 1);
            }
            long mult = 1;
            char last = u.charAt(u.length() - 1);
            switch (last) {
                case 'K': mult = KIB; break;
                case 'M': mult = MIB; break;
                case 'G': mult = GIB; break;
                case 'T': mult = TIB; break;
                default: break;
            }
            if (mult != 1) {
                u = u.substring(0, u.length() - 1);
            } else if (u.endsWith("B")) {
                u = u.substring(0, u.length() - 1);
            }
            long n = Long.parseLong(u);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, mult);
        } catch (NumberFormatException | ArithmeticException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("cannot read size \"" + text
                    + "\"; write it like 64M, 2G, 4096 or 0x4000000", e);
        }
    }

    /** {@code "0x40000000"}. */
    public static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
