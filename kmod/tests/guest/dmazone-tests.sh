#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dmazone guest tests (issue 3, tests 1-5). Run INSIDE the test VM as root,
# with the host tree visible read-only at the same path and the modules
# already built on the host (make -C kmod).
#
#   dmazone-tests.sh --config A|B|C [--kmod-dir DIR] [--base ADDR]
#                    [--size BYTES] [--stress-pairs N]
#
# A: q35 + intel-iommu (caching-mode) + edu, cmdline intel_iommu=on memmap=
# B: as A, plus iommu=pt
# C: q35 without vIOMMU + edu, cmdline memmap=
# edu must be started with dma_mask=0xffffffffffffffff.
#
# Prints KTAP (see lib.sh); exits 0 only if no check failed.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

CONFIG=
KMOD_DIR=$(cd "$HERE/../.." && pwd)
ZONE_BASE=0x40000000
ZONE_SIZE=$((64 << 20))
STRESS_PAIRS=100000

usage() {
	echo "usage: $0 --config A|B|C [--kmod-dir DIR] [--base ADDR] [--size BYTES] [--stress-pairs N]" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--config) CONFIG=$2; shift 2 ;;
	--kmod-dir) KMOD_DIR=$2; shift 2 ;;
	--base) ZONE_BASE=$2; shift 2 ;;
	--size) ZONE_SIZE=$(($2)); shift 2 ;;
	--stress-pairs) STRESS_PAIRS=$2; shift 2 ;;
	*) usage ;;
	esac
done
case $CONFIG in
A|B) IOMMU=1 ;;
C) IOMMU=0 ;;
*) usage ;;
esac

DZ_KO=$KMOD_DIR/dmazone.ko
EDU_KO=$KMOD_DIR/test-client/dmazone_edu_test.ko
SYS=/sys/kernel/dmazone
DBG=/sys/kernel/debug/dmazone
EDU_DBG=
EDU_BDF=
START=$(date +%s)

sysval() { cat "$SYS/$1" 2>/dev/null; }

# edu_cmd COMMAND...: run one client command; sets RESULT; returns the
# write's status.
edu_cmd() {
	local rc=0
	# shellcheck disable=SC2320 # echo's status is the write's, which is wanted
	echo "$*" > "$EDU_DBG/ctl" 2>/dev/null || rc=$?
	RESULT=$(cat "$EDU_DBG/result")
	note "edu: $* -> $RESULT"
	return $rc
}

load_dmazone() {
	sys_insmod "$DZ_KO" "$@"
}

kernel_log_clean() {
	! dmesg | grep -qE 'WARNING:|BUG:|Oops|general protection|Call Trace'
}

