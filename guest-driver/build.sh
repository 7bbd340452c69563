#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the dmazone-patched e1000e out of tree.
#
#   guest-driver/build.sh [options] [KDIR]
#
# Copies drivers/net/ethernet/intel/e1000e from a kernel source tree
# (extracting just that folder from /usr/src/linux-source-*.tar.xz when the
# tree is not unpacked), applies 0001-e1000e-*.patch and builds e1000e.ko
# against KDIR with W=1, dmazone.h from kmod/include and dmazone's
# Module.symvers (KBUILD_EXTRA_SYMBOLS). Any compiler warning fails the
# build. Output: guest-driver/build/e1000e.ko (the tree it was built in is
# guest-driver/build/src/).
#
# Options (each also settable through the environment):
#   --ksrc DIR        kernel source tree to take e1000e from (KSRC, default
#                     the source of the kernel kernel/build.sh chose last)
#   --tarball FILE    linux-source tarball used when DIR has no e1000e
#                     (KSRC_TARBALL, default /usr/src/linux-source-6.12.tar.xz)
#   --jobs N          make -j (JOBS, default 2)
#   --allow-warnings  do not fail on compiler warnings (for other kernels)
#   KDIR              kernel build tree (KDIR, default the build tree of the
#                     kernel kernel/build.sh chose last)
#
# A kernel developer testing the patch on their own kernel:
#   KSRC=~/linux guest-driver/build.sh ~/linux
# (dmazone.ko must be built for the same kernel: make -C kmod KDIR=~/linux)

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
KMOD=$ROOT/kmod
OUT=$HERE/build
PATCH=$HERE/0001-e1000e-take-rings-and-buffers-from-a-dmazone-zone.patch
REL=drivers/net/ethernet/intel/e1000e

CURRENT=/root/.cache/dmazone/kernels/current
KSRC=${KSRC:-$CURRENT/source}
KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
KDIR=${KDIR:-$CURRENT/build}
JOBS=${JOBS:-2}
ALLOW_WARNINGS=0

die() { echo "build.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--ksrc) KSRC=${2:?--ksrc needs a directory}; shift 2 ;;
	--tarball) KSRC_TARBALL=${2:?--tarball needs a file}; shift 2 ;;
	--jobs) JOBS=${2:?--jobs needs a number}; shift 2 ;;
	--allow-warnings) ALLOW_WARNINGS=1; shift ;;
	-h|--help) sed -n '4,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) KDIR=$1; shift ;;
	esac
done

[ -f "$PATCH" ] || die "patch not found: $PATCH"
[ -f "$KDIR/Makefile" ] || die "KDIR $KDIR is not a kernel build tree (no Makefile); install the headers or pass another KDIR"
[ -f "$KMOD/include/dmazone.h" ] || die "missing $KMOD/include/dmazone.h"

# dmazone.ko first: its Module.symvers resolves the dmazone symbols.
if [ ! -f "$KMOD/Module.symvers" ] || [ ! -f "$KMOD/dmazone.ko" ]; then
	echo "build.sh: building dmazone.ko first (make -C kmod)"
	make -C "$KMOD" KDIR="$KDIR" modules
fi

rm -rf "$OUT"
mkdir -p "$OUT/src/$(dirname "$REL")"

if [ -d "$KSRC/$REL" ]; then
	cp -r "$KSRC/$REL" "$OUT/src/$REL"
elif [ -f "$KSRC_TARBALL" ]; then
	# linux-source-X.Y.tar.xz holds linux-source-X.Y/<tree>
	top=$(basename "$KSRC_TARBALL" .tar.xz)
	echo "build.sh: extracting $REL from $KSRC_TARBALL"
	tar -xJf "$KSRC_TARBALL" -C "$OUT" "$top/$REL"
	mv "$OUT/$top/$REL" "$OUT/src/$REL"
	rm -rf "${OUT:?}/$top"
else
	die "no e1000e source: neither $KSRC/$REL nor $KSRC_TARBALL exists (set KSRC or KSRC_TARBALL)"
fi

# A tree the patch does not fit: name the files and the hunks it rejects.
if ! out=$(patch -d "$OUT/src" -p1 --forward --batch --dry-run <"$PATCH" 2>&1); then
	die "$(basename "$PATCH") does not apply to $KSRC/$REL:
$(awk '/^(checking|patching) file /{file=$3; next}
	/can.t find file/{missing=1; next}
	missing && /^\|\+\+\+ b\//{print "  " substr($2, 3) ": not in the tree"; missing=0; next}
	/FAILED|Reversed/{print "  " file ": " $0}' <<<"$out")
  rebase the patch onto this tree (git am -3 in it, then git format-patch) or use a tree of linux 6.12"
fi
patch -d "$OUT/src" -p1 --forward --batch --quiet <"$PATCH"

log=$OUT/build.log
set +e
make -C "$KDIR" M="$OUT/src/$REL" W=1 \
	KCFLAGS="-I$KMOD/include" \
	KBUILD_EXTRA_SYMBOLS="$KMOD/Module.symvers" \
	-j"$JOBS" modules 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || die "make failed ($rc), see $log"

if grep -q 'warning:' "$log"; then
	if [ "$ALLOW_WARNINGS" -eq 1 ]; then
		echo "build.sh: compiler warnings (allowed), see $log" >&2
	else
		die "compiler warnings, see $log (--allow-warnings to accept)"
	fi
fi

cp "$OUT/src/$REL/e1000e.ko" "$OUT/e1000e.ko"
echo "build.sh: built $OUT/e1000e.ko against $KDIR"
