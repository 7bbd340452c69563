// SPDX-License-Identifier: GPL-2.0
/*
 * dmazone_edu_test - TEST CLIENT for dmazone, driving QEMU's "edu" device
 *
 * Not a real driver: it binds QEMU's educational PCI device (1234:11e8),
 * attaches it to the dmazone zone and, on command through debugfs, makes
 * it DMA a pattern between its internal buffer and (a) zone memory or
 * (b) an ordinary kernel page outside the zone, so tests can prove that
 * zone DMA works and that DMA elsewhere is blocked.
 *
 * dmazone's API is resolved with symbol_get() on "attach" and released
 * with symbol_put() on "detach", so this module loads without dmazone and,
 * once detached, does not keep dmazone from being unloaded.
 *
 * debugfs, /sys/kernel/debug/dmazone_edu_test/<pci-name>/:
 *   ctl     write one command:
 *             attach | detach
 *             zone [SEED]           zone -> edu -> zone, compare
 *             bench N               N round trips RAM -> edu -> RAM of
 *                                   one buffer: attached, two zone
 *                                   buffers taken once; else ordinary
 *                                   memory mapped through the streaming
 *                                   DMA API for each transfer, as a
 *                                   stock driver maps its buffers
 *             outside-write [SEED]  edu -> kernel page outside the zone
 *             outside-read [SEED]   kernel page -> edu -> zone, compare
 *                                   (these three also before "attach":
 *                                   their buffers then come from the DMA
 *                                   API, which is dmazone's DMA ops when
 *                                   dmazone selected edu for transparent
 *                                   mode, and they print contained=-1)
 *             alloc SIZE [ALIGN]    keep one zone allocation
 *             free-all              free the kept allocations
 *             map-extra MIB         map MIB of ordinary memory, outside
 *                                   the zone, into the device's domain:
 *                                   what an uncooperative guest could do
 *             extra-write [SEED]    edu -> the first page of that memory
 *             unmap-extra           undo map-extra
 *   result  the outcome of the last command, one line
 *
 * edu's registers are in edu_regs.h. A transfer completes 100 ms (virtual
 * time) after it starts; bit 0 clears then. For QEMU emulation only: start
 * edu with dma_mask=0xffffffffffffffff, else it clamps DMA addresses to
 * 28 bits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <dmazone.h>
#include <edu_regs.h>

#define EDU_EXTRA_ORDER		9	/* map-extra works in 2 MiB blocks */
#define EDU_EXTRA_BLOCK		(PAGE_SIZE << EDU_EXTRA_ORDER)
#define EDU_EXTRA_MAX_MIB	512

#define EDU_DMA_MS		100	/* a transfer's time, on QEMU's virtual clock */
#define EDU_DMA_TIMEOUT_MS	20000	/* 100 ms virtual; TCG is slow */
#define EDU_BENCH_MAX		100000	/* round trips of one "bench" */
#define EDU_BENCH_SEED		0x5eed

/**
 * struct edu_test_api - dmazone's functions, held with symbol_get()
 * @attach: dmazone_attach()
 * @detach: dmazone_detach()
 * @alloc: dmazone_alloc()
 * @free: dmazone_free()
 * @contained: dmazone_contained()
 */
struct edu_test_api {
	struct dmazone_attachment *(*attach)(struct device *dev);
	void (*detach)(struct dmazone_attachment *za);
	void *(*alloc)(struct dmazone_attachment *za, size_t size,
		       size_t align, dma_addr_t *dma, gfp_t gfp);
	void (*free)(struct dmazone_attachment *za, void *cpu, dma_addr_t dma,
		     size_t size);
	bool (*contained)(const struct dmazone_attachment *za);
};

/**
 * struct edu_test_buf - one zone allocation kept by the "alloc" command
 * @node: entry in edu_test.bufs
 * @cpu: CPU address
 * @dma: DMA address
 * @size: bytes
 */
struct edu_test_buf {
	struct list_head node;
	void *cpu;
	dma_addr_t dma;
	size_t size;
};

