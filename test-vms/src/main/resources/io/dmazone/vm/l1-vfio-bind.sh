#!/usr/bin/env bash
# Runs inside L1: checks that the vIOMMU made IOMMU groups and that each PCI
# device given as vendor:device binds to vfio-pci with its /dev/vfio/N node.
# Prints CHECK/VALUE lines; exits 0 only if every check passed.
# Usage: l1-vfio-bind.sh VENDOR:DEVICE...
set -u
failed=0
check() { # name pass|fail detail
	if [ "$2" = pass ]; then echo "CHECK $1 PASS $3"; else echo "CHECK $1 FAIL $3"; failed=1; fi
}

groups=$(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l)
echo "VALUE iommu_groups $groups"
if [ "$groups" -gt 0 ]; then
	check iommu-groups pass "$groups groups"
else
	check iommu-groups fail "no IOMMU groups"
fi
if dmesg | grep -m1 -E 'DMAR: IOMMU enabled' >/dev/null; then
	check dmar-enabled pass "DMAR: IOMMU enabled"
else
	check dmar-enabled fail "no 'DMAR: IOMMU enabled' in dmesg"
fi

modprobe vfio-pci || check modprobe-vfio-pci fail "modprobe vfio-pci failed"

for id in "$@"; do
	bdf=""
	for dev in /sys/bus/pci/devices/*; do
		if [ "$(cat "$dev/vendor"):$(cat "$dev/device")" = "0x${id%%:*}:0x${id##*:}" ]; then
			bdf=$(basename "$dev")
			break
		fi
	done
	if [ -z "$bdf" ]; then
		check "bind-$id" fail "no such PCI device"
		continue
	fi
	dev=/sys/bus/pci/devices/$bdf
	old=none
	if [ -e "$dev/driver" ]; then
		old=$(basename "$(readlink "$dev/driver")")
		echo "$bdf" >"$dev/driver/unbind"
	fi
	echo vfio-pci >"$dev/driver_override"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	group=$(basename "$(readlink "$dev/iommu_group")")
	driver=$(basename "$(readlink "$dev/driver" 2>/dev/null || echo none)")
	echo "VALUE group-$id $group"
	if [ "$driver" = vfio-pci ] && [ -c "/dev/vfio/$group" ]; then
		check "bind-$id" pass "$bdf group $group was $old, now vfio-pci, /dev/vfio/$group present"
	else
		check "bind-$id" fail "$bdf group $group driver $driver, /dev/vfio/$group $([ -e "/dev/vfio/$group" ] && echo present || echo missing)"
	fi
done
exit $failed
