#!/usr/bin/env bash
# Builds (or finds in the cache) the kernel dmazone's VMs boot, and prints
# the directory that describes it.
#
#   kernel/build.sh [--variant lean|debug|debian] [--tree DIR] [--keep-current]
#
# Variants:
#   lean    (default) kernel/test.config merged onto allnoconfig: every VM
#           test and the main job boot it
#   debug   lean plus kernel/debug.config (KASAN, lockdep)
#   debian  the distribution kernel ci/setup installs (kernel/debian.env);
#           nothing is built
# The tree (lean and debug) is DIR, or $DMAZONE_KERNEL_TREE, or by default
# the linux-source package of the Debian release, unpacked once into the
# cache. Builds are cached in $DMAZONE_CACHE (default /root/.cache/dmazone),
# keyed by the tree's identity (git commit and uncommitted changes, or the
# package version, or the newest file time) and the fragments, so a second
# run, or a fresh clone on the same machine, builds nothing.
#
# The printed directory holds:
#   kernel.env  RELEASE, IMAGE (bzImage, for virtme-ng), VMLINUX (for PVH
#               boots of L2), MODULES (the root holding lib/modules/RELEASE),
#               TREE, COMMIT, CONFIG_SHA256, VARIANT, BUILD_SECONDS
#   build       the kbuild output directory: KDIR for out-of-tree modules
#   source      the source tree (e1000e is patched from here)
#   build.log   the kernel build's output
# and $DMAZONE_CACHE/kernels/current links to it, the default for plain mvn
# (--keep-current leaves that link alone: a build beside running tests).
#
# Why merge_config.sh onto allnoconfig rather than vng --kconfig: vng starts
# from the tree's defconfig (thousands of objects and initcalls the tests
# never use, about a minute of every L2 boot under TCG); -n starts from
# nothing, so the fragment is the whole kernel, and merge_config.sh names
# every requested option the tree lacks, which is the error a user with
# another tree needs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=debian.env
. "$HERE/debian.env"

# Guests read the modules and L2's vmlinux from here through virtme-ng's view of
# the host root, which does not show /var/cache: keep it where guests see it.
CACHE=${DMAZONE_CACHE:-/root/.cache/dmazone}
VARIANT=${DMAZONE_KERNEL_VARIANT:-lean}
TREE=${DMAZONE_KERNEL_TREE:-}
JOBS=${JOBS:-$(nproc)}
KEEP_CURRENT=""

die() { echo "kernel/build.sh: $*" >&2; exit 1; }
say() { echo "kernel: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--variant) VARIANT=${2:?--variant needs lean, debug or debian}; shift 2 ;;
	--tree) TREE=${2:?--tree needs a kernel source directory}; shift 2 ;;
	--keep-current) KEEP_CURRENT=1; shift ;;
	-h | --help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

fragments=()
case "$VARIANT" in
lean) fragments=("$HERE/test.config") ;;
debug) fragments=("$HERE/test.config" "$HERE/debug.config") ;;
debian) ;;
*) die "--variant $VARIANT: use lean, debug or debian" ;;
esac

mkdir -p "$CACHE/kernels"

# Writes kernel.env last: a directory without it is an unfinished build.
write_env() { # dir release image vmlinux modules tree commit config_sha seconds
	cat >"$1/kernel.env.tmp" <<-EOF
		RELEASE='$2'
		IMAGE='$3'
		VMLINUX='$4'
		MODULES='$5'
		TREE='$6'
		COMMIT='$7'
		CONFIG_SHA256='$8'
		VARIANT='$VARIANT'
		BUILD_SECONDS='$9'
	EOF
	mv "$1/kernel.env.tmp" "$1/kernel.env"
}

finish() { # dir
	[ -n "$KEEP_CURRENT" ] || ln -sfn "$1" "$CACHE/kernels/current"
	echo "$1"
	exit 0
}

if [ "$VARIANT" = debian ]; then
	rel=$DEBIAN_KERNEL_RELEASE
	dir=$CACHE/kernels/debian-$rel
	[ -r "/boot/vmlinuz-$rel" ] || die "/boot/vmlinuz-$rel is not installed; run ci/setup"
	[ -f "/lib/modules/$rel/build/Makefile" ] || die "headers for $rel are not installed; run ci/setup"
	if [ ! -f "$dir/kernel.env" ]; then
		mkdir -p "$dir"
		extract=/usr/src/$DEBIAN_KERNEL_SOURCE_PACKAGE/scripts/extract-vmlinux
		[ -r "$extract" ] || die "$extract not found; run ci/setup"
		sh "$extract" "/boot/vmlinuz-$rel" >"$dir/vmlinux.tmp"
		mv "$dir/vmlinux.tmp" "$dir/vmlinux"
		ln -sfn "/lib/modules/$rel/build" "$dir/build"
		ln -sfn "/usr/src/$DEBIAN_KERNEL_SOURCE_PACKAGE" "$dir/source"
		write_env "$dir" "$rel" "/boot/vmlinuz-$rel" "$dir/vmlinux" / \
			"debian:linux-image-$rel" "$DEBIAN_KERNEL_PACKAGE_VERSION" \
			"$(sha256sum "/boot/config-$rel" | cut -d' ' -f1)" 0
	fi
	finish "$dir"
fi

