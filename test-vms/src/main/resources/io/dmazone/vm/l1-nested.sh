#!/usr/bin/env bash
# Runs inside the L1 guest, which plays the VFIO host: binds the devices
# named in nested.env to vfio-pci, starts the L2 guest under TCG with them
# passed through, samples the L2 QEMU's pinned memory (VmLck, VmPin from
# /proc/PID/status) for the whole L2 run, and records it all under OUT,
# a directory shared read-write with the machine running the harness.
# Usage: l1-nested.sh OUT     (OUT/nested.env holds the settings)
set -uo pipefail

out=$1
# shellcheck source=/dev/null
. "$out/nested.env"
# the companion runs the Java programs too
export GUEST_CP
# Settings (all set by the harness):
#   PASSTHROUGH   space-separated vendor:device ids to pass through (an id
#                 named twice: the second device with that id)
#   GUEST_CP      classpath of the project's Java programs (the API's users in L1)
#   L2_KERNEL L2_INITRD L2_MEMORY_MIB L2_APPEND L2_DEVICE_OPTS
#   L2_ZONE       L2's zone (SIZE or SIZE@BASE), or empty: L1 plans L2 with the
#                 Java API (ZonePlanner) for the devices it bound, in L2_VIOMMU
#                 (none, intel, virtio, virtio-bypass), and boots the plan: its
#                 QEMU arguments, its kernel parameters; the companion gets its
#                 RLIMIT_MEMLOCK as PLAN_MEMLOCK_BYTES
#   L2_HOT_ADD    1: the plan adds the devices once L2's IOMMU is on; L2's
#                 QEMU starts without them and with a QMP socket, which the
#                 companion gets as L2_QMP, and the plan's device_add
#                 specifications are in OUT/plan/hot-add
#   L2_BIOS       firmware image, or empty for QEMU's default
#   L2_TIMEOUT_S  hard limit for L2's command, from its start
#   L2_BOOT_TIMEOUT_S  hard limit for one L2 boot, QEMU start to L2's command
#   L2_BOOT_SILENCE_S  an L2 boot that prints nothing this long has hung
#   L2_FIRST_OUTPUT_S  an L2 boot whose console is still empty this long
#                 after its QEMU started has hung
#   L2_BOOT_ATTEMPTS   boots tried in all when they hang (each killed, its
#                 files kept as NAME-attemptN)
#   L2_STALLED_BOOTS   the first this many boots start with stopped CPUs
#                 (QEMU -S), to test the watchdog
#   SAMPLE_SECONDS  sampling period
#   DMA_ENTRY_LIMIT  vfio_iommu_type1 dma_entry_limit for L1
#   L2_NO_IPC_LOCK  1: L2's QEMU runs without CAP_IPC_LOCK, so its
#                 RLIMIT_MEMLOCK binds what VFIO type1 pins for it
#   L2_MEMLOCK_BUDGET  bytes, or empty: L2's QEMU starts under that
#                 RLIMIT_MEMLOCK (soft and hard), so it holds from the first pin
#   L1_COMPANION  bash script run beside L2 from L2 QEMU's start, or empty; its
#                 environment: L2_PID (L2's QEMU), OUT, L2_BDFS (the devices
#                 passed through), L2_CONSOLE, PINS_BEFORE_L2 (pages pinned
#                 in L1 before L2's QEMU started); its stdout goes to
#                 OUT/l1-companion.log; it may outlive L2 by COMPANION_GRACE_S
#   L2_INSN_PLUGIN  the instruction counter's -plugin argument (PATH,range=...),
#                 or empty: L2's QEMU loads it writing to OUT/insn.log, and the
#                 companion gets its control FIFO and that file as INSN_CTL and
#                 INSN_LOG (l1-lib.sh's insn_snapshot)

# pins_outstanding and the other companion helpers, installed beside this script
# shellcheck source=l1-lib.sh
. "$(dirname "$0")/l1-lib.sh"

events=$out/events.log
: >"$events"
event() { local t=${EPOCHREALTIME/./}; echo "$((t / 1000)) $*" >>"$events"; }

