#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side tests of the dmazone e1000e patch, in one (non-nested) VM.
# Run INSIDE the VM as root, with the host tree visible read-only at the
# same path, /tmp writable, and both modules built on the host
# (make -C kmod; guest-driver/build.sh).
#
#   e1000e-zone-tests.sh [--kmod-dir DIR] [--driver FILE] [--base ADDR]
#                        [--size BYTES] [--cycles N] [--flood N]
#
# The VM (see guest-driver/README.md): q35, intel-iommu (caching-mode=on),
# an e1000e and a virtio-net NIC on the same QEMU hub, cmdline
# intel_iommu=on memmap=64M$0x40000000. The virtio NIC goes into a network
# namespace (10.77.0.2/24) and is the e1000e's (10.77.0.1/24) only peer: no
# traffic leaves the VM.
#
# Prints KTAP, through the one check emitter of every guest script,
# test-vms/src/main/resources/io/dmazone/vm/ktap.sh; exits 0 only if no
# check failed.

set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GD=$(cd "$HERE/../.." && pwd)
KMOD_DIR=$(cd "$GD/../kmod" && pwd)
# The VM sees this checkout read-only at the same path: the check emitter
# and the helpers shared with the nested tests (flood, rx_fault_inject) are
# read from test-vms' resources, where the nested runs take them from too.
VM_LIB=$GD/../test-vms/src/main/resources/io/dmazone/vm
# shellcheck source=../../../test-vms/src/main/resources/io/dmazone/vm/ktap.sh
. "$VM_LIB/ktap.sh"
# shellcheck source=../../../test-vms/src/main/resources/io/dmazone/vm/e1000e-lib.sh
. "$VM_LIB/e1000e-lib.sh"
# shellcheck source=../../../test-vms/src/main/resources/io/dmazone/vm/e1000e-peer-lib.sh
. "$VM_LIB/e1000e-peer-lib.sh"
DRIVER=$GD/build/e1000e.ko
ZONE_BASE=0x40000000
ZONE_SIZE=$((64 << 20))
CYCLES=10
FLOOD=2000

while [ $# -gt 0 ]; do
	case $1 in
	--kmod-dir) KMOD_DIR=$2; shift 2 ;;
	--driver) DRIVER=$2; shift 2 ;;
	--base) ZONE_BASE=$2; shift 2 ;;
	--size) ZONE_SIZE=$(($2)); shift 2 ;;
	--cycles) CYCLES=$2; shift 2 ;;
	--flood) FLOOD=$2; shift 2 ;;
	*) echo "usage: $0 [--kmod-dir DIR] [--driver FILE] [--base ADDR] [--size BYTES] [--cycles N] [--flood N]" >&2
	   exit 2 ;;
	esac
done

DZ_KO=$KMOD_DIR/dmazone.ko
SYS=/sys/kernel/dmazone
DZ_DBG=/sys/kernel/debug/dmazone
NS=dzpeer
LOCAL_IP=10.77.0.1
PEER_IP=10.77.0.2
START=$(date +%s)
BDF=

sysval() { cat "$SYS/$1" 2>/dev/null; }
dmesg_mark() { dmesg | wc -l; }
dmesg_since() { dmesg | tail -n +$(($1 + 1)); }
dmar_faults_since() { dmesg_since "$1" | grep -c 'DMAR: \[DMA'; }
ethstat() { ethtool -S "$IFACE" 2>/dev/null | awk -v k="$1:" '$1 == k { print $2 }'; }

load_driver() {
	insmod "$DRIVER" && e1000e_up
}

unload_driver() {
	rmmod e1000e
}

# peer_flood COUNT: flood (e1000e-lib.sh) at the peer, for at most 80 s
peer_flood() {
	flood "$PEER_IP" "$1" 80
}

