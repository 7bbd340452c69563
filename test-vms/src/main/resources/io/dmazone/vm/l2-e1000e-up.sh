# L2 command (busybox sh): checks that the stock e1000e driver bound the
# passed-through NIC, brings its link up so the driver fills its RX ring
# (DMA mappings), and holds it there for HOLD_SECONDS while L1 samples.
# shellcheck shell=sh
failed=0
bound=""
for dev in /sys/bus/pci/drivers/e1000e/0000:*; do
	[ -e "$dev" ] && bound="$bound $(basename "$dev")"
done
if [ -n "$bound" ]; then
	echo "CHECK e1000e-bound PASS$bound"
else
	echo "CHECK e1000e-bound FAIL no device bound to e1000e; dmesg: $(dmesg | grep -i e1000e | tail -3)"
	failed=1
fi
iface=""
for dev in $bound; do
	# shellcheck disable=SC2012 # interface names are plain words; ls sorts them
	iface=$(ls "/sys/bus/pci/devices/$dev/net" 2>/dev/null | head -1)
done
# The link is up when the driver reports a carrier (autonegotiation done),
# not when "ip link set up" returns.
carrier=""
if [ -n "$iface" ] && ip link set "$iface" up; then
	for _ in $(seq 300); do
		carrier=$(cat "/sys/class/net/$iface/carrier" 2>/dev/null)
		[ "$carrier" = 1 ] && break
		sleep 0.1
	done
fi
if [ "$carrier" = 1 ]; then
	echo "CHECK e1000e-link-up PASS $iface carrier 1"
else
	echo "CHECK e1000e-link-up FAIL interface '$iface' carrier '${carrier}' after 30 s"
	failed=1
fi
sleep "${HOLD_SECONDS:-6}"
echo "VALUE e1000e_rx_packets $(cat "/sys/class/net/$iface/statistics/rx_packets" 2>/dev/null)"
dmesg | grep -E 'DMAR|iommu|e1000e' | tail -8 | sed 's/^/DMESG /'
exit $failed
