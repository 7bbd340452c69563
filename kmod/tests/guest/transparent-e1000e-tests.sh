#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dmazone's transparent mode with the STOCK e1000e, in one (non-nested) VM.
# Run INSIDE the VM as root, with the host tree visible read-only at the
# same path and dmazone.ko built on the host (make -C kmod).
#
#   transparent-e1000e-tests.sh --iommu intel|virtio|none --stock-driver FILE
#                               [--kmod-dir DIR] [--base ADDR] [--size BYTES]
#                               [--cycles N] [--flood N] [--bench N]
#
# FILE is the e1000e.ko the booted kernel was built with (its
# lib/modules/RELEASE/kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko;
# the guest sees the host's /lib/modules, not the test kernel's).
# The VM: q35, an e1000e and a virtio-net NIC on the same QEMU hub,
# memmap=64M$0x40000000, and with --iommu intel an intel-iommu
# (caching-mode=on, intel_iommu=on), with --iommu virtio a virtio-iommu
# (boot-bypass=off). The virtio NIC goes into the network
# namespace dzpeer (10.77.0.2/24), the e1000e's (10.77.0.1/24) only peer.
# The lean test kernel has CONFIG_DMA_API_DEBUG: its debugfs dump lists
# every DMA address the DMA API handed the driver, which is how the rings
# and buffers are seen to lie in the zone.
#
# Prints KTAP (test-vms/src/main/resources/io/dmazone/vm/ktap.sh, through
# lib.sh); exits 0 only if no check failed.

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
VM_LIB=$HERE/../../../test-vms/src/main/resources/io/dmazone/vm
# shellcheck source=../../../test-vms/src/main/resources/io/dmazone/vm/e1000e-lib.sh
. "$VM_LIB/e1000e-lib.sh"
# shellcheck source=../../../test-vms/src/main/resources/io/dmazone/vm/e1000e-peer-lib.sh
. "$VM_LIB/e1000e-peer-lib.sh"

KMOD_DIR=$(cd "$HERE/../.." && pwd)
IOMMU=
STOCK=
ZONE_BASE=0x40000000
ZONE_SIZE=$((64 << 20))
CYCLES=10
FLOOD=2000
BENCH=20000

usage() {
	echo "usage: $0 --iommu intel|virtio|none --stock-driver FILE [--kmod-dir DIR] [--base ADDR] [--size BYTES] [--cycles N] [--flood N] [--bench N]" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--iommu) IOMMU=$2; shift 2 ;;
	--stock-driver) STOCK=$2; shift 2 ;;
	--kmod-dir) KMOD_DIR=$2; shift 2 ;;
	--base) ZONE_BASE=$2; shift 2 ;;
	--size) ZONE_SIZE=$(($2)); shift 2 ;;
	--cycles) CYCLES=$2; shift 2 ;;
	--flood) FLOOD=$2; shift 2 ;;
	--bench) BENCH=$2; shift 2 ;;
	*) usage ;;
	esac
done
case $IOMMU in
intel|virtio|none) ;;
*) usage ;;
esac
[ -n "$STOCK" ] || usage

DZ_KO=$KMOD_DIR/dmazone.ko
SYS=/sys/kernel/dmazone
TSYS=$SYS/transparent
DZ_DBG=/sys/kernel/debug/dmazone
DMA_DBG=/sys/kernel/debug/dma-api
NS=dzpeer
LOCAL_IP=10.77.0.1
PEER_IP=10.77.0.2
START=$(date +%s)
BDF=

sysval() { cat "$SYS/$1" 2>/dev/null; }
devval() { cat "$SYS/dev/$BDF/$1" 2>/dev/null; }
# IOMMU fault lines: intel-iommu's DMAR reports, virtio-iommu's fault events
iommu_faults_since() { dmesg_since "$1" | grep -cE 'DMAR: \[DMA|fault from EP'; }