# rings KEY: from the patched driver's debugfs "rings" file: the ring
# bases the NIC holds (read from RDBAL/RDBAH, TDBAL/TDBAH; BAR 0 itself
# cannot be mapped from user space, e1000e claims it exclusively) and the
# ranges of the Rx and Tx slots' zone buffers.
rings() {
	awk -v k="$1" '$1 == k { print $2 }' "/sys/kernel/debug/e1000e_dmazone/$BDF/rings"
}

in_zone() {
	python3 -c "import sys; a=int(sys.argv[1],0); b=int(sys.argv[2],0); s=int(sys.argv[3]); sys.exit(0 if b <= a < b + s else 1)" "$1" "$ZONE_BASE" "$ZONE_SIZE"
}

kernel_log_clean() {
	! dmesg | grep -qE "$KERNEL_LOG_PROBLEMS"
}

# --- environment ----------------------------------------------------------
t_environment() {
	local ok=0 detail
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	modprobe virtio_net 2>/dev/null
	BDF=$(find_e1000e) || ok=1
	ls -d /sys/class/iommu/dmar* >/dev/null 2>&1 || ok=1
	grep -q "$(printf '%x' $((ZONE_BASE)))-" /proc/iomem || ok=1
	[ -f "$DZ_KO" ] && [ -f "$DRIVER" ] || ok=1
	command -v iperf3 >/dev/null && command -v ethtool >/dev/null || ok=1
	# shellcheck disable=SC2012 # IOMMU names are plain words; ls sorts them
	detail="e1000e=${BDF:-none} iommu=$(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')driver=$DRIVER dmazone=$DZ_KO"
	check environment $ok "$detail kernel=$(uname -r) cmdline='$(cat /proc/cmdline)'"
	[ $ok = 0 ]
}

# --- zone mode: attach, rings, traffic -------------------------------------
t_zone_attach() {
	local ok mark line devs used allocs
	rmmod e1000e 2>/dev/null
	insmod "$DZ_KO" base="$ZONE_BASE" size="$ZONE_SIZE"
	check dmazone_loaded $? "base=$(sysval base) size=$(sysval size) mode=$(sysval mode)"

	mark=$(dmesg_mark)
	load_driver
	check patched_driver_loaded $? "iface=$IFACE bdf=$BDF"

	line=$(dmesg_since "$mark" | grep "$BDF: dmazone: rings and packet buffers from the zone" | sed 's/^\[[^]]*\] //')
	[ -n "$line" ] && echo "$line" | grep -q "confined by the IOMMU"
	check zone_attached_log $? "$line"

	devs=$(sysval devices)
	[ "$(sysval attached)" = 1 ] && echo "$devs" | grep -q "$BDF"
	check zone_attached_sysfs $? "attached=$(sysval attached) devices: $(echo "$devs" | tr '\n' ' ')"

	local rdba tdba nbuf lo hi
	rdba=$(rings rdba)
	tdba=$(rings tdba)
	ok=1
	[ -n "$rdba" ] && in_zone "$rdba" && in_zone "$tdba" && ok=0
	check rings_in_zone $ok "RDBA=${rdba:-?} TDBA=${tdba:-?} zone=$ZONE_BASE+$ZONE_SIZE"

	# 255 of the 256 Rx slots are posted (one stays free), 2 KiB each;
	# every Tx slot has 4 KiB, in one allocation; rings: Tx 256 x 16 B,
	# Rx 256 x 32 B
	nbuf=$(rings rx_buffers)
	lo=$(rings rx_buffer_lo)
	hi=$(rings rx_buffer_hi)
	ok=1
	[ "${nbuf:-0}" -ge 255 ] && in_zone "$lo" && in_zone "$hi" && ok=0
	check rx_buffers_in_zone $ok "rx_buffers=${nbuf:-?} range ${lo:-?}-${hi:-?}"
	tx_slot_buffers_in_zone 256
	check tx_slot_buffers_in_zone $? "$TX_SLOTS_DETAIL"

	used=$(sysval bytes_used)
	allocs=$(sysval active_allocations)
	[ "$used" -ge $((255 * 2048 + 256 * 4096 + 4096 + 8192)) ] && [ "$allocs" -ge 258 ]
	check zone_accounting $? "bytes_used=$used active_allocations=$allocs"
	value zone_bytes_used_idle "$used"

	[ "$(cat /sys/class/net/"$IFACE"/mtu)" = 1500 ] &&
		! ip link set "$IFACE" mtu 9000 2>/dev/null
	check zone_mtu_limited $? "mtu=$(cat /sys/class/net/"$IFACE"/mtu), 9000 refused"
}