# --- environment ----------------------------------------------------------
t_environment() {
	local cmdline ok=0 detail
	cmdline=$(cat /proc/cmdline)
	detail="config=$CONFIG kernel=$(uname -r)"
	case $CONFIG in
	A) [[ $cmdline == *intel_iommu=on* && $cmdline != *iommu=pt* ]] || ok=1 ;;
	B) [[ $cmdline == *intel_iommu=on* && $cmdline == *iommu=pt* ]] || ok=1 ;;
	C) [[ $cmdline != *intel_iommu=on* ]] && [ -z "$(ls /sys/class/iommu 2>/dev/null)" ] || ok=1 ;;
	esac
	[[ $cmdline == *memmap=* ]] || ok=1
	if [ $IOMMU = 1 ] && [ -z "$(ls /sys/class/iommu 2>/dev/null)" ]; then
		ok=1
		detail="$detail no IOMMU in /sys/class/iommu"
	fi
	check environment $ok "$detail cmdline: $cmdline"

	EDU_BDF=$(grep -l 0x11e8 /sys/bus/pci/devices/*/device 2>/dev/null |
		  while read -r f; do
			  d=$(dirname "$f")
			  [ "$(cat "$d/vendor")" = 0x1234 ] && basename "$d"
		  done | head -1)
	[ -n "$EDU_BDF" ]
	check edu_present $? "bdf=${EDU_BDF:-none}"

	local vm_dz vm_edu
	vm_dz=$(modinfo -F vermagic "$DZ_KO" 2>/dev/null | cut -d' ' -f1)
	vm_edu=$(modinfo -F vermagic "$EDU_KO" 2>/dev/null | cut -d' ' -f1)
	[ "$vm_dz" = "$(uname -r)" ] && [ "$vm_edu" = "$(uname -r)" ]
	check modules_built $? "dmazone=${vm_dz:-missing} client=${vm_edu:-missing} ($KMOD_DIR)"

	if [ $IOMMU = 1 ]; then
		local want=Translated dom
		[ "$CONFIG" = B ] && want=Passthrough
		dom=$(dmesg | grep -o 'Default domain type: [A-Za-z]*' | tail -1)
		value default_domain "${dom#Default domain type: }"
		[[ $dom == *"$want" ]]
		check default_domain $? "$dom (expected $want)"
	else
		skip default_domain "no IOMMU in config $CONFIG"
	fi

	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	mountpoint -q /sys/kernel/debug
	check debugfs $? "/sys/kernel/debug"
}

# Load the client first: it needs no dmazone, and the once-per-boot taint
# messages then name it, not dmazone.
t_load_client() {
	local err
	err=$(sys_insmod "$EDU_KO")
	EDU_DBG=/sys/kernel/debug/dmazone_edu_test/$EDU_BDF
	[ "$err" = 0 ] && [ -e "$EDU_DBG/ctl" ]
	check client_load $? "errno=$(errno_name "$err") debugfs=$EDU_DBG"
}

# --- test 4a: bad parameters ----------------------------------------------
# 4 KiB of printable garbage with no blank in it (module parameters are
# separated by blanks).
GARBAGE=$(yes 'g@rb#ge!' | tr -d '\n' | head -c 4096)

# bad_param NAME ERRNO PATTERN PARAMS...: insmod must fail with ERRNO (22
# EINVAL; 34 ERANGE for a number beyond 64 bits) and log exactly one
# "dmazone: " line, containing PATTERN (the parameter's name).
bad_param() {
	local name=$1 want=$2 pattern=$3 mark err lines n line
	shift 3
	mark=$(dmesg_mark)
	err=$(load_dmazone "$@")
	# A line cut at printk's limit loses its newline and stays pending until the
	# next message: write one, so that dmesg shows it.
	echo "dmazone-tests: after $name" >/dev/kmsg
	lines=$(dmesg_since "$mark" | grep -E '(^|\] )dmazone: ')
	n=$(printf '%s' "$lines" | grep -c .)
	line=$(printf '%s' "$lines" | head -1 | cut -c1-160)
	[ "$err" = "$want" ] && [ "$n" = 1 ] && [[ $line == *"$pattern"* ]] &&
		! module_loaded dmazone
	check "$name" $? "params='$(printf '%s' "$*" | cut -c1-80)' errno=$(errno_name "$err") (want $(errno_name "$want")) dmesg_lines=$n line: $line"
	module_loaded dmazone && rmmod dmazone
}

t_bad_params() {
	local ram_base
	# First System RAM range of at least 32 MiB above 16 MiB.
	local line s e
	ram_base=
	while IFS= read -r line; do
		[[ $line =~ ^([0-9a-f]+)-([0-9a-f]+)\ :\ System\ RAM$ ]] || continue
		s=$((0x${BASH_REMATCH[1]})) e=$((0x${BASH_REMATCH[2]}))
		[ $s -lt $((0x1000000)) ] && s=$((0x1000000))
		if [ $((e - s)) -ge $((0x2000000)) ]; then
			ram_base=$(hexnorm $s)
			break
		fi
	done < /proc/iomem
	bad_param bad_param_unaligned_base 22 base= \
		base="$(hexnorm $((ZONE_BASE + 0x800)))" size="$ZONE_SIZE"
	bad_param bad_param_size_zero 22 size= base="$ZONE_BASE" size=0
	bad_param bad_param_system_ram 22 base= base="${ram_base:-0x1000000}" size=0x1000000
	bad_param bad_param_beyond_reserved 22 size= \
		base="$ZONE_BASE" size=$((ZONE_SIZE * 2))
	# Malformed values: the module loader logs the line naming the parameter.
	bad_param bad_param_not_a_number 22 "base'" \
		base=0x4000zz size="$ZONE_SIZE"
	bad_param bad_param_negative 22 "size'" base="$ZONE_BASE" size=-1
	bad_param bad_param_empty 22 "size'" base="$ZONE_BASE" size=
	bad_param bad_param_huge 34 "size'" base="$ZONE_BASE" size=99999999999999999999999
	bad_param bad_param_huge_with_suffix 34 "size'" base="$ZONE_BASE" size=17179869184G
	# The log line holds the whole value and is cut at the printk limit: match its start.
	bad_param bad_param_garbage 22 "dmazone: \`" base="$ZONE_BASE" size="$GARBAGE"
}

# write(2) of VALUE to FILE; prints the errno (0 = accepted).
sys_write() {
	perl -e '
		open(my $f, ">", $ARGV[0]) or do { print 0 + $!; exit };
		my $r = syswrite($f, $ARGV[1]);
		print defined $r ? 0 : 0 + $!;
	' "$1" "$2"
}

# bad_values CHECK FILE LABEL=ERRNO:VALUE...: every value written to FILE is
# refused with its errno, logs at most one line, and leaves FILE's value, the
# selftest report and the allocator's counters as they were.
bad_values() {
	local name=$1 file=$2 ok=0 detail='' spec label want value before after mark err n
	shift 2
	for spec in "$@"; do
		label=${spec%%=*} spec=${spec#*=}
		want=${spec%%:*} value=${spec#*:}
		before="$(cat "$file") | $(cat "$DBG/selftest") | $(sysval failed_allocations) $(sysval bytes_used)"
		mark=$(dmesg_mark)
		err=$(sys_write "$file" "$value")
		n=$(dmesg_since "$mark" | grep -c .)
		after="$(cat "$file") | $(cat "$DBG/selftest") | $(sysval failed_allocations) $(sysval bytes_used)"
		if [ "$err" != "$want" ] || [ "$n" -gt 1 ] || [ "$before" != "$after" ]; then
			ok=1
			detail+=" $label:FAIL($(errno_name "$err"),lines=$n,state $([ "$before" = "$after" ] && echo same || echo CHANGED))"
		else
			detail+=" $label:$(errno_name "$err")"
		fi
	done
	check "$name" $ok "${file#"$DBG"/}:$detail"
}

# --- test 4b: bad values for the debugfs files ------------------------------
t_bad_debugfs() {
	local common=(negative=22:-1 huge=34:99999999999999999999999 not_a_number=22:abc
		empty=22:$'\n' garbage=22:"$GARBAGE")
	bad_values bad_values_fail_next "$DBG/fail_next" "${common[@]}" beyond_int=22:4294967296
	bad_values bad_values_selftest "$DBG/selftest" "${common[@]}" zero=22:0 beyond_cap=22:100000001
}

# --- tests 1 and 2: DMA into, out of, and outside the zone ------------------
t_load_memmap() {
	local err
	err=$(load_dmazone base="$ZONE_BASE" size="$ZONE_SIZE")
	check load_memmap "$([ "$err" = 0 ]; echo $?)" \
		"base=$ZONE_BASE size=$ZONE_SIZE errno=$(errno_name "$err")"
	[ "$err" = 0 ] || return 1

	local mode=identity-only
	[ $IOMMU = 1 ] && mode=iommu
	[ "$(sysval base)" = "$(hexnorm "$ZONE_BASE")" ] &&
		[ "$(sysval size)" = "$ZONE_SIZE" ] &&
		[ "$(sysval source)" = memmap ] && [ "$(sysval mode)" = $mode ] &&
		[ "$(sysval bytes_used)" = 0 ] &&
		[ "$(sysval bytes_free)" = "$ZONE_SIZE" ]
	check sysfs_state $? "base=$(sysval base) size=$(sysval size) source=$(sysval source) mode=$(sysval mode) used=$(sysval bytes_used) free=$(sysval bytes_free)"
	value sysfs_mode "$(sysval mode)"
	grep -q ": dmazone$" /proc/iomem
	check iomem_claimed $? "$(grep ": dmazone$" /proc/iomem | sed 's/^ *//')"
}

