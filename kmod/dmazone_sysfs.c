// SPDX-License-Identifier: GPL-2.0
/*
 * dmazone - state in sysfs (/sys/kernel/dmazone/), fault injection and the
 * pool self-test in debugfs (/sys/kernel/debug/dmazone/).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/genalloc.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "dmazone_priv.h"

struct kobject *dmazone_kobj;
/* /sys/kernel/dmazone/dev/: one directory per attached device */
static struct kobject *dmazone_dev_kobj;

static ssize_t base_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	if (dmazone.source == DMAZONE_SOURCE_PAGES)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "0x%llx\n", (u64)dmazone.base);
}

static ssize_t size_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%zu\n", dmazone.size);
}

static ssize_t ranges_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < dmazone.nr_chunks; i++)
		n += sysfs_emit_at(buf, n, "0x%llx-0x%llx\n",
				   (u64)dmazone.chunks[i].phys,
				   (u64)(dmazone.chunks[i].phys +
					 dmazone.chunks[i].size - 1));
	return n;
}

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", dmazone_iommu_present() ?
			  "iommu" : "identity-only");
}

static ssize_t source_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", dmazone.source == DMAZONE_SOURCE_MEMMAP ?
			  "memmap" : "pages");
}

static ssize_t bytes_used_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%zu\n", dmazone.size - dmazone_bytes_free());
}

static ssize_t bytes_free_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%zu\n", dmazone_bytes_free());
}

static ssize_t allocations_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&dmazone.allocations));
}

static ssize_t frees_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&dmazone.frees));
}

static ssize_t active_allocations_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&dmazone.allocations) -
			  atomic_long_read(&dmazone.frees));
}

static ssize_t failed_allocations_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&dmazone.failed));
}

static ssize_t attached_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	unsigned int n;

	mutex_lock(&dmazone.lock);
	n = dmazone.nr_attached;
	mutex_unlock(&dmazone.lock);
	return sysfs_emit(buf, "%u\n", n);
}

static ssize_t devices_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	dmazone_attachments_show(buf, PAGE_SIZE);
	return strlen(buf);
}

static struct kobj_attribute dmazone_attr_base = __ATTR_RO(base);
static struct kobj_attribute dmazone_attr_size = __ATTR_RO(size);
static struct kobj_attribute dmazone_attr_ranges = __ATTR_RO(ranges);
static struct kobj_attribute dmazone_attr_mode = __ATTR_RO(mode);
static struct kobj_attribute dmazone_attr_source = __ATTR_RO(source);
static struct kobj_attribute dmazone_attr_bytes_used = __ATTR_RO(bytes_used);
static struct kobj_attribute dmazone_attr_bytes_free = __ATTR_RO(bytes_free);
static struct kobj_attribute dmazone_attr_allocations = __ATTR_RO(allocations);
static struct kobj_attribute dmazone_attr_frees = __ATTR_RO(frees);
static struct kobj_attribute dmazone_attr_active_allocations =
	__ATTR_RO(active_allocations);
static struct kobj_attribute dmazone_attr_failed_allocations =
	__ATTR_RO(failed_allocations);
static struct kobj_attribute dmazone_attr_attached = __ATTR_RO(attached);
static struct kobj_attribute dmazone_attr_devices = __ATTR_RO(devices);

static struct attribute *dmazone_attrs[] = {
	&dmazone_attr_base.attr,
	&dmazone_attr_size.attr,
	&dmazone_attr_ranges.attr,
	&dmazone_attr_mode.attr,
	&dmazone_attr_source.attr,
	&dmazone_attr_bytes_used.attr,
	&dmazone_attr_bytes_free.attr,
	&dmazone_attr_allocations.attr,
	&dmazone_attr_frees.attr,
	&dmazone_attr_active_allocations.attr,
	&dmazone_attr_failed_allocations.attr,
	&dmazone_attr_attached.attr,
	&dmazone_attr_devices.attr,
	NULL,
};

static const struct attribute_group dmazone_attr_group = {
	.attrs = dmazone_attrs,
};

/**
 * dmazone_sysfs_init() - create /sys/kernel/dmazone/
 *
 * Return: 0 or -errno.
 */
int dmazone_sysfs_init(void)
{
	int ret;

	dmazone_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!dmazone_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(dmazone_kobj, &dmazone_attr_group);
	if (ret)
		goto err_put_kobj;

	dmazone_dev_kobj = kobject_create_and_add("dev", dmazone_kobj);
	if (!dmazone_dev_kobj) {
		ret = -ENOMEM;
		goto err_remove_group;
	}
	return 0;

err_remove_group:
	sysfs_remove_group(dmazone_kobj, &dmazone_attr_group);
err_put_kobj:
	kobject_put(dmazone_kobj);
	dmazone_kobj = NULL;
	return ret;
}

