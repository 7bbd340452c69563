# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for the dmazone guest tests. Source, don't run.
#
# Output: KTAP, from the one check emitter of every guest script,
# test-vms/src/main/resources/io/dmazone/vm/ktap.sh (check, skip, value,
# note, ktap_end; failed is 1 once a check failed), which the test-vms
# harness reads. The tests run in a VM that sees this checkout read-only at
# the same path, so the emitter is found from this file's place in it.
# shellcheck source=../../../test-vms/src/main/resources/io/dmazone/vm/ktap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../../test-vms/src/main/resources/io/dmazone/vm/ktap.sh"

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