bound_driver() {
	basename "$(readlink "/sys/bus/pci/devices/$BDF/driver" 2>/dev/null)" 2>/dev/null
}

# dma_entries: the DMA-API debug entries of the e1000e, one per line:
# TYPE DMA_ADDR_HEX LEN_HEX (coherent allocations and streaming mappings)
dma_entries() {
	awk -v bdf="$BDF" '$2 == bdf {
		d = ""; l = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^D=/) d = substr($i, 3)
			if ($i ~ /^L=/) l = substr($i, 3)
		}
		print $3, d, l
	}' "$DMA_DBG/dump"
}

# dma_census: counts the e1000e's DMA-API entries; sets N_COHERENT,
# N_STREAMING, N_IN_ZONE, N_OUTSIDE and OUTSIDE_EXAMPLE
dma_census() {
	local type d l lo=$((ZONE_BASE)) hi=$((ZONE_BASE + ZONE_SIZE))
	N_COHERENT=0 N_STREAMING=0 N_IN_ZONE=0 N_OUTSIDE=0 OUTSIDE_EXAMPLE=
	while read -r type d l; do
		[ -n "$d" ] || continue
		case $type in
		coherent) N_COHERENT=$((N_COHERENT + 1)) ;;
		*) N_STREAMING=$((N_STREAMING + 1)) ;;
		esac
		if [ $((0x$d)) -ge $lo ] && [ $((0x$d + 0x$l)) -le $hi ]; then
			N_IN_ZONE=$((N_IN_ZONE + 1))
		else
			N_OUTSIDE=$((N_OUTSIDE + 1))
			[ -n "$OUTSIDE_EXAMPLE" ] || OUTSIDE_EXAMPLE="$type 0x$d+0x$l"
		fi
	done < <(dma_entries)
	CENSUS="coherent=$N_COHERENT streaming=$N_STREAMING in_zone=$N_IN_ZONE outside=$N_OUTSIDE${OUTSIDE_EXAMPLE:+ (e.g. $OUTSIDE_EXAMPLE)}"
}

# errno_of FILE TEXT: the errno name of writing TEXT to FILE (OK if none)
errno_of() {
	python3 -c '
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
    try:
        os.write(fd, sys.argv[2].encode())
    finally:
        os.close(fd)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))' "$1" "$2"
}

load_dmazone() {
	insmod "$DZ_KO" base="$ZONE_BASE" size="$ZONE_SIZE" "$@"
}

# attached: the selection says the e1000e is attached and e1000e drives it
attached() {
	grep -qx "$BDF attached" "$TSYS/selected" 2>/dev/null &&
		[ "$(bound_driver)" = e1000e ]
}

# --- environment --------------------------------------------------------------
t_environment() {
	local ok=0
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	modprobe virtio_net 2>/dev/null
	BDF=$(find_e1000e) || ok=1
	case $IOMMU in
	intel) ls -d /sys/class/iommu/dmar* >/dev/null 2>&1 || ok=1 ;;
	virtio) [ -n "$(ls /sys/class/iommu 2>/dev/null)" ] &&
		! ls -d /sys/class/iommu/dmar* >/dev/null 2>&1 || ok=1 ;;
	none) [ -z "$(ls /sys/class/iommu 2>/dev/null)" ] || ok=1 ;;
	esac
	grep -q "$(printf '%x' $((ZONE_BASE)))-" /proc/iomem || ok=1
	[ -f "$DZ_KO" ] && [ -r "$DMA_DBG/dump" ] || ok=1
	command -v iperf3 >/dev/null && command -v ethtool >/dev/null || ok=1
	[ "$(modinfo -F vermagic "$STOCK" 2>/dev/null | cut -d' ' -f1)" = "$(uname -r)" ] || ok=1
	# shellcheck disable=SC2012 # IOMMU names are plain words
	check environment $ok "e1000e=${BDF:-none} iommu=$IOMMU ($(ls /sys/class/iommu 2>/dev/null | tr '\n' ' '))stock=$STOCK dma-api=$([ -r "$DMA_DBG/dump" ] && echo yes || echo no) kernel=$(uname -r) cmdline='$(cat /proc/cmdline)'"
	[ $ok = 0 ]
}

