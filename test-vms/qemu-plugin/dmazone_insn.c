// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dmazone_insn: a QEMU TCG plugin that counts the guest instructions executed,
 * split into kernel (x86-64 upper half), user, boot and named address ranges,
 * and writes the sums on demand while the guest runs.
 *
 * Counters, by the address a TB starts at:
 *   kernel  bit 63 set (the canonical upper half, where Linux runs)
 *   user    bit 63 clear, once this vCPU has run upper-half code
 *   boot    bit 63 clear before that: firmware, the bzImage decompressor,
 *           the kernel's identity-mapped entry, an AP's real-mode trampoline.
 *           Without it a kernel that never starts init counts about as much
 *           user as kernel (222 million of each on the lean test kernel).
 *           When a vCPU first runs upper-half code, its user count so far
 *           moves to boot: a snapshot taken before shows them as user.
 *
 * Arguments (-plugin PATH,arg=...,arg=...):
 *   out=PATH            append lines here (default: QEMU's stderr)
 *   ctl=PATH            a FIFO, made if missing: each line written to it
 *                       appends one snapshot line to out
 *   range=NAME:LO-HI    count TBs starting in [LO, HI) as NAME rather than
 *                       kernel, user or boot; LO and HI in hex (0x optional);
 *                       up to 8; the first range listed holding the address wins
 *   mmio=LO-HI          also count the loads and stores whose guest-physical
 *                       address lies in [LO, HI) (a device's registers: a
 *                       passed-through BAR is RAM to TCG, so only its address
 *                       tells it apart), as mmio_read and mmio_write
 *   mmio-code=NAME      ... made by instructions in range NAME only (given
 *                       with range=, before or after): each instruction
 *                       watched costs a callback per access it makes, so
 *                       watching the driver's code alone keeps that small
 *
 * Lines (sums over vCPUs; ranges in the order given; mmio_read=N
 * mmio_write=N at the end with mmio=):
 *   SEQ user=N kernel=N boot=N NAME=N...     one per ctl line, SEQ from 1
 *   exit user=N kernel=N boot=N NAME=N...    at exit
 *
 * Counting is at TB granularity: an inline per-vCPU add of the TB's
 * instruction count when the TB starts. A TB cut short (a fault or an
 * interrupt taken mid-block) still counts whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define PLUGIN "dmazone_insn"
#define MAX_RANGES 8
#define MAX_NAME 32
#define LINE_MAX_LEN (32 + (MAX_RANGES + 5) * (MAX_NAME + 24))
/*
 * QEMU sizes scoreboards for 16 vCPUs and reallocates them (every vCPU
 * stopped) when a vCPU with a higher index starts. Snapshots read the
 * scoreboard from the ctl thread, which such a reallocation would not stop.
 */
#define MAX_VCPUS_WITH_CTL 16

struct range {
	char name[MAX_NAME + 1];
	uint64_t lo;
	uint64_t hi;
};

/* One scoreboard entry per vCPU. */
struct counts {
	uint64_t user;
	uint64_t kernel;
	uint64_t boot;
	uint64_t booted;	/* 1 once this vCPU ran upper-half code */
	uint64_t range[MAX_RANGES];
	uint64_t mmio_read;
	uint64_t mmio_write;
};

static struct range ranges[MAX_RANGES];
static int nr_ranges;
static struct qemu_plugin_scoreboard *board;
static qemu_plugin_u64 user_count;
static qemu_plugin_u64 kernel_count;
static qemu_plugin_u64 boot_count;
static qemu_plugin_u64 booted;
static qemu_plugin_u64 range_count[MAX_RANGES];

/* mmio=: the window, and the range whose instructions are watched (-1: all) */
static bool mmio;
static uint64_t mmio_lo;
static uint64_t mmio_hi;
static const char *mmio_code_name;
static int mmio_code = -1;
static qemu_plugin_u64 mmio_reads;
static qemu_plugin_u64 mmio_writes;

static const char *ctl_path;
static int out_fd = STDERR_FILENO;

/* Serialises snapshot lines, the exit line and the end of snapshots. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t seq;
static bool exited;

/*
 * The vCPU's first upper-half TB: what it counted as user so far was boot.
 * Runs once per vCPU, on its own thread. A snapshot taken meanwhile may see
 * those instructions in both counters.
 */
static void first_kernel_tb(unsigned int vcpu, void *udata)
{
	(void)udata;
	qemu_plugin_u64_add(boot_count, vcpu, qemu_plugin_u64_get(user_count, vcpu));
	qemu_plugin_u64_set(user_count, vcpu, 0);
	qemu_plugin_u64_set(booted, vcpu, 1);
}

/* A watched instruction's load or store: counted when it hit the window. */
static void mmio_access(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
	uint64_t pa;

	(void)udata;
	if (!hw)
		return;
	pa = qemu_plugin_hwaddr_phys_addr(hw);
	if (pa < mmio_lo || pa >= mmio_hi)
		return;
	qemu_plugin_u64_add(qemu_plugin_mem_is_store(info) ? mmio_writes : mmio_reads, vcpu, 1);
}

static void watch_mmio(struct qemu_plugin_tb *tb, size_t n)
{
	struct qemu_plugin_insn *insn;
	uint64_t va;
	size_t i;

	for (i = 0; i < n; i++) {
		insn = qemu_plugin_tb_get_insn(tb, i);
		va = qemu_plugin_insn_vaddr(insn);
		if (mmio_code >= 0 && (va < ranges[mmio_code].lo || va >= ranges[mmio_code].hi))
			continue;
		qemu_plugin_register_vcpu_mem_cb(insn, mmio_access, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
	}
}

static void vcpu_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	uint64_t n = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_u64 entry;
	int i;

	(void)id;
	if (vaddr >> 63) {
		entry = kernel_count;
		qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, first_kernel_tb, QEMU_PLUGIN_CB_NO_REGS,
							  QEMU_PLUGIN_COND_EQ, booted, 0, NULL);
	} else {
		entry = user_count;
	}
	for (i = 0; i < nr_ranges; i++) {
		if (vaddr >= ranges[i].lo && vaddr < ranges[i].hi) {
			entry = range_count[i];
			break;
		}
	}
	qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(tb, QEMU_PLUGIN_INLINE_ADD_U64, entry, n);
	if (mmio)
		watch_mmio(tb, n);
}

