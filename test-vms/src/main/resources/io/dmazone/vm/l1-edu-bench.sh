# L1 companion of an edu benchmark run (after ktap.sh and l1-lib.sh;
# EDU_ROUNDS set before it): follows L2's console (l2-edu-bench.sh), and at
# "EDU-ROUND R START" and "EDU-ROUND R END" takes L2 QEMU's CPU time, its
# VFIO map calls and the instruction counter's sums, reported per round as
# edu_R_*, and leaves a file OUT/edu-R-start or OUT/edu-R-end. The share's
# files are made by the host, which stamps them with its own clock: L1's
# runs on its instructions (icount) and jumps over the time it idles.
# shellcheck shell=bash disable=SC2154 # failed is set by ktap.sh, before this file
value clk_tck "$(getconf CLK_TCK)"
vfio_count_start
check vfio_call_count $? "hist trigger on syscalls/sys_enter_ioctl for cmd $MAP_DMA, $UNMAP_DMA"
tids=""

# The console is read from where the last call stopped, with builtins: a
# fork costs L1 CPU that L2's QEMU would lose while it runs a round.
exec 5<> <(:)
exec 6<"$L2_CONSOLE"
# await_line TEXT: until L2's console has a line TEXT; fails when L2's QEMU
# is gone and the console has no such line. QEMU writes the console as L2
# prints it, a character at a time: a read at the end of the file may get
# the start of a line, which waits in partial for its rest.
partial=""
await_line() {
	local line gone=""
	while :; do
		while IFS= read -r line <&6; do
			line=$partial$line
			partial=""
			[ "${line%$'\r'}" = "$1" ] && return 0
		done
		partial=$partial$line
		[ -z "$gone" ] || return 1
		# once QEMU is gone, one more pass over what it wrote before
		if kill -0 "$L2_PID" 2>/dev/null; then
			read -r -t 0.2 -u 5 _
		else
			gone=1
		fi
	done
}

# figures: L2 QEMU's CPU ticks, its MAP_DMA and UNMAP_DMA calls, the
# instruction counter's sums, on one line each (the first empty once QEMU
# is gone)
figures() {
	cpu_ticks || echo
	vfio_counts "$tids"
	insn_snapshot || echo
}

# Each round's host-stamped interval is as tight as L1 can make it: the
# start file last, once the figures are taken, while L2 still idles before
# its round; the end file first, as soon as the round's end is seen.
for round in $(seq "$EDU_ROUNDS"); do
	await_line "EDU-ROUND $round START" || break
	# the QEMU's threads, taken once it runs L2's command (the histogram keys by thread)
	[ -n "$tids" ] || tids=$(qemu_tids)
	mapfile -t before < <(figures)
	: >"$OUT/edu-$round-start"
	await_line "EDU-ROUND $round END" || break
	: >"$OUT/edu-$round-end"
	mapfile -t after < <(figures)
	if [ -z "${after[0]}" ]; then
		check "edu_${round}_figures" 1 "round $round: L2's QEMU was gone before L1 saw the round's end"
		break
	fi
	value "edu_${round}_l2_qemu_cpu_ticks" $((after[0] - before[0]))
	read -r m0 u0 <<<"${before[1]}"
	read -r m1 u1 <<<"${after[1]}"
	value "edu_${round}_map_dma_calls" $((m1 - m0))
	value "edu_${round}_unmap_dma_calls" $((u1 - u0))
	[ -n "${before[2]}" ] && [ -n "${after[2]}" ] && insn_values "edu_$round" "${before[2]}" "${after[2]}"
	check "edu_${round}_figures" 0 "round $round taken"
done
ktap_end
exit "$failed"