# The stock driver, on plain DMA, before dmazone: the baseline
t_stock_plain() {
	lsmod | grep -q '^e1000e ' && rmmod e1000e
	insmod "$STOCK" && e1000e_up && ping_ok 5
	check stock_plain_dma $? "driver=$(bound_driver) iface=$IFACE $PING_DETAIL"
	# the stock module: the kernel's own build, which knows nothing of
	# dmazone's API (the patched one resolves dmazone_attach by name; the
	# kernel's release, -dmazone, is in every module's vermagic)
	[[ $STOCK == */lib/modules/"$(uname -r)"/kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko ]] &&
		! grep -qaE 'dmazone_(attach|alloc)|e1000e_dmazone' "$STOCK" &&
		[ "$(bound_driver)" = e1000e ]
	check stock_driver_unmodified $? "module $STOCK, no dmazone_attach/dmazone_alloc/e1000e_dmazone in it, driver=$(bound_driver)"
	dma_census
	[ "$N_COHERENT" -ge 2 ] && [ "$N_IN_ZONE" = 0 ]
	check plain_dma_outside_zone $? "$CENSUS"
}

# --- selection at load: the bound driver is rebound onto the zone -----------------
t_select_at_load() {
	local mark line ok
	mark=$(dmesg_mark)
	load_dmazone transparent="$BDF"
	check dmaops_loaded $? "transparent=$BDF selected: $(tr '\n' ' ' < "$TSYS/selected" 2>/dev/null)"
	e1000e_up
	attached
	check dmaops_attached $? "selected: $(tr '\n' ' ' < "$TSYS/selected" 2>/dev/null) driver=$(bound_driver) iface=$IFACE"

	line=$(dmesg_since "$mark" | grep "$BDF: dmazone: transparent: e1000e is bound, rebinding it so that its DMA comes from the zone" | sed 's/^\[[^]]*\] //')
	[ -n "$line" ]
	check dmaops_rebind_logged $? "${line:-no rebinding line}"

	line=$(dmesg_since "$mark" | grep "$BDF: dmazone: transparent: e1000e's DMA API is served from the zone" | sed 's/^\[[^]]*\] //')
	case $IOMMU in
	none) [[ $line == *"(identity-only, not contained)"* ]] ;;
	*) [[ $line == *"(contained by the IOMMU)"* ]] ;;
	esac
	check dmaops_attach_logged $? "${line:-no attach line}"

	ok=1
	[ "$(devval mode)" = transparent ] &&
		case $IOMMU in
		none) [ "$(devval contained)" = 0 ] ;;
		*) [ "$(devval contained)" = 1 ] ;;
		esac && grep -q "^$BDF .* transparent$" "$SYS/devices" && ok=0
	check dmaops_sysfs_device $ok "mode=$(devval mode) contained=$(devval contained) devices: $(tr '\n' ' ' < "$SYS/devices")"

	# The rings (coherent) and the posted Rx buffers (streaming), all in the zone
	dma_census
	[ "$N_COHERENT" -ge 2 ] && [ "$N_STREAMING" -ge 200 ] && [ "$N_OUTSIDE" = 0 ]
	check dmaops_dma_in_zone $? "$CENSUS zone=$ZONE_BASE+$ZONE_SIZE"
	value dmaops_dma_entries "$CENSUS"

	[ "$(devval allocations)" -ge 2 ] && [ "$(devval maps)" -ge 200 ] &&
		[ "$(devval bounce_bytes)" -ge $((200 * 1500)) ]
	check dmaops_counters_at_probe $? "allocations=$(devval allocations) maps=$(devval maps) bounce_bytes=$(devval bounce_bytes)"
}