/**
 * dmazone_sysfs_exit() - remove /sys/kernel/dmazone/
 */
void dmazone_sysfs_exit(void)
{
	kobject_put(dmazone_dev_kobj);
	dmazone_dev_kobj = NULL;
	sysfs_remove_group(dmazone_kobj, &dmazone_attr_group);
	kobject_put(dmazone_kobj);
	dmazone_kobj = NULL;
}

/**
 * struct dmazone_devdir - /sys/kernel/dmazone/dev/<device>/
 * @kobj: the directory
 * @za: the attachment it describes; valid while the directory exists
 *	(removing it waits for readers)
 */
struct dmazone_devdir {
	struct kobject kobj;
	struct dmazone_attachment *za;
};

static struct dmazone_attachment *dmazone_devdir_za(struct kobject *kobj)
{
	return container_of(kobj, struct dmazone_devdir, kobj)->za;
}

static ssize_t dev_mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", dmazone_devdir_za(kobj)->transparent ?
			  "transparent" : "explicit");
}

static ssize_t dev_contained_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", dmazone_contained(dmazone_devdir_za(kobj)));
}

static ssize_t dev_maps_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&dmazone_devdir_za(kobj)->bouncer.nr_maps));
}

static ssize_t dev_bytes_bounced_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&dmazone_devdir_za(kobj)->bouncer.bytes_bounced));
}

static ssize_t dev_bounce_bytes_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  READ_ONCE(dmazone_devdir_za(kobj)->bouncer.bounce_bytes));
}

static ssize_t dev_bounce_high_water_show(struct kobject *kobj,
					  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n",
			  READ_ONCE(dmazone_devdir_za(kobj)->bouncer.high_water));
}

static ssize_t dev_failed_maps_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&dmazone_devdir_za(kobj)->bouncer.failed_maps));
}

static ssize_t dev_allocations_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&dmazone_devdir_za(kobj)->nr_allocs));
}

static struct kobj_attribute dmazone_dev_attr_mode = __ATTR(mode, 0444, dev_mode_show, NULL);
static struct kobj_attribute dmazone_dev_attr_contained =
	__ATTR(contained, 0444, dev_contained_show, NULL);
static struct kobj_attribute dmazone_dev_attr_maps = __ATTR(maps, 0444, dev_maps_show, NULL);
static struct kobj_attribute dmazone_dev_attr_bytes_bounced =
	__ATTR(bytes_bounced, 0444, dev_bytes_bounced_show, NULL);
static struct kobj_attribute dmazone_dev_attr_bounce_bytes =
	__ATTR(bounce_bytes, 0444, dev_bounce_bytes_show, NULL);
static struct kobj_attribute dmazone_dev_attr_bounce_high_water =
	__ATTR(bounce_high_water, 0444, dev_bounce_high_water_show, NULL);
static struct kobj_attribute dmazone_dev_attr_failed_maps =
	__ATTR(failed_maps, 0444, dev_failed_maps_show, NULL);
static struct kobj_attribute dmazone_dev_attr_allocations =
	__ATTR(allocations, 0444, dev_allocations_show, NULL);

static struct attribute *dmazone_dev_attrs[] = {
	&dmazone_dev_attr_mode.attr,
	&dmazone_dev_attr_contained.attr,
	&dmazone_dev_attr_maps.attr,
	&dmazone_dev_attr_bytes_bounced.attr,
	&dmazone_dev_attr_bounce_bytes.attr,
	&dmazone_dev_attr_bounce_high_water.attr,
	&dmazone_dev_attr_failed_maps.attr,
	&dmazone_dev_attr_allocations.attr,
	NULL,
};
ATTRIBUTE_GROUPS(dmazone_dev);

static void dmazone_devdir_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct dmazone_devdir, kobj));
}

static const struct kobj_type dmazone_devdir_ktype = {
	.release = dmazone_devdir_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = dmazone_dev_groups,
};

/**
 * dmazone_sysfs_dev_add() - create /sys/kernel/dmazone/dev/<device>/
 * @za: the new attachment
 *
 * Best effort: without the directory the attachment works all the same
 * (a warning says so, or the allocator when out of memory).
 */
void dmazone_sysfs_dev_add(struct dmazone_attachment *za)
{
	struct dmazone_devdir *dir;
	int ret;

	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return;
	dir->za = za;
	ret = kobject_init_and_add(&dir->kobj, &dmazone_devdir_ktype,
				   dmazone_dev_kobj, "%s", dev_name(za->dev));
	if (ret) {
		dev_warn(za->dev, "dmazone: cannot create its sysfs directory: %d\n",
			 ret);
		kobject_put(&dir->kobj);
		return;
	}
	za->dir = dir;
}

/**
 * dmazone_sysfs_dev_del() - remove what dmazone_sysfs_dev_add() made
 * @za: the attachment
 *
 * Waits for readers of its files to finish; @za may be freed afterwards.
 */
