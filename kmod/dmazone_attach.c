// SPDX-License-Identifier: GPL-2.0
/*
 * dmazone - attaching devices: a paging domain per device that maps the
 * zone, and only the zone, identity (IOVA == physical address).
 *
 * The domain is attached before the zone is mapped: the Intel driver
 * learns the IOMMU's superpage capability (and widens the domain's
 * pgsize_bitmap to 2 MiB/1 GiB) only when a device is attached. With a
 * caching-mode vIOMMU every IOMMU entry becomes one VFIO mapping on the
 * host, so the zone should go in as few entries as possible. The device
 * must be idle in between; it is, since its driver is the caller.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "dmazone_priv.h"

static struct dmazone_attachment *dmazone_find_locked(struct device *dev)
{
	struct dmazone_attachment *za;

	lockdep_assert_held(&dmazone.lock);

	list_for_each_entry(za, &dmazone.attachments, node)
		if (za->dev == dev)
			return za;
	return NULL;
}

/* Largest page size in @pgsizes that fits at @addr with @len bytes left. */
static size_t dmazone_pgsize(unsigned long pgsizes, u64 addr, u64 len)
{
	unsigned long ok = pgsizes;
	size_t pgsize = 0;
	unsigned int bit;

	for_each_set_bit(bit, &ok, BITS_PER_LONG) {
		size_t sz = 1UL << bit;

		if (sz <= len && IS_ALIGNED(addr, sz))
			pgsize = sz;
	}
	return pgsize;
}

/* How many IOMMU entries the domain uses for [addr, addr + len). */
static unsigned long dmazone_count_entries(unsigned long pgsizes, u64 addr,
					   u64 len)
{
	unsigned long n = 0;

	while (len) {
		size_t sz = dmazone_pgsize(pgsizes, addr, len);

		if (!sz)
			break;
		addr += sz;
		len -= sz;
		n++;
	}
	return n;
}

static void dmazone_unmap_chunks(struct dmazone_attachment *za,
				 unsigned int nr)
{
	lockdep_assert_held(&dmazone.lock);

	while (nr--) {
		const struct dmazone_chunk *chunk = &dmazone.chunks[nr];
		size_t unmapped;

		unmapped = iommu_unmap(za->domain, chunk->phys, chunk->size);
		WARN_ON(unmapped != chunk->size);
	}
}

static int dmazone_map_chunks(struct dmazone_attachment *za)
{
	const int prot = IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE;
	unsigned int i;
	int ret;

	lockdep_assert_held(&dmazone.lock);

	za->pgsizes = za->domain->pgsize_bitmap;
	za->entries = 0;
	for (i = 0; i < dmazone.nr_chunks; i++) {
		const struct dmazone_chunk *chunk = &dmazone.chunks[i];

		/* One call per chunk: one IOTLB sync, largest pages. */
		ret = iommu_map(za->domain, chunk->phys, chunk->phys,
				chunk->size, prot, GFP_KERNEL);
		if (ret) {
			dev_err(za->dev, "dmazone: iommu_map of [%pa + 0x%zx] failed: %d\n",
				&chunk->phys, chunk->size, ret);
			goto err_unmap_chunks;
		}
		za->entries += dmazone_count_entries(za->pgsizes, chunk->phys,
						     chunk->size);
	}
	return 0;

err_unmap_chunks:
	dmazone_unmap_chunks(za, i);
	return ret;
}

static int dmazone_attach_iommu(struct dmazone_attachment *za)
{
	struct device *dev = za->dev;
	phys_addr_t last = dmazone_zone_last();
	int ret;

	za->domain = iommu_paging_domain_alloc(dev);
	if (IS_ERR(za->domain)) {
		ret = PTR_ERR(za->domain);
		dev_err(dev, "dmazone: cannot allocate a paging domain: %d\n", ret);
		za->domain = NULL;
		return ret;
	}

	if (za->domain->geometry.force_aperture &&
	    last > za->domain->geometry.aperture_end) {
		dev_err(dev, "dmazone: zone ends at %pa, beyond the domain's aperture\n",
			&last);
		ret = -ERANGE;
		goto err_free_domain;
	}

	ret = iommu_attach_device(za->domain, dev);
	if (ret) {
		dev_err(dev, "dmazone: iommu_attach_device failed: %d\n", ret);
		goto err_free_domain;
	}

	ret = dmazone_map_chunks(za);
	if (ret)
		goto err_detach_device;

	return 0;

err_detach_device:
	iommu_detach_device(za->domain, dev);
err_free_domain:
	iommu_domain_free(za->domain);
	za->domain = NULL;
	return ret;
}

/**
 * dmazone_zone_last() - the zone's highest physical (and DMA) address
 *
 * Return: the last byte of the chunk that ends highest.
 */
phys_addr_t dmazone_zone_last(void)
{
	phys_addr_t last = 0;
	unsigned int i;

	for (i = 0; i < dmazone.nr_chunks; i++) {
		phys_addr_t end = dmazone.chunks[i].phys + dmazone.chunks[i].size - 1;

		if (end > last)
			last = end;
	}
	return last;
}

/**
 * dmazone_zone_fits() - can a DMA mask reach all of the zone?
 * @mask: a device's DMA mask
 *
 * Return: true if every byte of the zone lies at or below @mask.
 */
bool dmazone_zone_fits(u64 mask)
{
	return dmazone_zone_last() <= mask;
}

