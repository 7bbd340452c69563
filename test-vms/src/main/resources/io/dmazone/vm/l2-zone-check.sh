# L2 command (busybox sh, after ktap.sh and l2-lib.sh): checks that
# dmazone.ko gave the passed-through device (ZONE_CHECK_BDF if set, else
# the one e1000e drives) its zone-only IOMMU domain, mapped in as few
# entries as the domain's page sizes allow, and reports the zone.
# shellcheck shell=sh disable=SC3043 # busybox sh has local
zone=/sys/kernel/dmazone
if [ -r "$zone/size" ]; then
	value zone_bytes "$(cat "$zone/size")"
	value zone_source "$(cat "$zone/source")"
	value zone_mode "$(cat "$zone/mode")"
else
	check zone-attached 1 "dmazone is not loaded"
	ktap_end
	exit 1
fi

# expected_entries PGSIZES: IOMMU entries that map every range of the zone
# with, at each step, the largest page size of PGSIZES that the address is
# aligned to and that fits what is left of the range.
expected_entries() {
	local pgsizes="$1" total=0 lo hi addr left size bit
	while IFS=- read -r lo hi; do
		addr=$((lo))
		left=$((hi - lo + 1))
		while [ "$left" -gt 0 ]; do
			size=0
			for bit in $(seq 12 40); do
				[ $((pgsizes >> bit & 1)) = 1 ] || continue
				[ $((addr % (1 << bit))) = 0 ] && [ $((1 << bit)) -le "$left" ] && size=$((1 << bit))
			done
			[ "$size" -gt 0 ] || { echo "none fits at $addr"; return 1; }
			addr=$((addr + size))
			left=$((left - size))
			total=$((total + 1))
		done
	done <"$zone/ranges"
	echo "$total"
}

bdf=${ZONE_CHECK_BDF:-$(e1000e_bdf)}
line=$(grep "^${bdf:-none} iommu entries=" "$zone/devices")
entries=$(echo "$line" | sed -n 's/.* iommu entries=\([0-9]*\) .*/\1/p')
pgsizes=$(echo "$line" | sed -n 's/.* pgsizes=\(0x[0-9a-f]*\) .*/\1/p')
expected=$([ -n "$pgsizes" ] && expected_entries "$pgsizes")
value zone_iommu_entries "${entries:-none} expected ${expected:-none}"
if [ -n "$entries" ] && [ "$entries" = "$expected" ]; then
	check zone-attached 0 "$line"
else
	check zone-attached 1 "${bdf:-no device (e1000e drives none)}: '${line:-not attached}'," \
		"expected ${expected:-?} entries; devices: $(tr '\n' ';' <"$zone/devices")"
	ktap_end
	exit 1
fi