t_attach() {
	local contained=0 entries
	[ $IOMMU = 1 ] && contained=1
	edu_cmd attach
	[[ $RESULT == "attach OK contained=$contained" ]] &&
		[ "$(sysval attached)" = 1 ] &&
		grep -q "^$EDU_BDF " "$SYS/devices"
	check attach $? "$RESULT; devices: $(sysval devices)"
	if [ $IOMMU = 1 ]; then
		entries=$(sed -n 's/.* entries=\([0-9]*\).*/\1/p' "$SYS/devices")
		value iommu_entries "${entries:-?}"
		value iommu_pgsizes "$(sed -n 's/.* pgsizes=\(0x[0-9a-f]*\).*/\1/p' "$SYS/devices")"
		[ "${entries:-0}" = $((ZONE_SIZE >> 21)) ]
		check zone_mapped_2m $? "entries=${entries:-?} expected=$((ZONE_SIZE >> 21)) (2 MiB pages)"
	else
		dmesg | grep -q "$EDU_BDF: dmazone: attached identity-only: no IOMMU"
		check no_containment_reported $? "$(dmesg | grep "$EDU_BDF: dmazone: attached" | tail -1 | sed 's/^\[[^]]*\] //')"
	fi
}

t_zone_dma() {
	local seed
	for seed in 0x1234 0xbeef; do
		edu_cmd zone $seed
		[[ $RESULT == "zone PASS bytes=4096 "* ]]
		check "zone_roundtrip_$seed" $? "$RESULT"
	done
	[ "$(sysval bytes_used)" = 0 ]
	check zone_buffers_freed $? "bytes_used=$(sysval bytes_used)"
}

