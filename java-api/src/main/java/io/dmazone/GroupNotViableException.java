package io.dmazone;

import java.util.List;

/**
 * A VFIO group is not viable: some device in it is bound to a host driver, so the
 * group cannot be given to a container. The message names those devices.
 */
public class GroupNotViableException extends DmazoneException {
    private static final long serialVersionUID = 1L;

    private final int group;
    private final List<String> blockers;

    /**
     * @param group    group number
     * @param blockers {@code "<address> is bound to <driver>"} for each device keeping the group from being viable
     */
    public GroupNotViableException(int group, List<String> blockers) {
        super("group " + group + " is not viable: " + (blockers.isEmpty()
                ? "a device in it is bound to a host driver (see /sys/kernel/iommu_groups/" + group + "/devices)"
                : String.join(", ", blockers))
                + "; bind every device of the group to vfio-pci, or unbind it from its driver");
        this.group = group;
        this.blockers = List.copyOf(blockers);
    }

    /** The group number. */
    public int group() {
        return group;
    }

    /** The devices keeping it from being viable, as described in the message. */
    public List<String> blockers() {
        return blockers;
    }
}