t_zone_traffic() {
	local mark allocs0 allocs1 n
	mark=$(dmesg_mark)
	ping_ok 5
	check zone_ping $? "$PING_DETAIL"

	allocs0=$(sysval allocations)
	peer_flood "$FLOOD"
	allocs1=$(sysval allocations)
	[ "$FLOOD_RX" -ge $((FLOOD * 99 / 100)) ]
	check zone_ping_flood $? "$FLOOD_DETAIL"
	# the Tx and Rx slots keep their zone buffers: frames take none
	[ $((allocs1 - allocs0)) = 0 ]
	check no_zone_allocation_per_frame $? "zone allocations during the flood: $((allocs1 - allocs0)) for $FLOOD echo requests and their replies"

	iperf tx
	check zone_iperf_tx $? "e1000e -> peer ${MBPS:-?} Mbit/s"
	value zone_iperf_tx_mbps "${MBPS:-0}"
	iperf rx
	check zone_iperf_rx $? "peer -> e1000e ${MBPS:-?} Mbit/s"
	value zone_iperf_rx_mbps "${MBPS:-0}"

	n=$(dmar_faults_since "$mark")
	check zone_traffic_no_dmar_faults "$([ "$n" = 0 ]; echo $?)" "DMAR fault lines during traffic: $n"
	value zone_bytes_used_after_traffic "$(sysval bytes_used)"
}

# ethtool -G: the rings are reallocated, in the zone, and traffic goes on
t_zone_ring_resize() {
	local used256 used512 nbuf ok=1
	used256=$(sysval bytes_used)
	if ethtool -G "$IFACE" rx 512 tx 512 && e1000e_up; then
		used512=$(sysval bytes_used)
		nbuf=$(rings rx_buffers)
		[ "${nbuf:-0}" -ge 511 ] && in_zone "$(rings rdba)" &&
			in_zone "$(rings rx_buffer_hi)" && ping_ok 5 && ok=0
	fi
	check zone_ring_resize $ok "rx/tx 512: bytes_used $used256 -> ${used512:-?}, rx_buffers=${nbuf:-?}, ${PING_DETAIL:-}"
	ok=1
	ethtool -G "$IFACE" rx 256 tx 256 && e1000e_up &&
		[ "$(sysval bytes_used)" -le $((used256 + 65536)) ] && ok=0
	check zone_ring_resize_back $ok "rx/tx 256: bytes_used $(sysval bytes_used)"
}

# tx_slot_buffers_in_zone COUNT: the Tx slots' zone buffers, 4 KiB each
# for COUNT slots, lie in the zone; sets TX_SLOTS_DETAIL
tx_slot_buffers_in_zone() {
	local lo hi
	lo=$(rings tx_slot_buffer_lo)
	hi=$(rings tx_slot_buffer_hi)
	TX_SLOTS_DETAIL="range ${lo:-?}-${hi:-?} for $1 slots"
	[ -n "$lo" ] && [ -n "$hi" ] && [ $((hi - lo + 1)) = $(($1 * 4096)) ] &&
		in_zone "$lo" && in_zone "$hi"
}