# find_dmar ADDR DIR MARK: the DMAR fault line for ADDR after MARK
find_dmar() {
	local addr=$1 dir=$2 mark=$3 i line
	for i in $(seq 1 20); do
		line=$(dmesg_since "$mark" | grep "DMAR: \[DMA $dir" |
		       grep -i "fault addr $addr " | head -1)
		[ -n "$line" ] && break
		sleep 0.5
	done
	printf '%s' "$line" | sed 's/^\[[^]]*\] //'
}

# outside_blocked PREFIX write|read SEED CONTAINED: edu's DMA to (write) or
# from (read) an ordinary page outside the zone is blocked, its RESULT
# ending in contained=CONTAINED, and the IOMMU logged the fault: checks
# PREFIXoutside_DIR_blocked and PREFIXdmar_fault_DIR, the fault line as the
# value PREFIXdmar_fault_DIR
outside_blocked() {
	local prefix=$1 dir=$2 seed=$3 contained=$4 mark addr line want fault
	case $dir in
	write) want=UNCHANGED fault=Write ;;
	*) want=BLOCKED fault=Read ;;
	esac
	mark=$(dmesg_mark)
	edu_cmd "outside-$dir" "$seed"
	[[ $RESULT == "outside-$dir $want "*"contained=$contained" ]]
	check "${prefix}outside_${dir}_blocked" $? "$RESULT"
	addr=$(hexnorm "$(sed -n 's/.* addr=\(0x[0-9a-f]*\).*/\1/p' <<<"$RESULT")")
	line=$(find_dmar "$addr" "$fault" "$mark")
	[ -n "$line" ]
	check "${prefix}dmar_fault_$dir" $? "addr=$addr"
	value "${prefix}dmar_fault_$dir" "$line"
	# DMAR reporting is rate-limited and QEMU has one fault record.
	sleep 3
}

t_outside_dma() {
	if [ $IOMMU = 0 ]; then
		# No IOMMU: nothing stops the device. The module says so, and
		# the page outside the zone is indeed written.
		edu_cmd outside-write 0x77
		[[ $RESULT == "outside-write CHANGED "*"contained=0" ]]
		check outside_not_contained $? "$RESULT"
		return
	fi

	outside_blocked "" write 0x77 1
	outside_blocked "" read 0x99 1

	# The zone still works after the faults.
	edu_cmd zone 0x4242
	[[ $RESULT == "zone PASS "* ]]
	check zone_after_faults $? "$RESULT"
}

