#!/bin/sh
# /init of the nested (L2) guest: loads the image's modules, runs /command,
# prints its exit status between markers the harness looks for, powers off.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
echo "L2-INIT uptime $(cut -d' ' -f1 /proc/uptime)"

# Each line: a module file and its parameters.
while read -r m params; do
	# shellcheck disable=SC2086 # the parameters are separate words
	insmod "/lib/modules/$m" $params || echo "L2-INSMOD-FAILED $m"
done </lib/modules/load-order

echo "L2-CMD-START uptime $(cut -d' ' -f1 /proc/uptime)"
/command
echo "L2-EXIT $?"
poweroff -f
