# Helpers for L1 companions (bash, in L1, beside L2, after ktap.sh; see
# l1-nested.sh for L2_PID, OUT, L2_BDFS, L2_CONSOLE). L1's virtio-net NIC
# and the e1000e passed through to L2 share a hub of the outer QEMU:
# L1_IP is L1, L2_IP is L2 (10.78.0.1 and 10.78.0.2 unless set before this
# file; in a side-by-side run each L2 has its own hub and subnet, and L1's
# NIC on it the MAC address L1_MAC). L2 waits at "DMAZONE-SYNC <label>" lines
# (l2-lib.sh) in `nc -l` until L1 has done its part and connects to
# SYNC_PORT.
# shellcheck shell=bash
L1_IP=${L1_IP:-10.78.0.1}
L2_IP=${L2_IP:-10.78.0.2}
L1_MAC=${L1_MAC:-}
SYNC_PORT=5399

# l1_java CLASS ARGS...: one of the project's Java programs (GUEST_CP) in L1,
# sized for an emulated guest that runs L2 beside it: small heap, serial GC,
# the quick compiler only
l1_java() { java -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$GUEST_CP" "$@"; }

# samples_count [TSV]: lines so far in a FootprintSampler TSV (L2 QEMU's, OUT/samples.tsv, by default)
# shellcheck disable=SC2120 # a companion may name another sampler's TSV
samples_count() { wc -l 2>/dev/null <"${1:-$OUT/samples.tsv}" || echo 0; }

# vmlck_kib [TSV]: VmLck (KiB) of L2's QEMU (or of the process another
# FootprintSampler follows into TSV) in the first sample taken after the
# call, as l1-nested.sh's sampler reads it through the Java API; the last one
# there is when no sample comes within 5 s (the process is gone)
# shellcheck disable=SC2120 # a companion may name another sampler's TSV
vmlck_kib() {
	local tsv=${1:-$OUT/samples.tsv} n
	n=$(samples_count "$tsv")
	for _ in $(seq 20); do
		[ "$(samples_count "$tsv")" -gt "$n" ] && break
		sleep 0.25
	done
	awk -F '\t' 'NR > 1 { v = $2 } END { print v }' "$tsv" 2>/dev/null
}

# vmlck_max_kib FROM [TSV]: the highest VmLck (KiB) sampled after line FROM
# (a samples_count taken earlier)
vmlck_max_kib() {
	awk -F '\t' -v from="$1" 'NR > from && NR > 1 && $2 > max { max = $2 } END { print max + 0 }' \
		"${2:-$OUT/samples.tsv}" 2>/dev/null
}

# cpu_ticks: user + system time of L2's QEMU, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$L2_PID/stat" 2>/dev/null; }

# device_irqs BDF...: the interrupts L1 took from the devices it passed to
# L2 (vfio-pci's INTx, MSI and MSI-X lines naming them), summed over CPUs,
# from /proc/interrupts on stdin; each reached L2's QEMU as an eventfd
device_irqs() {
	awk -v bdfs=" $* " '
		/vfio-(intx|msi|msix)/ && match($NF, /\([^)]*\)$/) &&
			index(bdfs, " " substr($NF, RSTART + 1, RLENGTH - 2) " ") {
			for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i
		}
		END { print n + 0 }'
}

# pins_outstanding: pages pinned with FOLL_PIN in L1 and not yet released,
# over all processes (what VFIO type1 pins for its mappings)
pins_outstanding() {
	awk '$1 == "nr_foll_pin_acquired" { a = $2 } $1 == "nr_foll_pin_released" { r = $2 }
	     END { print a - r }' /proc/vmstat
}

