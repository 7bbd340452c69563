#!/usr/bin/env bash
# Compiles the JNI library from every .c file of this folder: build.sh JAVA_HOME OUTPUT.so
# Warnings are errors: the library is small enough to keep clean. Every
# function shared between files is declared in dmazone_jni.h
# (-Wmissing-prototypes), and only JNI_OnLoad/JNI_OnUnload are exported
# (-fvisibility=hidden; JNIEXPORT makes them visible).
set -euo pipefail
shopt -s nullglob
java_home=${1:?JAVA_HOME}
out=${2:?output .so}
dir=$(dirname "$0")
srcs=("$dir"/*.c)
[ ${#srcs[@]} -gt 0 ] || { echo "build.sh: no .c files in $dir" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
# Up to date when newer than every source, header, this script, and the
# folder itself (whose time changes when a file is added, removed or renamed).
stale=
for f in "${srcs[@]}" "$dir"/*.h "$0" "$dir"; do
	if ! [ "$out" -nt "$f" ]; then
		stale=$f
		break
	fi
done
if [ -z "$stale" ]; then
	exit 0
fi
gcc -std=gnu11 -O2 -g -Wall -Wextra -Wmissing-prototypes -Werror -fPIC -shared \
	-fvisibility=hidden \
	-I"$java_home/include" -I"$java_home/include/linux" \
	-o "$out" "${srcs[@]}"