/**
 * dmazone_attach_mode() - attach a device, for a driver or transparently
 * @dev: the device
 * @transparent: false for dmazone_attach() (the caller holds a module
 *		 reference through the attachment), true for transparent mode
 *		 (no module reference: unloading dmazone detaches the device)
 *
 * Context: process context, may sleep.
 * Return: the attachment, or an ERR_PTR() as dmazone_attach() documents.
 */
struct dmazone_attachment *dmazone_attach_mode(struct device *dev,
					       bool transparent)
{
	struct dmazone_attachment *za;
	int ret;

	if (!dev)
		return ERR_PTR(-EINVAL);

	za = kzalloc(sizeof(*za), GFP_KERNEL);
	if (!za)
		return ERR_PTR(-ENOMEM);
	za->dev = dev;
	za->transparent = transparent;

	mutex_lock(&dmazone.lock);

	if (dmazone_find_locked(dev)) {
		ret = -EBUSY;
		goto err_unlock;
	}
	if (!dmazone_zone_fits(dma_get_mask(dev))) {
		dev_err(dev, "dmazone: zone lies beyond the device's DMA mask 0x%llx\n",
			dma_get_mask(dev));
		ret = -ERANGE;
		goto err_unlock;
	}

	if (device_iommu_mapped(dev)) {
		ret = dmazone_attach_iommu(za);
		if (ret)
			goto err_unlock;
		dev_info(dev, "dmazone: attached%s, zone-only IOMMU domain, %lu entries, page sizes 0x%lx\n",
			 transparent ? " (transparent)" : "", za->entries,
			 za->pgsizes);
	} else if (dmazone.source == DMAZONE_SOURCE_PAGES) {
		dev_err(dev, "dmazone: no IOMMU, and a zone built from pages needs one\n");
		ret = -EOPNOTSUPP;
		goto err_unlock;
	} else {
		dev_warn(dev, "dmazone: attached%s identity-only: no IOMMU, DMA address = physical, no containment in force\n",
			 transparent ? " (transparent)" : "");
	}

	/* Unload is refused while attached; the caller holds a reference. */
	if (!transparent)
		__module_get(THIS_MODULE);
	get_device(dev);
	list_add_tail(&za->node, &dmazone.attachments);
	dmazone.nr_attached++;
	dmazone_sysfs_dev_add(za);
	mutex_unlock(&dmazone.lock);
	return za;

err_unlock:
	mutex_unlock(&dmazone.lock);
	kfree(za);
	return ERR_PTR(ret);
}

struct dmazone_attachment *dmazone_attach(struct device *dev)
{
	return dmazone_attach_mode(dev, false);
}
EXPORT_SYMBOL_GPL(dmazone_attach);

/**
 * dmazone_detach_mode() - take a device off the zone
 * @za: the attachment
 *
 * Removes its sysfs directory, returns the device to its default domain,
 * tears the zone domain down and drops the device reference. @za itself
 * is left to the caller.
 *
 * Context: process context, may sleep.
 * Return: true if allocations made through @za are still outstanding.
 */
bool dmazone_detach_mode(struct dmazone_attachment *za)
{
	struct device *dev = za->dev;

	mutex_lock(&dmazone.lock);
	dmazone_sysfs_dev_del(za);
	list_del(&za->node);
	dmazone.nr_attached--;
	if (za->domain) {
		/* Back to the default domain first, then tear ours down. */
		iommu_detach_device(za->domain, dev);
		dmazone_unmap_chunks(za, dmazone.nr_chunks);
		iommu_domain_free(za->domain);
	}
	mutex_unlock(&dmazone.lock);
	put_device(dev);
	return atomic_long_read(&za->nr_allocs) != 0;
}

void dmazone_detach(struct dmazone_attachment *za)
{
	struct device *dev;

	if (!za)
		return;
	dev = za->dev;

	/* @dev stays valid: the driver that calls this holds it. */
	if (dmazone_detach_mode(za)) {
		dev_err(dev, "dmazone: detached with %ld allocations (%ld bytes) outstanding; keeping the module pinned\n",
			atomic_long_read(&za->nr_allocs),
			atomic_long_read(&za->bytes));
		return;	/* @za stays valid for the late dmazone_free() calls */
	}
	dev_info(dev, "dmazone: detached\n");
	kfree(za);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(dmazone_detach);

bool dmazone_contained(const struct dmazone_attachment *za)
{
	return za && za->domain;
}
EXPORT_SYMBOL_GPL(dmazone_contained);

/**
 * dmazone_attachments_show() - describe attached devices, one per line
 * @buf: output buffer (a sysfs page)
 * @len: its size
 */
void dmazone_attachments_show(char *buf, size_t len)
{
	struct dmazone_attachment *za;
	size_t n = 0;

	mutex_lock(&dmazone.lock);
	list_for_each_entry(za, &dmazone.attachments, node) {
		if (za->domain)
			n += scnprintf(buf + n, len - n,
				       "%s iommu entries=%lu pgsizes=0x%lx allocations=%ld bytes=%ld%s\n",
				       dev_name(za->dev), za->entries, za->pgsizes,
				       atomic_long_read(&za->nr_allocs),
				       atomic_long_read(&za->bytes),
				       za->transparent ? " transparent" : "");
		else
			n += scnprintf(buf + n, len - n,
				       "%s identity-only allocations=%ld bytes=%ld%s\n",
				       dev_name(za->dev),
				       atomic_long_read(&za->nr_allocs),
				       atomic_long_read(&za->bytes),
				       za->transparent ? " transparent" : "");
	}
	mutex_unlock(&dmazone.lock);
}
