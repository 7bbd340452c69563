// SPDX-License-Identifier: GPL-2.0
/*
 * dmazone - transparent mode: the DMA API of an unmodified driver served
 * from the zone.
 *
 * A selected PCI device gets DMA ops of its own (set_dma_ops()) while a
 * driver is bound to it:
 *
 * - coherent allocations (dma_alloc_coherent(), and dma_pool on top) come
 *   straight from the zone;
 * - streaming mappings (dma_map_single/page/sg) bounce: each mapping gets
 *   a zone buffer, filled from the driver's buffer at map time whatever
 *   the direction (see dmazone_bounce_map()) and at sync_for_device when
 *   the device is to read it (DMA_TO_DEVICE, DMA_BIDIRECTIONAL), copied
 *   back at unmap time and at sync_for_cpu when the device may have
 *   written it (DMA_FROM_DEVICE, DMA_BIDIRECTIONAL).
 *
 * Every DMA address the device is given therefore lies in the zone; behind
 * an IOMMU the device also gets the zone-only domain (as dmazone_attach()
 * gives it), so that nothing else is reachable.
 *
 * The DMA API honours a device's own ops only when it does not use the
 * IOMMU DMA layer (kernel/dma/mapping.c: use_dma_iommu()); dev->dma_iommu
 * is cleared while the ops are installed and restored, with the original
 * ops, when the driver unbinds. The ops are installed at
 * BUS_NOTIFY_BIND_DRIVER, which the driver core sends after dma_configure()
 * and before probe(), so that the driver's first allocation already comes
 * from the zone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "dmazone_priv.h"

static char *transparent;
module_param(transparent, charp, 0444);
MODULE_PARM_DESC(transparent, "PCI devices whose DMA API dmazone serves from the zone (transparent mode), comma-separated: 0000:00:02.0,0000:00:03.0");

/**
 * struct dmazone_map - one bounce buffer or coherent allocation
 * @orig: physical address of the driver's buffer (streaming only)
 * @dma: the address the device was given
 * @cpu: kernel address of @dma in the zone
 * @base: pool address of the allocation (@dma minus the kept offset)
 * @alloc_size: bytes taken from the pool
 * @size: bytes mapped (streaming) or allocated (coherent)
 * @dir: direction of a streaming mapping
 * @coherent: a coherent allocation, not a streaming mapping
 */
struct dmazone_map {
	phys_addr_t orig;
	dma_addr_t dma;
	void *cpu;
	unsigned long base;
	size_t alloc_size;
	size_t size;
	enum dma_data_direction dir;
	bool coherent;
};

static struct kmem_cache *dmazone_map_cache;
/* A driver left records behind at unbind: they, and the cache, stay. */
static bool dmazone_maps_leaked;

/*
 * Transparent attachments by PCI identity (domain, bus, devfn): the ops
 * find theirs with an RCU lookup, from any context.
 */
static DEFINE_XARRAY(dmazone_transparent_devs);

static unsigned long dmazone_pci_index(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);

	return (unsigned long)pci_domain_nr(pdev->bus) << 16 | pci_dev_id(pdev);
}

static unsigned long dmazone_map_index(dma_addr_t dma)
{
	return dma >> DMAZONE_MIN_ALLOC_ORDER;
}

static struct dmazone_attachment *dmazone_dev_za(struct device *dev)
{
	return xa_load(&dmazone_transparent_devs, dmazone_pci_index(dev));
}

static const char *dmazone_bouncer_name(const struct dmazone_bouncer *b)
{
	return b->dev ? dev_name(b->dev) : "bench_map";
}

static void dmazone_bouncer_init(struct dmazone_bouncer *b, struct device *dev)
{
	b->dev = dev;
	xa_init_flags(&b->maps, XA_FLAGS_LOCK_IRQ);
}

static bool dmazone_dir_to_device(enum dma_data_direction dir)
{
	return dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL;
}

