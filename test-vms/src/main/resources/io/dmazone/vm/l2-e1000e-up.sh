# L2 command (busybox sh, after ktap.sh and l2-lib.sh): checks that the
# stock e1000e driver bound the passed-through NIC, brings its link up so
# the driver fills its RX ring (DMA mappings), and holds it there for
# HOLD_SECONDS while L1 samples.
# shellcheck shell=sh
bound=""
for dev in /sys/bus/pci/drivers/e1000e/0000:*; do
	[ -e "$dev" ] && bound="$bound $(basename "$dev")"
done
if [ -n "$bound" ]; then
	check e1000e-bound 0 "${bound# }"
else
	check e1000e-bound 1 "no device bound to e1000e; dmesg: $(dmesg | grep -i e1000e | tail -3)"
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
	check e1000e-link-up 0 "$iface carrier 1"
else
	check e1000e-link-up 1 "interface '$iface' carrier '${carrier}' after 30 s"
fi
sleep "${HOLD_SECONDS:-6}"
value e1000e_rx_packets "$(cat "/sys/class/net/$iface/statistics/rx_packets" 2>/dev/null)"
dmesg | grep -E 'DMAR|iommu|e1000e' | tail -8 | sed 's/^/# dmesg: /'
ktap_end
# shellcheck disable=SC2154 # failed is set by ktap.sh, before this file
exit "$failed"