# --- traffic ---------------------------------------------------------------------
t_traffic() {
	local mark m0 m1 b0 b1 rx0 rx1 n ok
	mark=$(dmesg_mark)
	m0=$(devval maps)
	b0=$(devval bytes_bounced)
	ping_ok 5
	check dmaops_ping $? "$PING_DETAIL"

	flood "$PEER_IP" "$FLOOD" 80
	[ "$FLOOD_RX" -ge $((FLOOD * 99 / 100)) ]
	check dmaops_ping_flood $? "$FLOOD_DETAIL"
	m1=$(devval maps)
	b1=$(devval bytes_bounced)
	# each echo request is a Tx map, each reply an Rx map
	[ $((m1 - m0)) -ge $((FLOOD * 19 / 10)) ] && [ "$b1" -gt "$b0" ]
	check dmaops_counters_rise $? "maps $m0 -> $m1, bytes_bounced $b0 -> $b1 for $FLOOD echo requests"

	iperf tx
	check dmaops_iperf_tx $? "e1000e -> peer ${MBPS:-?} Mbit/s"
	value dmaops_iperf_tx_mbps "${MBPS:-0}"

	rx0=$(cat "/sys/class/net/$IFACE/statistics/rx_bytes")
	b0=$(devval bytes_bounced)
	iperf rx
	check dmaops_iperf_rx $? "peer -> e1000e ${MBPS:-?} Mbit/s"
	value dmaops_iperf_rx_mbps "${MBPS:-0}"
	rx1=$(cat "/sys/class/net/$IFACE/statistics/rx_bytes")
	b1=$(devval bytes_bounced)
	# every received byte was copied out of a zone buffer
	[ $((rx1 - rx0)) -gt 1000000 ] && [ $((b1 - b0)) -ge $((rx1 - rx0)) ]
	check dmaops_rx_bytes_bounced $? "rx_bytes +$((rx1 - rx0)), bytes_bounced +$((b1 - b0))"

	ok=1
	[ "$(devval bounce_bytes)" -gt 0 ] &&
		[ "$(devval bounce_high_water)" -ge "$(devval bounce_bytes)" ] &&
		[ "$(devval bounce_high_water)" -le "$ZONE_SIZE" ] && ok=0
	check dmaops_high_water $ok "bounce_high_water=$(devval bounce_high_water) bounce_bytes=$(devval bounce_bytes)"
	value dmaops_maps "$(devval maps)"
	value dmaops_bytes_bounced "$(devval bytes_bounced)"
	value dmaops_bounce_high_water "$(devval bounce_high_water)"

	dma_census
	[ "$N_OUTSIDE" = 0 ] && [ "$N_COHERENT" -ge 2 ]
	check dmaops_dma_in_zone_after_traffic $? "$CENSUS"

	if [ "$IOMMU" != none ]; then
		n=$(iommu_faults_since "$mark")
		[ "$n" = 0 ]
		check dmaops_no_iommu_faults $? "IOMMU fault lines during traffic: $n"
	fi
	n=$(cat "$DMA_DBG/error_count")
	[ "$n" = 0 ] && ! dmesg_since "$mark" | grep -qE 'DMA-API: .*(device driver|mapping sg)'
	check dmaops_no_dma_api_reports $? "dma-api error_count=$n"
}

