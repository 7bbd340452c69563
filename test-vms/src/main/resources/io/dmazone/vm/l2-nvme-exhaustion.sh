# L2 command of an NVMe run on dmazone's DMA ops, its third part (busybox
# sh, after l2-nvme.sh and l2-nvme-io.sh, whose helpers and chunk it uses;
# NVME_EXHAUSTION_MIB and NVME_EXHAUSTION_ZONE_MIB set before ktap.sh): a
# zone too small for the I/O. The controller is unbound, dmazone reloaded
# with its smallest zone (one 2 MiB chunk: 7 requests of 256 KiB, the DMA
# ops' bounce limit, beside the queues) and the driver bound again. Then NVME_EXHAUSTION_MIB / 4 streams
# at once each write 4 MiB of the repeated chunk (from its start) with
# O_DIRECT to their own 4 MiB from 2 * NVME_MIB MiB on (after the round
# trip's two copies); then as many at once each read one of those back and
# write it after them, for the harness to check every copy on the image.
# Under TCG inside TCG, L2's one vCPU, which copies every byte, is slower
# than the emulated NVMe: the zone fills only now and then (seen: bounce
# high water 1.88 MiB, 1 to 13 maps refused for it in the 64 MiB), so in
# each half the next REFUSALS zone allocations are also refused on purpose
# (dmazone's fail_next), as if the zone were full. nvme answers a refused
# map with BLK_STS_RESOURCE and the block layer sends the request again:
# the refusals must be counted, the data whole, L2's log without an I/O
# error, and with one request at a time no map may fail. The refusals the
# zone's size caused are reported apart (nvme_exhaustion_zone_full).
# shellcheck shell=sh disable=SC2154,SC3043 # failed, disk, chunk, uptime_cs and the io helpers come before; busybox sh has local
dev=/sys/kernel/dmazone/dev/$NVME_BDF

# nvme_reload_with_zone SIZE: the controller on dmazone's DMA ops again,
# with a zone of SIZE, and its namespace back
nvme_reload_with_zone() {
	echo "$NVME_BDF" >/sys/bus/pci/drivers/nvme/unbind && rmmod dmazone &&
		insmod /lib/modules/dmazone.ko size="$1" transparent="$NVME_BDF" &&
		echo "$NVME_BDF" >/sys/bus/pci/drivers/nvme/bind && await_namespace &&
		grep -qx "$NVME_BDF attached" /sys/kernel/dmazone/transparent/selected
}

# exhaustion_progress: every 10 s until killed, a comment line with the DMA
# ops' counters and the requests in flight (a stalled transfer shows here)
exhaustion_progress() {
	local t=0 maps failed bounce inflight
	while sleep 10; do
		t=$((t + 10))
		read -r maps <"$dev/maps"
		read -r failed <"$dev/failed_maps"
		read -r bounce <"$dev/bounce_bytes"
		read -r inflight </sys/block/nvme0n1/inflight
		echo "# exhaustion +${t}s: maps $maps, failed maps $failed, bytes bounced now $bounce, in flight (read write) $inflight"
	done
}

nvme_reload_with_zone "${NVME_EXHAUSTION_ZONE_MIB}M"
check nvme_exhaustion_small_zone $? "zone $(cat /sys/kernel/dmazone/size 2>/dev/null) bytes;" \
	"selected: $(tr '\n' ' ' </sys/kernel/dmazone/transparent/selected 2>/dev/null)"

REFUSALS=100
dbg=/sys/kernel/debug/dmazone
[ -d "$dbg" ] || mount -t debugfs none /sys/kernel/debug

# refuse N: dmazone refuses its next N zone allocations
refuse() {
	echo "$1" >"$dbg/fail_next"
}

# run_streams FUNCTION: FUNCTION 0 to streams - 1 at once, each in the
# background; 0 when every one ended with status 0
run_streams() {
	local k=0 pids="" pid status=0
	while [ $k -lt "$streams" ]; do
		"$1" $k &
		pids="$pids $!"
		k=$((k + 1))
	done
	for pid in $pids; do
		wait "$pid" || status=1
	done
	return $status
}

