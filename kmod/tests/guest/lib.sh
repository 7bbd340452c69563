# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for the dmazone guest tests. Source, don't run.
#
# Output contract (read by the test-vms harness):
#   CHECK <name> PASS <detail>
#   CHECK <name> FAIL <detail>
#   VALUE <name> <value>
# Anything else is commentary. The entry script exits 0 only if every
# CHECK passed.

DZ_FAILED=0
DZ_CHECKS=0

# check NAME OK(0|1 or true/false command status) DETAIL...
check() {
	local name=$1 ok=$2
	shift 2
	DZ_CHECKS=$((DZ_CHECKS + 1))
	if [ "$ok" = 0 ]; then
		echo "CHECK $name PASS $*"
	else
		echo "CHECK $name FAIL $*"
		DZ_FAILED=$((DZ_FAILED + 1))
	fi
}

value() {
	local name=$1
	shift
	echo "VALUE $name $*"
}

note() {
	echo "# $*"
}

# Number of lines in the kernel log so far.
dmesg_mark() {
	dmesg | wc -l
}

# Kernel log lines after MARK.
dmesg_since() {
	dmesg | tail -n +$(($1 + 1))
}

# Load a module through finit_module(2) and print the errno (0 = loaded).
# insmod's messages hide the errno; the tests need it exactly.
sys_insmod() {
	local ko=$1
	shift
	perl -e '
		open(my $f, "<", $ARGV[0]) or do { print 0 + $!; exit };
		my $r = syscall(313, fileno($f), $ARGV[1], 0);  # finit_module
		print $r == -1 ? 0 + $! : 0;
	' "$ko" "$*"
}

# delete_module(2) without waiting; prints the errno (0 = removed).
sys_rmmod() {
	perl -e '
		my $r = syscall(176, $ARGV[0], 04000);  # delete_module, O_NONBLOCK
		print $r == -1 ? 0 + $! : 0;
	' "$1"
}

errno_name() {
	perl -e '
		use POSIX;
		my %n = (0 => "OK");
		for my $e (qw(EPERM ENOENT EIO ENXIO E2BIG ENOEXEC EBADF EAGAIN
		              ENOMEM EFAULT EBUSY EEXIST ENODEV EINVAL ENOSPC
		              ERANGE EOPNOTSUPP ETIMEDOUT)) {
			no strict "refs";
			my $v = eval { &{"POSIX::$e"}() };
			$n{$v} //= $e if defined $v;
		}
		print $n{$ARGV[0]} // "errno$ARGV[0]";
	' "$1"
}

module_loaded() {
	[ -d "/sys/module/$1" ]
}

# Hex normalisation: 0x000000000329f000 -> 0x329f000
hexnorm() {
	printf '0x%x' "$(($1))"
}
