# CHECK and VALUE lines, as GuestChecks reads them, for the L1 companions
# (bash) and the L2 commands (busybox sh); failed is 1 once a check failed.
# shellcheck shell=sh disable=SC3043 # busybox sh and bash both have local
failed=0

check() {
	local name="$1" ok="$2"
	shift 2
	if [ "$ok" = 0 ]; then
		echo "CHECK $name PASS $*"
	else
		echo "CHECK $name FAIL $*"
		# shellcheck disable=SC2034 # read by the script that comes after this file
		failed=1
	fi
}

value() { echo "VALUE $*"; }