# tx_per_frame 0|1: the patched driver's dmazone_tx_per_frame, which the Tx
# ring reads when it is set up: the interface goes down and up
tx_per_frame() {
	echo "$1" > /sys/module/e1000e/parameters/dmazone_tx_per_frame &&
		ip link set "$IFACE" down && e1000e_up
}

# A full zone: traffic takes nothing from it (the Tx slots' buffers are the
# ring's, and so are the Rx slots'), so frames go out whatever the zone has
# left; in the per-frame mode a frame that gets no buffer is dropped and
# counted, and traffic recovers. An open posts all Rx slots but one, which
# gets its buffer at the first frame received: the first ping, before the
# failures are armed.
t_zone_exhaustion() {
	local d0 d1 f0 f1 mark problems ok slots=
	ping_ok 1
	d0=$(ethstat dmazone_tx_drops)
	f0=$(sysval failed_allocations)
	echo 30 > "$DZ_DBG/fail_next"
	ping_ok 5
	ok=$?
	echo 0 > "$DZ_DBG/fail_next"
	d1=$(ethstat dmazone_tx_drops)
	f1=$(sysval failed_allocations)
	[ "$ok" = 0 ] && [ "${d1:-x}" = "${d0:-y}" ] && [ "${f1:-x}" = "${f0:-y}" ]
	check tx_slots_need_no_zone_allocation $? "with 30 zone allocation failures armed: $PING_DETAIL; dmazone_tx_drops ${d0:-?} -> ${d1:-?}; failed allocations ${f0:-?} -> ${f1:-?}"

	ok=1
	PING_DETAIL=
	tx_per_frame 1 && slots=$(rings tx_slot_buffer_lo) && [ -z "$slots" ] && ping_ok 5 && ok=0
	check tx_per_frame_mode $ok "dmazone_tx_per_frame=1: Tx slot buffers at ${slots:-none}; ${PING_DETAIL:-}"
	mark=$(dmesg_mark)
	d0=$(ethstat dmazone_tx_drops)
	echo 30 > "$DZ_DBG/fail_next"
	ping -c 5 -i 0.2 -W 1 "$PEER_IP" >/dev/null 2>&1
	echo 0 > "$DZ_DBG/fail_next"
	d1=$(ethstat dmazone_tx_drops)
	[ "${d1:-0}" -gt "${d0:-0}" ]
	check zone_exhaustion_counted $? "per frame: dmazone_tx_drops ${d0:-?} -> ${d1:-?} with 30 injected zone allocation failures"
	problems=$(dmesg_since "$mark" | grep -E "$KERNEL_LOG_PROBLEMS" | head -3 | tr '\n' ' ')
	ping_ok 5 && [ -z "$problems" ]
	check zone_exhaustion_recovered $? "$PING_DETAIL; kernel log since the failures: ${problems:-clean}"

	ok=1
	PING_DETAIL=
	tx_per_frame 0 && tx_slot_buffers_in_zone 256 && ping_ok 5 && ok=0
	check tx_per_slot_mode_back $ok "dmazone_tx_per_frame=0: Tx slot buffers ${TX_SLOTS_DETAIL:-?}; ${PING_DETAIL:-}"
}