static bool dmazone_dir_from_device(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

/* Copy between the driver's buffer (direct-mapped RAM) and the zone. */
static void dmazone_copy(struct dmazone_bouncer *b, phys_addr_t orig,
			 void *zone, size_t size, bool to_zone)
{
	void *buf = phys_to_virt(orig);

	if (to_zone)
		memcpy(zone, buf, size);
	else
		memcpy(buf, zone, size);
	atomic_long_add(size, &b->bytes_bounced);
}

/**
 * struct dmazone_limits - what a device can take
 * @min_align_mask: low address bits a bounce buffer must keep (NVMe: 4 KiB)
 * @seg_boundary: a mapping must not cross a multiple of this mask + 1
 * @dma_limit: highest DMA address the device reaches
 */
struct dmazone_limits {
	unsigned int min_align_mask;
	unsigned long seg_boundary;
	u64 dma_limit;
};

static void dmazone_dev_limits(struct device *dev, struct dmazone_limits *lim)
{
	if (!dev) {
		lim->min_align_mask = 0;
		lim->seg_boundary = ULONG_MAX;
		lim->dma_limit = U64_MAX;
		return;
	}
	lim->min_align_mask = dma_get_min_align_mask(dev);
	lim->seg_boundary = dma_get_seg_boundary(dev);
	lim->dma_limit = min_not_zero(dev->dma_mask ? *dev->dma_mask : 0,
				      dev->bus_dma_limit);
}

static bool dmazone_crosses(dma_addr_t dma, size_t size, unsigned long boundary)
{
	return ((dma ^ (dma + size - 1)) & ~(dma_addr_t)boundary) != 0;
}

/*
 * Take @alloc_size bytes from the pool at @align for a mapping of @size
 * bytes that starts @offset bytes in; the mapping must not cross the
 * device's segment boundary. Returns the pool address, 0 if nothing fits.
 */
static unsigned long dmazone_bounce_alloc(size_t alloc_size, size_t align,
					  size_t offset, size_t size,
					  unsigned long boundary,
					  struct dmazone_chunk **chunk)
{
	unsigned long base;

	base = dmazone_pool_alloc(alloc_size, align, chunk);
	if (!base || boundary == ULONG_MAX ||
	    !dmazone_crosses(base + offset, size, boundary))
		return base;

	/* Rare: retry aligned to the allocation's own size, which cannot cross. */
	dmazone_pool_free(base, alloc_size);
	if (roundup_pow_of_two(alloc_size) - 1 > boundary)
		return 0;
	base = dmazone_pool_alloc(alloc_size,
				  max_t(size_t, align, roundup_pow_of_two(alloc_size)),
				  chunk);
	if (base && dmazone_crosses(base + offset, size, boundary)) {
		dmazone_pool_free(base, alloc_size);
		return 0;
	}
	return base;
}

static void dmazone_map_failed(struct dmazone_bouncer *b, size_t size,
			       unsigned long attrs, const char *why)
{
	atomic_long_inc(&b->failed_maps);
	atomic_long_inc(&dmazone.failed);
	if (!(attrs & DMA_ATTR_NO_WARN))
		pr_warn_ratelimited("%s: cannot bounce %zu bytes: %s (DMA_MAPPING_ERROR)\n",
				    dmazone_bouncer_name(b), size, why);
}

/*
 * Map @size bytes at physical @orig for the device: a zone buffer that
 * keeps @orig's bits under the device's min_align_mask, inside its segment
 * boundary and DMA mask, filled from @orig.
 *
 * The fill is done for every direction and even with
 * DMA_ATTR_SKIP_CPU_SYNC, as swiotlb does: unmap copies the whole buffer
 * back, so a device that writes only part of a DMA_FROM_DEVICE buffer
 * would otherwise leave the rest of the driver's buffer overwritten with
 * whatever an earlier mapping left in the zone.
 */
static dma_addr_t dmazone_bounce_map(struct dmazone_bouncer *b,
				     const struct dmazone_limits *lim,
				     phys_addr_t orig, size_t size,
				     enum dma_data_direction dir,
				     unsigned long attrs)
{
	struct dmazone_chunk *chunk;
	struct dmazone_map *m;
	unsigned long base, flags;
	size_t offset, align, alloc_size;
	dma_addr_t dma;
	int ret;

	if (!size || size > DMAZONE_MAX_MAPPING) {
		dmazone_map_failed(b, size, attrs, "size out of range");
		return DMA_MAPPING_ERROR;
	}
	offset = orig & lim->min_align_mask;
	align = max_t(size_t, 1UL << DMAZONE_MIN_ALLOC_ORDER,
		      (size_t)lim->min_align_mask + 1);
	alloc_size = offset + size;

	if (dmazone_fail_injected()) {
		dmazone_map_failed(b, size, attrs, "failure injected");
		return DMA_MAPPING_ERROR;
	}
	base = dmazone_bounce_alloc(alloc_size, align, offset, size,
				    lim->seg_boundary, &chunk);
	if (!base) {
		dmazone_map_failed(b, size, attrs, "zone full");
		return DMA_MAPPING_ERROR;
	}
	dma = base + offset;
	if (dma + size - 1 > lim->dma_limit) {
		dmazone_map_failed(b, size, attrs, "zone beyond the DMA mask");
		goto err_free;
	}

	m = kmem_cache_alloc(dmazone_map_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!m) {
		dmazone_map_failed(b, size, attrs, "no memory for its record");
		goto err_free;
	}
	m->orig = orig;
	m->dma = dma;
	m->cpu = chunk->cpu + (dma - chunk->phys);
	m->base = base;
	m->alloc_size = alloc_size;
	m->size = size;
	m->dir = dir;
	m->coherent = false;

	dmazone_copy(b, orig, m->cpu, size, true);

	xa_lock_irqsave(&b->maps, flags);
	ret = __xa_insert(&b->maps, dmazone_map_index(dma), m, GFP_ATOMIC);
	if (!ret) {
		b->bounce_bytes += alloc_size;
		if (b->bounce_bytes > b->high_water)
			b->high_water = b->bounce_bytes;
	}
	xa_unlock_irqrestore(&b->maps, flags);
	if (ret) {
		dmazone_map_failed(b, size, attrs, "no memory to index it");
		goto err_free_map;
	}
	atomic_long_inc(&b->nr_maps);
	return dma;

err_free_map:
	kmem_cache_free(dmazone_map_cache, m);
err_free:
	dmazone_pool_free(base, alloc_size);
	return DMA_MAPPING_ERROR;
}

/* Take the streaming mapping at @dma out of the index; NULL if unknown. */
static struct dmazone_map *dmazone_map_take(struct dmazone_bouncer *b,
					    dma_addr_t dma, bool coherent)
{
	struct dmazone_map *m;
	unsigned long flags;

	xa_lock_irqsave(&b->maps, flags);
	m = xa_load(&b->maps, dmazone_map_index(dma));
	if (m && m->dma == dma && m->coherent == coherent) {
		__xa_erase(&b->maps, dmazone_map_index(dma));
		if (!coherent)
			b->bounce_bytes -= m->alloc_size;
	} else {
		m = NULL;
	}
	xa_unlock_irqrestore(&b->maps, flags);
	return m;
}

static void dmazone_bounce_unmap(struct dmazone_bouncer *b, dma_addr_t dma,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs)
{
	struct dmazone_map *m = dmazone_map_take(b, dma, false);

	if (!m) {
		pr_err_ratelimited("%s: unmap of %pad (%zu bytes), which is not mapped\n",
				   dmazone_bouncer_name(b), &dma, size);
		return;
	}
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC) && dmazone_dir_from_device(m->dir))
		dmazone_copy(b, m->orig, m->cpu, m->size, false);
	dmazone_pool_free(m->base, m->alloc_size);
	kmem_cache_free(dmazone_map_cache, m);
}

