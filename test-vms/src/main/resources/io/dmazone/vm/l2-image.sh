#!/usr/bin/env bash
# Builds the nested (L2) guest's boot files into OUTDIR:
#   vmlinux        the test kernel, uncompressed, so QEMU boots it through
#                  PVH and skips the decompressor (about 45 s under TCG-in-TCG)
#   initramfs.cpio busybox, the modules L2 needs (decompressed: busybox insmod
#                  cannot read .ko.xz) and /init; left uncompressed on purpose
# Usage: l2-image.sh KERNEL_RELEASE OUTDIR [EXTRA_FILE...]
# Each EXTRA_FILE is copied into the image at its own absolute path.
set -euo pipefail

kver=$1
out=$2
shift 2

modules_dir=/lib/modules/$kver
kernel=/boot/vmlinuz-$kver
extract=/usr/src/linux-source-6.12/scripts/extract-vmlinux
[ -r "$kernel" ] || { echo "l2-image: kernel $kernel not found (run ci/setup)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "l2-image: /bin/busybox not found (install busybox-static)" >&2; exit 1; }

# Loaded in this order by /init: dependencies first.
modules=(
	kernel/drivers/iommu/virtio-iommu.ko.xz
	kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko.xz
	kernel/virt/lib/irqbypass.ko.xz
	kernel/drivers/vfio/vfio.ko.xz
	kernel/drivers/vfio/vfio_iommu_type1.ko.xz
	kernel/drivers/vfio/pci/vfio-pci-core.ko.xz
	kernel/drivers/vfio/pci/vfio-pci.ko.xz
)

mkdir -p "$out"
root=$(mktemp -d "$out/root.XXXXXX")
trap 'rm -rf "$root"' EXIT

if [ ! -s "$out/vmlinux" ] || [ "$kernel" -nt "$out/vmlinux" ]; then
	sh "$extract" "$kernel" >"$out/vmlinux.tmp"
	mv "$out/vmlinux.tmp" "$out/vmlinux"
fi

mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,run,lib/modules}
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
: >"$root/lib/modules/load-order"
for m in "${modules[@]}"; do
	name=$(basename "$m" .xz)
	xz -dc "$modules_dir/$m" >"$root/lib/modules/$name"
	echo "$name" >>"$root/lib/modules/load-order"
done
for f in "$@"; do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done
install -m 0755 "$(dirname "$0")/l2-init.sh" "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out/initramfs.cpio.tmp"
mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
