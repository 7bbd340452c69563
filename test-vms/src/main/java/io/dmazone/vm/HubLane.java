package io.dmazone.vm;

import java.util.List;
import java.util.Locale;

/**
 * One L2's network in a side-by-side run, where one L1 holds several L2s: the outer QEMU
 * gives L1 an e1000e (passed through to that L2) and a virtio-net NIC (L1's side) on a hub of
 * their own, and the pair gets a subnet of its own, so no L2 sees another's traffic.
 *
 * @param index the lane, from 0: its hub, its subnet 10.78.INDEX.0/24, and which of L1's
 *              e1000e NICs (in address order) is its own
 */
public record HubLane(int index) {
    /** Lanes a run may have: one hub and subnet each, MAC addresses kept apart. */
    public static final int MAX_LANES = 8;

    public HubLane {
        if (index < 0 || index >= MAX_LANES) {
            throw new IllegalArgumentException("lane index " + index + " must be 0.." + (MAX_LANES - 1));
        }
    }

    /** L1's address on the lane. */
    public String l1Ip() {
        return "10.78." + index + ".1";
    }

    /** L2's address on the lane. */
    public String l2Ip() {
        return "10.78." + index + ".2";
    }

    /** The MAC address of L1's NIC on the lane, by which L1 finds it. */
    public String l1Mac() {
        return String.format(Locale.ROOT, "52:54:00:78:%02x:01", index);
    }

    /** The outer QEMU's arguments for the lane: the e1000e, L1's virtio-net NIC and their hub. */
    public List<String> outerQemuArgs() {
        String e1000e = "dmz_lane" + index + "_e1000e";
        String peer = "dmz_lane" + index + "_peer";
        return List.of("-netdev", "hubport,id=" + e1000e + ",hubid=" + index, "-device", "e1000e,netdev=" + e1000e,
                "-netdev", "hubport,id=" + peer + ",hubid=" + index,
                "-device", "virtio-net-pci,netdev=" + peer + ",mac=" + l1Mac());
    }

    /** Shell settings for L1's companion of the lane (l1-lib.sh, l1-matrix.sh taking turns). */
    public String l1Settings() {
        return "L1_IP=" + l1Ip() + "\nL2_IP=" + l2Ip() + "\nL1_MAC=" + l1Mac();
    }

    /** Shell settings for L2's command on the lane (l2-lib.sh), which waits up to {@code syncSeconds} at a sync. */
    public String l2Settings(long syncSeconds) {
        return "L2_IP=" + l2Ip() + "\nL1_IP=" + l1Ip() + "\nSYNC_TIMEOUT_S=" + syncSeconds + "\n";
    }
}
