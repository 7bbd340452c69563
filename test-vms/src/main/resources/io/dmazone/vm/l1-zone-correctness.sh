# L1 companion of the nested zone correctness run (after ktap.sh,
# e1000e-lib.sh and l1-lib.sh; ZONE_KIB, CYCLES and FAULT_INJECTION set
# before it). Drives L2's traffic at each sync, with FAULT_INJECTION=1 the
# traffic that reaches L2's out-of-zone RX descriptor, reads L2 QEMU's VmLck
# at each reload cycle, then kills L2's QEMU and checks that its pins are
# gone and that the device can be passed through again.
# shellcheck shell=bash
SYNC_WAIT_S=900
iface=$(l1_nic_up)
check l1_nic_up $? "virtio-net ${iface:-none} as $L1_IP"

wait_sync traffic "$SYNC_WAIT_S"
check l2_ready $? "L2 up with the zone"
faults=$(l1_iommu_faults)
flood "$L2_IP" 2000
[ "$FLOOD_RX" -ge 1980 ]
check traffic_ping_flood $? "$FLOOD_DETAIL"
traffic l2rx 5
check traffic_iperf3_l2rx $? "L1 -> L2 5 s"
traffic l2tx 5 -R
check traffic_iperf3_l2tx $? "L2 -> L1 5 s"
now=$(l1_iommu_faults)
[ "$now" = "$faults" ]
check traffic_no_l1_iommu_faults $? "DMA faults in L1 during ping flood and iperf3: $((now - faults))"
release_sync traffic

if [ "$FAULT_INJECTION" = 1 ]; then
	wait_sync fault "$SYNC_WAIT_S"
	dmesg_lines=$(dmesg | wc -l)
	# the NIC goes round its 256-slot RX ring and reaches the injected slot
	flood "$L2_IP" 1000
	value fault_flood "$FLOOD_DETAIL"
	release_sync fault
	wait_sync resumed "$SYNC_WAIT_S"
	# L2 printed the descriptor's target; L1's IOMMU, which translates the NIC's
	# DMA with what L2's QEMU mapped (IOVA = L2's physical address, the zone
	# being identity-mapped), must have refused the write there
	addr=$(sed -n 's/^# inject_rx_fault: .* addr \(0x[0-9a-f]*\) .*/\1/p' "$L2_CONSOLE" | tail -1)
	line=$(dmar_write_fault "${addr:-0}" "$dmesg_lines")
	[ -n "$addr" ] && [ -n "$line" ]
	check fault_blocked_by_iommu $? "${line:-no DMAR write fault at ${addr:-?} in L1; L1 DMAR lines: $(dmesg | tail -n +$((dmesg_lines + 1)) | grep -c DMAR)}"
	[ -n "$line" ] && value dmar_fault_line "$line"
	out=$(ping -c 10 -i 0.2 -W 2 "$L2_IP" 2>&1)
	rx=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${rx:-0}" -ge 9 ]
	check fault_traffic_resumes "$?" "after the blocked descriptor: ${rx:-0}/10 echo replies"
	flood "$L2_IP" 500
	[ "$FLOOD_RX" -ge 495 ]
	check fault_traffic_resumes_flood $? "$FLOOD_DETAIL"
	release_sync resumed
fi

ok=0
series=""
for i in $(seq "$CYCLES"); do
	if ! wait_sync "cycle-$i" "$SYNC_WAIT_S"; then
		ok=1
		series="$series missing-cycle-$i"
		break
	fi
	v=$(vmlck_kib)
	ping -c 1 -W 3 "$L2_IP" >/dev/null || ok=1
	series="$series ${v:-?}"
	[ "${v:-0}" -gt 0 ] && [ "${v:-0}" -le $((ZONE_KIB * 101 / 100)) ] || ok=1
	release_sync "cycle-$i"
done
value reload_vmlck_kib "${series# }"
check reload_pinned_stays_zone $ok "VmLck of L2's QEMU after each of $CYCLES reloads (KiB):$series; zone $ZONE_KIB KiB"

wait_sync kill "$SYNC_WAIT_S"
check l2_at_kill $? "L2 waits to be killed"
during=$(pins_outstanding)
lck=$(vmlck_kib)
kill -KILL "$L2_PID"
after=""
for i in $(seq 120); do
	after=$(pins_outstanding)
	[ "$after" -le "$PINS_BEFORE_L2" ] && break
	sleep 0.5
done
value pinned_pages_before_l2 "$PINS_BEFORE_L2"
value pinned_pages_during_l2 "$during"
value pinned_pages_after_kill "$after"
[ "$after" -le "$PINS_BEFORE_L2" ]
check kill_releases_pins $? "L2 QEMU VmLck ${lck:-?} KiB; L1 pinned pages (FOLL_PIN outstanding) before L2 $PINS_BEFORE_L2, during $during, after SIGKILL $after"

# The same device to a new QEMU: no vIOMMU, so it pins its 64 MiB at once.
# -S: its guest never runs; the device is assigned and its RAM mapped.
bdf=${L2_BDFS%% *}
qemu-system-x86_64 -accel tcg -machine q35 -m 64M -nodefaults -display none -S \
	-device "vfio-pci,host=$bdf" 2>"$OUT/repass-qemu.stderr" &
again=$!
l1_java io.dmazone.guest.FootprintSampler "$again" 0.5 "$(date +%s%3N)" "$OUT/repass-samples.tsv" /dev/null &
v=""
for i in $(seq 40); do
	v=$(vmlck_kib "$OUT/repass-samples.tsv")
	[ "${v:-0}" -ge 65536 ] && break
	kill -0 "$again" 2>/dev/null || break
	sleep 0.5
done
[ "${v:-0}" -ge 65536 ]
check repass_device "$?" "new QEMU with vfio-pci,host=$bdf: VmLck ${v:-gone} KiB; $(head -c 300 "$OUT/repass-qemu.stderr")"
kill -KILL "$again" 2>/dev/null
wait "$again" 2>/dev/null
for i in $(seq 60); do
	after=$(pins_outstanding)
	[ "$after" -le "$PINS_BEFORE_L2" ] && break
	sleep 0.5
done
[ "$after" -le "$PINS_BEFORE_L2" ]
check repass_released $? "L1 pinned pages after the second QEMU: $after"
ktap_end