void dmazone_sysfs_dev_del(struct dmazone_attachment *za)
{
	if (!za->dir)
		return;
	kobject_del(&za->dir->kobj);
	kobject_put(&za->dir->kobj);
	za->dir = NULL;
}

/*
 * Pool self-test: random-size, random-alignment allocations kept in a
 * small window of slots; each one is checked (inside its chunk, aligned,
 * not overlapping a live one) and freed later. Pool accounting is bypassed
 * (no counters, no fault injection). At the end every chunk's bitmap must
 * be bit-for-bit what it was before.
 */
#define DMAZONE_SELFTEST_SLOTS		64
#define DMAZONE_SELFTEST_MAX_ORDER	16	/* sizes up to 64 KiB */
#define DMAZONE_SELFTEST_MAX_ALIGN	12	/* alignments up to 4 KiB */

/**
 * struct dmazone_snapshot - copy of the pool's allocation bitmaps
 * @buf: concatenated chunk bitmaps
 * @len: bytes used in @buf
 * @cap: bytes available in @buf
 */
struct dmazone_snapshot {
	unsigned long *buf;
	size_t len;
	size_t cap;
};

static void dmazone_snapshot_chunk(struct gen_pool *pool,
				   struct gen_pool_chunk *chunk, void *data)
{
	struct dmazone_snapshot *snap = data;
	size_t bits = (chunk->end_addr - chunk->start_addr + 1) >>
		      pool->min_alloc_order;
	size_t bytes = BITS_TO_LONGS(bits) * sizeof(long);

	if (snap->len + bytes <= snap->cap)
		memcpy((char *)snap->buf + snap->len, chunk->bits, bytes);
	snap->len += bytes;
}

static int dmazone_snapshot_take(struct dmazone_snapshot *snap)
{
	size_t bits = dmazone.size >> DMAZONE_MIN_ALLOC_ORDER;

	snap->cap = (BITS_TO_LONGS(bits) + dmazone.nr_chunks) * sizeof(long);
	snap->len = 0;
	snap->buf = kvzalloc(snap->cap, GFP_KERNEL);
	if (!snap->buf)
		return -ENOMEM;
	gen_pool_for_each_chunk(dmazone.pool, dmazone_snapshot_chunk, snap);
	return snap->len <= snap->cap ? 0 : -EOVERFLOW;
}

/**
 * struct dmazone_slot - one live self-test allocation
 * @addr: pool (physical) address, 0 if the slot is empty
 * @size: bytes
 */
struct dmazone_slot {
	unsigned long addr;
	size_t size;
};

/**
 * struct dmazone_selftest - self-test results
 * @pairs: alloc/free pairs requested
 * @allocs: allocations made
 * @frees: allocations freed
 * @nofit: allocations the pool could not satisfy
 * @bad: allocations outside their chunk, misaligned or overlapping
 * @avail_before: free bytes before
 * @avail_after: free bytes after
 * @identical: bitmaps after == bitmaps before
 */
struct dmazone_selftest {
	unsigned long pairs, allocs, frees, nofit, bad;
	size_t avail_before, avail_after;
	bool identical;
};

static DEFINE_MUTEX(dmazone_selftest_lock);
static char dmazone_selftest_report[256] = "not run\n";

static bool dmazone_selftest_check(const struct dmazone_slot *slots,
				   unsigned int self, unsigned long addr,
				   size_t size, size_t align,
				   const struct dmazone_chunk *chunk)
{
	unsigned int i;

	if (!IS_ALIGNED(addr, align) || addr < chunk->phys ||
	    addr - chunk->phys + size > chunk->size)
		return false;
	for (i = 0; i < DMAZONE_SELFTEST_SLOTS; i++) {
		if (i == self || !slots[i].addr)
			continue;
		if (addr < slots[i].addr + slots[i].size &&
		    slots[i].addr < addr + size)
			return false;
	}
	return true;
}

