package io.dmazone.vm;

/** How QEMU runs the guest's CPU. */
public enum Accel {
    /** Hardware virtualisation through /dev/kvm. */
    KVM,
    /** QEMU's software emulation. */
    TCG;

    /**
     * The accelerator a guest ran under, read from inside it: KVM guests get the
     * kvm-clock clocksource, TCG guests never do.
     */
    static Accel fromAvailableClocksources(String clocksources) {
        return clocksources.contains("kvm-clock") ? KVM : TCG;
    }
}