static int append(char *buf, size_t size, size_t *len, const char *name, uint64_t value)
{
	int n = snprintf(buf + *len, size - *len, " %s=%" PRIu64, name, value);

	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/* Writes one line of sums, led by @tag; called with out_lock held. */
static void write_line(const char *tag)
{
	char buf[LINE_MAX_LEN];
	size_t len;
	ssize_t w;
	int n, i;

	n = snprintf(buf, sizeof(buf), "%s", tag);
	if (n < 0 || (size_t)n >= sizeof(buf))
		goto too_long;
	len = (size_t)n;
	if (append(buf, sizeof(buf), &len, "user", qemu_plugin_u64_sum(user_count)) ||
	    append(buf, sizeof(buf), &len, "kernel", qemu_plugin_u64_sum(kernel_count)) ||
	    append(buf, sizeof(buf), &len, "boot", qemu_plugin_u64_sum(boot_count)))
		goto too_long;
	for (i = 0; i < nr_ranges; i++)
		if (append(buf, sizeof(buf), &len, ranges[i].name, qemu_plugin_u64_sum(range_count[i])))
			goto too_long;
	if (mmio && (append(buf, sizeof(buf), &len, "mmio_read", qemu_plugin_u64_sum(mmio_reads)) ||
		     append(buf, sizeof(buf), &len, "mmio_write", qemu_plugin_u64_sum(mmio_writes))))
		goto too_long;
	if (len + 1 >= sizeof(buf))
		goto too_long;
	buf[len++] = '\n';

	/* One write(2) of the whole line: O_APPEND keeps it in one piece. */
	do {
		w = write(out_fd, buf, len);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		fprintf(stderr, PLUGIN ": cannot write the %s line: %s\n", tag, strerror(errno));
	else if ((size_t)w != len)
		fprintf(stderr, PLUGIN ": the %s line was written short (%zd of %zu bytes)\n", tag, w, len);
	return;
too_long:
	fprintf(stderr, PLUGIN ": the %s line does not fit in %zu bytes\n", tag, sizeof(buf));
}

/* Returns false once the exit line is written: no snapshot follows it. */
static bool snapshot(void)
{
	char tag[24];
	bool more;

	if (pthread_mutex_lock(&out_lock)) {
		fprintf(stderr, PLUGIN ": cannot lock the output\n");
		return false;
	}
	more = !exited;
	if (more) {
		snprintf(tag, sizeof(tag), "%" PRIu64, ++seq);
		write_line(tag);
	}
	pthread_mutex_unlock(&out_lock);
	return more;
}

/* Reads the FIFO; each newline asks for one snapshot. Blocks in read(2). */
static void *ctl_thread(void *arg)
{
	char buf[256];
	ssize_t n, i;
	int fd;

	(void)arg;
	/* O_RDWR: open does not wait for a writer, and read never sees EOF. */
	fd = open(ctl_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, PLUGIN ": cannot open %s: %s; no snapshots\n", ctl_path, strerror(errno));
		return NULL;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, PLUGIN ": cannot read %s: %s; no more snapshots\n", ctl_path,
				strerror(errno));
			break;
		}
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			if (buf[i] == '\n' && !snapshot())
				goto done;
	}
