# The one check emitter of the guest-side scripts: KTAP, the kselftest
# format, as io.dmazone.vm.GuestChecks reads it. POSIX sh, and no program
# started (a fork costs about a second in L2, under TCG inside TCG): the L2
# commands (busybox sh) and the L1 companions (bash) have it pasted in
# first by L2Commands and L1Companions; kmod/tests/guest/lib.sh and
# guest-driver/tests/guest/e1000e-zone-tests.sh source it from the checkout.
# io.dmazone.guest.CheckReport writes the same for the Java guest programs.
#
#   KTAP version 1                           when this file is read
#   ok 1 zone_nic_up # enp0s1 10.78.0.2      check NAME 0 DETAIL...
#   not ok 2 log_clean # problem lines: 3    check NAME STATUS DETAIL...
#   ok 3 default_domain # SKIP no vIOMMU     skip NAME REASON...
#   # VALUE zone_bytes 67108864              value NAME VALUE...
#   # anything else                          note TEXT...
#   # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
#   1..3                                     ktap_end, the plan, last
#
# STATUS is a command's exit status: 0 passes, anything else fails. NAME is
# one word; a detail's newlines become blanks. A value is a diagnostic line
# ("# VALUE NAME VALUE..."), so KTAP tools pass it by. The plan comes last
# (KTAP allows that): a stream cut short, a script that died or was killed
# midway, has none. failed is 0, or 1 once a check failed: scripts end
# with `ktap_end; exit "$failed"` (ktap_end returns it too).
#
# The numbers live in this shell's variables: call check, skip and
# ktap_relay in the script's own shell, not in $(...) or a pipeline, whose
# subshell would repeat a number and lose the count. GuestChecks reports a
# stream whose numbers or plan do not add up as incomplete.
# shellcheck shell=sh disable=SC3043 # busybox sh and bash both have local

if [ -z "${ktap_n:-}" ]; then
	ktap_n=0
	ktap_pass=0
	ktap_fail=0
	ktap_skip=0
	failed=0
	ktap_nl='
'
	echo "KTAP version 1"
fi

# ktap_oneline TEXT...: sets ktap_text to TEXT with every newline a blank
ktap_oneline() {
	ktap_text=$*
	while :; do
		case $ktap_text in
		*"$ktap_nl"*) ktap_text="${ktap_text%%"$ktap_nl"*} ${ktap_text#*"$ktap_nl"}" ;;
		*) return 0 ;;
		esac
	done
}

# ktap_result ok|"not ok" NAME [DIRECTIVE/DETAIL...]: the next result line
ktap_result() {
	local result="$1" name="$2"
	shift 2
	ktap_n=$((ktap_n + 1))
	ktap_oneline "$*"
	if [ -n "$ktap_text" ]; then
		printf '%s %d %s # %s\n' "$result" "$ktap_n" "$name" "$ktap_text"
	else
		printf '%s %d %s\n' "$result" "$ktap_n" "$name"
	fi
}

# check NAME STATUS DETAIL...
check() {
	local name="$1" status="$2"
	shift 2
	if [ "$status" = 0 ]; then
		ktap_pass=$((ktap_pass + 1))
		ktap_result ok "$name" "$@"
	else
		ktap_fail=$((ktap_fail + 1))
		failed=1
		ktap_result "not ok" "$name" "$@"
	fi
}

# skip NAME REASON...: a check that does not apply here; neither passed
# nor failed
skip() {
	local name="$1"
	shift
	ktap_skip=$((ktap_skip + 1))
	ktap_result ok "$name" SKIP "$@"
}

# value NAME VALUE...
value() {
	local name="$1"
	shift
	ktap_oneline "$*"
	printf '# VALUE %s %s\n' "$name" "$ktap_text"
}

# note TEXT...: a comment in the stream
note() {
	ktap_oneline "$*"
	printf '# %s\n' "$ktap_text"
}

# ktap_relay TEXT: another program's KTAP output (its whole stdout) into
# this stream: its results renumbered and counted here, its version line
# and plan as comments, the rest as it was
ktap_relay() {
	local line rest
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]* | "not ok "[0-9]*)
			rest=${line#not }
			rest=${rest#ok }
			rest=${rest#"${rest%%[!0-9]*}"}
			rest=${rest# }
			case $line in
			not*) ktap_fail=$((ktap_fail + 1)); failed=1; ktap_result "not ok" "$rest" ;;
			*"# SKIP"*) ktap_skip=$((ktap_skip + 1)); ktap_result ok "$rest" ;;
			*) ktap_pass=$((ktap_pass + 1)); ktap_result ok "$rest" ;;
			esac
			;;
		"KTAP version "* | 1..[0-9]*) printf '# relayed: %s\n' "$line" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <<EOF
$1
EOF
}

# ktap_end: the totals and the plan; returns failed. Last in the script.
ktap_end() {
	echo "# Totals: pass:$ktap_pass fail:$ktap_fail xfail:0 xpass:0 skip:$ktap_skip error:0"
	echo "1..$ktap_n"
	return "$failed"
}