# The default tree: the distribution's source of the same release, unpacked once.
if [ -z "$TREE" ]; then
	tarball=/usr/src/$DEBIAN_KERNEL_SOURCE_PACKAGE.tar.xz
	TREE=$CACHE/src/$DEBIAN_KERNEL_SOURCE_PACKAGE
	if [ ! -f "$TREE/.dmazone-unpacked" ]; then
		[ -r "$tarball" ] || die "$tarball not found; run ci/setup"
		say "unpacking $tarball into $CACHE/src"
		rm -rf "$TREE"
		mkdir -p "$CACHE/src"
		tar -C "$CACHE/src" -xJf "$tarball"
		echo "$DEBIAN_KERNEL_PACKAGE_VERSION" >"$TREE/.dmazone-unpacked"
	fi
	identity="package:$DEBIAN_KERNEL_SOURCE_PACKAGE=$(cat "$TREE/.dmazone-unpacked")"
	commit="$DEBIAN_KERNEL_SOURCE_PACKAGE $(cat "$TREE/.dmazone-unpacked")"
else
	[ -d "$TREE" ] || die "kernel tree $TREE is not a directory (DMAZONE_KERNEL_TREE or --tree)"
	TREE=$(cd "$TREE" && pwd)
	if [ ! -f "$TREE/Makefile" ] || [ ! -f "$TREE/scripts/kconfig/merge_config.sh" ]; then
		die "$TREE is not a kernel source tree (no Makefile or scripts/kconfig/merge_config.sh)"
	fi
	[ -f "$TREE/.config" ] && die "$TREE has a .config: kbuild refuses O= builds of a configured tree; run 'make mrproper' there"
	if git -C "$TREE" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		commit=$(git -C "$TREE" rev-parse HEAD)
		dirty=$(git -C "$TREE" diff HEAD | sha256sum | cut -c1-16)
		identity="git:$commit:$dirty"
		[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] || commit="$commit (uncommitted changes $dirty)"
	else
		newest=$(find "$TREE" -path "$TREE/.git" -prune -o -type f -printf '%T@\n' | sort -n | tail -1)
		identity="dir:$TREE:$newest"
		commit="none (not a git tree; newest file $newest)"
	fi
fi

key=$( {
	echo "$identity $VARIANT"
	cat "${fragments[@]}"
} | sha256sum | cut -c1-16)
dir=$CACHE/kernels/$VARIANT-$key
if [ -f "$dir/kernel.env" ]; then
	# shellcheck source=/dev/null
	. "$dir/kernel.env"
	say "$RELEASE from $TREE: cached in $dir (built in ${BUILD_SECONDS} s)"
	finish "$dir"
fi

mkdir -p "$dir/build"
exec 9>"$dir/lock"
flock 9
# another run may have built it while this one waited
if [ -f "$dir/kernel.env" ]; then
	# shellcheck source=/dev/null
	. "$dir/kernel.env"
	say "$RELEASE from $TREE: built by another run in $dir (in ${BUILD_SECONDS} s)"
	finish "$dir"
fi
log=$dir/build.log
: >"$log"
start=$SECONDS
say "building the $VARIANT kernel from $TREE into $dir (log: $log)"

merge_out=$(cd "$TREE" && scripts/kconfig/merge_config.sh -n -O "$dir/build" "${fragments[@]}" 2>&1) || {
	echo "$merge_out" >>"$log"
	die "merge_config.sh failed in $TREE; see $log"
}
echo "$merge_out" >>"$log"
# merge_config.sh reports every requested option the tree's Kconfig dropped.
missing=$(grep -o 'Value requested for CONFIG_[A-Z0-9_]* not in final' <<<"$merge_out" |
	awk '{print $4}' | sort -u | tr '\n' ' ' || true)
[ -z "$missing" ] ||
	die "$TREE cannot give the options the fragment needs: ${missing% } (they do not exist there or their dependencies are off); see $log"

make -C "$TREE" O="$dir/build" -j"$JOBS" bzImage modules >>"$log" 2>&1 &
make_pid=$!
next_report=$((start + 60))
while kill -0 "$make_pid" 2>/dev/null; do
	sleep 2
	if [ "$SECONDS" -ge "$next_report" ]; then
		say "still building: $((SECONDS - start)) s, $(grep -c '^  CC' "$log") files compiled (about 1400 in all)"
		next_report=$((next_report + 60))
	fi
done
wait "$make_pid" || {
	tail -n 30 "$log" >&2
	die "the kernel build failed after $((SECONDS - start)) s; the whole log is $log"
}
rel=$(make -s -C "$TREE" O="$dir/build" kernelrelease 2>>"$log")
rm -rf "${dir:?}/lib"
make -C "$TREE" O="$dir/build" INSTALL_MOD_PATH="$dir" INSTALL_MOD_STRIP=1 \
	DEPMOD=/sbin/depmod modules_install >>"$log" 2>&1 ||
	die "modules_install failed; see $log"
mkdir -p "$dir/boot"
cp "$dir/build/arch/x86/boot/bzImage" "$dir/boot/vmlinuz-$rel"
ln -sfn build/vmlinux "$dir/vmlinux"
ln -sfn "$TREE" "$dir/source"
seconds=$((SECONDS - start))
write_env "$dir" "$rel" "$dir/boot/vmlinuz-$rel" "$dir/build/vmlinux" "$dir" "$TREE" "$commit" \
	"$(sha256sum "$dir/build/.config" | cut -d' ' -f1)" "$seconds"
say "built $rel in $seconds s"
finish "$dir"