fail() {
	event "error $*"
	echo "l1-nested: $*" >&2
	exit 1
}

modprobe vfio_iommu_type1 dma_entry_limit="$DMA_ENTRY_LIMIT" || fail "modprobe vfio_iommu_type1 failed"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
event "dma_entry_limit $(cat /sys/module/vfio_iommu_type1/parameters/dma_entry_limit)"

# L1 hands the devices to vfio-pci through the project's Java API, as a VFIO host would.
plan_args=()
[ -n "$L2_ZONE" ] && plan_args=(--plan "$out/plan" "${L2_MEMORY_MIB}M" "$L2_ZONE" "$L2_VIOMMU")
[ -n "$L2_ZONE" ] && [ "${L2_HOT_ADD:-}" = 1 ] && plan_args+=(--hot-add)
# shellcheck disable=SC2086 # the ids are word-split on purpose
l1_java io.dmazone.guest.PassthroughDevices --bdfs-to "$out/bdfs" "${plan_args[@]}" $PASSTHROUGH \
	>"$out/passthrough.log" 2>&1 ||
	fail "binding $PASSTHROUGH to vfio-pci failed: $(tr '\n' ' ' <"$out/passthrough.log")"
bdfs=""
while read -r bdf; do
	event "bound $bdf group $(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")"
	bdfs="$bdfs $bdf"
done <"$out/bdfs"
# L2's machine, memory, vIOMMU and devices: the plan's, or without a zone the settings'
if [ -n "$L2_ZONE" ]; then
	mapfile -t machine_args <"$out/plan/qemu-args"
	L2_APPEND="$L2_APPEND $(<"$out/plan/cmdline")"
	PLAN_MEMLOCK_BYTES=$(<"$out/plan/memlock-bytes")
	export PLAN_MEMLOCK_BYTES
	[ -s "$out/plan/hot-add" ] && event "hot-add $(tr '\n' ' ' <"$out/plan/hot-add")"
	event "zone-plan $L2_ZONE $L2_VIOMMU memlock $PLAN_MEMLOCK_BYTES: ${machine_args[*]} -append ... $(<"$out/plan/cmdline")"
else
	# shellcheck disable=SC2206 # option lists are word-split on purpose
	machine_args=(-machine q35 -m "${L2_MEMORY_MIB}M" $L2_DEVICE_OPTS)
	for bdf in $bdfs; do
		machine_args+=(-device "vfio-pci,host=$bdf")
	done
fi

# QMP for the companion that adds the plan's devices; not on the share (9p
# takes no sockets)
qmp_args=()
l2_qmp=""
if [ -s "$out/plan/hot-add" ]; then
	l2_qmp=${TMPDIR:-/tmp}/l2-qmp.$$
	qmp_args=(-qmp "unix:$l2_qmp,server=on,wait=off")
fi
# the counter's control FIFO, like QMP's socket off the share
insn_args=()
insn_ctl=""
if [ -n "${L2_INSN_PLUGIN:-}" ]; then
	insn_ctl=${TMPDIR:-/tmp}/l2-insn-ctl.$$
	rm -f "$insn_ctl"
	mkfifo -m 600 "$insn_ctl" || fail "mkfifo $insn_ctl failed"
	insn_args=(-plugin "$L2_INSN_PLUGIN,out=$out/insn.log,ctl=$insn_ctl")
fi
bios_args=()
[ -n "$L2_BIOS" ] && bios_args=(-bios "$L2_BIOS")
caps_args=()
[ "$L2_NO_IPC_LOCK" = 1 ] && caps_args=(setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock --)
[ -n "${L2_MEMLOCK_BUDGET:-}" ] &&
	caps_args=(prlimit "--memlock=$L2_MEMLOCK_BUDGET:$L2_MEMLOCK_BUDGET" -- "${caps_args[@]}")

# pages pinned with FOLL_PIN (what VFIO type1 pins) in L1 before L2 exists
pins_before=$(pins_outstanding)
event "pins-before-l2 $pins_before"