# An Rx slot keeps its zone buffer for the life of the ring, so the Rx
# refill only asks the zone for one when a slot is (re)filled from empty:
# at open and after a ring resize (both allocate the rings from the zone
# first, so injected failures would fail those instead), or after an
# adapter reset (ethtool -r: e1000e_reinit_locked frees every Rx buffer
# and refills the ring, which stays). A failed refill leaves the rest of
# the ring empty until NAPI retries it (at least on the watchdog's Rx
# interrupt, every 2 s). fail_next is held high for a window rather than
# set to a count, so that the refill after the reset meets it whenever it
# comes.
t_zone_rx_exhaustion() {
	local hold=1000000 json=/tmp/rx-exhaustion-load.json
	local size p0 p1 mark r0 r1 t0 t1 f0 f1 reset_rc short srv cli load_rc
	local load problems n i nbuf rc_ping rc_iperf ok
	size=$(ethtool -g "$IFACE" | awk '/^Current/ { c = 1 } c && $1 == "RX:" { print $2; exit }')

	ip netns exec "$NS" iperf3 -s -1 -B "$PEER_IP" >/dev/null 2>&1 &
	srv=$!
	PIDS+=("$srv")
	sleep 1
	timeout 60 iperf3 -c "$PEER_IP" -R -t 12 -J >"$json" 2>/dev/null &
	cli=$!
	PIDS+=("$cli")
	sleep 2
	p0=$(cat "/sys/class/net/$IFACE/statistics/rx_packets")
	sleep 1
	p1=$(cat "/sys/class/net/$IFACE/statistics/rx_packets")

	mark=$(dmesg_mark)
	r0=$(ethstat dmazone_rx_drops)
	t0=$(ethstat dmazone_tx_drops)
	f0=$(sysval failed_allocations)
	echo "$hold" > "$DZ_DBG/fail_next"
	ethtool -r "$IFACE"
	reset_rc=$?
	sleep 1
	short=$(rings rx_buffers)
	sleep 2
	echo 0 > "$DZ_DBG/fail_next"
	r1=$(ethstat dmazone_rx_drops)
	t1=$(ethstat dmazone_tx_drops)
	f1=$(sysval failed_allocations)
	ok=1
	[ "$reset_rc" = 0 ] && [ $((p1 - p0)) -ge 100 ] &&
		[ "${r1:-0}" -gt "${r0:-0}" ] && ok=0
	check rx_exhaustion_counted $ok "dmazone_rx_drops ${r0:-?} -> ${r1:-?} with $((f1 - f0)) injected zone allocation failures (fail_next=$hold for 3 s from ethtool -r, rc=$reset_rc) under iperf3 peer -> e1000e at $((p1 - p0)) rx packets/s; rx_buffers during: ${short:-?} of $size slots; dmazone_tx_drops ${t0:-?} -> ${t1:-?}"

	wait "$cli"
	load_rc=$?
	load=$(iperf_mbps < "$json")
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null

	problems=$(dmesg_since "$mark" | grep -E "$KERNEL_LOG_PROBLEMS|Detected Hardware Unit Hang|NETDEV WATCHDOG" | head -3 | tr '\n' ' ')
	n=$(dmar_faults_since "$mark")
	[ -z "$problems" ]
	check rx_exhaustion_no_oops $? "kernel log since the injection: ${problems:-clean}; DMAR fault lines: $n"

	for i in $(seq 50); do
		nbuf=$(rings rx_buffers)
		[ "${nbuf:-0}" -ge $((size - 1)) ] && break
		sleep 0.2
	done
	ping_ok 5
	rc_ping=$?
	MBPS=
	iperf rx
	rc_iperf=$?
	ok=1
	[ $rc_ping = 0 ] && [ $rc_iperf = 0 ] && [ "${nbuf:-0}" -ge $((size - 1)) ] && ok=0
	check rx_exhaustion_recovered $ok "rx_buffers ${nbuf:-?} of $size slots (looked $i time(s), 0.2 s apart); ping $PING_DETAIL; iperf3 peer -> e1000e ${MBPS:-failed} Mbit/s; the load iperf3 exited $load_rc, ${load:-no} Mbit/s"
}