# l1_nic_up: L1's side of the hub (the virtio-net NIC, the one with L1_MAC
# when that is set) gets L1_IP
l1_nic_up() {
	local d iface=""
	modprobe virtio_net 2>/dev/null
	for _ in $(seq 50); do
		for d in /sys/class/net/*; do
			[ "$(basename "$(readlink "$d/device/driver" 2>/dev/null)")" = virtio_net ] || continue
			[ -z "$L1_MAC" ] || [ "$(cat "$d/address")" = "$L1_MAC" ] && iface=$(basename "$d")
		done
		[ -n "$iface" ] && break
		sleep 0.2
	done
	# replace: a companion run again after a hung L2 boot finds the address there
	[ -n "$iface" ] && ip addr replace "$L1_IP/24" dev "$iface" && ip link set "$iface" up &&
		echo "$iface"
}

# wait_console REGEX TIMEOUT_S: until a line of L2's console matches; fails
# if L2's QEMU is gone or the time is up
wait_console() {
	local deadline=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$L2_PID" 2>/dev/null; do
		grep -q "$1" "$L2_CONSOLE" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# wait_sync LABEL TIMEOUT_S: until L2 prints "DMAZONE-SYNC LABEL"
wait_sync() { wait_console "^DMAZONE-SYNC $1\b" "$2"; }

# qmp_devices add|del CHECK: adds (or removes) the devices of L2's zone plan
# (OUT/plan/hot-add) to its QEMU over QMP (L2_QMP) through QmpDevices, which
# confirms each is there (or gone; a removal waits for L2 to let the device
# go), or gives up after 240 s; its checks are relayed, then CHECK
qmp_devices() {
	local specs result rc
	mapfile -t specs <"$OUT/plan/hot-add"
	result=$(l1_java io.dmazone.guest.QmpDevices "$1" "$L2_QMP" "${specs[@]}")
	rc=$?
	ktap_relay "$result"
	check "$2" $rc "${specs[*]} over $L2_QMP"
}

# hot_add: once L2 says its IOMMU is on ("DMAZONE-HOT-ADD ready",
# l2-hot-plug.sh), adds the plan's devices; reports L2 QEMU's VmLck just before
hot_add() {
	wait_console '^DMAZONE-HOT-ADD ready' 900
	check l2_iommu_on_before_hot_add $? "L2 printed DMAZONE-HOT-ADD ready"
	value vmlck_before_hot_add_kib "$(vmlck_kib)"
	qmp_devices add devices_hot_added
}

# hot_remove: once L2 is ready for it ("DMAZONE-HOT-REMOVE ready"), removes
# the devices hot_add added
hot_remove() {
	wait_console '^DMAZONE-HOT-REMOVE ready' 600
	check l2_ready_for_hot_remove $? "L2 printed DMAZONE-HOT-REMOVE ready"
	qmp_devices del devices_hot_removed
}

# release_sync LABEL: lets L2 go on from that sync; L2 ignores a late
# duplicate, so a retry after an unconfirmed attempt is harmless
release_sync() {
	local deadline=$((SECONDS + 120))
	while [ "$SECONDS" -lt "$deadline" ]; do
		timeout 20 bash -c "exec 3<>/dev/tcp/$L2_IP/$SYNC_PORT && echo 'go $1' >&3" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# pin_budget: holds L2's QEMU, started without CAP_IPC_LOCK, to its zone
# plan's RLIMIT_MEMLOCK (PLAN_MEMLOCK_BYTES from l1-nested.sh) through the
# Java API (ZonePinBudget), with its checks
pin_budget() {
	local caps budget rc cap_ipc_lock=14
	caps=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$L2_PID/status")
	[ $((0x${caps:-4000} >> cap_ipc_lock & 1)) = 0 ]
	check l2_qemu_without_ipc_lock $? "CapEff ${caps:-?}: without CAP_IPC_LOCK RLIMIT_MEMLOCK binds VFIO's pins"
	# its checks, a KTAP stream of its own, renumbered into this one
	budget=$(l1_java io.dmazone.guest.ZonePinBudget "$L2_PID" "$PLAN_MEMLOCK_BYTES")
	rc=$?
	ktap_relay "$budget"
	check pin_budget_set $rc "ZonePinBudget $L2_PID ${PLAN_MEMLOCK_BYTES:-(no zone plan)}"
}

# l1_iommu_faults: DMA faults L1's IOMMU reported, which is where a fault of
# the NIC passed through to L2 shows
l1_iommu_faults() { dmesg | grep -c 'DMAR: \[DMA'; }

# dmar_write_fault ADDR [AFTER]: the first DMAR write fault at ADDR's page
# in L1's kernel log (only its lines after the first AFTER), without its
# timestamp; nothing when there is none
dmar_write_fault() {
	local page
	page=$(printf '0x%x' $(($1 & ~0xfff)))
	dmesg | tail -n +$((${2:-0} + 1)) | grep 'DMAR: \[DMA Write' | grep "fault addr $page" | head -1 |
		sed 's/^\[[^]]*\] //'
}

# VFIO_IOMMU_MAP_DMA = _IO(';', 100 + 13) = 0x3b71, VFIO_IOMMU_UNMAP_DMA =
# _IO(';', 100 + 14) = 0x3b72; in decimal for the trace filter.
MAP_DMA=15217
UNMAP_DMA=15218
IOCTL_EVENT=/sys/kernel/tracing/events/syscalls/sys_enter_ioctl

# vfio_count_start: from now on the kernel counts every MAP_DMA and
# UNMAP_DMA ioctl in L1, per calling thread, in a histogram of the ioctl
# entry tracepoint: no stop, no copy, the calls run at full speed. One
# histogram serves every L2 QEMU of the run: a second start finds it there.
vfio_count_start() {
	local trigger="hist:keys=common_pid,cmd if cmd == $MAP_DMA || cmd == $UNMAP_DMA"
	mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing || return 1
	grep -q '^hist:keys=common_pid,cmd:' "$IOCTL_EVENT/trigger" && return 0
	echo "$trigger" >"$IOCTL_EVENT/trigger" 2>/dev/null ||
		grep -q '^hist:keys=common_pid,cmd:' "$IOCTL_EVENT/trigger"
}

# qemu_tids: the thread ids of L2's QEMU (L2_PID), blank-separated
qemu_tids() {
	local tids="" task
	for task in "/proc/$L2_PID/task/"*; do
		tids="$tids${task##*/} "
	done
	echo "$tids"
}

