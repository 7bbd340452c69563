package io.dmazone.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * QEMU edu's register map, read from the one copy the kernel test client also compiles:
 * kmod/include/edu_regs.h, which the build puts beside this class.
 */
final class EduRegisters {
    private static final String HEADER = "edu_regs.h";
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+(EDU_\\w+)\\s+0x([0-9a-fA-F]+)\\b");
    private static final Map<String, Long> VALUES = read();

    private EduRegisters() {
    }

    /**
     * The value of {@code #define NAME} in edu_regs.h.
     *
     * @throws IllegalStateException if the header does not define it
     */
    static long value(String name) {
        Long v = VALUES.get(name);
        if (v == null) {
            throw new IllegalStateException(HEADER + " defines no " + name + "; it defines " + VALUES.keySet());
        }
        return v;
    }

    private static Map<String, Long> read() {
        try (InputStream in = EduRegisters.class.getResourceAsStream(HEADER)) {
            if (in == null) {
                throw new IllegalStateException(HEADER + " is missing beside " + EduRegisters.class.getName()
                        + "; build test-vms with Maven, which copies it from kmod/include");
            }
            Map<String, Long> values = new HashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                Matcher m = DEFINE.matcher(line);
                if (m.find()) {
                    values.put(m.group(1), Long.parseLong(m.group(2), 16));
                }
            }
            return Map.copyOf(values);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + HEADER, e);
        }
    }
}
