# L2 command of an NVMe run, its second part (busybox sh, after l2-nvme.sh;
# NVME_MIB and NVME_DMA_OPS set before ktap.sh):
#   - throughput: NVME_MIB MiB of zeros written with O_DIRECT from offset
#     NVME_MIB MiB, and read back, each timed alone (MB/s of 10^6 bytes);
#   - a round trip: NVME_MIB MiB written with O_DIRECT from the namespace's
#     start, then read back with O_DIRECT and written, as read, with O_DIRECT
#     after them (one dd: what L2 read back leaves L2 through the device
#     again). The data is a random chunk of 1 MiB + 512 bytes repeated
#     (VALUE nvme_pattern: its size and MD5): random data, or checking what
#     was read back in L2 (md5sum took about 220 s of 234 for 256 MiB here),
#     would cost minutes more than the I/O under TCG inside TCG. The
#     harness, natively on the outer host, checks that the NVMe's image
#     holds the pattern in its first NVME_MIB MiB (the write) and again in
#     the next NVME_MIB MiB (what L2 read back); as the chunk is no multiple
#     of the 1 MiB transfers nor of the 256 KiB bounce limit, a transfer
#     written to or read from the wrong place does not pass;
#   - with the DMA ops, their counters: every byte went through them, none
#     refused;
#   - L2's kernel log without trouble or NVMe I/O errors.
# Ends with NVME-IO-END on the console; the L2 command ends with ktap_end.
# shellcheck shell=sh disable=SC2154,SC3043 # failed is set by ktap.sh; busybox sh has local

# uptime_cs: /proc/uptime in centiseconds (always two decimals there), by
# the shell's read (no fork)
uptime_cs() {
	local up
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

# mbps MIB CENTISECONDS: MB/s, two decimals
mbps() {
	local v=$(($1 * 1048576 / ($2 > 0 ? $2 : 1)))
	echo "$((v / 10000)).$(printf '%02d' $((v / 100 % 100)))"
}

# io_problems: lines of L2's kernel log that show trouble (l2-lib.sh's) or
# a failed or timed-out NVMe command
io_problems() {
	echo $(($(log_problems) + $(dmesg | grep -cE 'I/O error|nvme.*(timeout|Abort|reset)')))
}

# check_no_io_problems NAME SINCE WHAT: check NAME, that L2's kernel log
# shows no more lines of trouble (io_problems) than SINCE did, during WHAT
check_no_io_problems() {
	local now
	now=$(io_problems)
	[ "$now" = "$2" ]
	check "$1" $? "problem lines in L2's kernel log during $3: $((now - $2))" \
		"$(dmesg | grep -E 'I/O error|nvme' | tail -3 | tr '\n' ' ')"
}

problems=$(io_problems)
t0=$(uptime_cs)
dd if=/dev/zero of="$disk" bs=1M count="$NVME_MIB" seek="$NVME_MIB" oflag=direct 2>/tmp/nvme-write.err
write_status=$?
t1=$(uptime_cs)
dd if="$disk" of=/dev/null bs=1M count="$NVME_MIB" skip="$NVME_MIB" iflag=direct 2>/tmp/nvme-read.err
read_status=$?
t2=$(uptime_cs)
value nvme_write_mbps "$(mbps "$NVME_MIB" $((t1 - t0)))"
value nvme_read_mbps "$(mbps "$NVME_MIB" $((t2 - t1)))"
[ "$write_status" = 0 ] && [ "$read_status" = 0 ]
check nvme_throughput $? "$NVME_MIB MiB each way in $(((t1 - t0) / 100)) s and $(((t2 - t1) / 100)) s" \
	"$(tr '\n' ' ' </tmp/nvme-write.err) $(tr '\n' ' ' </tmp/nvme-read.err)"

chunk=/tmp/nvme-chunk
chunk_bytes=$((1048576 + 512))
dd if=/dev/urandom of="$chunk" bs="$chunk_bytes" count=1 iflag=fullblock 2>/dev/null
sum=$(md5sum "$chunk")
value nvme_pattern "$chunk_bytes ${sum%% *}"
# the pattern's first NVME_MIB MiB: the chunk NVME_MIB times (each chunk
# is more than 1 MiB), cut by dd
set --
i=0
while [ $i -lt "$NVME_MIB" ]; do
	set -- "$@" "$chunk"
	i=$((i + 1))
done
t0=$(uptime_cs)
cat "$@" | dd of="$disk" bs=1M count="$NVME_MIB" iflag=fullblock oflag=direct 2>/tmp/nvme-write.err
write_status=$?
t1=$(uptime_cs)
dd if="$disk" of="$disk" bs=1M count="$NVME_MIB" seek="$NVME_MIB" iflag=direct oflag=direct 2>/tmp/nvme-read.err
read_status=$?
t2=$(uptime_cs)
value nvme_roundtrip_seconds "$(((t1 - t0) / 100)) write, $(((t2 - t1) / 100)) read back and written after it"
[ "$write_status" = 0 ] && [ "$read_status" = 0 ] && ! grep -qv '^[0-9]*+0 records' /tmp/nvme-write.err /tmp/nvme-read.err
check nvme_roundtrip $? "$NVME_MIB MiB written, read back and written after it with O_DIRECT:" \
	"$(tr '\n' ' ' </tmp/nvme-write.err) $(tr '\n' ' ' </tmp/nvme-read.err)"

if [ "$NVME_DMA_OPS" = 1 ]; then
	dma_ops_counters "$NVME_BDF"
	# the five transfers above (two reads, three writes), each bounced once
	# through the zone at least
	[ "$OPS_MODE" = transparent ] && [ "$OPS_FAILED" = 0 ] && [ "$OPS_BOUNCED" -ge $((5 * NVME_MIB * 1048576)) ]
	check dma_ops_served $? "$NVME_BDF: mode $OPS_MODE, $OPS_MAPS maps, $OPS_BOUNCED bytes bounced" \
		"(at least $((5 * NVME_MIB)) MiB), $OPS_FAILED refused"
fi
check_no_io_problems l2_kernel_log_clean "$problems" "the I/O"
# L1 counts the VFIO map calls of L2's command up to here
echo "NVME-IO-END"