/*
 * The streaming mapping holding [@dma, @dma + @size): its buffer and the
 * part to copy. The index is keyed by a mapping's first granule, so a
 * sync that starts inside one (dma_sync_single_range_*) walks back.
 */
static bool dmazone_map_find(struct dmazone_bouncer *b, dma_addr_t dma,
			     size_t size, phys_addr_t *orig, void **cpu,
			     enum dma_data_direction *dir)
{
	unsigned long idx = dmazone_map_index(dma), flags;
	unsigned long steps = DMAZONE_MAX_MAPPING >> DMAZONE_MIN_ALLOC_ORDER;
	struct dmazone_map *m = NULL;
	bool found = false;

	xa_lock_irqsave(&b->maps, flags);
	for (;;) {
		m = xa_load(&b->maps, idx);
		if (m || !idx || !steps--)
			break;
		idx--;
	}
	if (m && !m->coherent && dma >= m->dma &&
	    dma - m->dma + size <= m->size) {
		*orig = m->orig + (dma - m->dma);
		*cpu = m->cpu + (dma - m->dma);
		*dir = m->dir;
		found = true;
	}
	xa_unlock_irqrestore(&b->maps, flags);
	if (!found)
		pr_err_ratelimited("%s: sync of %pad (%zu bytes), which is not mapped\n",
				   dmazone_bouncer_name(b), &dma, size);
	return found;
}

static void dmazone_bounce_sync(struct dmazone_bouncer *b, dma_addr_t dma,
				size_t size, bool for_device)
{
	enum dma_data_direction dir;
	phys_addr_t orig;
	void *cpu;

	if (!dmazone_map_find(b, dma, size, &orig, &cpu, &dir))
		return;
	if (for_device && dmazone_dir_to_device(dir))
		dmazone_copy(b, orig, cpu, size, true);
	else if (!for_device && dmazone_dir_from_device(dir))
		dmazone_copy(b, orig, cpu, size, false);
}

/* --- the DMA ops ------------------------------------------------------ */

static dma_addr_t dmazone_op_map_page(struct device *dev, struct page *page,
				      unsigned long offset, size_t size,
				      enum dma_data_direction dir,
				      unsigned long attrs)
{
	struct dmazone_limits lim;

	dmazone_dev_limits(dev, &lim);
	return dmazone_bounce_map(&dmazone_dev_za(dev)->bouncer, &lim,
				  page_to_phys(page) + offset, size, dir, attrs);
}

static void dmazone_op_unmap_page(struct device *dev, dma_addr_t dma,
				  size_t size, enum dma_data_direction dir,
				  unsigned long attrs)
{
	dmazone_bounce_unmap(&dmazone_dev_za(dev)->bouncer, dma, size, dir,
			     attrs);
}

static void dmazone_op_unmap_sg(struct device *dev, struct scatterlist *sgl,
				int nents, enum dma_data_direction dir,
				unsigned long attrs)
{
	struct dmazone_bouncer *b = &dmazone_dev_za(dev)->bouncer;
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		dmazone_bounce_unmap(b, sg_dma_address(sg), sg_dma_len(sg), dir,
				     attrs);
}

/* One zone buffer per segment; nothing is merged. */
static int dmazone_op_map_sg(struct device *dev, struct scatterlist *sgl,
			     int nents, enum dma_data_direction dir,
			     unsigned long attrs)
{
	struct dmazone_bouncer *b = &dmazone_dev_za(dev)->bouncer;
	struct dmazone_limits lim;
	struct scatterlist *sg;
	int i;

	dmazone_dev_limits(dev, &lim);
	for_each_sg(sgl, sg, nents, i) {
		dma_addr_t dma = dmazone_bounce_map(b, &lim, sg_phys(sg),
						    sg->length, dir, attrs);

		if (dma == DMA_MAPPING_ERROR)
			goto err_unmap;
		sg_dma_address(sg) = dma;
		sg_dma_len(sg) = sg->length;
	}
	return nents;

err_unmap:
	dmazone_op_unmap_sg(dev, sgl, i, dir, attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return -ENOMEM;
}

static void dmazone_op_sync_single_for_cpu(struct device *dev, dma_addr_t dma,
					   size_t size,
					   enum dma_data_direction dir)
{
	dmazone_bounce_sync(&dmazone_dev_za(dev)->bouncer, dma, size, false);
}

static void dmazone_op_sync_single_for_device(struct device *dev,
					      dma_addr_t dma, size_t size,
					      enum dma_data_direction dir)
{
	dmazone_bounce_sync(&dmazone_dev_za(dev)->bouncer, dma, size, true);
}

static void dmazone_sync_sg(struct device *dev, struct scatterlist *sgl,
			    int nents, bool for_device)
{
	struct dmazone_bouncer *b = &dmazone_dev_za(dev)->bouncer;
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i)
		dmazone_bounce_sync(b, sg_dma_address(sg), sg_dma_len(sg),
				    for_device);
}

static void dmazone_op_sync_sg_for_cpu(struct device *dev,
				       struct scatterlist *sgl, int nents,
				       enum dma_data_direction dir)
{
	dmazone_sync_sg(dev, sgl, nents, false);
}

static void dmazone_op_sync_sg_for_device(struct device *dev,
					  struct scatterlist *sgl, int nents,
					  enum dma_data_direction dir)
{
	dmazone_sync_sg(dev, sgl, nents, true);
}

/*
 * Coherent memory: zone memory needs no bouncing. Aligned as the DMA API
 * promises, to the smallest page order that holds @size (dma_pool relies
 * on it).
 */
