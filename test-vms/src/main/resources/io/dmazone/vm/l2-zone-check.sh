# L2 command (busybox sh), run before l2-e1000e-up.sh: checks that dmazone.ko
# gave the passed-through NIC its zone-only IOMMU domain and reports the zone.
zone=/sys/kernel/dmazone
if [ -r "$zone/size" ]; then
	echo "VALUE zone_bytes $(cat "$zone/size")"
	echo "VALUE zone_source $(cat "$zone/source")"
	echo "VALUE zone_mode $(cat "$zone/mode")"
else
	echo "CHECK zone-attached FAIL dmazone is not loaded"
	exit 1
fi
devices=$(cat "$zone/devices")
case "$devices" in
*"iommu entries="*) echo "CHECK zone-attached PASS $devices" ;;
*) echo "CHECK zone-attached FAIL devices: '$devices'"; exit 1 ;;
esac