/**
 * struct edu_test - one bound edu device
 * @pdev: the PCI device
 * @bar: BAR0
 * @lock: serialises commands; protects everything below
 * @api: dmazone's functions while attached
 * @za: the attachment, NULL when detached
 * @bufs: allocations kept by "alloc"
 * @extra: blocks mapped by "map-extra", identity-mapped into @extra_domain
 * @nr_extra: how many
 * @extra_domain: the device's domain when "map-extra" ran
 * @debugfs: this device's debugfs directory
 * @result: outcome of the last command
 */
struct edu_test {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct mutex lock;	/* one command at a time */
	struct edu_test_api api;
	struct dmazone_attachment *za;
	struct list_head bufs;
	struct page **extra;
	unsigned int nr_extra;
	struct iommu_domain *extra_domain;
	struct dentry *debugfs;
	char result[256];
};

static struct dentry *edu_test_debugfs_root;

static __printf(2, 3) void edu_test_result(struct edu_test *et,
					   const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(et->result, sizeof(et->result), fmt, args);
	va_end(args);
}

static void edu_test_api_put(struct edu_test *et)
{
	if (et->api.attach)
		symbol_put(dmazone_attach);
	if (et->api.detach)
		symbol_put(dmazone_detach);
	if (et->api.alloc)
		symbol_put(dmazone_alloc);
	if (et->api.free)
		symbol_put(dmazone_free);
	if (et->api.contained)
		symbol_put(dmazone_contained);
	memset(&et->api, 0, sizeof(et->api));
}

static int edu_test_api_get(struct edu_test *et)
{
	et->api.attach = symbol_get(dmazone_attach);
	et->api.detach = symbol_get(dmazone_detach);
	et->api.alloc = symbol_get(dmazone_alloc);
	et->api.free = symbol_get(dmazone_free);
	et->api.contained = symbol_get(dmazone_contained);
	if (!et->api.attach || !et->api.detach || !et->api.alloc ||
	    !et->api.free || !et->api.contained) {
		edu_test_api_put(et);
		return -ENOENT;
	}
	return 0;
}

/* One edu DMA transfer; returns once the device reports completion. */
static int edu_test_dma(struct edu_test *et, u64 src, u64 dst, u32 cmd)
{
	unsigned long deadline;

	lockdep_assert_held(&et->lock);

	writeq(src, et->bar + EDU_REG_DMA_SRC);
	writeq(dst, et->bar + EDU_REG_DMA_DST);
	writeq(EDU_BUF_SIZE, et->bar + EDU_REG_DMA_CNT);
	writeq(cmd | EDU_CMD_START, et->bar + EDU_REG_DMA_CMD);

	/*
	 * Sleep through the transfer's fixed time first: a guest that polls
	 * keeps its host busy, and a host on icount with sleep=off moves its
	 * clock to edu's timer only while every CPU idles.
	 */
	msleep(EDU_DMA_MS);
	deadline = jiffies + msecs_to_jiffies(EDU_DMA_TIMEOUT_MS);
	while (readq(et->bar + EDU_REG_DMA_CMD) & EDU_CMD_START) {
		if (time_after(jiffies, deadline)) {
			pci_err(et->pdev, "edu DMA did not complete\n");
			return -ETIMEDOUT;
		}
		usleep_range(2000, 5000);
	}
	return 0;
}

static int edu_test_to_edu(struct edu_test *et, dma_addr_t src)
{
	return edu_test_dma(et, src, EDU_BUF_ADDR, 0);
}

static int edu_test_from_edu(struct edu_test *et, dma_addr_t dst)
{
	return edu_test_dma(et, EDU_BUF_ADDR, dst, EDU_CMD_TO_RAM);
}