# The loop forks nothing (EPOCHREALTIME, builtins, read -t as sleep): L1 is
# itself emulated and its other vCPU is busy running L2.
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
exec 4<> <(:)

# What a hung L2 boot prints on its console or QEMU's stderr.
hang_signs='(rcu: INFO: rcu_[a-z]+ detected stalls|rcu_[a-z]+ kthread timer wakeup didn.t happen|watchdog: BUG: soft lockup|INFO: task [^ ]+ blocked for more than|KVM internal error|Assertion .+ failed)'

start_l2() { # attempt
	local stop_args=()
	[ "$1" -le "${L2_STALLED_BOOTS:-0}" ] && stop_args=(-S)
	: >"$out/l2-console.log"
	# each attempt's counts from 0, its snapshots numbered from 1
	[ -n "$insn_ctl" ] && : >"$out/insn.log"
	started_ms=$(now_ms)
	"${caps_args[@]}" qemu-system-x86_64 -accel tcg -smp 1 "${machine_args[@]}" \
		-nodefaults -no-user-config -display none -no-reboot \
		-serial "file:$out/l2-console.log" "${bios_args[@]}" "${stop_args[@]}" "${qmp_args[@]}" "${insn_args[@]}" \
		-kernel "$L2_KERNEL" -initrd "$L2_INITRD" -append "$L2_APPEND" \
		2>"$out/l2-qemu.stderr" &
	qemu=$!
	# the limits are read once the wrappers (prlimit, setpriv) have exec'd QEMU
	for _ in $(seq 100); do
		[[ $(readlink "/proc/$qemu/exe") == *qemu* ]] && break
		read -r -t 0.05 -u 4 _
	done
	event "l2-started pid $qemu attempt $1 memlock-limit $(awk '/Max locked memory/ {print $4, $5}' "/proc/$qemu/limits")"
	# What L1 pins for L2, through the Java API, until QEMU is gone; the watch below keeps the phase.
	echo boot >"$out/l2-phase"
	l1_java io.dmazone.guest.FootprintSampler "$qemu" "$SAMPLE_SECONDS" "$started_ms" "$samples" "$out/l2-phase" \
		2>"$out/sampler.stderr" &
	sampler=$!
	companion=""
	if [ -n "$L1_COMPANION" ]; then
		# its own session, so that it and whatever it started can be ended together
		L2_PID=$qemu OUT=$out L2_BDFS="${bdfs# }" L2_CONSOLE="$out/l2-console.log" PINS_BEFORE_L2=$pins_before \
			L2_QMP=$l2_qmp INSN_CTL=$insn_ctl INSN_LOG=${insn_ctl:+$out/insn.log} \
			setsid bash "$L1_COMPANION" >"$out/l1-companion.log" 2>"$out/l1-companion.stderr" &
		companion=$!
		event "companion-started pid $companion"
	fi
}