static void *dmazone_op_alloc(struct device *dev, size_t size,
			      dma_addr_t *dma_handle, gfp_t gfp,
			      unsigned long attrs)
{
	struct dmazone_attachment *za = dmazone_dev_za(dev);
	struct dmazone_bouncer *b = &za->bouncer;
	struct dmazone_chunk *chunk;
	struct dmazone_map *m;
	unsigned long base, flags;
	int ret;

	if (!size || dmazone_fail_injected())
		goto fail;
	base = dmazone_pool_alloc(size, PAGE_SIZE << get_order(size), &chunk);
	if (!base)
		goto fail;
	if (base + size - 1 > dev->coherent_dma_mask)
		goto err_free;

	m = kmem_cache_alloc(dmazone_map_cache,
			     gfpflags_allow_blocking(gfp) ? GFP_KERNEL : GFP_ATOMIC);
	if (!m)
		goto err_free;
	m->orig = 0;
	m->dma = base;
	m->cpu = chunk->cpu + (base - chunk->phys);
	m->base = base;
	m->alloc_size = size;
	m->size = size;
	m->dir = DMA_BIDIRECTIONAL;
	m->coherent = true;
	memset(m->cpu, 0, size);

	xa_lock_irqsave(&b->maps, flags);
	ret = __xa_insert(&b->maps, dmazone_map_index(base), m, GFP_ATOMIC);
	xa_unlock_irqrestore(&b->maps, flags);
	if (ret)
		goto err_free_map;

	atomic_long_inc(&za->nr_allocs);
	atomic_long_add(size, &za->bytes);
	atomic_long_inc(&dmazone.allocations);
	*dma_handle = base;
	return m->cpu;

err_free_map:
	kmem_cache_free(dmazone_map_cache, m);
err_free:
	dmazone_pool_free(base, size);
fail:
	atomic_long_inc(&dmazone.failed);
	if (!(attrs & DMA_ATTR_NO_WARN))
		dev_warn_ratelimited(dev, "dmazone: coherent allocation of %zu bytes failed: zone full\n",
				     size);
	return NULL;
}

static void dmazone_op_free(struct device *dev, size_t size, void *cpu,
			    dma_addr_t dma, unsigned long attrs)
{
	struct dmazone_attachment *za = dmazone_dev_za(dev);
	struct dmazone_map *m = dmazone_map_take(&za->bouncer, dma, true);

	if (!m) {
		dev_err_ratelimited(dev, "dmazone: free of coherent %pad (%zu bytes), which dmazone did not allocate\n",
				    &dma, size);
		return;
	}
	if (m->cpu != cpu || m->size != size)
		dev_err_ratelimited(dev, "dmazone: coherent %pad freed as %zu bytes at %p, allocated as %zu at %p\n",
				    &dma, size, cpu, m->size, m->cpu);
	dmazone_pool_free(m->base, m->alloc_size);
	atomic_long_dec(&za->nr_allocs);
	atomic_long_sub(m->size, &za->bytes);
	atomic_long_inc(&dmazone.frees);
	kmem_cache_free(dmazone_map_cache, m);
}

static int dmazone_op_dma_supported(struct device *dev, u64 mask)
{
	return dmazone_zone_fits(mask);
}

static u64 dmazone_op_get_required_mask(struct device *dev)
{
	return DMA_BIT_MASK(fls64(dmazone_zone_last()));
}

static size_t dmazone_op_max_mapping_size(struct device *dev)
{
	return DMAZONE_MAX_MAPPING;
}

static const struct dma_map_ops dmazone_dma_ops = {
	.alloc = dmazone_op_alloc,
	.free = dmazone_op_free,
	.map_page = dmazone_op_map_page,
	.unmap_page = dmazone_op_unmap_page,
	.map_sg = dmazone_op_map_sg,
	.unmap_sg = dmazone_op_unmap_sg,
	.sync_single_for_cpu = dmazone_op_sync_single_for_cpu,
	.sync_single_for_device = dmazone_op_sync_single_for_device,
	.sync_sg_for_cpu = dmazone_op_sync_sg_for_cpu,
	.sync_sg_for_device = dmazone_op_sync_sg_for_device,
	.dma_supported = dmazone_op_dma_supported,
	.get_required_mask = dmazone_op_get_required_mask,
	.max_mapping_size = dmazone_op_max_mapping_size,
};

/* --- attaching: the ops on, the original DMA state back ----------------- */

static void dmazone_ops_install(struct dmazone_attachment *za)
{
	struct device *dev = za->dev;

	dmazone_bouncer_init(&za->bouncer, dev);
#ifdef CONFIG_ARCH_HAS_DMA_OPS
	za->saved_ops = dev->dma_ops;
#endif
#ifdef CONFIG_IOMMU_DMA
	za->saved_dma_iommu = dev->dma_iommu;
	dev->dma_iommu = false;
#endif
#ifdef CONFIG_DMA_NEED_SYNC
	/* The syncs must reach the ops: they copy. */
	za->saved_skip_sync = dev->dma_skip_sync;
	dev->dma_skip_sync = false;
#endif
	set_dma_ops(dev, &dmazone_dma_ops);
}

static void dmazone_ops_restore(struct dmazone_attachment *za)
{
	struct device *dev = za->dev;

	set_dma_ops(dev, za->saved_ops);
#ifdef CONFIG_IOMMU_DMA
	dev->dma_iommu = za->saved_dma_iommu;
#endif
#ifdef CONFIG_DMA_NEED_SYNC
	dev->dma_skip_sync = za->saved_skip_sync;
#endif
}

/* Process context, with the device's driver about to probe. */
static struct dmazone_attachment *dmazone_transparent_attach(struct device *dev)
{
	struct dmazone_attachment *za;
	int ret;

