# Helpers for L2 commands (busybox sh, after ktap.sh). The passed-through
# e1000e is L2's only NIC, L2_IP on the outer QEMU's hub, where L1 is L1_IP
# (10.78.0.2 and 10.78.0.1 unless set before this file: the L2s of a
# side-by-side run each have a hub and a subnet of their own). Variables of
# the functions are local: the commands loop with i too.
# shellcheck shell=sh disable=SC3043 # busybox sh has local
L2_IP=${L2_IP:-10.78.0.2}
# shellcheck disable=SC2034 # for the L2 commands that come after this file
L1_IP=${L1_IP:-10.78.0.1}
SYNC_PORT=5399
# how long L2 waits at one sync for L1 (a side-by-side L2 waits for the others' runs)
SYNC_TIMEOUT_S=${SYNC_TIMEOUT_S:-900}

# e1000e_bdf: the PCI address e1000e drives
e1000e_bdf() {
	local dev
	for dev in /sys/bus/pci/drivers/e1000e/0000:*; do
		[ -e "$dev" ] && basename "$dev" && return 0
	done
	return 1
}

# pci_bdf VENDOR DEVICE: sets PCI_BDF to the address of the first PCI
# device with these ids (as sysfs writes them: 0x8086 0x10d3), empty when
# there is none; the shell's read, no fork per device
pci_bdf() {
	local dev vendor device
	# shellcheck disable=SC2034 # for the L2 commands that come after this file
	PCI_BDF=""
	for dev in /sys/bus/pci/devices/*; do
		read -r vendor <"$dev/vendor"
		read -r device <"$dev/device"
		if [ "$vendor" = "$1" ] && [ "$device" = "$2" ]; then
			# shellcheck disable=SC2034 # for the L2 commands that come after this file
			PCI_BDF=${dev##*/}
			return 0
		fi
	done
	return 1
}

# dma_ops_select BDF WHAT: selects BDF (WHAT names the device for the
# check) for dmazone's transparent mode while no driver is bound to it, so
# that the driver's probe, yet to come, gets the DMA ops: check
# dma_ops_selected; returns its status
dma_ops_select() {
	local rc
	[ -n "$1" ] && echo "$1" >/sys/kernel/dmazone/transparent/add &&
		grep -qx "$1 unbound" /sys/kernel/dmazone/transparent/selected
	rc=$?
	check dma_ops_selected "$rc" "${1:-no $2 in L2}: selected" \
		"$(tr '\n' ' ' </sys/kernel/dmazone/transparent/selected 2>/dev/null)"
	return "$rc"
}

# dma_ops_counters BDF: reads the DMA ops' files of BDF once each (the
# shell's read, no fork per file), reports the counters as dma_ops_* values
# and sets OPS_MODE, OPS_MAPS, OPS_BOUNCED, OPS_FAILED and OPS_CONTAINED for
# the caller's check
# shellcheck disable=SC2034 # the OPS_ variables are for the L2 commands after this file
dma_ops_counters() {
	local ops="/sys/kernel/dmazone/dev/$1" high
	read -r OPS_MODE <"$ops/mode"
	read -r OPS_MAPS <"$ops/maps"
	read -r OPS_BOUNCED <"$ops/bytes_bounced"
	read -r high <"$ops/bounce_high_water"
	read -r OPS_FAILED <"$ops/failed_maps"
	read -r OPS_CONTAINED <"$ops/contained"
	value dma_ops_maps "$OPS_MAPS"
	value dma_ops_bytes_bounced "$OPS_BOUNCED"
	value dma_ops_bounce_high_water "$high"
	value dma_ops_failed_maps "$OPS_FAILED"
}

# nic_up: the e1000e's interface gets L2_IP and a carrier; sets IFACE.
# Retried: right after a probe the interface may still be settling.
nic_up() {
	local i bdf
	IFACE=""
	for i in $(seq 50); do
		# shellcheck disable=SC2012 # interface names are plain words; ls sorts them
		bdf=$(e1000e_bdf) && IFACE=$(ls "/sys/bus/pci/devices/$bdf/net" 2>/dev/null | head -1)
		if [ -n "$IFACE" ] && ip addr flush dev "$IFACE" && ip addr add "$L2_IP/24" dev "$IFACE" &&
			ip link set "$IFACE" up; then
			break
		fi
		IFACE=""
		sleep 0.2
	done
	[ -n "$IFACE" ] || return 1
	# shellcheck disable=SC2034 # i only counts the tries
	for i in $(seq 300); do
		[ "$(cat "/sys/class/net/$IFACE/carrier" 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# l1_sync LABEL: tells L1 (on the console) and waits until it connects and
# sends "go LABEL"; a connection for another label (L1 retrying a release
# it could not confirm) does not count
l1_sync() {
	local got
	echo "DMAZONE-SYNC $1"
	while :; do
		got=$(timeout "$SYNC_TIMEOUT_S" nc -l -p "$SYNC_PORT" </dev/null) || return 1
		[ "$got" = "go $1" ] && return 0
	done
}

# log_problems: how many lines of L2's kernel log show trouble that L2 can
# see: a warning, BUG or oops, a DMA-API debugging report, the e1000e's
# transmit hang. Not IOMMU faults of the passed-through NIC: its DMA is
# translated by L1's IOMMU, with what L2's QEMU mapped there, so L2's vIOMMU
# never sees it and its faults show in L1 (l1_iommu_faults); in L2 a blocked
# DMA can only show as the NIC hanging.
log_problems() {
	dmesg | grep -cE 'WARNING:|BUG:|Oops|general protection|DMA-API: .*(device driver|mapping sg)|Detected Hardware Unit Hang|NETDEV WATCHDOG'
}

# edu_bound: EDU_BDF, the edu device the dmazone test client bound, and
# EDU_CTL, the client's command file for it (debugfs mounted first); fails
# when the client bound none
edu_bound() {
	local dev
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	EDU_BDF=""
	for dev in /sys/bus/pci/drivers/dmazone_edu_test/0000:*; do
		[ -e "$dev" ] && EDU_BDF=$(basename "$dev")
	done
	EDU_CTL=/sys/kernel/debug/dmazone_edu_test/$EDU_BDF/ctl
	[ -n "$EDU_BDF" ]
}

# edu COMMAND: one test-client command (after edu_bound); RESULT is its
# outcome line
edu() {
	echo "$1" >"$EDU_CTL"
	# shellcheck disable=SC2320 # echo's status is the write's, which is wanted
	local rc=$?
	RESULT=$(cat "${EDU_CTL%/ctl}/result" 2>/dev/null)
	echo "# edu $1: $RESULT"
	return $rc
}
