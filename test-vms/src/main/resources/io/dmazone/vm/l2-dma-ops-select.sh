# L2 command step (busybox sh, after ktap.sh and l2-lib.sh; dmazone.ko is
# loaded, the stock e1000e is in /lib/modules but not loaded): selects the
# passed-through e1000e for dmazone's transparent mode and only then loads
# the driver, so its first DMA allocation already comes from the zone. Sets
# DMA_OPS_BDF, which l2-serve.sh reports the DMA ops' counters of.
# shellcheck shell=sh
# QEMU's e1000e is an 82574L, 8086:10d3
pci_bdf 0x8086 0x10d3
DMA_OPS_BDF=$PCI_BDF
dma_ops_select "$DMA_OPS_BDF" "e1000e (8086:10d3)"
selected=$?
if [ "$selected" != 0 ]; then
	ktap_end
	exit 1
fi
insmod /lib/modules/e1000e.ko
check stock_e1000e_loaded $? "insmod /lib/modules/e1000e.ko"