	za = dmazone_attach_mode(dev, true);
	if (IS_ERR(za))
		return za;
	ret = xa_insert(&dmazone_transparent_devs, dmazone_pci_index(dev), za,
			GFP_KERNEL);
	if (ret) {
		dmazone_detach_mode(za);
		kfree(za);
		return ERR_PTR(ret);
	}
	dmazone_ops_install(za);
	dev_info(dev, "dmazone: transparent: %s's DMA API is served from the zone (%s)\n",
		 dev->driver ? dev->driver->name : "the driver",
		 dmazone_contained(za) ? "contained by the IOMMU" :
		 "identity-only, not contained");
	return za;
}

/*
 * The driver is gone (unbound, or its probe failed): the original DMA ops
 * back, the zone domain off. Whatever the driver left mapped or allocated
 * stays in the zone, reported, with the module pinned for good.
 */
static void dmazone_transparent_detach(struct dmazone_attachment *za)
{
	struct dmazone_bouncer *b = &za->bouncer;
	struct device *dev = za->dev;
	unsigned long leftover = 0, idx;
	struct dmazone_map *m;

	dmazone_ops_restore(za);
	/* The driver is gone and the device's own ops are back: no op runs. */
	xa_erase(&dmazone_transparent_devs, dmazone_pci_index(dev));
	xa_for_each(&b->maps, idx, m)
		leftover++;

	get_device(dev);
	if (dmazone_detach_mode(za) || leftover) {
		dev_err(dev, "dmazone: transparent: the driver left %lu mappings and allocations in the zone; keeping the module pinned\n",
			leftover);
		dmazone_maps_leaked = true;
		__module_get(THIS_MODULE);
	} else {
		dev_info(dev, "dmazone: transparent: detached, the device's own DMA ops restored (%ld maps, %ld bytes bounced, %ld failed)\n",
			 atomic_long_read(&b->nr_maps),
			 atomic_long_read(&b->bytes_bounced),
			 atomic_long_read(&b->failed_maps));
		xa_destroy(&b->maps);
		kfree(za);
	}
	put_device(dev);
}

/* --- selection ------------------------------------------------------------ */

/**
 * struct dmazone_sel - a device selected for transparent mode
 * @node: entry in dmazone_sels
 * @dev: the device (reference held)
 * @za: its attachment while a driver is bound, NULL otherwise
 * @leaving: being deselected: a new driver binds with its own DMA ops
 */
struct dmazone_sel {
	struct list_head node;
	struct device *dev;
	struct dmazone_attachment *za;
	bool leaving;
};

/* Protects dmazone_sels and each entry's za. Nests outside dmazone.lock. */
static DEFINE_MUTEX(dmazone_sel_lock);
static LIST_HEAD(dmazone_sels);

static struct dmazone_sel *dmazone_sel_find(struct device *dev)
{
	struct dmazone_sel *sel;

	lockdep_assert_held(&dmazone_sel_lock);
	list_for_each_entry(sel, &dmazone_sels, node)
		if (sel->dev == dev)
			return sel;
	return NULL;
}

static int dmazone_bus_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct device *dev = data;
	struct dmazone_attachment *za;
	struct dmazone_sel *sel;

	mutex_lock(&dmazone_sel_lock);
	sel = dmazone_sel_find(dev);
	if (!sel)
		goto out_unlock;

	switch (action) {
	case BUS_NOTIFY_BIND_DRIVER:
		/* After dma_configure(), before probe(). */
		if (sel->leaving || sel->za)
			break;
		za = dmazone_transparent_attach(dev);
		if (IS_ERR(za)) {
			dev_err(dev, "dmazone: transparent: cannot attach (%pe); the driver keeps its own DMA ops, outside the zone\n",
				za);
			break;
		}
		sel->za = za;
		break;
	case BUS_NOTIFY_UNBOUND_DRIVER:
	case BUS_NOTIFY_DRIVER_NOT_BOUND:
		/* The driver's devres, dmam_* memory included, is released. */
		if (sel->za) {
			dmazone_transparent_detach(sel->za);
			sel->za = NULL;
		}
		break;
	case BUS_NOTIFY_REMOVED_DEVICE:
		if (sel->leaving || sel->za)
			break;
		dev_info(dev, "dmazone: transparent: device removed, deselected\n");
		list_del(&sel->node);
		put_device(sel->dev);
		kfree(sel);
		break;
	default:
		break;
	}
out_unlock:
	mutex_unlock(&dmazone_sel_lock);
	return NOTIFY_DONE;
}

static struct notifier_block dmazone_bus_nb = {
	.notifier_call = dmazone_bus_notify,
};

/*
 * "0000:00:02.0", as sysfs names PCI devices (one newline may follow) ->
 * its PCI device, with a reference. -EINVAL for anything else, -ENODEV if
 * no such device exists.
 */
static int dmazone_pci_lookup(const char *buf, struct pci_dev **out)
{
	static const char form[] = "xxxx:xx:xx.x";
	unsigned int domain, bus, slot, fn, i;
	struct pci_dev *pdev;

	for (i = 0; i < sizeof(form) - 1; i++) {
		if (form[i] == 'x' ? !isxdigit(buf[i]) : buf[i] != form[i])
			return -EINVAL;
	}
	if (buf[i] == '\n')
		i++;
	if (buf[i])
		return -EINVAL;
	if (sscanf(buf, "%4x:%2x:%2x.%1x", &domain, &bus, &slot, &fn) != 4 ||
	    slot > 0x1f || fn > 7)
		return -EINVAL;
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev)
		return -ENODEV;
	*out = pdev;
	return 0;
}

/* Release @dev's driver and probe again: the notifier does the rest. */
static void dmazone_rebind(struct device *dev, const char *why)
{
	const char *drv = dev->driver ? dev->driver->name : "its driver";
	int ret;

	dev_info(dev, "dmazone: transparent: %s is bound, rebinding it %s\n",
		 drv, why);
	device_release_driver(dev);
	ret = device_attach(dev);
	if (ret < 0)
		dev_err(dev, "dmazone: transparent: rebinding failed: %d\n", ret);
	else if (!ret)
		dev_warn(dev, "dmazone: transparent: no driver took the device again\n");
}

