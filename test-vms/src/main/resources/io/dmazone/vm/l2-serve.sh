# L2 command of a matrix mode (after ktap.sh and l2-lib.sh, for a zone
# after l2-zone-check.sh too, and for dmazone's DMA ops after
# l2-dma-ops-select.sh before that): the e1000e up as L2_IP, an iperf3
# server, and a wait while L1 measures; then L2's kernel log, which must
# show no trouble from the traffic (L1 checks its own IOMMU's faults), what
# the DMA ops bounced, and in the zone modes how many zone allocations the
# traffic took.
# shellcheck shell=sh disable=SC2154 # failed is set by ktap.sh, before this file
nic_up
check e1000e_up $? "${IFACE:-no interface} $L2_IP"
iperf3 -s -D
check iperf3_server $? "iperf3 -s -D"
problems=$(log_problems)
zone_allocations=/sys/kernel/dmazone/allocations
[ -r "$zone_allocations" ] && read -r allocations_before <"$zone_allocations"
l1_sync ready
check l1_done $? "L1 measured and let go"
if [ -n "${allocations_before:-}" ]; then
	read -r allocations_after <"$zone_allocations"
	value zone_allocations_during_traffic $((allocations_after - allocations_before))
fi
value rx_packets "$(cat "/sys/class/net/$IFACE/statistics/rx_packets")"
value tx_packets "$(cat "/sys/class/net/$IFACE/statistics/tx_packets")"
if [ -n "${DMA_OPS_BDF:-}" ]; then
	dma_ops_counters "$DMA_OPS_BDF"
	[ "$OPS_MODE" = transparent ] && [ "$OPS_MAPS" -gt 0 ]
	check dma_ops_served $? "$DMA_OPS_BDF: mode $OPS_MODE, $OPS_MAPS maps, contained $OPS_CONTAINED"
fi
# a device L1 added once the IOMMU was on (l2-hot-plug.sh) leaves before L2 shuts down
[ "${HOT_PLUGGED:-}" = 1 ] && hot_remove_wait
now=$(log_problems)
check l2_kernel_log_clean "$([ "$now" = "$problems" ]; echo $?)" "problem lines in L2's kernel log during the traffic: $((now - problems))"
ktap_end
exit "$failed"