# --- exhaustion: maps fail, are counted, the driver drops, traffic recovers ----------
t_exhaustion() {
	local mark f0 f1 g0 g1 problems
	mark=$(dmesg_mark)
	f0=$(devval failed_maps)
	g0=$(sysval failed_allocations)
	echo 200 > "$DZ_DBG/fail_next"
	flood "$PEER_IP" 300 20
	echo 0 > "$DZ_DBG/fail_next"
	f1=$(devval failed_maps)
	g1=$(sysval failed_allocations)
	[ $((f1 - f0)) -ge 100 ] && [ $((g1 - g0)) -ge $((f1 - f0)) ]
	check dmaops_exhaustion_counted $? "failed_maps $f0 -> $f1, failed_allocations $g0 -> $g1 with 200 injected failures under a flood ($FLOOD_DETAIL)"
	problems=$(dmesg_since "$mark" | grep -E "$KERNEL_LOG_PROBLEMS" | head -3 | tr '\n' ' ')
	[ -z "$problems" ] && [ "$(cat "$DMA_DBG/error_count")" = 0 ]
	check dmaops_exhaustion_no_oops $? "kernel log since the injection: ${problems:-clean}; dmazone lines: $(dmesg_since "$mark" | grep -c 'cannot bounce')"
	ping_ok 10 && flood "$PEER_IP" 500 40 && [ "$FLOOD_RX" -ge 495 ]
	check dmaops_exhaustion_recovered $? "$PING_DETAIL; $FLOOD_DETAIL"
}

# --- run-time selection through sysfs --------------------------------------------------
t_sysfs_selection() {
	local e1 e2 e3 e4 e5 mark ok
	e1=$(errno_of "$TSYS/add" "00:02.0")
	e2=$(errno_of "$TSYS/add" "0000:00:02.0x")
	e3=$(errno_of "$TSYS/add" "0000:fe:1f.7")
	e4=$(errno_of "$TSYS/add" "$BDF")
	e5=$(errno_of "$TSYS/remove" "0000:fe:1f.7")
	[ "$e1" = EINVAL ] && [ "$e2" = EINVAL ] && [ "$e3" = ENODEV ] &&
		[ "$e4" = EEXIST ] && [ "$e5" = ENODEV ]
	check dmaops_sysfs_errors $? "add 00:02.0: $e1, add ${BDF}x: $e2, add 0000:fe:1f.7: $e3, add $BDF again: $e4, remove 0000:fe:1f.7: $e5"

	# remove: e1000e is rebound with its own DMA ops, outside the zone
	mark=$(dmesg_mark)
	ok=1
	if echo "$BDF" > "$TSYS/remove" && e1000e_up && ping_ok 5; then
		dma_census
		[ ! -e "$SYS/dev/$BDF" ] && [ -z "$(cat "$TSYS/selected")" ] &&
			[ "$N_IN_ZONE" = 0 ] && [ "$N_COHERENT" -ge 2 ] &&
			[ "$(sysval bytes_used)" = 0 ] &&
			dmesg_since "$mark" | grep -q "$BDF: dmazone: transparent: e1000e is bound, rebinding it to its own DMA ops" &&
			ok=0
	fi
	check dmaops_sysfs_remove $ok "driver=$(bound_driver) $PING_DETAIL; $CENSUS; bytes_used=$(sysval bytes_used)"
	e1=$(errno_of "$TSYS/remove" "$BDF")
	[ "$e1" = ENOENT ]
	check dmaops_sysfs_remove_again $? "remove $BDF again: $e1"

	# add: rebound onto the zone
	ok=1
	if echo "$BDF" > "$TSYS/add" && e1000e_up && ping_ok 5; then
		dma_census
		attached && [ "$N_OUTSIDE" = 0 ] && [ "$N_STREAMING" -ge 200 ] && ok=0
	fi
	check dmaops_sysfs_add $ok "selected: $(tr '\n' ' ' < "$TSYS/selected") $PING_DETAIL; $CENSUS"
}