# --- test 3: counters, fault injection, used back to 0 ----------------------
t_counters() {
	local a0 f0 fr0 used expect_used=0 ok=0 i sizes aligns size align dma
	a0=$(sysval allocations)
	f0=$(sysval failed_allocations)
	fr0=$(sysval frees)

	sizes=(100 4096 65536 1 3000)
	aligns=(0 4096 65536 0 256)
	for i in "${!sizes[@]}"; do
		size=${sizes[$i]} align=${aligns[$i]}
		edu_cmd alloc "$size" "$align" || ok=1
		dma=$(sed -n 's/.* dma=\(0x[0-9a-f]*\).*/\1/p' <<<"$RESULT")
		[ "$align" = 0 ] && align=64
		if [ -z "$dma" ] || [ $((dma % align)) != 0 ] ||
		   [ $((dma)) -lt $((ZONE_BASE)) ] ||
		   [ $((dma + size)) -gt $((ZONE_BASE + ZONE_SIZE)) ]; then
			ok=1
		fi
		expect_used=$((expect_used + (size + 63) / 64 * 64))
	done
	check alloc_aligned_in_zone $ok "5 allocations, sizes ${sizes[*]}, aligns ${aligns[*]}"

	used=$(sysval bytes_used)
	[ "$(sysval allocations)" = $((a0 + 5)) ] &&
		[ "$(sysval active_allocations)" = 5 ] &&
		[ "$used" = $expect_used ] &&
		[ "$(sysval bytes_free)" = $((ZONE_SIZE - expect_used)) ] &&
		grep -q "allocations=5 bytes=$((100 + 4096 + 65536 + 1 + 3000))" "$SYS/devices"
	check counters_after_alloc $? "allocations=$(sysval allocations) (was $a0) active=$(sysval active_allocations) bytes_used=$used expected=$expect_used device: $(grep "^$EDU_BDF" "$SYS/devices")"

	echo 3 > "$DBG/fail_next"
	local failed=0 succeeded=0
	for i in 1 2 3 4 5; do
		if edu_cmd alloc 512 0; then
			succeeded=$((succeeded + 1))
		else
			failed=$((failed + 1))
		fi
	done
	[ $failed = 3 ] && [ $succeeded = 2 ] &&
		[ "$(sysval failed_allocations)" = $((f0 + 3)) ] &&
		[ "$(sysval allocations)" = $((a0 + 7)) ] &&
		[ "$(cat "$DBG/fail_next")" = 0 ]
	check fault_injection $? "fail_next=3: failed=$failed succeeded=$succeeded failed_allocations=$(sysval failed_allocations) (was $f0) fail_next_now=$(cat "$DBG/fail_next")"
	value failed_allocations "$(sysval failed_allocations)"

	edu_cmd free-all
	[[ $RESULT == "free-all OK freed=7" ]] && [ "$(sysval bytes_used)" = 0 ] &&
		[ "$(sysval bytes_free)" = "$ZONE_SIZE" ] &&
		[ "$(sysval active_allocations)" = 0 ] &&
		[ "$(sysval frees)" = $((fr0 + 7)) ]
	check free_all_used_zero $? "$RESULT bytes_used=$(sysval bytes_used) active=$(sysval active_allocations) frees=$(sysval frees) (was $fr0)"
}

# --- test 5: stress --------------------------------------------------------
t_stress() {
	local t0 t1 report ok=0
	t0=$(date +%s.%N)
	echo "$STRESS_PAIRS" > "$DBG/selftest" || ok=1
	t1=$(date +%s.%N)
	report=$(cat "$DBG/selftest")
	[ $ok = 0 ] && [[ $report == "pairs=$STRESS_PAIRS allocs=$STRESS_PAIRS frees=$STRESS_PAIRS nofit=0 bad=0 "*"bitmap=identical result=PASS" ]] &&
		[ "$(sysval bytes_used)" = 0 ]
	check stress_pool_restored $? "$report"
	value stress_seconds "$(echo "$t1 - $t0" | bc 2>/dev/null || echo "?")"
}

# --- test 4b: lifetime -------------------------------------------------------
t_lifetime() {
	local out rc err
	out=$(rmmod dmazone 2>&1)
	rc=$?
	err=$(sys_rmmod dmazone)
	[ $rc != 0 ] && [[ $out == *"is in use"* ]] && module_loaded dmazone &&
		[ -d "$SYS" ]
	check rmmod_attached_ebusy $? "rmmod rc=$rc: $out (kmod's EBUSY check: refcnt=$(cat /sys/module/dmazone/refcnt))"
	# What kmod/README.md documents for the raw call: the kernel's answer for a module in use.
	[ "$(errno_name "$err")" = EAGAIN ] && module_loaded dmazone
	check rmmod_attached_delete_module_eagain $? "delete_module(2, O_NONBLOCK) errno=$(errno_name "$err")"

	edu_cmd detach
	[[ $RESULT == "detach OK"* ]] && [ "$(sysval attached)" = 0 ] &&
		[ "$(cat /sys/module/dmazone/refcnt)" = 0 ]
	check detach $? "$RESULT attached=$(sysval attached) refcnt=$(cat /sys/module/dmazone/refcnt)"

	out=$(rmmod dmazone 2>&1)
	rc=$?
	[ $rc = 0 ] && ! module_loaded dmazone && [ ! -d "$SYS" ] &&
		! grep -q ": dmazone$" /proc/iomem
	check rmmod_after_detach $? "rc=$rc $out loaded=$(module_loaded dmazone && echo yes || echo no) sysfs=$([ -d "$SYS" ] && echo present || echo gone) iomem=$(grep -c ': dmazone$' /proc/iomem)"

	err=$(load_dmazone base="$ZONE_BASE" size="$ZONE_SIZE")
	[ "$err" = 0 ] && [ "$(sysval source)" = memmap ]
	check reload $? "errno=$(errno_name "$err")"
	edu_cmd attach
	edu_cmd zone 0x5151
	[[ $RESULT == "zone PASS "* ]]
	check zone_after_reload $? "$RESULT"
	edu_cmd detach
	rmmod dmazone
}

