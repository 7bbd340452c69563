/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmazone - state shared by the module's source files
 */
#ifndef _DMAZONE_PRIV_H
#define _DMAZONE_PRIV_H

#include <linux/atomic.h>
#include <linux/dma-map-ops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "include/dmazone.h"

/* Allocation granule: one cache line. */
#define DMAZONE_MIN_ALLOC_ORDER	6
/* Chunk size when the zone is built from pages: one 2 MiB IOMMU entry. */
#define DMAZONE_CHUNK_ORDER	min_t(unsigned int, 21 - PAGE_SHIFT, MAX_PAGE_ORDER)
#define DMAZONE_CHUNK_SIZE	(PAGE_SIZE << DMAZONE_CHUNK_ORDER)
/* Zone size when neither base= nor size= is given. */
#define DMAZONE_DEFAULT_PAGES_SIZE	(16UL << 20)
/* Largest streaming mapping transparent mode bounces (as swiotlb's). */
#define DMAZONE_MAX_MAPPING	(256UL << 10)

enum dmazone_source {
	DMAZONE_SOURCE_MEMMAP,	/* one range reserved with memmap= */
	DMAZONE_SOURCE_PAGES,	/* high-order page allocations */
};

/**
 * struct dmazone_chunk - one physically contiguous piece of the zone
 * @phys: physical (and, behind the zone domain, DMA) address
 * @cpu: kernel virtual address of @phys
 * @size: bytes
 * @page: first page when built from pages, NULL for memmap
 */
struct dmazone_chunk {
	phys_addr_t phys;
	void *cpu;
	size_t size;
	struct page *page;
};

/**
 * struct dmazone_bouncer - bounce buffers of one device (transparent mode)
 * @dev: the device, NULL for the debugfs micro-benchmark
 * @maps: DMA address >> DMAZONE_MIN_ALLOC_ORDER -> struct dmazone_map, for
 *	  streaming mappings and coherent allocations; its xa_lock (taken
 *	  with interrupts off: the streaming calls come from hard and soft
 *	  interrupt context) also protects @bounce_bytes and @high_water
 * @bounce_bytes: zone bytes held by live streaming mappings
 * @high_water: the largest @bounce_bytes seen
 * @nr_maps: successful streaming mappings (one per segment)
 * @bytes_bounced: bytes copied between the driver's buffers and the zone
 * @failed_maps: streaming mappings refused (zone full, injected failure,
 *		 out of the device's reach)
 */
struct dmazone_bouncer {
	struct device *dev;
	struct xarray maps;
	unsigned long bounce_bytes;
	unsigned long high_water;
	atomic_long_t nr_maps;
	atomic_long_t bytes_bounced;
	atomic_long_t failed_maps;
};

struct dmazone_devdir;

/**
 * struct dmazone_attachment - one attached device
 * @node: entry in dmazone.attachments, under dmazone.lock
 * @dev: the device (reference held)
 * @domain: the zone domain, NULL in identity-only mode
 * @entries: IOMMU entries used to map the zone
 * @pgsizes: the domain's page-size bitmap when the zone was mapped
 * @nr_allocs: outstanding allocations made through this attachment
 * @bytes: bytes those allocations requested
 * @transparent: attached by transparent mode: the device's DMA API is
 *		 served from the zone by @ops; false for dmazone_attach()
 * @dir: /sys/kernel/dmazone/dev/<device>/, NULL if it could not be made
 * @saved_ops: transparent mode: @dev's dma_ops before dmazone's
 * @saved_dma_iommu: transparent mode: @dev's dma_iommu before dmazone's ops
 * @saved_skip_sync: transparent mode: @dev's dma_skip_sync before dmazone's ops
 * @bouncer: transparent mode: the bounce buffers and their counters
 */
struct dmazone_attachment {
	struct list_head node;
	struct device *dev;
	struct iommu_domain *domain;
	unsigned long entries;
	unsigned long pgsizes;
	atomic_long_t nr_allocs;
	atomic_long_t bytes;
	bool transparent;
	struct dmazone_devdir *dir;
	const struct dma_map_ops *saved_ops;
	bool saved_dma_iommu;
	bool saved_skip_sync;
	struct dmazone_bouncer bouncer;
};

/**
 * struct dmazone - the module's single zone
 * @source: where the zone's memory came from
 * @base: first byte (memmap), 0 for pages
 * @size: total bytes
 * @chunks: the zone's contiguous pieces
 * @nr_chunks: entries in @chunks
 * @pool: allocator; its "addresses" are physical addresses
 * @lock: serialises attach/detach; protects @attachments and @nr_attached
 * @attachments: attached devices
 * @nr_attached: entries in @attachments
 * @allocations: successful allocations since load
 * @frees: frees since load
 * @failed: failed allocations since load (injected ones included)
 * @fail_next: allocations still to fail (debugfs fault injection)
 * @debugfs: debugfs directory
 */
struct dmazone {
	enum dmazone_source source;
	phys_addr_t base;
	size_t size;
	struct dmazone_chunk *chunks;
	unsigned int nr_chunks;
	struct gen_pool *pool;

	struct mutex lock;	/* attach/detach, @attachments */
	struct list_head attachments;
	unsigned int nr_attached;

	atomic_long_t allocations;
	atomic_long_t frees;
	atomic_long_t failed;
	atomic_t fail_next;

	struct dentry *debugfs;
};

extern struct dmazone dmazone;

/* dmazone_core.c */
unsigned long dmazone_pool_alloc(size_t size, size_t align,
				 struct dmazone_chunk **chunk);
void dmazone_pool_free(unsigned long addr, size_t size);
size_t dmazone_bytes_free(void);
bool dmazone_iommu_present(void);

bool dmazone_fail_injected(void);

/* dmazone_attach.c */
void dmazone_attachments_show(char *buf, size_t len);
struct dmazone_attachment *dmazone_attach_mode(struct device *dev,
					       bool transparent);
bool dmazone_detach_mode(struct dmazone_attachment *za);
bool dmazone_zone_fits(u64 mask);
phys_addr_t dmazone_zone_last(void);

/* dmazone_sysfs.c */
extern struct kobject *dmazone_kobj;
int dmazone_sysfs_init(void);
void dmazone_sysfs_exit(void);
void dmazone_sysfs_dev_add(struct dmazone_attachment *za);
void dmazone_sysfs_dev_del(struct dmazone_attachment *za);
void dmazone_debugfs_init(void);
void dmazone_debugfs_exit(void);

/* dmazone_dmaops.c */
int dmazone_dmaops_init(void);
void dmazone_dmaops_exit(void);

#endif /* _DMAZONE_PRIV_H */
