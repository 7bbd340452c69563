#!/usr/bin/env bash
# Compiles the JNI library: build.sh JAVA_HOME OUTPUT.so
# Warnings are errors: the library is small enough to keep clean.
set -euo pipefail
java_home=${1:?JAVA_HOME}
out=${2:?output .so}
src=$(dirname "$0")/dmazone_jni.c
mkdir -p "$(dirname "$out")"
if [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ]; then
	exit 0
fi
gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -fPIC -shared \
	-I"$java_home/include" -I"$java_home/include/linux" \
	-o "$out" "$src"