# --- lifetime: unbind/rebind, unload/reload, the device back on plain DMA each time -----
t_cycles() {
	local i rc detail='' mem1 mem_n
	# step N: the first failing step of a cycle names it
	step() { [ "$rc" = 0 ] && rc=$1; }
	for i in $(seq "$CYCLES"); do
		rc=0
		# the driver goes: the zone is empty, the device detached
		echo "$BDF" > /sys/bus/pci/drivers/e1000e/unbind || step 1
		{ [ ! -e "$SYS/dev/$BDF" ] && [ "$(sysval bytes_used)" = 0 ] &&
			[ "$(sysval attached)" = 0 ] &&
			grep -qx "$BDF unbound" "$TSYS/selected"; } || step 2
		# and comes back onto the zone
		echo "$BDF" > /sys/bus/pci/drivers/e1000e/bind || step 3
		{ e1000e_up && attached && ping -c 1 -W 3 "$PEER_IP"; } >/dev/null 2>&1 || step 4
		# dmazone goes: the driver is rebound on plain DMA, and works
		rmmod dmazone || step 5
		{ e1000e_up && ping -c 1 -W 3 "$PEER_IP"; } >/dev/null 2>&1 || step 6
		dma_census
		{ [ "$N_IN_ZONE" = 0 ] && [ "$N_COHERENT" -ge 2 ] &&
			[ "$(bound_driver)" = e1000e ]; } || step 7
		# and comes back: the bound driver is rebound onto the zone
		load_dmazone transparent="$BDF" || step 8
		{ e1000e_up && attached && ping -c 1 -W 3 "$PEER_IP"; } >/dev/null 2>&1 || step 9
		dma_census
		{ [ "$N_OUTSIDE" = 0 ] && [ "$N_STREAMING" -ge 200 ]; } || step 10
		detail="$detail $i:rc=$rc"
		[ "$i" = 1 ] && mem1=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
		[ "$rc" = 0 ] || break
	done
	mem_n=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
	[ "$rc" = 0 ] && [ "$i" = "$CYCLES" ]
	check dmaops_unbind_reload_cycles $? "cycles=$CYCLES$detail (rc 1-2: unbind did not detach, 3-4: rebind not on the zone, 5-7: rmmod did not leave plain DMA that works, 8-10: insmod did not rebind onto the zone)"
	value dmaops_memavailable_kb_cycle1_to_last $((mem_n - ${mem1:-$mem_n}))
}

# --- the micro-benchmark ----------------------------------------------------------------
t_bench() {
	local report ns kib bounced
	echo "$BENCH" > "$DZ_DBG/bench_map"
	report=$(cat "$DZ_DBG/bench_map")
	ns=$(echo "$report" | sed -n 's/.* ns_per_map_unmap=\([0-9]*\) .*/\1/p')
	kib=$(echo "$report" | sed -n 's/.* ns_per_copied_kib=\([0-9]*\) .*/\1/p')
	bounced=$(echo "$report" | sed -n 's/.* bytes_bounced=\([0-9]*\) .*/\1/p')
	# per pair 1500 bytes in at map in both rounds, and out at unmap in one
	[[ $report == *result=PASS* ]] && [[ $report == *partial_write_preserved=1* ]] &&
		[ "${ns:-0}" -gt 0 ] && [ "${kib:-0}" -gt 0 ] && [ "${bounced:-0}" = $((3 * BENCH * 3 * 1500)) ]
	check dmaops_bench_map $? "$report"
	value bench_ns_per_map_unmap "${ns:-?}"
	value bench_ns_per_copied_kib "${kib:-?}"
}

t_final() {
	local mark
	mark=$(dmesg_mark)
	rmmod dmazone && e1000e_up && ping_ok 5 && ! lsmod | grep -q '^dmazone '
	check dmaops_unload_plain_dma $? "driver=$(bound_driver) $PING_DETAIL"
	[ "$(cat "$DMA_DBG/error_count")" = 0 ] && ! dmesg | grep -qE "$KERNEL_LOG_PROBLEMS"
	check kernel_log_clean $? "dma-api error_count=$(cat "$DMA_DBG/error_count"); $(dmesg | grep -E "$KERNEL_LOG_PROBLEMS" | head -3 | tr '\n' ' ')"
	value elapsed_s $(($(date +%s) - START))
}

main() {
	t_environment || { ktap_end; exit 1; }
	t_peer || { ktap_end; exit 1; }
	t_stock_plain
	t_select_at_load
	t_traffic
	t_exhaustion
	t_sysfs_selection
	t_bench
	t_cycles
	t_final
	ktap_end
}

main