static int dmazone_select(struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	struct dmazone_sel *sel;
	int ret;

	if (!IS_ENABLED(CONFIG_ARCH_HAS_DMA_OPS)) {
		dev_err(dev, "dmazone: transparent mode needs a kernel with CONFIG_ARCH_HAS_DMA_OPS\n");
		return -EOPNOTSUPP;
	}
	sel = kzalloc(sizeof(*sel), GFP_KERNEL);
	if (!sel)
		return -ENOMEM;

	mutex_lock(&dmazone_sel_lock);
	if (dmazone_sel_find(dev)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	sel->dev = get_device(dev);
	list_add_tail(&sel->node, &dmazone_sels);
	mutex_unlock(&dmazone_sel_lock);

	dev_info(dev, "dmazone: transparent: selected\n");
	if (READ_ONCE(dev->driver))
		dmazone_rebind(dev, "so that its DMA comes from the zone");
	return 0;

err_unlock:
	mutex_unlock(&dmazone_sel_lock);
	kfree(sel);
	return ret;
}

static int dmazone_deselect(struct device *dev)
{
	struct dmazone_sel *sel;
	bool attached;

	mutex_lock(&dmazone_sel_lock);
	sel = dmazone_sel_find(dev);
	if (!sel || sel->leaving) {
		mutex_unlock(&dmazone_sel_lock);
		return -ENOENT;
	}
	sel->leaving = true;
	attached = sel->za;
	mutex_unlock(&dmazone_sel_lock);

	/* The unbind detaches (the notifier); the new probe keeps plain DMA. */
	if (attached)
		dmazone_rebind(dev, "to its own DMA ops");

	mutex_lock(&dmazone_sel_lock);
	if (sel->za) {
		/* A driver that could not be released: this is its last chance. */
		dev_err(dev, "dmazone: transparent: still bound after release; detaching under it\n");
		dmazone_transparent_detach(sel->za);
	}
	list_del(&sel->node);
	mutex_unlock(&dmazone_sel_lock);

	dev_info(dev, "dmazone: transparent: deselected\n");
	put_device(sel->dev);
	kfree(sel);
	return 0;
}

/* --- /sys/kernel/dmazone/transparent/ --------------------------------------- */

static struct kobject *dmazone_transparent_kobj;
static struct dentry *dmazone_bench_dentry;

static ssize_t add_store(struct kobject *kobj, struct kobj_attribute *attr,
			 const char *buf, size_t count)
{
	struct pci_dev *pdev;
	int ret;

	ret = dmazone_pci_lookup(buf, &pdev);
	if (ret)
		return ret;
	ret = dmazone_select(pdev);
	pci_dev_put(pdev);
	return ret ? ret : count;
}

static ssize_t remove_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	struct pci_dev *pdev;
	int ret;

	ret = dmazone_pci_lookup(buf, &pdev);
	if (ret)
		return ret;
	ret = dmazone_deselect(&pdev->dev);
	pci_dev_put(pdev);
	return ret ? ret : count;
}

static ssize_t selected_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct dmazone_sel *sel;
	int n = 0;

	mutex_lock(&dmazone_sel_lock);
	list_for_each_entry(sel, &dmazone_sels, node)
		n += sysfs_emit_at(buf, n, "%s %s\n", dev_name(sel->dev),
				   sel->za ? "attached" : "unbound");
	mutex_unlock(&dmazone_sel_lock);
	return n;
}

static struct kobj_attribute dmazone_attr_add = __ATTR_WO(add);
static struct kobj_attribute dmazone_attr_remove = __ATTR_WO(remove);
static struct kobj_attribute dmazone_attr_selected = __ATTR_RO(selected);

static struct attribute *dmazone_transparent_attrs[] = {
	&dmazone_attr_add.attr,
	&dmazone_attr_remove.attr,
	&dmazone_attr_selected.attr,
	NULL,
};

static const struct attribute_group dmazone_transparent_group = {
	.attrs = dmazone_transparent_attrs,
};

/* --- debugfs: bench_map ---------------------------------------------------- */

#define DMAZONE_BENCH_LEN	1500
#define DMAZONE_BENCH_MAX	10000000UL
#define DMAZONE_BENCH_ROUNDS	3

static DEFINE_MUTEX(dmazone_bench_lock);
static char dmazone_bench_report[256] = "not run\n";

/* N map+unmap pairs of a 1500-byte buffer; returns ns for all, or -errno. */
static s64 dmazone_bench_run(struct dmazone_bouncer *b, void *buf,
			     unsigned long n, unsigned long attrs)
{
	struct dmazone_limits lim;
	unsigned long i;
	u64 t0;

	dmazone_dev_limits(NULL, &lim);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		dma_addr_t dma;

		dma = dmazone_bounce_map(b, &lim, virt_to_phys(buf),
					 DMAZONE_BENCH_LEN, DMA_BIDIRECTIONAL,
					 attrs);
		if (dma == DMA_MAPPING_ERROR)
			return -ENOMEM;
		dmazone_bounce_unmap(b, dma, DMAZONE_BENCH_LEN,
				     DMA_BIDIRECTIONAL, attrs);
		if (!(i % 4096))
			cond_resched();
	}
	return ktime_get_ns() - t0;
}

/*
 * N copies of the 1500-byte buffer into one zone buffer, the copy a map
 * makes; returns ns for all, or -errno (-ENOMEM: the zone has no room).
 */