# --- zone built from pages (no params) --------------------------------------
t_pages() {
	local err
	err=$(load_dmazone)
	[ "$err" = 0 ] && [ "$(sysval source)" = pages ] &&
		[ "$(sysval base)" = none ] && [ "$(sysval size)" = $((16 << 20)) ]
	check load_pages $? "errno=$(errno_name "$err") source=$(sysval source) base=$(sysval base) size=$(sysval size) ranges=$(sysval ranges | wc -l)"
	[ "$err" = 0 ] || return
	if [ $IOMMU = 1 ]; then
		edu_cmd attach
		edu_cmd zone 0x6161
		[[ $RESULT == "zone PASS "*"contained=1" ]]
		check pages_zone_roundtrip $? "$RESULT; devices: $(sysval devices)"
		edu_cmd detach
	else
		edu_cmd attach
		[[ $RESULT == "attach FAIL -95" ]]
		check pages_attach_refused_without_iommu $? "$RESULT (-EOPNOTSUPP expected)"
	fi
	rmmod dmazone
	! module_loaded dmazone
	check rmmod_pages $? ""
}

# --- containment in transparent mode ------------------------------------------
# dmazone selects edu at load (transparent=BDF): the bound client is rebound
# and, never attached through dmazone's API, gets its buffers from the DMA
# API, that is from dmazone's DMA ops, in the zone; the device sits in the
# same zone-only domain, so its DMA outside the zone faults as in explicit
# mode.
t_transparent_containment() {
	local err mark addr line src dst lo=$((ZONE_BASE)) hi=$((ZONE_BASE + ZONE_SIZE))
	err=$(load_dmazone base="$ZONE_BASE" size="$ZONE_SIZE" transparent="$EDU_BDF")
	[ "$err" = 0 ] && grep -qx "$EDU_BDF attached" "$SYS/transparent/selected" &&
		[ "$(cat "$SYS/dev/$EDU_BDF/contained")" = 1 ]
	check transparent_edu_attached $? "errno=$(errno_name "$err") selected: $(tr '\n' ' ' <"$SYS/transparent/selected" 2>/dev/null) contained=$(cat "$SYS/dev/$EDU_BDF/contained" 2>/dev/null)"
	[ "$err" = 0 ] || return

	edu_cmd zone 0x7171
	src=$(sed -n 's/.* src=\(0x[0-9a-f]*\).*/\1/p' <<<"$RESULT")
	dst=$(sed -n 's/.* dst=\(0x[0-9a-f]*\).*/\1/p' <<<"$RESULT")
	[[ $RESULT == "zone PASS bytes=4096 "*"contained=-1" ]] && [ -n "$src" ] && [ -n "$dst" ] &&
		[ $((src)) -ge $lo ] && [ $((src + 4096)) -le $hi ] && [ $((dst)) -ge $lo ] && [ $((dst + 4096)) -le $hi ]
	check transparent_zone_roundtrip $? "$RESULT (zone $(printf '%#x' $lo)-$(printf '%#x' $hi))"

	outside_blocked transparent_ write 0x7373 -1
	outside_blocked transparent_ read 0x7575 -1
	rmmod dmazone
}

t_final() {
	rmmod dmazone_edu_test 2>/dev/null
	module_loaded dmazone && rmmod dmazone
	! module_loaded dmazone_edu_test && ! module_loaded dmazone
	check unload_all $? ""
	kernel_log_clean
	check kernel_log_clean $? "$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace' | head -3 | tr '\n' ' ')"
}

note "dmazone guest tests, config $CONFIG, modules from $KMOD_DIR"
t_environment
if [ "$failed" = 0 ]; then
	t_load_client
	t_bad_params
	if t_load_memmap; then
		t_bad_debugfs
		t_attach
		t_zone_dma
		t_outside_dma
		t_counters
		t_stress
		t_lifetime
	fi
	t_pages
	[ $IOMMU = 1 ] && t_transparent_containment
fi
t_final

value wall_seconds $(($(date +%s) - START))
ktap_end
exit "$failed"
