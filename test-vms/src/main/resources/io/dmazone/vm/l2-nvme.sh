# L2 command of an NVMe run, its first part (busybox sh, after ktap.sh and
# l2-lib.sh; NVME_DMA_OPS set before them): the NVMe passed through from L1
# is L2's only device; the stock nvme-core.ko and nvme.ko are in
# /lib/modules, not loaded. With NVME_DMA_OPS=1 (dmazone.ko loaded with its
# zone) the controller is first selected for dmazone's transparent mode, so
# the driver's first allocation already comes from the zone. Then the
# driver is loaded and its namespace awaited. Sets NVME_BDF and
# ZONE_CHECK_BDF; l2-zone-check.sh (with a zone) and l2-nvme-io.sh follow.
# shellcheck shell=sh disable=SC2154 # failed is set by ktap.sh, before this file

# QEMU's NVMe controller is 1b36:0010
pci_bdf 0x1b36 0x0010
NVME_BDF=$PCI_BDF
[ -n "$NVME_BDF" ]
check nvme_found $? "${NVME_BDF:-no NVMe (1b36:0010) in L2}"

if [ "$NVME_DMA_OPS" = 1 ]; then
	dma_ops_select "$NVME_BDF" "NVMe (1b36:0010)"
fi
insmod /lib/modules/nvme-core.ko && insmod /lib/modules/nvme.ko
check stock_nvme_loaded $? "insmod nvme-core.ko nvme.ko"
# the namespace's block device appears once the controller is probed and identified
disk=/dev/nvme0n1

# await_namespace: 0 once $disk is there, waiting up to 60 s for it;
# NAMESPACE_WAIT is how long it waited, in tenths of a second
await_namespace() {
	NAMESPACE_WAIT=0
	while [ ! -b "$disk" ] && [ $NAMESPACE_WAIT -lt 600 ]; do
		sleep 0.1
		NAMESPACE_WAIT=$((NAMESPACE_WAIT + 1))
	done
	[ -b "$disk" ]
}

await_namespace
check nvme_namespace $? "$disk after $((NAMESPACE_WAIT / 10)) s; $(grep DRIVER= "/sys/bus/pci/devices/$NVME_BDF/uevent")"
if [ "$failed" != 0 ]; then
	ktap_end
	exit 1
fi
# the device l2-zone-check.sh checks, when it comes next
# shellcheck disable=SC2034 # for the L2 command's next file
ZONE_CHECK_BDF=$NVME_BDF