static s64 dmazone_bench_copy(struct dmazone_bouncer *b, void *buf,
			      unsigned long n)
{
	struct dmazone_limits lim;
	enum dma_data_direction dir;
	phys_addr_t orig;
	unsigned long i;
	dma_addr_t dma;
	void *cpu;
	s64 ns;
	u64 t0;

	dmazone_dev_limits(NULL, &lim);
	dma = dmazone_bounce_map(b, &lim, virt_to_phys(buf), DMAZONE_BENCH_LEN,
				 DMA_TO_DEVICE, 0);
	if (dma == DMA_MAPPING_ERROR)
		return -ENOMEM;
	ns = -EINVAL;
	if (!dmazone_map_find(b, dma, DMAZONE_BENCH_LEN, &orig, &cpu, &dir))
		goto out_unmap;
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		memcpy(cpu, buf, DMAZONE_BENCH_LEN);
		barrier();	/* every copy made, none merged */
		if (!(i % 4096))
			cond_resched();
	}
	ns = ktime_get_ns() - t0;
out_unmap:
	dmazone_bounce_unmap(b, dma, DMAZONE_BENCH_LEN, DMA_TO_DEVICE,
			     DMA_ATTR_SKIP_CPU_SYNC);
	return ns;
}

/*
 * A device that writes only the first half of a DMA_FROM_DEVICE buffer:
 * after unmap the driver's buffer must hold the device's bytes there and
 * its own in the rest, not what an earlier mapping left in the zone (one
 * of other bytes is made and unmapped first, so that a reused zone buffer
 * holds them). 1 if it does, 0 if not, -ENOMEM when the zone has no room
 * for the probe (which says nothing about the copy).
 */
static int dmazone_bench_partial_write(struct dmazone_bouncer *b, u8 *buf)
{
	const size_t half = DMAZONE_BENCH_LEN / 2;
	struct dmazone_limits lim;
	enum dma_data_direction dir;
	phys_addr_t orig;
	dma_addr_t dma;
	bool found;
	void *cpu;
	size_t i;

	dmazone_dev_limits(NULL, &lim);
	memset(buf, 0x11, DMAZONE_BENCH_LEN);
	dma = dmazone_bounce_map(b, &lim, virt_to_phys(buf), DMAZONE_BENCH_LEN,
				 DMA_TO_DEVICE, 0);
	if (dma == DMA_MAPPING_ERROR)
		return -ENOMEM;
	dmazone_bounce_unmap(b, dma, DMAZONE_BENCH_LEN, DMA_TO_DEVICE, 0);

	memset(buf, 0xa5, DMAZONE_BENCH_LEN);
	dma = dmazone_bounce_map(b, &lim, virt_to_phys(buf), DMAZONE_BENCH_LEN,
				 DMA_FROM_DEVICE, 0);
	if (dma == DMA_MAPPING_ERROR)
		return -ENOMEM;
	found = dmazone_map_find(b, dma, half, &orig, &cpu, &dir);
	if (found)
		memset(cpu, 0x5a, half);	/* the device's write */
	dmazone_bounce_unmap(b, dma, DMAZONE_BENCH_LEN, DMA_FROM_DEVICE, 0);
	for (i = 0; found && i < DMAZONE_BENCH_LEN; i++)
		if (buf[i] != (i < half ? 0x5a : 0xa5))
			return 0;
	return found;
}

static ssize_t dmazone_bench_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	struct dmazone_bouncer *b;
	s64 copy_ns, skip_ns, memcpy_ns, err = 0;
	long bounced_before, bounced;
	u64 kib_x1000;
	unsigned int round;
	unsigned long n;
	int partial_ok;
	void *buf;
	int ret;

	ret = kstrtoul_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	if (!n || n > DMAZONE_BENCH_MAX)
		return -EINVAL;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	buf = kmalloc(DMAZONE_BENCH_LEN, GFP_KERNEL);
	if (!b || !buf) {
		ret = -ENOMEM;
		goto out_free;
	}
	memset(buf, 0xa5, DMAZONE_BENCH_LEN);
	dmazone_bouncer_init(b, NULL);

	mutex_lock(&dmazone_bench_lock);
	partial_ok = dmazone_bench_partial_write(b, buf);
	if (partial_ok < 0) {
		ret = partial_ok;
		scnprintf(dmazone_bench_report, sizeof(dmazone_bench_report),
			  "n=%lu error=zone-full result=FAIL\n", n);
		goto out_unlock;
	}
	memset(buf, 0xa5, DMAZONE_BENCH_LEN);
	bounced_before = atomic_long_read(&b->bytes_bounced);
	/*
	 * Alternating rounds, the fastest of each kind: copying both ways (in
	 * at map, out at unmap), and with DMA_ATTR_SKIP_CPU_SYNC, which leaves
	 * the copy at map only.
	 */
	copy_ns = S64_MAX;
	skip_ns = S64_MAX;
	for (round = 0; round < DMAZONE_BENCH_ROUNDS; round++) {
		s64 ns = dmazone_bench_run(b, buf, n, DMA_ATTR_SKIP_CPU_SYNC);

		if (ns < 0) {
			err = ns;
			break;
		}
		skip_ns = min(skip_ns, ns);
		ns = dmazone_bench_run(b, buf, n, 0);
		if (ns < 0) {
			err = ns;
			break;
		}
		copy_ns = min(copy_ns, ns);
	}
	bounced = atomic_long_read(&b->bytes_bounced) - bounced_before;
	/*
	 * The copy alone, timed by itself: the difference of the rounds above
	 * is the copy at unmap too, but under emulation their noise can be
	 * larger than it.
	 */
	memcpy_ns = S64_MAX;
	for (round = 0; !err && round < DMAZONE_BENCH_ROUNDS; round++) {
		s64 ns = dmazone_bench_copy(b, buf, n);

		if (ns < 0)
			err = ns;
		else
			memcpy_ns = min(memcpy_ns, ns);
	}
	if (err) {
		ret = err;
		scnprintf(dmazone_bench_report, sizeof(dmazone_bench_report),
			  "n=%lu error=%s result=FAIL\n", n,
			  err == -ENOMEM ? "zone-full" : "lookup");
		goto out_unlock;
	}
	kib_x1000 = div_u64((u64)n * DMAZONE_BENCH_LEN * 1000, 1024);
	scnprintf(dmazone_bench_report, sizeof(dmazone_bench_report),
		  "n=%lu rounds=%u bytes=%u ns_per_map_unmap=%llu ns_per_map_unmap_skip_sync=%llu ns_per_copied_kib=%llu bytes_bounced=%ld partial_write_preserved=%d result=%s\n",
		  n, DMAZONE_BENCH_ROUNDS, DMAZONE_BENCH_LEN, div_u64(copy_ns, n),
		  div_u64(skip_ns, n),
		  div64_u64((u64)memcpy_ns * 1000, kib_x1000), bounced,
		  partial_ok, partial_ok ? "PASS" : "FAIL");
	ret = count;