# vfio_counts [TIDS]: "MAP_DMA UNMAP_DMA" calls counted so far from the
# threads TIDS (qemu_tids, taken now by default)
# shellcheck disable=SC2120 # most callers count the threads of now
vfio_counts() {
	local tids=${1:-$(qemu_tids)}
	awk -v map="$MAP_DMA" -v unmap="$UNMAP_DMA" -v tids=" $tids" '
		$1 == "{" && $2 == "common_pid:" {
			pid = $3; sub(",", "", pid)
			if (index(tids, " " pid " ")) n[$5] += $8
		}
		END { printf "%d %d\n", n[map], n[unmap] }' "$IOCTL_EVENT/hist"
}

# insn_snapshot: the instruction counter's sums so far (l1-nested.sh's
# INSN_CTL and INSN_LOG), as "user=N kernel=N boot=N NAME=N..."; fails
# when L2's QEMU loads no counter or it does not answer within 10 s. The
# FIFO is opened read-write, so the write never waits for a reader.
insn_snapshot() {
	local before line
	[ -n "${INSN_CTL:-}" ] || return 1
	before=$(wc -l <"$INSN_LOG")
	echo 1<>"$INSN_CTL"
	for _ in $(seq 100); do
		# a line counts once its newline is there
		if [ "$(wc -l <"$INSN_LOG")" -gt "$before" ]; then
			line=$(sed -n "$((before + 1))p" "$INSN_LOG")
			echo "${line#* }"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# insn_values NAME BEFORE AFTER: a value NAME_insn_COUNT per count of two
# insn_snapshot lines, the instructions in between (boot's aside: it is
# the time before L2's kernel ran)
insn_values() {
	local name=$1 kv key
	declare -A from=()
	for kv in $2; do
		from[${kv%%=*}]=${kv#*=}
	done
	for kv in $3; do
		key=${kv%%=*}
		[ "$key" = boot ] || [ -z "${from[$key]:-}" ] && continue
		value "${name}_insn_$key" $((${kv#*=} - from[$key]))
	done
}

# traffic NAME SECONDS [IPERF3 ARGS]: an iperf3 TCP run against L2's server,
# its JSON in OUT/iperf-NAME.json; prints the highest VmLck of L2's QEMU
# during the run, the CPU time L2's QEMU spent, the VFIO map calls it
# made (after vfio_count_start), the interrupts of the devices passed to it
# (device_irqs) and, with an instruction counter, the instructions L2
# executed and the register accesses of its drivers (insn_values). L2's server takes a while
# to listen again after a run (it is emulated twice over): a refused
# connection is retried, and so is a control connection the server reset
# (seen once on a loaded machine: "unable to receive control message:
# Connection reset by peer", the run's data never started). The attempts
# are reported.
traffic() {
	local name=$1 secs=$2 max c0 c1 rc attempt maps0 maps1 from insn0 insn1 irq0 irq1
	shift 2
	for attempt in $(seq 20); do
		insn0=$(insn_snapshot)
		c0=$(cpu_ticks)
		maps0=$(vfio_counts 2>/dev/null)
		# shellcheck disable=SC2086 # the addresses are separate words
		irq0=$(device_irqs ${L2_BDFS:-} </proc/interrupts)
		# shellcheck disable=SC2119 # L2's QEMU's samples: the default
		from=$(samples_count)
		timeout $((secs + 90)) iperf3 -c "$L2_IP" -t "$secs" -J "$@" \
			>"$OUT/iperf-$name.json" 2>"$OUT/iperf-$name.stderr"
		rc=$?
		c1=$(cpu_ticks)
		maps1=$(vfio_counts 2>/dev/null)
		# shellcheck disable=SC2086 # the addresses are separate words
		irq1=$(device_irqs ${L2_BDFS:-} </proc/interrupts)
		insn1=$(insn_snapshot)
		max=$(vmlck_max_kib "$from")
		grep -q '"error":.*\(refused\|busy\)' "$OUT/iperf-$name.json" ||
			grep -q 'Connection reset by peer' "$OUT/iperf-$name.stderr" || break
		# the next attempt overwrites them: keep what made this one fail
		cp "$OUT/iperf-$name.json" "$OUT/iperf-$name.attempt$attempt.json"
		cp "$OUT/iperf-$name.stderr" "$OUT/iperf-$name.attempt$attempt.stderr"
		sleep 1
	done
	grep -q '"error":' "$OUT/iperf-$name.json" && rc=1
	value "${name}_iperf3_attempts" "$attempt"
	value "${name}_iperf3_status" "$rc"
	value "${name}_vmlck_max_kib" "$max"
	value "${name}_l2_qemu_cpu_ticks" $((${c1:-0} - ${c0:-0}))
	[ -n "${L2_BDFS:-}" ] && value "${name}_device_irqs" $((irq1 - irq0))
	if [ -n "$maps0" ] && [ -n "$maps1" ]; then
		read -r m0 u0 <<<"$maps0"
		read -r m1 u1 <<<"$maps1"
		value "${name}_map_dma_calls" $((m1 - m0))
		value "${name}_unmap_dma_calls" $((u1 - u0))
	fi
	[ -n "$insn0" ] && [ -n "$insn1" ] && insn_values "$name" "$insn0" "$insn1"
	return $rc
}
