#!/usr/bin/env bash
# Builds (or finds in the cache) dmazone_insn, the instruction-counting TCG
# plugin, for the QEMU installed here, and prints the path of the .so.
#
#   test-vms/qemu-plugin/build.sh
#
# QEMU's Debian packages install no plugin header: the upstream source tarball
# of the installed version is downloaded once into the cache and only
# include/qemu/qemu-plugin.h is taken from it (it includes glib.h:
# libglib2.0-dev, from ci/setup). Builds are cached in
# $DMAZONE_CACHE/qemu-plugin/<key>/ (default cache /root/.cache/dmazone),
# keyed by the source, the header and the installed QEMU's version, so a
# second run builds nothing and a new .c or a new QEMU builds again.
# QEMU_SOURCE_URL overrides where the tarball comes from (a mirror, or a
# file:// copy).
# $DMAZONE_CACHE/qemu-plugin/current links to the last one chosen, the
# harness's default (dmazone.qemuPlugin). Progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${DMAZONE_CACHE:-/root/.cache/dmazone}
QEMU=${QEMU:-qemu-system-x86_64}
SRC=$HERE/dmazone_insn.c

die() { echo "qemu-plugin/build.sh: $*" >&2; exit 1; }
say() { echo "qemu-plugin: $*" >&2; }

case "${1:-}" in
'') ;;
-h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument '$1' (see --help)" ;;
esac

command -v "$QEMU" >/dev/null 2>&1 || die "$QEMU is not installed; run ci/setup"
command -v cc >/dev/null 2>&1 || die "cc is not installed; run ci/setup"
pkg-config --exists glib-2.0 2>/dev/null || die "glib-2.0 headers are missing (qemu-plugin.h includes glib.h); run ci/setup"

# "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)"
banner=$("$QEMU" --version | head -1)
upstream=$(sed -n 's/^QEMU emulator version \([0-9][0-9.]*\).*/\1/p' <<<"$banner")
[ -n "$upstream" ] || die "cannot read the version from '$banner'"

mkdir -p "$CACHE/qemu-plugin"
tarball_name=qemu_${upstream}+ds.orig.tar.xz
tarball=$CACHE/qemu-plugin/$tarball_name
url=${QEMU_SOURCE_URL:-http://deb.debian.org/debian/pool/main/q/qemu/$tarball_name}
header_dir=$CACHE/qemu-plugin/qemu-$upstream/include
header=$header_dir/qemu/qemu-plugin.h

if [ ! -f "$header" ]; then
	if [ ! -f "$tarball" ]; then
		say "downloading $url"
		curl -fsSL --retry 3 -o "$tarball.tmp" "$url" || {
			rm -f "$tarball.tmp"
			die "cannot download $url (the source of QEMU $upstream, for qemu-plugin.h); set QEMU_SOURCE_URL to another copy"
		}
		mv "$tarball.tmp" "$tarball"
	fi
	say "extracting qemu-plugin.h from $tarball"
	rm -rf "$CACHE/qemu-plugin/qemu-$upstream.tmp"
	mkdir -p "$CACHE/qemu-plugin/qemu-$upstream.tmp"
	tar -C "$CACHE/qemu-plugin/qemu-$upstream.tmp" -xJf "$tarball" --strip-components=1 \
		"qemu-$upstream/include/qemu/qemu-plugin.h" ||
		die "$tarball holds no qemu-$upstream/include/qemu/qemu-plugin.h"
	mkdir -p "$header_dir/qemu"
	mv "$CACHE/qemu-plugin/qemu-$upstream.tmp/include/qemu/qemu-plugin.h" "$header"
	rm -rf "$CACHE/qemu-plugin/qemu-$upstream.tmp"
fi

read -r -a glib_flags < <(pkg-config --cflags glib-2.0)
cflags=(-shared -fPIC -O2 -Wall -Wextra -pthread "${glib_flags[@]}")
key=$( {
	echo "$banner"
	echo "${cflags[*]}"
	cat "$SRC" "$header"
} | sha256sum | cut -c1-16)
dir=$CACHE/qemu-plugin/$key
so=$dir/libdmazone_insn.so

if [ -f "$so" ]; then
	say "cached: $so"
else
	mkdir -p "$dir"
	say "building $so for $banner"
	cc "${cflags[@]}" -I"$header_dir/qemu" -o "$so.tmp" "$SRC" || die "the plugin did not compile"
	mv "$so.tmp" "$so"
fi
ln -sfn "$dir" "$CACHE/qemu-plugin/current"
echo "$so"
