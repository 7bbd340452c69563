package io.dmazone.cli;

import java.util.Objects;

/**
 * One fact {@code dmazone check} reports about the host.
 *
 * @param name     short name, e.g. {@code vfio_pci}
 * @param status   whether it is in place
 * @param value    what was found, e.g. {@code "dmar0, dmar1"} or {@code "not loaded"}
 * @param advice   what to do when it is not in place; empty when it is
 */
record HostFact(String name, Status status, String value, String advice) {
    /** How a fact stands. */
    enum Status {
        /** In place. */
        OK,
        /** Not in place, and dmazone cannot work without it. */
        MISSING,
        /** Not in place, but only some uses need it. */
        NOTE
    }

    HostFact {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(advice, "advice");
    }

    static HostFact ok(String name, String value) {
        return new HostFact(name, Status.OK, value, "");
    }

    static HostFact missing(String name, String value, String advice) {
        return new HostFact(name, Status.MISSING, value, advice);
    }

    static HostFact note(String name, String value, String advice) {
        return new HostFact(name, Status.NOTE, value, advice);
    }
}