static int dmazone_selftest_run(unsigned long pairs, struct dmazone_selftest *st)
{
	struct dmazone_snapshot before, after;
	struct dmazone_slot *slots;
	unsigned int i;
	int ret;

	lockdep_assert_held(&dmazone_selftest_lock);

	memset(st, 0, sizeof(*st));
	st->pairs = pairs;

	slots = kcalloc(DMAZONE_SELFTEST_SLOTS, sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;

	st->avail_before = dmazone_bytes_free();
	ret = dmazone_snapshot_take(&before);
	if (ret)
		goto err_free_slots;

	while (st->allocs + st->nofit < pairs) {
		struct dmazone_chunk *chunk;
		unsigned int s = get_random_u32_below(DMAZONE_SELFTEST_SLOTS);
		unsigned int order = get_random_u32_below(DMAZONE_SELFTEST_MAX_ORDER + 1);
		size_t size = 1 + get_random_u32_below(1U << order);
		size_t align = 1UL << get_random_u32_below(DMAZONE_SELFTEST_MAX_ALIGN + 1);
		unsigned long addr;

		if (slots[s].addr) {
			dmazone_pool_free(slots[s].addr, slots[s].size);
			slots[s].addr = 0;
			st->frees++;
		}

		addr = dmazone_pool_alloc(size, align, &chunk);
		if (!addr) {
			st->nofit++;
			continue;
		}
		st->allocs++;
		if (!dmazone_selftest_check(slots, s, addr, size, align, chunk))
			st->bad++;
		slots[s].addr = addr;
		slots[s].size = size;

		if (!((st->allocs + st->nofit) % 1024))
			cond_resched();
	}

	for (i = 0; i < DMAZONE_SELFTEST_SLOTS; i++) {
		if (slots[i].addr) {
			dmazone_pool_free(slots[i].addr, slots[i].size);
			st->frees++;
		}
	}

	st->avail_after = dmazone_bytes_free();
	ret = dmazone_snapshot_take(&after);
	if (ret)
		goto err_free_before;
	st->identical = before.len == after.len &&
			!memcmp(before.buf, after.buf, before.len);

	kvfree(after.buf);
err_free_before:
	kvfree(before.buf);
err_free_slots:
	kfree(slots);
	return ret;
}

static ssize_t dmazone_selftest_write(struct file *file,
				      const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	struct dmazone_selftest st;
	unsigned long pairs;
	bool pass;
	int ret;

	ret = kstrtoul_from_user(ubuf, count, 0, &pairs);
	if (ret)
		return ret;
	if (!pairs || pairs > 100000000UL)
		return -EINVAL;

	mutex_lock(&dmazone_selftest_lock);
	ret = dmazone_selftest_run(pairs, &st);
	if (ret) {
		scnprintf(dmazone_selftest_report, sizeof(dmazone_selftest_report),
			  "error=%d result=FAIL\n", ret);
		goto out_unlock;
	}
	pass = st.identical && !st.bad && st.allocs == st.frees &&
	       st.avail_before == st.avail_after;
	scnprintf(dmazone_selftest_report, sizeof(dmazone_selftest_report),
		  "pairs=%lu allocs=%lu frees=%lu nofit=%lu bad=%lu avail_before=%zu avail_after=%zu bitmap=%s result=%s\n",
		  st.pairs, st.allocs, st.frees, st.nofit, st.bad,
		  st.avail_before, st.avail_after,
		  st.identical ? "identical" : "different",
		  pass ? "PASS" : "FAIL");
	ret = pass ? 0 : -EIO;
out_unlock:
	mutex_unlock(&dmazone_selftest_lock);
	return ret ? ret : count;
}

static ssize_t dmazone_selftest_read(struct file *file, char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	char report[sizeof(dmazone_selftest_report)];

	mutex_lock(&dmazone_selftest_lock);
	strscpy(report, dmazone_selftest_report, sizeof(report));
	mutex_unlock(&dmazone_selftest_lock);
	return simple_read_from_buffer(ubuf, count, ppos, report,
				       strlen(report));
}

static const struct file_operations dmazone_selftest_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = dmazone_selftest_read,
	.write = dmazone_selftest_write,
	.llseek = default_llseek,
};

static int dmazone_fail_next_get(void *data, u64 *val)
{
	*val = atomic_read(&dmazone.fail_next);
	return 0;
}

/* A count: negative values are refused by kstrtoull(), and so is anything above INT_MAX. */
static int dmazone_fail_next_set(void *data, u64 val)
{
	if (val > INT_MAX)
		return -EINVAL;
	atomic_set(&dmazone.fail_next, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(dmazone_fail_next_fops, dmazone_fail_next_get,
			 dmazone_fail_next_set, "%llu\n");

/**
 * dmazone_debugfs_init() - create /sys/kernel/debug/dmazone/
 *
 * fail_next: the next N allocations fail (and are counted as failed);
 * N is 0..INT_MAX.
 * selftest: write N to run N random alloc/free pairs; read the report.
 * (bench_map, transparent mode's, is dmazone_dmaops_init()'s.)
 * debugfs is best effort: errors are not fatal.
 */
void dmazone_debugfs_init(void)
{
	dmazone.debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file_unsafe("fail_next", 0600, dmazone.debugfs, NULL,
				   &dmazone_fail_next_fops);
	debugfs_create_file("selftest", 0600, dmazone.debugfs, NULL,
			    &dmazone_selftest_fops);
}

/**
 * dmazone_debugfs_exit() - remove /sys/kernel/debug/dmazone/
 */
void dmazone_debugfs_exit(void)
{
	debugfs_remove_recursive(dmazone.debugfs);
}