static void edu_test_fill(u8 *p, u32 seed)
{
	u32 x = seed ? seed : 1;
	size_t i;

	for (i = 0; i < EDU_BUF_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
}

static size_t edu_test_mismatches(const u8 *a, const u8 *b, size_t *first)
{
	size_t i, n = 0;

	*first = EDU_BUF_SIZE;
	for (i = 0; i < EDU_BUF_SIZE; i++) {
		if (a[i] != b[i]) {
			if (!n)
				*first = i;
			n++;
		}
	}
	return n;
}

/*
 * One zeroed buffer for edu: from the zone through dmazone's API once
 * attached, else from the DMA API (dmazone's DMA ops in transparent mode).
 */
static void *edu_test_buf_alloc(struct edu_test *et, struct edu_test_buf *buf)
{
	buf->size = EDU_BUF_SIZE;
	if (et->za)
		buf->cpu = et->api.alloc(et->za, EDU_BUF_SIZE, PAGE_SIZE,
					 &buf->dma, GFP_KERNEL | __GFP_ZERO);
	else
		buf->cpu = dma_alloc_coherent(&et->pdev->dev, EDU_BUF_SIZE,
					      &buf->dma, GFP_KERNEL);
	return buf->cpu;
}

static void edu_test_buf_free(struct edu_test *et, struct edu_test_buf *buf)
{
	if (et->za)
		et->api.free(et->za, buf->cpu, buf->dma, buf->size);
	else
		dma_free_coherent(&et->pdev->dev, buf->size, buf->cpu, buf->dma);
}

/* dmazone_contained() once attached; -1 on the DMA API's buffers. */
static int edu_test_contained(struct edu_test *et)
{
	return et->za ? et->api.contained(et->za) : -1;
}

/* Two zone buffers: @src gets the pattern, @dst is zeroed. */
static int edu_test_zone_bufs(struct edu_test *et, u32 seed,
			      struct edu_test_buf *src, struct edu_test_buf *dst)
{
	if (!edu_test_buf_alloc(et, src))
		return -ENOMEM;
	if (!edu_test_buf_alloc(et, dst)) {
		edu_test_buf_free(et, src);
		return -ENOMEM;
	}
	edu_test_fill(src->cpu, seed);
	return 0;
}

static void edu_test_zone_bufs_free(struct edu_test *et,
				    struct edu_test_buf *src,
				    struct edu_test_buf *dst)
{
	edu_test_buf_free(et, dst);
	edu_test_buf_free(et, src);
}

/* zone buffer -> edu -> another zone buffer, byte for byte. */
static int edu_test_cmd_zone(struct edu_test *et, u32 seed)
{
	struct edu_test_buf src, dst;
	size_t bad, first;
	int ret;

	ret = edu_test_zone_bufs(et, seed, &src, &dst);
	if (ret) {
		edu_test_result(et, "zone ERROR alloc %d\n", ret);
		return ret;
	}

	ret = edu_test_to_edu(et, src.dma);
	if (!ret)
		ret = edu_test_from_edu(et, dst.dma);
	if (ret) {
		edu_test_result(et, "zone ERROR dma %d\n", ret);
		goto out_free;
	}

	bad = edu_test_mismatches(src.cpu, dst.cpu, &first);
	if (bad) {
		edu_test_result(et, "zone FAIL mismatches=%zu first=%zu src=%pad dst=%pad\n",
				bad, first, &src.dma, &dst.dma);
		ret = -EIO;
	} else {
		edu_test_result(et, "zone PASS bytes=%d src=%pad dst=%pad contained=%d\n",
				EDU_BUF_SIZE, &src.dma, &dst.dma,
				edu_test_contained(et));
	}
out_free:
	edu_test_zone_bufs_free(et, &src, &dst);
	return ret;
}

/*
 * One transfer of an ordinary buffer, mapped for it only. With a vIOMMU in
 * strict mode the map and the unmap each reach the host.
 */
static int edu_test_bench_mapped(struct edu_test *et, void *buf,
				 enum dma_data_direction dir)
{
	struct device *dev = &et->pdev->dev;
	dma_addr_t addr;
	int ret;

	addr = dma_map_single(dev, buf, EDU_BUF_SIZE, dir);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	if (dir == DMA_TO_DEVICE)
		ret = edu_test_to_edu(et, addr);
	else
		ret = edu_test_from_edu(et, addr);
	dma_unmap_single(dev, addr, EDU_BUF_SIZE, dir);
	return ret;
}

/*
 * @n round trips of one buffer, the last one checked byte for byte.
 * Attached: two zone buffers, taken once and used for every transfer, as
 * the patched e1000e keeps its ring buffers. Detached: two ordinary
 * buffers, each mapped for its transfer only (edu_test_bench_mapped).
 */
static int edu_test_cmd_bench(struct edu_test *et, unsigned long n)
{
	struct edu_test_buf zsrc, zdst;
	void *src, *dst;
	unsigned long i, maps = 0;
	size_t bad, first;
	int ret = 0;

	if (!n || n > EDU_BENCH_MAX) {
		edu_test_result(et, "bench FAIL transfers=%lu, not 1..%d\n", n,
				EDU_BENCH_MAX);
		return -EINVAL;
	}
	if (et->za) {
		ret = edu_test_zone_bufs(et, EDU_BENCH_SEED, &zsrc, &zdst);
		if (ret) {
			edu_test_result(et, "bench ERROR alloc %d\n", ret);
			return ret;
		}
		src = zsrc.cpu;
		dst = zdst.cpu;
	} else {
		/* kmalloc() of a page is page-aligned: one IOMMU page each */
		src = kmalloc(EDU_BUF_SIZE, GFP_KERNEL);
		dst = kzalloc(EDU_BUF_SIZE, GFP_KERNEL);
		if (!src || !dst) {
			ret = -ENOMEM;
			edu_test_result(et, "bench ERROR alloc %d\n", ret);
			goto out_free;
		}
		edu_test_fill(src, EDU_BENCH_SEED);
	}

	for (i = 0; i < n && !ret; i++) {
		if (et->za) {
			ret = edu_test_to_edu(et, zsrc.dma);
			if (!ret)
				ret = edu_test_from_edu(et, zdst.dma);
		} else {
			ret = edu_test_bench_mapped(et, src, DMA_TO_DEVICE);
			if (!ret)
				ret = edu_test_bench_mapped(et, dst,
							    DMA_FROM_DEVICE);
			maps += 2;
		}
	}
	if (ret) {
		edu_test_result(et, "bench ERROR dma %d after %lu transfers\n",
				ret, i - 1);
		goto out_free;
	}

	bad = edu_test_mismatches(src, dst, &first);
	if (bad) {
		edu_test_result(et, "bench FAIL mismatches=%zu first=%zu\n", bad,
				first);
		ret = -EIO;
	} else {
		edu_test_result(et, "bench PASS transfers=%lu bytes=%d maps=%lu contained=%d\n",
				n, EDU_BUF_SIZE, maps, edu_test_contained(et));
	}
out_free:
	if (et->za) {
		edu_test_zone_bufs_free(et, &zsrc, &zdst);
	} else {
		kfree(dst);
		kfree(src);
	}
	return ret;
}

/*
 * Outside the zone: an ordinary page with a known pattern. "write" has
 * edu write a different pattern into it; "read" has edu read it and then
 * write what it got into a zone buffer. Reports whether the page changed
 * (write) or its contents reached the zone (read); the caller decides
 * which is expected.
 */
static int edu_test_cmd_outside(struct edu_test *et, u32 seed, bool write,
				struct page *target)
{
	struct edu_test_buf src, dst;
	const char *what = target ? "extra-write" :
			   write ? "outside-write" : "outside-read";
	struct page *page = target;
	dma_addr_t addr;
	size_t bad, first;
	u8 *ref, *p;
	int ret;

	ret = edu_test_zone_bufs(et, seed, &src, &dst);
	if (ret) {
		edu_test_result(et, "%s ERROR alloc %d\n", what, ret);
		return ret;
	}
	ref = kmalloc(EDU_BUF_SIZE, GFP_KERNEL);
	if (!page)
		page = alloc_page(GFP_KERNEL);
	if (!ref || !page) {
		edu_test_result(et, "%s ERROR alloc %d\n", what, -ENOMEM);
		ret = -ENOMEM;
		goto out_free;
	}
	p = page_address(page);
	edu_test_fill(ref, ~seed);
	memcpy(p, ref, EDU_BUF_SIZE);
	/*
	 * The device tries the physical address: unmapped for a page of its
	 * own, identity-mapped by the guest for a map-extra block.
	 */
	addr = page_to_phys(page);

	/* Preload edu with the zone pattern (differs from the page's). */
	ret = edu_test_to_edu(et, src.dma);
	if (ret)
		goto out_dma_error;

	if (write) {
		ret = edu_test_from_edu(et, addr);
		if (ret)
			goto out_dma_error;
		bad = edu_test_mismatches(ref, p, &first);
		edu_test_result(et, "%s %s addr=%pad changed_bytes=%zu contained=%d\n",
				what, bad ? "CHANGED" : "UNCHANGED", &addr, bad,
				edu_test_contained(et));
	} else {
		ret = edu_test_to_edu(et, addr);
		if (!ret)
			ret = edu_test_from_edu(et, dst.dma);
		if (ret)
			goto out_dma_error;
		bad = edu_test_mismatches(ref, dst.cpu, &first);
		edu_test_result(et, "%s %s addr=%pad matching=%s contained=%d\n",
				what, bad ? "BLOCKED" : "LEAKED", &addr,
				bad ? "no" : "all", edu_test_contained(et));
	}
	goto out_free;

out_dma_error:
	edu_test_result(et, "%s ERROR dma %d\n", what, ret);
out_free:
	if (page && !target)
		__free_page(page);
	kfree(ref);
	edu_test_zone_bufs_free(et, &src, &dst);
	return ret;
}

/* Unmaps and frees what map-extra left; returns the bytes unmapped. */
static size_t edu_test_unmap_extra(struct edu_test *et)
{
	size_t unmapped = 0;
	unsigned int i;

	lockdep_assert_held(&et->lock);

	for (i = 0; i < et->nr_extra; i++) {
		unmapped += iommu_unmap(et->extra_domain,
					page_to_phys(et->extra[i]),
					EDU_EXTRA_BLOCK);
		__free_pages(et->extra[i], EDU_EXTRA_ORDER);
	}
	kfree(et->extra);
	et->extra = NULL;
	et->nr_extra = 0;
	et->extra_domain = NULL;
	return unmapped;
}

/*
 * What dmazone's callers promise not to do: map ordinary memory, outside
 * the zone, into the device's domain (IOVA = physical address, as for the
 * zone). With a vIOMMU each map reaches the host, which must refuse what
 * exceeds the guest's pin budget; the guest's IOMMU driver still reports
 * success, as virtio-iommu and intel-iommu do not hear of the refusal.
 */
static int edu_test_cmd_map_extra(struct edu_test *et, unsigned long mib)
{
	struct iommu_domain *domain;
	unsigned int i, n;
	int ret;

	lockdep_assert_held(&et->lock);

	if (et->nr_extra)
		return -EBUSY;
	if (!mib || mib > EDU_EXTRA_MAX_MIB || mib % (EDU_EXTRA_BLOCK / SZ_1M))
		return -EINVAL;
	domain = iommu_get_domain_for_dev(&et->pdev->dev);
	if (!domain || domain->type != IOMMU_DOMAIN_UNMANAGED) {
		edu_test_result(et, "map-extra FAIL no zone domain\n");
		return -ENODEV;
	}
	n = mib * SZ_1M / EDU_EXTRA_BLOCK;
	et->extra = kcalloc(n, sizeof(*et->extra), GFP_KERNEL);
	if (!et->extra)
		return -ENOMEM;
	et->extra_domain = domain;
	for (i = 0; i < n; i++) {
		struct page *block;

		block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, EDU_EXTRA_ORDER);
		if (!block) {
			ret = -ENOMEM;
			goto err_unmap;
		}
		ret = iommu_map(domain, page_to_phys(block),
				page_to_phys(block), EDU_EXTRA_BLOCK,
				IOMMU_READ | IOMMU_WRITE, GFP_KERNEL);
		if (ret) {
			__free_pages(block, EDU_EXTRA_ORDER);
			goto err_unmap;
		}
		et->extra[et->nr_extra++] = block;
	}
	edu_test_result(et, "map-extra OK mib=%lu blocks=%u first=0x%llx\n",
			mib, n, (u64)page_to_phys(et->extra[0]));
	return 0;

err_unmap:
	edu_test_result(et, "map-extra FAIL %d after %u of %u blocks\n", ret,
			et->nr_extra, n);
	edu_test_unmap_extra(et);
	return ret;
}

