# L2 command of a matrix mode (after l2-lib.sh): the e1000e up as L2_IP, an
# iperf3 server, and a wait while L1 measures; then the faults L2's vIOMMU
# saw, which must be none (L1 checks its own IOMMU).
nic_up
check e1000e_up $? "${IFACE:-no interface} $L2_IP"
iperf3 -s -D
check iperf3_server $? "iperf3 -s -D"
faults=$(iommu_faults)
l1_sync ready
check l1_done $? "L1 measured and let go"
value rx_packets "$(cat "/sys/class/net/$IFACE/statistics/rx_packets")"
value tx_packets "$(cat "/sys/class/net/$IFACE/statistics/tx_packets")"
now=$(iommu_faults)
check no_iommu_faults "$([ "$now" = "$faults" ]; echo $?)" "fault reports during the traffic: $((now - faults))"
exit $failed
