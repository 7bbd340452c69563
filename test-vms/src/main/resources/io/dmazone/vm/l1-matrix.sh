# L1 companion of one matrix mode (after l1-lib.sh; MATRIX_SECONDS and
# TRACED_SECONDS set before it). Once L2 serves iperf3 ("ready"):
#  1. iperf3 TCP both ways, MATRIX_SECONDS each, untraced: the throughput;
#  2. the same, TRACED_SECONDS each, with strace on every thread of L2's
#     QEMU: the VFIO MAP_DMA/UNMAP_DMA ioctls per byte moved. A separate
#     pass because ptrace stops on every system call and would slow mode 2,
#     whose cost is exactly those calls, more than the others.
# Then it lets L2 finish.
# VFIO_IOMMU_MAP_DMA = _IO(';', 100 + 13), VFIO_IOMMU_UNMAP_DMA = _IO(';', 100 + 14)
MAP_DMA=0x3b71
UNMAP_DMA=0x3b72

value clk_tck "$(getconf CLK_TCK)"
iface=$(l1_nic_up)
check l1_nic_up $? "virtio-net ${iface:-none} as $L1_IP"
wait_sync ready 900
check l2_ready $? "L2 serves iperf3 on $L2_IP"
ping -c 3 -W 3 "$L2_IP" >/dev/null
check l2_reachable $? "ping $L2_IP"

traffic l2rx "$MATRIX_SECONDS"
check l2rx_iperf3 $? "L1 -> L2 ${MATRIX_SECONDS}s"
traffic l2tx "$MATRIX_SECONDS" -R
check l2tx_iperf3 $? "L2 -> L1 ${MATRIX_SECONDS}s"

trace=$OUT/strace-ioctl.txt
strace -f -qq -e trace=ioctl -e raw=ioctl -e signal=none -o "$trace" -p "$L2_PID" &
tracer=$!
# attached once every thread of L2's QEMU has a tracer
attached=1
for _ in $(seq 100); do
	if ! grep -h '^TracerPid:' /proc/"$L2_PID"/task/*/status | grep -q 'TracerPid:[[:space:]]*0$'; then
		attached=0
		break
	fi
	sleep 0.2
done
check strace_attached $attached "$(ls /proc/"$L2_PID"/task | wc -l) threads of L2's QEMU"
traffic traced_l2rx "$TRACED_SECONDS"
traffic traced_l2tx "$TRACED_SECONDS" -R
kill -INT "$tracer"
wait "$tracer"
value map_dma_calls "$(grep -cE "ioctl\(\w+, $MAP_DMA," "$trace")"
value unmap_dma_calls "$(grep -cE "ioctl\(\w+, $UNMAP_DMA," "$trace")"
value ioctl_calls "$(grep -c 'ioctl(' "$trace")"

release_sync
check l2_released $? "L2 let go"