static int edu_test_cmd_alloc(struct edu_test *et, size_t size, size_t align)
{
	struct edu_test_buf *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	buf->size = size;
	buf->cpu = et->api.alloc(et->za, size, align, &buf->dma, GFP_KERNEL);
	if (!buf->cpu) {
		kfree(buf);
		edu_test_result(et, "alloc FAIL size=%zu align=%zu\n", size, align);
		return -ENOMEM;
	}
	list_add_tail(&buf->node, &et->bufs);
	edu_test_result(et, "alloc OK size=%zu align=%zu dma=%pad\n", size,
			align, &buf->dma);
	return 0;
}

static unsigned long edu_test_free_all(struct edu_test *et)
{
	struct edu_test_buf *buf, *tmp;
	unsigned long n = 0;

	lockdep_assert_held(&et->lock);

	list_for_each_entry_safe(buf, tmp, &et->bufs, node) {
		et->api.free(et->za, buf->cpu, buf->dma, buf->size);
		list_del(&buf->node);
		kfree(buf);
		n++;
	}
	return n;
}

static int edu_test_attach(struct edu_test *et)
{
	struct dmazone_attachment *za;
	int ret;

	lockdep_assert_held(&et->lock);

	if (et->za)
		return -EBUSY;
	ret = edu_test_api_get(et);
	if (ret) {
		edu_test_result(et, "attach FAIL dmazone not loaded\n");
		return ret;
	}
	za = et->api.attach(&et->pdev->dev);
	if (IS_ERR(za)) {
		ret = PTR_ERR(za);
		edu_test_result(et, "attach FAIL %d\n", ret);
		goto err_put_api;
	}
	et->za = za;
	edu_test_result(et, "attach OK contained=%d\n", et->api.contained(za));
	return 0;

err_put_api:
	edu_test_api_put(et);
	return ret;
}

