#!/bin/sh
# /init of the nested (L2) guest. Runs the command given as dmazone.cmd=
# (base64) on the kernel command line, prints its exit status between
# markers the harness looks for, and powers off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo "L2-INIT uptime $(cut -d' ' -f1 /proc/uptime)"

for m in $(cat /lib/modules/load-order); do
	case " $(cat /proc/cmdline) " in
	*" dmazone.skipmod=${m%.ko} "*) continue ;;
	esac
	insmod "/lib/modules/$m" 2>/dev/null
done

cmd=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	dmazone.cmd=*) cmd=$(echo "${arg#dmazone.cmd=}" | base64 -d) ;;
	esac
done
echo "L2-CMD-START uptime $(cut -d' ' -f1 /proc/uptime)"
sh -c "$cmd"
status=$?
echo "L2-EXIT $status"
sync
poweroff -f
