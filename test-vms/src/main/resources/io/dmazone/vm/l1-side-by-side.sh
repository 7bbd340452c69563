#!/usr/bin/env bash
# Runs inside the L1 guest: several L2 guests side by side, one per
# directory named in SHARE/lanes (one name per line), each set up as
# l1-nested.sh reads it (SHARE/NAME/nested.env) with its own e1000e and hub,
# and each with the l1-matrix.sh companion, which takes the turns given here.
# The L2s boot BOOT_PARALLEL at a time, in the order listed (the next starts
# when one of those serves, or has failed); then ROUNDS rounds, each giving
# every ready L2 one turn of traffic in a freshly shuffled order while the
# others idle; then all leave together. SHARE/events.log records the lanes, the order of every round, the
# CPU time the waiting L2s' QEMUs took during each turn (an idle L2 should
# take next to none) and anything that went wrong; each lane's own files are
# in its directory.
# Usage: l1-side-by-side.sh SHARE    (SHARE/side-by-side.env: ROUNDS,
#                                     BOOT_PARALLEL, BOOT_WAIT_S, TURN_WAIT_S)
set -uo pipefail

share=$1
here=$(dirname "$0")
# shellcheck source=/dev/null
. "$share/side-by-side.env"
# Settings (all set by the harness):
#   ROUNDS         rounds of turns
#   BOOT_PARALLEL  how many L2s may boot at once (an L2 boot keeps one of
#                  L1's vCPUs busy: L1's vCPU count)
#   BOOT_WAIT_S    how long one lane may take from its start until it is ready
#   TURN_WAIT_S    how long one lane's turn (both directions) may take

events=$share/events.log
: >"$events"
event() { local t=${EPOCHREALTIME/./}; echo "$((t / 1000)) $*" >>"$events"; }
exec 4<> <(:)
# The loops below fork nothing while they wait (builtins, this pause): under
# TCG a fork and exec costs L1 tens of milliseconds, which the L2s would lose.
pause() { read -r -t "$1" -u 4 _; }

mapfile -t lanes <"$share/lanes"
declare -A runner
# lane_state NAME: sets state to ready (serves), failed (its companion said
# so, or its l1-nested.sh ended) or waiting; a function that sets a variable,
# since a command substitution would fork once a second
lane_state() {
	local dir=$share/$1 ready=""
	if [ -f "$dir/ready" ]; then
		read -r ready <"$dir/ready"
		[ "$ready" = 0 ] && state=ready || state=failed
	elif ! kill -0 "${runner[$1]}" 2>/dev/null; then
		state=failed
	else
		state=waiting
	fi
}

# turn_done NAME ROUND: the lane's companion has written ROUND to turn-done
turn_done() {
	local finished=""
	read -r finished <"$share/$1/turn-done" 2>/dev/null
	[ "$finished" = "$2" ]
}

# qemu_ticks NAME: user + system clock ticks of the lane's L2 QEMU so far (its
# latest, after a hung boot), 0 when it is gone
qemu_ticks() {
	local pid
	pid=$(awk '$2 == "l2-started" { p = $4 } END { print p }' "$share/$1/events.log" 2>/dev/null)
	awk '{ print $14 + $15 }' "/proc/${pid:-0}/stat" 2>/dev/null || echo 0
}

# start_lane NAME: its l1-nested.sh in the background, with its own deadline
declare -A boot_deadline
start_lane() {
	bash "$here/l1-nested.sh" "$share/$1" >"$share/$1/l1-nested.log" 2>&1 &
	runner[$1]=$!
	boot_deadline[$1]=$((SECONDS + BOOT_WAIT_S))
	event "lane-started $1 pid ${runner[$1]}"
}

declare -A lane_ready
booting=()
next=0
while [ "$next" -lt "${#lanes[@]}" ] || [ "${#booting[@]}" -gt 0 ]; do
	while [ "$next" -lt "${#lanes[@]}" ] && [ "${#booting[@]}" -lt "$BOOT_PARALLEL" ]; do
		start_lane "${lanes[next]}"
		booting+=("${lanes[next]}")
		next=$((next + 1))
	done
	still_booting=()
	for lane in "${booting[@]}"; do
		lane_state "$lane"
		if [ "$state" = waiting ] && [ "$SECONDS" -lt "${boot_deadline[$lane]}" ]; then
			still_booting+=("$lane")
			continue
		fi
		event "lane-$state $lane after $((SECONDS - boot_deadline[$lane] + BOOT_WAIT_S)) s"
		[ "$state" = ready ] && lane_ready[$lane]=1
	done
	booting=("${still_booting[@]}")
	# The heartbeat the harness watches is this directory, not the lanes'.
	: >"$share/l1-alive"
	[ "${#booting[@]}" -eq 0 ] || pause 1
done
# in the order listed, whatever order they came up in
ready_lanes=()
for lane in "${lanes[@]}"; do
	[ -n "${lane_ready[$lane]:-}" ] && ready_lanes+=("$lane")
done

for round in $(seq "$ROUNDS"); do
	mapfile -t order < <(printf '%s\n' "${ready_lanes[@]}" | shuf)
	event "round $round order ${order[*]}"
	for lane in "${order[@]}"; do
		declare -A idle_before=()
		for other in "${ready_lanes[@]}"; do
			[ "$other" = "$lane" ] || idle_before[$other]=$(qemu_ticks "$other")
		done
		turn_start=${EPOCHREALTIME/./}
		echo "$round" >"$share/$lane/turn"
		deadline=$((SECONDS + TURN_WAIT_S))
		while ! turn_done "$lane" "$round" && kill -0 "${runner[$lane]}" 2>/dev/null &&
			[ "$SECONDS" -lt "$deadline" ]; do
			: >"$share/l1-alive"
			pause 1
		done
		turn_done "$lane" "$round" || event "turn-unfinished $lane round $round"
		turn_end=${EPOCHREALTIME/./}
		idle=""
		for other in "${!idle_before[@]}"; do
			idle="$idle $other $(($(qemu_ticks "$other") - idle_before[$other]))"
		done
		event "idle-ticks round $round turn $lane ms $(((turn_end - turn_start) / 1000)) clk_tck $(getconf CLK_TCK)$idle"
		unset idle_before
	done
done

for lane in "${lanes[@]}"; do
	echo end >"$share/$lane/turn"
done
event "rounds-done"
for lane in "${lanes[@]}"; do
	while kill -0 "${runner[$lane]}" 2>/dev/null; do
		: >"$share/l1-alive"
		pause 1
	done
	wait "${runner[$lane]}"
	event "lane-exited $lane status $?"
done
exit 0