# write_stream K: 4 MiB of the repeated chunk, from its start, to block K
write_stream() {
	cat "$chunk" "$chunk" "$chunk" "$chunk" |
		dd of="$disk" bs=4M count=1 seek=$((first + $1)) iflag=fullblock oflag=direct 2>"/tmp/exhaustion-write.$1.err"
}

# copy_stream K: block K read back and written streams blocks after it
copy_stream() {
	dd if="$disk" of="$disk" bs=4M count=1 skip=$((first + $1)) seek=$((first + streams + $1)) iflag=direct \
		oflag=direct 2>"/tmp/exhaustion-read.$1.err"
}

problems=$(io_problems)
read -r failed0 <"$dev/failed_maps"
read -r all0 </sys/kernel/dmazone/failed_allocations
read -r maps0 <"$dev/maps"
streams=$((NVME_EXHAUSTION_MIB / 4))
# dd counts 4 MiB blocks
first=$((2 * NVME_MIB / 4))
exhaustion_progress &
progress=$!
t0=$(uptime_cs)
refuse "$REFUSALS"
run_streams write_stream
write_status=$?
read -r left1 <"$dbg/fail_next"
t1=$(uptime_cs)
read -r failed1 <"$dev/failed_maps"
refuse "$REFUSALS"
run_streams copy_stream
read_status=$?
read -r left2 <"$dbg/fail_next"
refuse 0
t2=$(uptime_cs)
kill "$progress"
read -r failed2 <"$dev/failed_maps"
read -r maps2 <"$dev/maps"
read -r high <"$dev/bounce_high_water"
read -r all2 </sys/kernel/dmazone/failed_allocations
refused=$((2 * REFUSALS - left1 - left2))
value nvme_exhaustion_failed_maps "$((failed1 - failed0)) writing, $((failed2 - failed1)) reading back and copying"
value nvme_exhaustion_zone_full "$((all2 - all0 - refused)) (failed zone allocations but the $refused refused on purpose)"
value nvme_exhaustion_maps "$((maps2 - maps0)), bounce high water $high bytes"
value nvme_exhaustion_seconds "$(((t1 - t0) / 100)) writing, $(((t2 - t1) / 100)) reading back and copying"
[ "$left1" = 0 ] && [ "$left2" = 0 ] && [ $((failed1 - failed0)) -gt 0 ] && [ $((failed2 - failed1)) -gt 0 ]
check nvme_exhaustion_counted $? "failed maps $failed0 -> $failed1 -> $failed2 for $NVME_EXHAUSTION_MIB MiB," \
	"$streams streams of 4 MiB at once each way; refusals on purpose left unused: $left1 writing, $left2 reading"
[ "$write_status" = 0 ] && [ "$read_status" = 0 ] &&
	! grep -qv '^[0-9]*+0 records' /tmp/exhaustion-write.*.err /tmp/exhaustion-read.*.err
check nvme_exhaustion_io_completed $? "$streams times 4 MiB written, read back and written after them, from MiB" \
	"$((2 * NVME_MIB)): $(cat /tmp/exhaustion-write.*.err /tmp/exhaustion-read.*.err | sort | uniq -c | tr '\n' ' ')"
check_no_io_problems nvme_exhaustion_no_io_errors "$problems" "the exhausted zone's I/O"

# The load gone, one 256 KiB request at a time fits the zone.
after=$(((2 * NVME_MIB + 2 * NVME_EXHAUSTION_MIB) * 4))
dd if=/dev/zero of="$disk" bs=256K count=16 seek="$after" oflag=direct 2>/tmp/exhaustion-write.err &&
	dd if="$disk" of=/dev/null bs=256K count=16 skip="$after" iflag=direct 2>/tmp/exhaustion-read.err
status=$?
read -r failed3 <"$dev/failed_maps"
[ "$status" = 0 ] && [ "$failed3" = "$failed2" ]
check nvme_exhaustion_recovered $? "4 MiB each way, one 256 KiB request at a time: status $status, failed maps" \
	"$failed2 -> $failed3"
