# Helpers for L1 companions (bash, in L1, beside L2; see l1-nested.sh for
# L2_PID, OUT, L2_BDFS, L2_CONSOLE). L1's virtio-net NIC and the e1000e
# passed through to L2 share a hub of the outer QEMU: 10.78.0.1 is L1,
# 10.78.0.2 is L2. L2 waits at "DMAZONE-SYNC <label>" lines (l2-lib.sh) in
# `nc -l` until L1 has done its part and connects to SYNC_PORT.
L1_IP=10.78.0.1
L2_IP=10.78.0.2
SYNC_PORT=5399

check() {
	local name=$1 ok=$2
	shift 2
	if [ "$ok" = 0 ]; then
		echo "CHECK $name PASS $*"
	else
		echo "CHECK $name FAIL $*"
	fi
}
value() { echo "VALUE $*"; }

# vmlck_kib [PID]: VmLck of L2's QEMU (or PID), empty once it is gone
vmlck_kib() { awk '/^VmLck:/ { print $2 }' "/proc/${1:-$L2_PID}/status" 2>/dev/null; }

# cpu_ticks: user + system time of L2's QEMU, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$L2_PID/stat" 2>/dev/null; }

# pins_outstanding: pages pinned with FOLL_PIN in L1 and not yet released,
# over all processes (what VFIO type1 pins for its mappings)
pins_outstanding() {
	awk '$1 == "nr_foll_pin_acquired" { a = $2 } $1 == "nr_foll_pin_released" { r = $2 }
	     END { print a - r }' /proc/vmstat
}

# l1_nic_up: L1's side of the hub (the virtio-net NIC) gets L1_IP
l1_nic_up() {
	local d iface=""
	modprobe virtio_net 2>/dev/null
	for _ in $(seq 50); do
		for d in /sys/class/net/*; do
			[ "$(basename "$(readlink "$d/device/driver" 2>/dev/null)")" = virtio_net ] &&
				iface=$(basename "$d")
		done
		[ -n "$iface" ] && break
		sleep 0.2
	done
	[ -n "$iface" ] && ip addr add "$L1_IP/24" dev "$iface" && ip link set "$iface" up &&
		echo "$iface"
}

# wait_sync LABEL TIMEOUT_S: until L2 prints "DMAZONE-SYNC LABEL"; fails if
# L2's QEMU is gone or the time is up
wait_sync() {
	local deadline=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$L2_PID" 2>/dev/null; do
		grep -q "^DMAZONE-SYNC $1\b" "$L2_CONSOLE" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# release_sync: lets L2 go on (it listens once per sync)
release_sync() {
	local deadline=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$deadline" ]; do
		timeout 5 bash -c "exec 3<>/dev/tcp/$L2_IP/$SYNC_PORT && echo go >&3" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# traffic NAME SECONDS [IPERF3 ARGS]: an iperf3 TCP run against L2's server,
# its JSON in OUT/iperf-NAME.json; prints the highest VmLck of L2's QEMU
# during the run and the CPU time L2's QEMU spent. L2's server takes a while
# to listen again after a run (it is emulated twice over): a refused
# connection is retried.
traffic() {
	local name=$1 secs=$2 pid max=0 v c0 c1 rc attempt
	shift 2
	for attempt in $(seq 20); do
		c0=$(cpu_ticks)
		timeout $((secs + 90)) iperf3 -c "$L2_IP" -t "$secs" -J "$@" \
			>"$OUT/iperf-$name.json" 2>"$OUT/iperf-$name.stderr" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			v=$(vmlck_kib)
			[ "${v:-0}" -gt "$max" ] && max=$v
			sleep 0.5
		done
		wait "$pid"
		rc=$?
		c1=$(cpu_ticks)
		grep -q '"error":.*\(refused\|busy\)' "$OUT/iperf-$name.json" || break
		sleep 1
	done
	grep -q '"error":' "$OUT/iperf-$name.json" && rc=1
	value "${name}_iperf3_attempts" "$attempt"
	value "${name}_iperf3_status" "$rc"
	value "${name}_vmlck_max_kib" "$max"
	value "${name}_l2_qemu_cpu_ticks" $((${c1:-0} - ${c0:-0}))
	return $rc
}

# flood COUNT: ping -f at L2; sets FLOOD_RX and FLOOD_DETAIL
flood() {
	local out
	out=$(timeout 120 ping -f -c "$1" -w 100 "$L2_IP" 2>&1)
	FLOOD_RX=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	FLOOD_RX=${FLOOD_RX:-0}
	FLOOD_DETAIL=$(echo "$out" | grep -E 'received|rtt' | tr '\n' ' ')
}
