#!/usr/bin/env bash
# Runs inside the L1 guest: several L2 guests side by side, one per
# directory named in SHARE/lanes (one name per line), each set up as
# l1-nested.sh reads it (SHARE/NAME/nested.env) with its own e1000e and hub,
# and each with the l1-matrix.sh companion, which takes the turns given here.
# The L2s boot one after the other (each once the one before serves, or has
# failed); then ROUNDS rounds, each giving every ready L2 one turn of
# traffic in a freshly shuffled order while the others idle; then all leave
# together. SHARE/events.log records the lanes, the order of every round and
# anything that went wrong; each lane's own files are in its directory.
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
# a pause that forks nothing: L1 is emulated, its vCPUs are busy with the L2s
pause() { read -r -t "$1" -u 4 _; }

mapfile -t lanes <"$share/lanes"
declare -A runner
# lane_state NAME: ready (serves), failed (its companion said so, or its
# l1-nested.sh ended) or waiting
lane_state() {
	local dir=$share/$1
	if [ -f "$dir/ready" ]; then
		[ "$(<"$dir/ready")" = 0 ] && echo ready || echo failed
	elif ! kill -0 "${runner[$1]}" 2>/dev/null; then
		echo failed
	else
		echo waiting
	fi
}

ready_lanes=()
for lane in "${lanes[@]}"; do
	bash "$here/l1-nested.sh" "$share/$lane" >"$share/$lane/l1-nested.log" 2>&1 &
	runner[$lane]=$!
	event "lane-started $lane pid ${runner[$lane]}"
	deadline=$((SECONDS + BOOT_WAIT_S))
	# The heartbeat the harness watches is this directory, not the lanes'.
	while [ "$(lane_state "$lane")" = waiting ] && [ "$SECONDS" -lt "$deadline" ]; do
		: >"$share/l1-alive"
		pause 1
	done
	state=$(lane_state "$lane")
	event "lane-$state $lane after $((SECONDS - deadline + BOOT_WAIT_S)) s"
	[ "$state" = ready ] && ready_lanes+=("$lane")
done

for round in $(seq "$ROUNDS"); do
	mapfile -t order < <(printf '%s\n' "${ready_lanes[@]}" | shuf)
	event "round $round order ${order[*]}"
	for lane in "${order[@]}"; do
		echo "$round" >"$share/$lane/turn"
		deadline=$((SECONDS + TURN_WAIT_S))
		while [ "$(cat "$share/$lane/turn-done" 2>/dev/null)" != "$round" ] &&
			kill -0 "${runner[$lane]}" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
			: >"$share/l1-alive"
			pause 1
		done
		[ "$(cat "$share/$lane/turn-done" 2>/dev/null)" = "$round" ] ||
			event "turn-unfinished $lane round $round"
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
