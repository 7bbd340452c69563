# L2 command of the uncooperative-guest runs (busybox sh, after ktap.sh and
# l2-lib.sh; CASE and EXTRA_MIB set before it). L2's QEMU runs in L1 under a
# pin budget (RLIMIT_MEMLOCK, no CAP_IPC_LOCK) and L2 has QEMU's edu device,
# bound to the dmazone test client, behind virtio-iommu (boot-bypass off).
#   over-map  edu is attached to the zone; then the guest maps EXTRA_MIB of
#             ordinary memory into the device's domain and has edu write
#             there: the host must refuse to pin it and the write must fault;
#             then dmazone is reloaded in transparent mode with edu selected
#             and a write outside the client's DMA-API buffers must fault.
#   identity  no dmazone, iommu.passthrough=1: the guest asks for an identity
#             map of all its RAM for the device.
# L1 (l1-uncooperative.sh) samples the pins and looks for the fault.
# shellcheck shell=sh disable=SC3043 # busybox sh has local
edu_bound
check edu_bound $? "${EDU_BDF:-no device bound to dmazone_edu_test}"
bdf=$EDU_BDF

# in_zone ADDR: the 4 KiB at ADDR lie in one of the zone's physical ranges
in_zone() {
	local lo hi
	[ -n "$1" ] || return 1
	while IFS=- read -r lo hi; do
		[ $(($1 >= lo && $1 + 4095 <= hi)) = 1 ] && return 0
	done </sys/kernel/dmazone/ranges
	return 1
}

# The same containment in transparent mode: dmazone reloaded with edu
# selected, so the client, loaded again, is attached at its bind and never
# through dmazone's API; its buffers come from the DMA API, which dmazone
# serves from the zone, and edu's write to a page outside them must fault
# in L1 (l1-uncooperative.sh) and leave the page as it was.
transparent_containment() {
	local size src dst
	read -r size </sys/kernel/dmazone/size
	rmmod dmazone_edu_test && rmmod dmazone &&
		insmod /lib/modules/dmazone.ko size="$size" transparent="$bdf" &&
		insmod /lib/modules/dmazone_edu_test.ko &&
		grep -qx "$bdf attached" /sys/kernel/dmazone/transparent/selected &&
		[ "$(cat "/sys/kernel/dmazone/dev/$bdf/contained")" = 1 ]
	check transparent_attached $? "selected: $(tr '\n' ' ' </sys/kernel/dmazone/transparent/selected 2>/dev/null)contained=$(cat "/sys/kernel/dmazone/dev/$bdf/contained" 2>/dev/null)"
	edu "zone 13"
	src=$(echo "$RESULT" | sed -n 's/.* src=\(0x[0-9a-f]*\).*/\1/p')
	dst=$(echo "$RESULT" | sed -n 's/.* dst=\(0x[0-9a-f]*\).*/\1/p')
	echo "$RESULT" | grep -q '^zone PASS .*contained=-1' && in_zone "$src" && in_zone "$dst"
	check transparent_zone_dma $? "$RESULT (zone ranges: $(tr '\n' ' ' </sys/kernel/dmazone/ranges))"
	edu "outside-write 15" && echo "$RESULT" | grep -q '^outside-write UNCHANGED .*contained=-1'
	check transparent_outside_write_blocked $? "$RESULT"
	rmmod dmazone_edu_test && rmmod dmazone
	check transparent_unloaded $? "dmazone_edu_test and dmazone unloaded"
}

problems=$(log_problems)
group=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")
value edu_iommu_group "$group $(cat "/sys/kernel/iommu_groups/$group/type" 2>/dev/null)"

case $CASE in
over-map)
	edu attach && echo "$RESULT" | grep -q 'contained=1'
	check zone_attached $? "$RESULT"
	edu "zone 7" && echo "$RESULT" | grep -q '^zone PASS'
	check zone_dma_before $? "$RESULT"
	# The guest's IOMMU driver is not told when the host refuses a map.
	edu "map-extra $EXTRA_MIB"
	check extra_mapped_by_guest $? "$RESULT"
	edu "extra-write 9" && echo "$RESULT" | grep -q '^extra-write UNCHANGED'
	check extra_write_blocked $? "$RESULT"
	edu "zone 11" && echo "$RESULT" | grep -q '^zone PASS'
	check zone_dma_after $? "$RESULT"
	edu unmap-extra
	check extra_unmapped $? "$RESULT"
	edu detach
	check detached $? "$RESULT"
	transparent_containment
	;;
identity)
	[ "$(cat "/sys/kernel/iommu_groups/$group/type" 2>/dev/null)" = identity ]
	check identity_domain $? "group $group type $(cat "/sys/kernel/iommu_groups/$group/type" 2>/dev/null)"
	;;
*)
	check case_known 1 "CASE=$CASE: use over-map or identity"
	;;
esac
now=$(log_problems)
[ "$now" = "$problems" ]
check l2_kernel_log_clean $? "problem lines in L2's kernel log: $((now - problems))"
ktap_end
# shellcheck disable=SC2154 # set by ktap.sh
exit "$failed"
