#!/usr/bin/env bash
# Runs inside the L1 guest: several L2 guests side by side, one per
# directory named in SHARE/lanes (one name per line), each set up as
# l1-nested.sh reads it (SHARE/NAME/nested.env) with its own e1000e and hub,
# and each with the l1-matrix.sh companion, which takes the turns given here.
# The L2s boot one after the other (each once the one before serves, or has
# failed); then ROUNDS rounds, each giving every ready L2 one turn of
# traffic in a freshly shuffled order while the others idle; then all leave
# together. SHARE/events.log records the lanes, the order of every round, the
# CPU time the waiting L2s' QEMUs took during each turn (an idle L2 should
# take next to none) and anything that went wrong; each lane's own files are
# in its directory.
# Usage: l1-side-by-side.sh SHARE    (SHARE/side-by-side.env: ROUNDS,
#                                     BOOT_WAIT_S, TURN_WAIT_S)
set -uo pipefail

share=$1
here=$(dirname "$0")
# shellcheck source=/dev/null
. "$share/side-by-side.env"
# Settings (all set by the harness):
#   ROUNDS       rounds of turns
#   BOOT_WAIT_S  how long one lane may take from its start until it is ready
#   TURN_WAIT_S  how long one lane's turn (both directions) may take

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

ready_lanes=()
for lane in "${lanes[@]}"; do
	bash "$here/l1-nested.sh" "$share/$lane" >"$share/$lane/l1-nested.log" 2>&1 &
	runner[$lane]=$!
	event "lane-started $lane pid ${runner[$lane]}"
	deadline=$((SECONDS + BOOT_WAIT_S))
	# The heartbeat the harness watches is this directory, not the lanes'.
	lane_state "$lane"
	while [ "$state" = waiting ] && [ "$SECONDS" -lt "$deadline" ]; do
		: >"$share/l1-alive"
		pause 1
		lane_state "$lane"
	done
	event "lane-$state $lane after $((SECONDS - deadline + BOOT_WAIT_S)) s"
	[ "$state" = ready ] && ready_lanes+=("$lane")
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
