# L2 command (busybox sh, after ktap.sh and l2-lib.sh) of a run whose device
# L1 adds once L2's IOMMU is on (a zone plan's hot-add): checks that the
# IOMMU is on, says so on the console for L1 (l1-lib.sh's hot_add), and waits
# for pciehp to bring the device in and e1000e to bind it. Before L2 shuts
# down, hot_remove_wait lets L1 take the device away again.
# shellcheck shell=sh disable=SC3043 # busybox sh has local

# uptime_s: L2's seconds since boot, whole
uptime_s() {
	read -r up _ </proc/uptime
	echo "${up%.*}"
}
# shellcheck disable=SC2012 # sysfs names are plain words
units=$(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')
early=$(e1000e_bdf)
[ -n "$units" ] && [ -z "$early" ]
check iommu_on_before_device $? "IOMMU units: ${units:-none}; e1000e drives ${early:-no device yet}"
echo "DMAZONE-HOT-ADD ready"
# L2's own seconds: under TCG inside TCG each turn of the loop takes a while
deadline=$(($(uptime_s) + 300))
bdf=""
while [ "$(uptime_s)" -lt "$deadline" ]; do
	bdf=$(e1000e_bdf) && break
	sleep 1
done
# dmazone gives the NIC a domain only when it is alone in its IOMMU group
# shellcheck disable=SC2012 # PCI addresses are plain words
[ -n "$bdf" ] && value iommu_group_devices "$(ls "/sys/bus/pci/devices/$bdf/iommu_group/devices" | tr '\n' ' ')"
[ -n "$bdf" ]
check device_hot_added $? "${bdf:-no device bound to e1000e 300 s after L1 was told}; PCIe ports and hotplug:" \
	"$(dmesg | grep -iE 'pcieport|pciehp|_OSC|hotplug' | tail -6 | tr '\n' ';')"

# hot_remove_wait: says on the console that L1 may remove the device
# (l1-lib.sh's hot_remove), and waits until pciehp has let it go: with the
# device gone, L2 turning its IOMMU off at shutdown makes QEMU map nothing.
hot_remove_wait() {
	local deadline gone=1
	echo "DMAZONE-HOT-REMOVE ready"
	deadline=$(($(uptime_s) + 300))
	while [ "$(uptime_s)" -lt "$deadline" ]; do
		[ -e "/sys/bus/pci/devices/$bdf" ] || { gone=0; break; }
		sleep 1
	done
	check device_hot_removed "$gone" "$bdf $([ "$gone" = 0 ] && echo gone || echo 'still there 300 s after L1 was told')"
}