static void edu_test_detach(struct edu_test *et)
{
	unsigned long freed;

	lockdep_assert_held(&et->lock);

	freed = edu_test_free_all(et);
	edu_test_unmap_extra(et);
	et->api.detach(et->za);
	et->za = NULL;
	edu_test_api_put(et);
	edu_test_result(et, "detach OK freed=%lu\n", freed);
}

static int edu_test_run(struct edu_test *et, char *line)
{
	char *cmd, *arg1, *arg2;
	unsigned long a = 0, b = 0;
	int ret;

	lockdep_assert_held(&et->lock);

	line = strim(line);
	cmd = strsep(&line, " ");
	arg1 = strsep(&line, " ");
	arg2 = strsep(&line, " ");
	if (arg1 && kstrtoul(arg1, 0, &a))
		return -EINVAL;
	if (arg2 && kstrtoul(arg2, 0, &b))
		return -EINVAL;

	if (!strcmp(cmd, "attach"))
		return edu_test_attach(et);
	if (!strcmp(cmd, "zone"))
		return edu_test_cmd_zone(et, a);
	if (!strcmp(cmd, "bench"))
		return edu_test_cmd_bench(et, a);
	if (!strcmp(cmd, "outside-write"))
		return edu_test_cmd_outside(et, a, true, NULL);
	if (!strcmp(cmd, "outside-read"))
		return edu_test_cmd_outside(et, a, false, NULL);

	if (!et->za) {
		edu_test_result(et, "%s FAIL not attached\n", cmd);
		return -ENXIO;
	}

	if (!strcmp(cmd, "detach")) {
		edu_test_detach(et);
		ret = 0;
	} else if (!strcmp(cmd, "map-extra")) {
		ret = arg1 ? edu_test_cmd_map_extra(et, a) : -EINVAL;
	} else if (!strcmp(cmd, "extra-write")) {
		ret = et->nr_extra ?
		      edu_test_cmd_outside(et, a, true, et->extra[0]) : -ENXIO;
	} else if (!strcmp(cmd, "unmap-extra")) {
		edu_test_result(et, "unmap-extra OK unmapped=%zu\n",
				edu_test_unmap_extra(et));
		ret = 0;
	} else if (!strcmp(cmd, "alloc")) {
		ret = arg1 ? edu_test_cmd_alloc(et, a, b) : -EINVAL;
	} else if (!strcmp(cmd, "free-all")) {
		edu_test_result(et, "free-all OK freed=%lu\n",
				edu_test_free_all(et));
		ret = 0;
	} else {
		ret = -EINVAL;
	}
	return ret;
}

