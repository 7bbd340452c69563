#!/usr/bin/env bash
# Builds the nested (L2) guest's boot files into OUTDIR:
#   vmlinux        the test kernel, uncompressed, so QEMU boots it through PVH
#                  and skips the decompressor (about 45 s under TCG-in-TCG);
#                  a link to VMLINUX (kernel/build.sh made it)
#   initramfs.cpio busybox, the modules L2 loads (decompressed: busybox insmod
#                  cannot read .ko.xz), the command and /init; uncompressed
#                  and the programs named in L2_BINARIES with their libraries
# Usage: [L2_BINARIES="/usr/bin/prog ..."] [L2_COMMAND_MODULES="MODULE ..."] \
#        l2-image.sh VMLINUX MODULE_DIR OUTDIR COMMAND_FILE ['MODULE [PARAM=VALUE...]'...]
# MODULE_DIR is the kernel's lib/modules/RELEASE.
# A MODULE is a path under MODULE_DIR (kernel/...ko[.xz]) or
# an absolute path of a .ko file (an out-of-tree module), optionally followed
# by its parameters in the same argument; /init loads them in the order given.
# Every module file is also left in /lib/modules for the command to reload.
# The modules of L2_COMMAND_MODULES are only left there: the command loads
# them itself (after selecting a device for dmazone's DMA ops, say).
set -euo pipefail

vmlinux=$1
moddir=$2
out=$3
command_file=$4
shift 4

[ -r "$vmlinux" ] || { echo "l2-image: kernel $vmlinux not found; run kernel/build.sh" >&2; exit 1; }
[ -d "$moddir" ] || { echo "l2-image: module directory $moddir not found; run kernel/build.sh" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "l2-image: /bin/busybox not found; run ci/setup" >&2; exit 1; }

mkdir -p "$out"
ln -sf "$vmlinux" "$out/vmlinux"

root=$(mktemp -d "$out/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib/modules}
# what /init mounts with one "mount -a"
cat >"$root/etc/fstab" <<'EOF'
proc /proc proc defaults 0 0
sysfs /sys sysfs defaults 0 0
devtmpfs /dev devtmpfs defaults 0 0
tmpfs /tmp tmpfs defaults 0 0
EOF
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
: >"$root/lib/modules/load-order"
# add_module MODULE: copies it into /lib/modules (decompressed: busybox insmod
# cannot read .ko.xz) and prints the file's name there
add_module() {
	local src name
	case "$1" in
	/*) src=$1 ;;
	*) src=$moddir/$1 ;;
	esac
	[ -r "$src" ] || { echo "l2-image: module $src not found" >&2; return 1; }
	name=$(basename "$src" .xz)
	case "$src" in
	*.xz) xz -dc "$src" >"$root/lib/modules/$name" ;;
	*) cp "$src" "$root/lib/modules/$name" ;;
	esac
	echo "$name"
}
for spec in "$@"; do
	read -r m params <<<"$spec"
	name=$(add_module "$m")
	echo "$name${params:+ $params}" >>"$root/lib/modules/load-order"
done
for m in ${L2_COMMAND_MODULES:-}; do
	add_module "$m" >/dev/null
done
# Programs and the shared libraries ldd finds for them, at the same paths.
for prog in ${L2_BINARIES:-}; do
	[ -x "$prog" ] || { echo "l2-image: program $prog not found; run ci/setup" >&2; exit 1; }
	for file in "$prog" $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$file")"
		cp -L "$file" "$root$file"
	done
done
install -m 0755 "$command_file" "$root/command"
install -m 0755 "$(dirname "$0")/l2-init.sh" "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out/initramfs.cpio.$$"
mv "$out/initramfs.cpio.$$" "$out/initramfs.cpio"