# Watches L2's boot and its command until its QEMU exits, keeping
# OUT/l2-phase current for the sampler. Returns 0 when L2 ran (to its end, a
# kill or its command's timeout), 2 when its boot hung and it was killed;
# hang_reason says why.
watch_l2() {
	local start now t state console stderr phase=boot last_len=-1 last_progress cmd_deadline=0
	start=$started_ms
	last_progress=$start
	hang_reason=""
	while kill -0 "$qemu" 2>/dev/null; do
		t=${EPOCHREALTIME/./}
		now=$((t / 1000))
		state=""
		while read -r key value _; do
			[ "$key" = State: ] && state=$value && break
		done <"/proc/$qemu/status" 2>/dev/null
		# killed (by the companion, say): a zombie until waited for below
		[ "$state" = Z ] && break
		# boot: until L2 starts its command; command: while it runs; done: after.
		if [ $phase != "done" ]; then
			console=$(<"$out/l2-console.log")
			if [ $phase = boot ]; then
				stderr=$(<"$out/l2-qemu.stderr")
				if [[ $console == *L2-CMD-START* ]]; then
					phase='command'
					echo command >"$out/l2-phase"
					cmd_deadline=$((now + L2_TIMEOUT_S * 1000))
					event "l2-command-started"
				elif [[ "$console$stderr" =~ $hang_signs ]]; then
					hang_reason="${BASH_REMATCH[1]}"
				elif [ ${#console} -eq 0 ] && [ $((now - start)) -gt $((L2_FIRST_OUTPUT_S * 1000)) ]; then
					hang_reason="no console output within ${L2_FIRST_OUTPUT_S} s of L2's QEMU start"
				elif [ ${#console} -ne "$last_len" ]; then
					# how long L2 stays silent at first is what the silence limit must allow
					[ "$last_len" -le 0 ] && [ ${#console} -gt 0 ] &&
						event "l2-first-console-output after $((now - start)) ms"
					last_len=${#console}
					last_progress=$now
				elif [ $((now - last_progress)) -gt $((L2_BOOT_SILENCE_S * 1000)) ]; then
					hang_reason="no console output for ${L2_BOOT_SILENCE_S} s before L2's command started"
				fi
				if [ -z "$hang_reason" ] && [ $((now - start)) -gt $((L2_BOOT_TIMEOUT_S * 1000)) ]; then
					hang_reason="L2's command had not started ${L2_BOOT_TIMEOUT_S} s after its QEMU started"
				fi
			fi
			if [ $phase = command ] && [[ $console == *L2-EXIT* ]]; then
				phase='done'
				echo 'done' >"$out/l2-phase"
				event "l2-command-exited"
			fi
		fi
		if [ -n "$hang_reason" ]; then
			kill -KILL "$qemu"
			wait "$qemu"
			wait "$sampler"
			return 2
		fi
		if [ "$cmd_deadline" -gt 0 ] && [ "$now" -gt "$cmd_deadline" ]; then
			event "l2-timeout after ${L2_TIMEOUT_S}s of its command"
			kill -KILL "$qemu"
			break
		fi
		read -r -t "$SAMPLE_SECONDS" -u 4 _
	done
	wait "$qemu"
	qemu_status=$?
	# it stops once QEMU is gone
	wait "$sampler"
	# QEMU aborting on its own assertion before L2's command is an emulator fault: boot again.
	if [ $phase = boot ] && [[ $(<"$out/l2-qemu.stderr") =~ $hang_signs ]]; then
		hang_reason="QEMU aborted: ${BASH_REMATCH[1]}"
		return 2
	fi
	return 0
}

stop_companion() { # grace_seconds
	[ -n "$companion" ] || return 0
	local grace=$(($(now_ms) + $1 * 1000))
	while kill -0 "$companion" 2>/dev/null && [ "$(now_ms)" -lt "$grace" ]; do
		# The harness takes a share left unwritten for minutes for a stalled L1.
		: >"$out/l1-alive"
		read -r -t 0.5 -u 4 _
	done
	if kill -0 "$companion" 2>/dev/null; then
		event "companion-timeout after L2 exited"
		kill -KILL -- "-$companion"
	fi
	wait "$companion"
	event "companion-exited status $?"
}

samples=$out/samples.tsv
attempt=1
while :; do
	start_l2 "$attempt"
	watch_l2 && break
	# A hung boot: keep its files beside the next attempt's, then boot again.
	event "l2-boot-hung attempt $attempt reason $hang_reason"
	stop_companion 0
	for f in l2-console.log l2-qemu.stderr samples.tsv l1-companion.log insn.log; do
		[ -e "$out/$f" ] && mv "$out/$f" "$out/${f%.*}-attempt$attempt.${f##*.}"
	done
	if [ "$attempt" -ge "$L2_BOOT_ATTEMPTS" ]; then
		event "l2-gave-up after $attempt hung boots"
		exit 0
	fi
	attempt=$((attempt + 1))
done
event "l2-exited qemu-status $qemu_status"
stop_companion "$COMPANION_GRACE_S"
[ -n "$insn_ctl" ] && rm -f "$insn_ctl"
exit 0