t_fault_injection() {
	local mark page line n
	mark=$(dmesg_mark)
	# The injected descriptor is reached once the NIC has gone round the
	# 256-slot ring.
	rx_fault_inject "$BDF" peer_flood 1000

	# DMAR reports the faulting page
	page=$(printf "0x%x" $((${FAULT_ADDR:-0} & ~0xfff)))
	line=$(echo "$FAULT_LOG" | grep 'DMAR: \[DMA Write' | grep "fault addr $page" | head -1 | sed 's/^\[[^]]*\] //')
	[ -n "$line" ]
	check fault_dmar_logged $? "${line:-no DMAR line for $page; DMAR lines: $(echo "$FAULT_LOG" | grep -c DMAR)}"
	[ -n "$line" ] && value dmar_fault_line "$line"

	n=$(ethstat dmazone_rx_faults)
	[ "${n:-0}" = 1 ]
	check fault_counted $? "dmazone_rx_faults=${n:-?}"

	ping_ok 10
	check fault_traffic_resumes $? "$PING_DETAIL"
	peer_flood 500
	[ "$FLOOD_RX" -ge 495 ]
	check fault_traffic_resumes_flood $? "$FLOOD_DETAIL"

	n=$(dmesg_since "$mark" | grep -c 'DMAR: \[DMA')
	value fault_dmar_lines "$n"
}

t_reload_cycles() {
	local i ok=0 detail='' used att rc
	local mem1 mem_n
	unload_driver
	rmmod dmazone
	for i in $(seq "$CYCLES"); do
		rc=0
		insmod "$DZ_KO" base="$ZONE_BASE" size="$ZONE_SIZE" || rc=1
		load_driver || rc=2
		if [ $rc = 0 ]; then
			[ "$(sysval attached)" = 1 ] || rc=3
			ping -c 1 -W 3 "$PEER_IP" >/dev/null 2>&1 || rc=4
		fi
		unload_driver || rc=5
		used=$(sysval bytes_used)
		att=$(sysval attached)
		[ "$used" = 0 ] && [ "$att" = 0 ] &&
			[ "$(sysval active_allocations)" = 0 ] || rc=6
		rmmod dmazone || rc=7
		detail="$detail $i:rc=$rc,used=$used,attached=$att"
		[ $rc = 0 ] || ok=1
		# MemAvailable after the first cycle (page cache of the module
		# files settled) and after the last: informational only
		[ "$i" = 1 ] && mem1=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
	done
	mem_n=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
	check reload_cycles_no_leak $ok "cycles=$CYCLES$detail"
	value reload_memavailable_kb_cycle1_to_last $((mem_n - mem1))
}

t_without_dmazone() {
	local mark ok
	mark=$(dmesg_mark)
	! lsmod | grep -q '^dmazone ' && load_driver
	check upstream_mode_loaded $? "dmazone not loaded; iface=$IFACE"
	! dmesg_since "$mark" | grep -q "dmazone:"
	check upstream_mode_no_zone $? "no dmazone line in dmesg"
	ping_ok 10
	check upstream_mode_ping $? "$PING_DETAIL"
	peer_flood 500
	[ "$FLOOD_RX" -ge 495 ]
	check upstream_mode_flood $? "$FLOOD_DETAIL"
	iperf tx
	check upstream_mode_iperf_tx $? "${MBPS:-?} Mbit/s"
	value upstream_iperf_tx_mbps "${MBPS:-0}"
	[ "$(ip link set "$IFACE" mtu 9000 2>&1; echo $?)" = 0 ] &&
		ip link set "$IFACE" mtu 1500
	check upstream_mode_jumbo_allowed $? "mtu 9000 accepted as upstream"
	e1000e_up >/dev/null 2>&1
	unload_driver
	check upstream_mode_unload $? ""
}

main() {
	t_environment || { ktap_end; exit 1; }
	t_peer || { ktap_end; exit 1; }
	t_zone_attach
	t_zone_traffic
	t_zone_ring_resize
	t_zone_exhaustion
	t_zone_rx_exhaustion
	t_fault_injection
	t_reload_cycles
	t_without_dmazone
	kernel_log_clean
	check kernel_log_clean $? "$(dmesg | grep -E "$KERNEL_LOG_PROBLEMS" | head -3 | tr '\n' ' ')"
	value elapsed_s $(($(date +%s) - START))
	# the plan; its status, failed, is the script's
	ktap_end
}

main
