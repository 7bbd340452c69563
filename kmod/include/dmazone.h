/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmazone - confine a device's DMA to an identity-mapped memory zone
 *
 * A driver attaches its device to the zone, then takes all of the memory
 * the device may reach (descriptor rings, packet buffers) from the zone.
 * Behind an IOMMU the device gets a paging domain of its own that maps the
 * zone, and only the zone, with IOVA == guest-physical address; everything
 * else the device tries to reach faults. Without an IOMMU the DMA address
 * is the physical address and no containment is in force.
 *
 * Optional use: a driver that must work without dmazone loaded can resolve
 * these functions with symbol_get() (they are EXPORT_SYMBOL_GPL) and drop
 * them with symbol_put() after dmazone_detach().
 */
#ifndef _DMAZONE_H
#define _DMAZONE_H

#include <linux/types.h>

struct device;
struct dmazone_attachment;

/**
 * dmazone_attach() - give a device access to the zone, and only the zone
 * @dev: the device; its driver must be bound (called from probe or later)
 *	 and must have set a DMA mask that covers the zone
 *
 * Behind an IOMMU: allocates a paging domain for @dev, attaches it (this
 * replaces the default domain, identity or DMA, even with iommu=pt) and
 * maps the zone into it once, IOVA == physical address, in the largest
 * page size the domain supports (2 MiB where possible). Without an IOMMU:
 * records the device; DMA addresses are physical and nothing is contained.
 *
 * While a device is attached the dmazone module cannot be unloaded.
 * The DMA API keeps mapping into the device's default domain, which the
 * device cannot reach while attached: take all DMA memory from the zone.
 *
 * Context: process context, may sleep.
 * Return: an attachment handle, or an ERR_PTR(): -EBUSY if @dev is
 * already attached or its IOMMU group is in use, -ERANGE if the zone is
 * outside the device's DMA mask or the domain's aperture, -EOPNOTSUPP if
 * the zone was built from pages and @dev has no IOMMU, -ENOMEM, or the
 * error from the IOMMU layer.
 */
struct dmazone_attachment *dmazone_attach(struct device *dev);

/**
 * dmazone_detach() - undo dmazone_attach()
 * @za: the handle dmazone_attach() returned
 *
 * Detaches the device's zone domain (the device returns to its default
 * domain), unmaps the zone and frees the domain. The driver must have
 * stopped the device's DMA and freed its zone allocations first; if any
 * remain, they are reported, @za stays valid so that dmazone_free() can
 * still be called on them, and the module stays pinned for good, since the
 * memory may still be in use.
 *
 * Context: process context, may sleep.
 */
void dmazone_detach(struct dmazone_attachment *za);

/**
 * dmazone_alloc() - allocate zone memory for an attached device
 * @za: attachment handle
 * @size: bytes, > 0
 * @align: alignment of the DMA address, a power of two; 0 for the pool's
 *	   granule (64 bytes)
 * @dma: returns the address the device uses
 * @gfp: __GFP_ZERO zeroes the memory; other flags are ignored (the pool
 *	 never sleeps)
 *
 * Guarantees:
 *
 * - the returned memory lies entirely inside the zone, is mapped
 *   write-back cacheable for the CPU and reachable by the device at @dma;
 * - *@dma is aligned to @align;
 * - a failure (including an injected one) is counted in
 *   /sys/kernel/dmazone/failed_allocations.
 *
 * Context: any context.
 * Return: CPU address, or NULL if the zone has no room, the arguments are
 * invalid or a failure was injected through debugfs.
 */
void *dmazone_alloc(struct dmazone_attachment *za, size_t size, size_t align,
		    dma_addr_t *dma, gfp_t gfp);

/**
 * dmazone_free() - return memory from dmazone_alloc() to the zone
 * @za: the attachment it was allocated through
 * @cpu: the CPU address dmazone_alloc() returned
 * @dma: the DMA address dmazone_alloc() returned
 * @size: the size passed to dmazone_alloc()
 *
 * Context: any context.
 */
void dmazone_free(struct dmazone_attachment *za, void *cpu, dma_addr_t dma,
		  size_t size);

/**
 * dmazone_contained() - is the device's DMA confined to the zone?
 * @za: attachment handle
 *
 * Return: true if an IOMMU domain that maps only the zone is in force for
 * the device, false in identity-only mode (no IOMMU: the device can reach
 * all memory).
 */
bool dmazone_contained(const struct dmazone_attachment *za);

#endif /* _DMAZONE_H */
