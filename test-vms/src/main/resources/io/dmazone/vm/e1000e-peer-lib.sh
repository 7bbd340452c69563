# shellcheck shell=bash
# Helpers of the one-VM e1000e tests (bash, after ktap.sh):
# guest-driver/tests/guest/e1000e-zone-tests.sh (the patched driver) and
# kmod/tests/guest/transparent-e1000e-tests.sh (the stock driver on
# dmazone's DMA ops). Their VM has an e1000e and a virtio-net NIC on one
# QEMU hub; the virtio NIC goes into the network namespace NS as PEER_IP,
# the e1000e's (LOCAL_IP) only peer. The script sets NS, LOCAL_IP, PEER_IP
# and BDF (find_e1000e) before it calls them; they set IFACE, PEER_IF and
# record background PIDS for the exit trap.
IFACE=
PEER_IF=
PIDS=()

# What a dirty kernel log shows: a warning, a BUG or oops, a DMA-API
# debugging report or its giving up (the lean test kernel has
# CONFIG_DMA_API_DEBUG; its boot-time "DMA-API: preallocated" lines are not
# reports).
# shellcheck disable=SC2034 # for the scripts that source this file
KERNEL_LOG_PROBLEMS='WARNING:|BUG:|Oops|general protection|Call Trace|DMA-API: .*(device driver|mapping sg|out of memory)|dma-debug disabled'

peer_cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
}
trap peer_cleanup EXIT

# find_e1000e: the PCI address of QEMU's e1000e (82574L, 8086:10d3)
find_e1000e() {
	local d
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x8086 ] &&
		   [ "$(cat "$d/device")" = 0x10d3 ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# e1000e_up: address and link of the e1000e after a (re)load or (re)bind;
# sets IFACE. The interface may still be renamed (eth0 -> enp0s9) right
# after probe: retry until the configuration sticks.
e1000e_up() {
	local i
	IFACE=
	for i in $(seq 50); do
		# shellcheck disable=SC2012 # interface names are plain words; ls sorts them
		IFACE=$(ls "/sys/bus/pci/devices/$BDF/net" 2>/dev/null | head -1)
		if [ -n "$IFACE" ] &&
		   ip addr flush dev "$IFACE" 2>/dev/null &&
		   ip addr add "$LOCAL_IP/24" dev "$IFACE" 2>/dev/null &&
		   ip link set "$IFACE" up 2>/dev/null; then
			break
		fi
		IFACE=
		sleep 0.2
	done
	[ -n "$IFACE" ] || return 1
	# shellcheck disable=SC2034 # i only counts the tries
	for i in $(seq 150); do
		[ "$(cat "/sys/class/net/$IFACE/carrier" 2>/dev/null)" = 1 ] &&
			return 0
		sleep 0.1
	done
	return 1
}

# t_peer: the virtio-net NIC into NS as PEER_IP (check peer_namespace)
# shellcheck disable=SC2153 # PEER_IP is the sourcing script's
t_peer() {
	local d ok=1
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink "$d/device/driver" 2>/dev/null)")" = virtio_net ] &&
			PEER_IF=$(basename "$d") && break
	done
	if [ -n "$PEER_IF" ] && ip netns add "$NS" &&
	   ip link set "$PEER_IF" netns "$NS" &&
	   ip netns exec "$NS" ip addr add "$PEER_IP/24" dev "$PEER_IF" &&
	   ip netns exec "$NS" ip link set "$PEER_IF" up &&
	   ip netns exec "$NS" ip link set lo up; then
		ok=0
	fi
	check peer_namespace $ok "virtio-net ${PEER_IF:-none} in netns $NS as $PEER_IP"
	[ $ok = 0 ]
}

# ping_ok COUNT: COUNT pings at 50 ms, at most one lost; sets PING_DETAIL
ping_ok() {
	local out rx
	out=$(ping -c "$1" -i 0.05 -W 2 "$PEER_IP" 2>&1)
	rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	# shellcheck disable=SC2034 # for the scripts that source this file
	PING_DETAIL="received ${rx:-0}/$1"
	[ "${rx:-0}" -ge $(($1 - 1)) ]
}

# iperf DIR: 5 s TCP, DIR tx (the e1000e sends) or rx (-R); sets MBPS
iperf() {
	local rev='' json pid
	[ "$1" = rx ] && rev=-R
	ip netns exec "$NS" iperf3 -s -1 -B "$PEER_IP" >/dev/null 2>&1 &
	pid=$!
	PIDS+=("$pid")
	sleep 1
	json=$(timeout 40 iperf3 -c "$PEER_IP" -t 5 $rev -J 2>/dev/null)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	MBPS=$(echo "$json" | iperf_mbps)
	[ -n "$MBPS" ]
}

# iperf_mbps: received Mbit/s from iperf3 -J output on stdin, empty if none
iperf_mbps() {
	python3 -c '
import json, sys
try:
    print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print("")' 2>/dev/null
}