static ssize_t edu_test_ctl_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct edu_test *et = file->private_data;
	char line[64];
	int ret;

	if (!count || count >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';

	mutex_lock(&et->lock);
	ret = edu_test_run(et, line);
	mutex_unlock(&et->lock);
	return ret ? ret : count;
}

static const struct file_operations edu_test_ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = edu_test_ctl_write,
	.llseek = noop_llseek,
};

static ssize_t edu_test_result_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct edu_test *et = file->private_data;
	char result[sizeof(et->result)];

	mutex_lock(&et->lock);
	strscpy(result, et->result, sizeof(result));
	mutex_unlock(&et->lock);
	return simple_read_from_buffer(ubuf, count, ppos, result,
				       strlen(result));
}

static const struct file_operations edu_test_result_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = edu_test_result_read,
	.llseek = default_llseek,
};

static int edu_test_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_test *et;
	u32 live;
	int ret;

	et = devm_kzalloc(&pdev->dev, sizeof(*et), GFP_KERNEL);
	if (!et)
		return -ENOMEM;
	et->pdev = pdev;
	mutex_init(&et->lock);
	INIT_LIST_HEAD(&et->bufs);
	strscpy(et->result, "none\n", sizeof(et->result));

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	et->bar = pcim_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(et->bar))
		return PTR_ERR(et->bar);

	/* Addresses are zone GPAs, anywhere in 64 bits. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	pci_set_master(pdev);

	writel(0x12345678, et->bar + EDU_REG_LIVENESS);
	live = readl(et->bar + EDU_REG_LIVENESS);
	if (live != ~0x12345678U) {
		pci_err(pdev, "edu liveness check failed: 0x%08x\n", live);
		return -ENODEV;
	}

	et->debugfs = debugfs_create_dir(pci_name(pdev), edu_test_debugfs_root);
	debugfs_create_file("ctl", 0200, et->debugfs, et, &edu_test_ctl_fops);
	debugfs_create_file("result", 0400, et->debugfs, et,
			    &edu_test_result_fops);
	pci_set_drvdata(pdev, et);
	pci_info(pdev, "edu id 0x%08x bound (dmazone test client)\n",
		 readl(et->bar + EDU_REG_ID));
	return 0;
}

static void edu_test_remove(struct pci_dev *pdev)
{
	struct edu_test *et = pci_get_drvdata(pdev);

	/* Waits for commands in progress through debugfs. */
	debugfs_remove_recursive(et->debugfs);

	mutex_lock(&et->lock);
	if (et->za)
		edu_test_detach(et);
	mutex_unlock(&et->lock);
	pci_clear_master(pdev);
}

static const struct pci_device_id edu_test_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_test_ids);

static struct pci_driver edu_test_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_test_ids,
	.probe = edu_test_probe,
	.remove = edu_test_remove,
};

static int __init edu_test_init(void)
{
	int ret;

	edu_test_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = pci_register_driver(&edu_test_driver);
	if (ret)
		goto err_remove_debugfs;
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(edu_test_debugfs_root);
	return ret;
}

static void __exit edu_test_exit(void)
{
	pci_unregister_driver(&edu_test_driver);
	debugfs_remove_recursive(edu_test_debugfs_root);
}

module_init(edu_test_init);
module_exit(edu_test_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("dmazone project");
MODULE_DESCRIPTION("dmazone test client: DMA through QEMU's edu device");
