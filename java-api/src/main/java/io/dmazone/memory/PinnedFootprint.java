package io.dmazone.memory;

import io.dmazone.DmazoneException;
import io.dmazone.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a process has locked and pinned, from {@code /proc/<pid>/status}. VFIO type1
 * accounts its pinned pages as {@code VmLck} (locked_vm); {@code VmPin} is pinned_vm
 * (iommufd, RDMA).
 *
 * @param pid        the process
 * @param vmLckBytes VmLck in bytes
 * @param vmPinBytes VmPin in bytes
 * @param vmRssBytes VmRSS in bytes
 */
public record PinnedFootprint(long pid, long vmLckBytes, long vmPinBytes, long vmRssBytes) {
    /** Validates. */
    public PinnedFootprint {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        if (vmLckBytes < 0 || vmPinBytes < 0 || vmRssBytes < 0) {
            throw new IllegalArgumentException("memory figures cannot be negative: VmLck=" + vmLckBytes
                    + " VmPin=" + vmPinBytes + " VmRSS=" + vmRssBytes);
        }
    }

    /**
     * Parses the text of {@code /proc/<pid>/status}.
     *
     * @throws IllegalArgumentException if VmLck, VmPin or VmRSS is missing or unreadable
     *         (a kernel thread or a zombie has none: read a live user process)
     */
    public static PinnedFootprint parse(long pid, String status) {
        return new PinnedFootprint(pid, field(status, "VmLck"), field(status, "VmPin"), field(status, "VmRSS"));
    }

    /** Reads {@code /proc/<pid>/status}. */
    public static PinnedFootprint of(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "status"), pid);
    }

    /** Reads this process's footprint. */
    public static PinnedFootprint self() {
        return of(ProcessHandle.current().pid());
    }

    static PinnedFootprint read(Path status, long pid) {
        try {
            return parse(pid, Files.readString(status));
        } catch (NoSuchFileException e) {
            throw new DmazoneException("no process " + pid + " (" + status + " missing); it has exited", e);
        } catch (IOException e) {
            throw new DmazoneException("cannot read " + status + ": " + e, e);
        }
    }

    private static long field(String status, String name) {
        if (status != null) {
            for (String line : status.split("\n")) {
                if (line.startsWith(name + ":")) {
                    String v = line.substring(name.length() + 1).strip();
                    String[] parts = v.split("\\s+");
                    try {
                        long n = Long.parseLong(parts[0]);
                        if (parts.length < 2 || !parts[1].equals("kB") || n < 0) {
                            throw new NumberFormatException();
                        }
                        return n * 1024;
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("cannot read \"" + line + "\"; expected \"" + name
                                + ":  <n> kB\" as in /proc/<pid>/status", e);
                    }
                }
            }
        }
        throw new IllegalArgumentException("no " + name + " line in the status text; pass the whole of "
                + "/proc/<pid>/status of a live user process (kernel threads and zombies have none)");
    }

    @Override
    public String toString() {
        return "PinnedFootprint[pid " + pid + ": VmLck " + Sizes.format(vmLckBytes) + ", VmPin "
                + Sizes.format(vmPinBytes) + ", VmRSS " + Sizes.format(vmRssBytes) + "]";
    }
}