out_unlock:
	mutex_unlock(&dmazone_bench_lock);
	WARN_ON(!xa_empty(&b->maps) || b->bounce_bytes);
	xa_destroy(&b->maps);
out_free:
	kfree(buf);
	kfree(b);
	return ret;
}

static ssize_t dmazone_bench_read(struct file *file, char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	char report[sizeof(dmazone_bench_report)];

	mutex_lock(&dmazone_bench_lock);
	strscpy(report, dmazone_bench_report, sizeof(report));
	mutex_unlock(&dmazone_bench_lock);
	return simple_read_from_buffer(ubuf, count, ppos, report,
				       strlen(report));
}

static const struct file_operations dmazone_bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = dmazone_bench_read,
	.write = dmazone_bench_write,
	.llseek = default_llseek,
};

/* Deselect everything: every selected device back to its own DMA ops. */
static void dmazone_deselect_all(void)
{
	struct dmazone_sel *sel;
	struct device *dev;

	for (;;) {
		mutex_lock(&dmazone_sel_lock);
		sel = list_first_entry_or_null(&dmazone_sels, struct dmazone_sel,
					       node);
		dev = sel ? get_device(sel->dev) : NULL;
		mutex_unlock(&dmazone_sel_lock);
		if (!dev)
			return;
		dmazone_deselect(dev);
		put_device(dev);
	}
}

/* The transparent= list at load: each must be a PCI device. */
static int dmazone_select_param(void)
{
	char *list, *p, *name;
	struct pci_dev *pdev;
	int ret = 0;

	if (!transparent || !*transparent)
		return 0;
	list = kstrdup(transparent, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	p = list;
	while ((name = strsep(&p, ",")) != NULL) {
		if (!*name)
			continue;
		ret = dmazone_pci_lookup(name, &pdev);
		if (ret) {
			pr_err("invalid transparent=: '%s' is %s\n", name,
			       ret == -ENODEV ? "no PCI device" :
			       "not a PCI address (0000:00:02.0)");
			break;
		}
		ret = dmazone_select(pdev);
		pci_dev_put(pdev);
		if (ret) {
			pr_err("invalid transparent=: cannot select '%s': %d\n",
			       name, ret);
			break;
		}
	}
	kfree(list);
	return ret;
}

/**
 * dmazone_dmaops_init() - transparent mode: sysfs, bus notifier, transparent=
 *
 * Return: 0 or -errno (a bad transparent= list fails the module load,
 * with every device it had selected back on its own DMA ops).
 */
int dmazone_dmaops_init(void)
{
	int ret;

	dmazone_map_cache = KMEM_CACHE(dmazone_map, 0);
	if (!dmazone_map_cache)
		return -ENOMEM;
	/*
	 * bench_map: write N (1..10000000) to time N map+unmap pairs of a
	 * 1500-byte buffer through the bounce path; read the report.
	 */
	dmazone_bench_dentry = debugfs_create_file("bench_map", 0600,
						   dmazone.debugfs, NULL,
						   &dmazone_bench_fops);

	dmazone_transparent_kobj = kobject_create_and_add("transparent",
							  dmazone_kobj);
	if (!dmazone_transparent_kobj) {
		ret = -ENOMEM;
		goto err_destroy_cache;
	}
	ret = sysfs_create_group(dmazone_transparent_kobj,
				 &dmazone_transparent_group);
	if (ret)
		goto err_put_kobj;

	ret = bus_register_notifier(&pci_bus_type, &dmazone_bus_nb);
	if (ret)
		goto err_remove_group;

	ret = dmazone_select_param();
	if (ret)
		goto err_deselect;
	return 0;

err_deselect:
	dmazone_deselect_all();
	bus_unregister_notifier(&pci_bus_type, &dmazone_bus_nb);
err_remove_group:
	sysfs_remove_group(dmazone_transparent_kobj, &dmazone_transparent_group);
err_put_kobj:
	kobject_put(dmazone_transparent_kobj);
	dmazone_transparent_kobj = NULL;
err_destroy_cache:
	debugfs_remove(dmazone_bench_dentry);
	kmem_cache_destroy(dmazone_map_cache);
	return ret;
}

/**
 * dmazone_dmaops_exit() - every selected device back to its own DMA ops
 *
 * A bound driver is released and probed again, now with the DMA ops the
 * device had before (said in dmesg).
 */
void dmazone_dmaops_exit(void)
{
	/* No new selections while the old ones go. */
	sysfs_remove_group(dmazone_transparent_kobj, &dmazone_transparent_group);
	dmazone_deselect_all();
	bus_unregister_notifier(&pci_bus_type, &dmazone_bus_nb);
	kobject_put(dmazone_transparent_kobj);
	dmazone_transparent_kobj = NULL;
	/* Waits for a running benchmark. */
	debugfs_remove(dmazone_bench_dentry);
	/*
	 * A driver that leaked pinned the module, unless it was unbound right
	 * here, by the unload: then its records stay, and so does the cache.
	 */
	if (!dmazone_maps_leaked)
		kmem_cache_destroy(dmazone_map_cache);
}

