#!/usr/bin/env bash
# Runs a VM launcher (vng) in a process group of its own and kills that whole
# group, QEMU included, as soon as this script's standard input reaches EOF.
# The harness holds the write end of that pipe, so the VM dies with the JVM
# even when the JVM is killed with SIGKILL and runs no shutdown hook.
# Usage: vm-guard.sh COMMAND [ARG...]    exit status: COMMAND's
set -u

exec 3<&0
setsid "$@" </dev/null &
launcher=$!
# A job runner that stops the whole process group (SIGTERM, then maybe
# SIGKILL) reaches this script but not the launcher's own session: take the
# VM down with us.
trap 'kill -KILL -- "-$launcher" 2>/dev/null; exit 143' TERM INT HUP

{
	while read -r _; do :; done
	kill -KILL -- "-$launcher" 2>/dev/null
} <&3 &
watcher=$!
exec 3<&-

wait "$launcher"
status=$?
kill "$watcher" 2>/dev/null
# Whatever the launcher left behind in its group goes too.
kill -KILL -- "-$launcher" 2>/dev/null
exit "$status"