done:
	close(fd);
	return NULL;
}

static void plugin_exit(qemu_plugin_id_t id, void *p)
{
	(void)id;
	(void)p;
	if (pthread_mutex_lock(&out_lock)) {
		fprintf(stderr, PLUGIN ": cannot lock the output; no exit line\n");
		return;
	}
	write_line("exit");
	exited = true;
	pthread_mutex_unlock(&out_lock);
	/*
	 * The scoreboard is not freed: the ctl thread may still hold its entries
	 * in a sum it began before the lock, and the process is ending anyway.
	 */
}

static int parse_hex(const char *s, const char *end, uint64_t *value)
{
	char digits[19];
	char *stop;
	size_t len = (size_t)(end - s);

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		len -= 2;
	}
	if (len == 0 || len > 16)
		return -1;
	memcpy(digits, s, len);
	digits[len] = '\0';
	if (strspn(digits, "0123456789abcdefABCDEF") != len)
		return -1;
	errno = 0;
	*value = strtoull(digits, &stop, 16);
	if (errno || *stop)
		return -1;
	return 0;
}

static bool valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MAX_NAME)
		return false;
	for (i = 0; i < len; i++)
		if (!(s[i] == '_' || s[i] == '-' || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/* range=NAME:LO-HI */
static int parse_range(const char *spec)
{
	const char *colon = strchr(spec, ':');
	const char *dash;
	struct range *r;
	int i;

	if (nr_ranges == MAX_RANGES) {
		fprintf(stderr, PLUGIN ": range=%s: at most %d ranges\n", spec, MAX_RANGES);
		return -1;
	}
	if (!colon || !valid_name(spec, (size_t)(colon - spec))) {
		fprintf(stderr,
			PLUGIN ": range=%s: expected NAME:LO-HI, NAME of 1 to %d letters, digits, '_' or '-', LO and HI in hex\n",
			spec, MAX_NAME);
		return -1;
	}
	r = &ranges[nr_ranges];
	memcpy(r->name, spec, (size_t)(colon - spec));
	r->name[colon - spec] = '\0';
	if (!strcmp(r->name, "user") || !strcmp(r->name, "kernel") || !strcmp(r->name, "boot") ||
	    !strcmp(r->name, "mmio_read") || !strcmp(r->name, "mmio_write")) {
		fprintf(stderr, PLUGIN ": range=%s: the name %s is taken by the default counters\n", spec, r->name);
		return -1;
	}
	for (i = 0; i < nr_ranges; i++) {
		if (!strcmp(ranges[i].name, r->name)) {
			fprintf(stderr, PLUGIN ": range=%s: the name %s is used twice\n", spec, r->name);
			return -1;
		}
	}
	dash = strchr(colon + 1, '-');
	if (!dash || parse_hex(colon + 1, dash, &r->lo) || parse_hex(dash + 1, dash + 1 + strlen(dash + 1), &r->hi)) {
		fprintf(stderr, PLUGIN ": range=%s: expected NAME:LO-HI with LO and HI in hex, e.g. text:0xffffffff81000000-0xffffffff82000000\n",
			spec);
		return -1;
	}
	if (r->lo >= r->hi) {
		fprintf(stderr, PLUGIN ": range=%s: LO must be below HI\n", spec);
		return -1;
	}
	nr_ranges++;
	return 0;
}

/* mmio=LO-HI */
static int parse_mmio(const char *spec)
{
	const char *dash = strchr(spec, '-');

	if (mmio) {
		fprintf(stderr, PLUGIN ": mmio=%s: one window only\n", spec);
		return -1;
	}
	if (!dash || parse_hex(spec, dash, &mmio_lo) || parse_hex(dash + 1, dash + 1 + strlen(dash + 1), &mmio_hi)) {
		fprintf(stderr, PLUGIN ": mmio=%s: expected LO-HI, guest-physical addresses in hex, e.g. 0x10000000-0x100000000\n",
			spec);
		return -1;
	}
	if (mmio_lo >= mmio_hi) {
		fprintf(stderr, PLUGIN ": mmio=%s: LO must be below HI\n", spec);
		return -1;
	}
	mmio = true;
	return 0;
}

/* mmio-code=NAME, once the ranges are all known */
static int find_mmio_code(void)
{
	int i;

	if (!mmio_code_name)
		return 0;
	if (!mmio) {
		fprintf(stderr, PLUGIN ": mmio-code=%s: give the window too (mmio=LO-HI)\n", mmio_code_name);
		return -1;
	}
	for (i = 0; i < nr_ranges; i++) {
		if (!strcmp(ranges[i].name, mmio_code_name)) {
			mmio_code = i;
			return 0;
		}
	}
	fprintf(stderr, PLUGIN ": mmio-code=%s: no range of that name (give it with range=%s:LO-HI)\n",
		mmio_code_name, mmio_code_name);
	return -1;
}

static int open_out(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, PLUGIN ": out=%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	out_fd = fd;
	return 0;
}

static int make_fifo(const char *path)
{
	struct stat st;

	if (mkfifo(path, 0600) && errno != EEXIST) {
		fprintf(stderr, PLUGIN ": ctl=%s: cannot make the FIFO: %s\n", path, strerror(errno));
		return -1;
	}
	if (stat(path, &st)) {
		fprintf(stderr, PLUGIN ": ctl=%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISFIFO(st.st_mode)) {
		fprintf(stderr, PLUGIN ": ctl=%s exists and is not a FIFO\n", path);
		return -1;
	}
	return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	const char *out_path = NULL;
	pthread_t thread;
	int i, err;

	if (strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, PLUGIN ": the guest is %s; the kernel/user split needs x86_64\n", info->target_name);
		return -1;
	}
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "out=", 4) && a[4] && !out_path) {
			out_path = a + 4;
		} else if (!strncmp(a, "ctl=", 4) && a[4] && !ctl_path) {
			ctl_path = a + 4;
		} else if (!strncmp(a, "range=", 6)) {
			if (parse_range(a + 6))
				return -1;
		} else if (!strncmp(a, "mmio=", 5)) {
			if (parse_mmio(a + 5))
				return -1;
		} else if (!strncmp(a, "mmio-code=", 10) && a[10] && !mmio_code_name) {
			mmio_code_name = a + 10;
		} else {
			fprintf(stderr,
				PLUGIN ": bad argument '%s': expected out=PATH, ctl=PATH, mmio=LO-HI, mmio-code=NAME (each once) or range=NAME:LO-HI\n",
				a);
			return -1;
		}
	}
	if (find_mmio_code())
		return -1;
	if (ctl_path && info->system_emulation && info->system.max_vcpus > MAX_VCPUS_WITH_CTL) {
		fprintf(stderr, PLUGIN ": ctl= reads the counts while vCPUs run, safe up to %d vCPUs, not %d\n",
			MAX_VCPUS_WITH_CTL, info->system.max_vcpus);
		return -1;
	}
	if (out_path && open_out(out_path))
		return -1;
	if (ctl_path && make_fifo(ctl_path))
		return -1;

	board = qemu_plugin_scoreboard_new(sizeof(struct counts));
	user_count = qemu_plugin_scoreboard_u64_in_struct(board, struct counts, user);
	kernel_count = qemu_plugin_scoreboard_u64_in_struct(board, struct counts, kernel);
	boot_count = qemu_plugin_scoreboard_u64_in_struct(board, struct counts, boot);
	booted = qemu_plugin_scoreboard_u64_in_struct(board, struct counts, booted);
	for (i = 0; i < nr_ranges; i++)
		range_count[i] = (qemu_plugin_u64){ board, offsetof(struct counts, range) + i * sizeof(uint64_t) };
	mmio_reads = qemu_plugin_scoreboard_u64_in_struct(board, struct counts, mmio_read);
	mmio_writes = qemu_plugin_scoreboard_u64_in_struct(board, struct counts, mmio_write);

	if (ctl_path) {
		err = pthread_create(&thread, NULL, ctl_thread, NULL);
		if (err) {
			fprintf(stderr, PLUGIN ": cannot start the ctl thread: %s\n", strerror(err));
			return -1;
		}
		err = pthread_detach(thread);
		if (err) {
			fprintf(stderr, PLUGIN ": cannot detach the ctl thread: %s\n", strerror(err));
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, vcpu_tb_trans);
	qemu_plugin_register_atexit_cb(id, plugin_exit, NULL);
	return 0;
}
