# L2 command step (busybox sh, after ktap.sh and l2-lib.sh; dmazone.ko is
# loaded, the stock e1000e is in /lib/modules but not loaded): selects the
# passed-through e1000e for dmazone's transparent mode and only then loads
# the driver, so its first DMA allocation already comes from the zone. Sets
# DMA_OPS_BDF, which l2-serve.sh reports the DMA ops' counters of.
# shellcheck shell=sh
DMA_OPS_BDF=""
# QEMU's e1000e is an 82574L, 8086:10d3 (the shell's read: no fork per device)
for dev in /sys/bus/pci/devices/*; do
	read -r vendor <"$dev/vendor"
	read -r device <"$dev/device"
	if [ "$vendor" = 0x8086 ] && [ "$device" = 0x10d3 ]; then
		DMA_OPS_BDF=${dev##*/}
		break
	fi
done
# selected while no driver is bound ("unbound"): the driver's probe is yet to come
[ -n "$DMA_OPS_BDF" ] && echo "$DMA_OPS_BDF" >/sys/kernel/dmazone/transparent/add &&
	grep -qx "$DMA_OPS_BDF unbound" /sys/kernel/dmazone/transparent/selected
selected=$?
check dma_ops_selected "$selected" "${DMA_OPS_BDF:-no e1000e (8086:10d3) in L2}: selected" \
	"$(tr '\n' ' ' </sys/kernel/dmazone/transparent/selected 2>/dev/null)"
if [ "$selected" != 0 ]; then
	ktap_end
	exit 1
fi
insmod /lib/modules/e1000e.ko
check stock_e1000e_loaded $? "insmod /lib/modules/e1000e.ko"
