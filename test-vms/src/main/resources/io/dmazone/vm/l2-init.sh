#!/bin/sh
# /init of the nested (L2) guest: loads the image's modules, runs /command,
# prints its exit status between markers the harness looks for, powers off.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
# Each program started costs about a second under TCG inside TCG: one mount
# for the four file systems (/etc/fstab), and the shell's own read for the
# uptime.
mount -a
read -r uptime _ </proc/uptime
echo "L2-INIT uptime $uptime"

# Each line: a module file and its parameters; as modprobe would, a module
# also gets its MODULE.PARAM=VALUE words of the kernel command line (a zone
# plan's dmazone.size=...). Builtins only, no fork per word.
read -r cmdline </proc/cmdline
while read -r m params; do
	name=${m##*/}
	name=${name%%.ko*}
	for word in $cmdline; do
		case $word in "$name".*) params="$params ${word#"$name".}" ;; esac
	done
	# shellcheck disable=SC2086 # the parameters are separate words
	insmod "/lib/modules/$m" $params || echo "L2-INSMOD-FAILED $m"
done </lib/modules/load-order

read -r uptime _ </proc/uptime
echo "L2-CMD-START uptime $uptime"
/command
echo "L2-EXIT $?"
poweroff -f
