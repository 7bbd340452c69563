// SPDX-License-Identifier: GPL-2.0
/*
 * dmazone - the zone: module parameters, validation of the reservation,
 * the gen_pool allocator and the exported alloc/free calls.
 *
 * The zone is either one range the kernel reserved at boot with
 * memmap=SIZE$BASE (module parameters base= and size=), mapped with
 * memremap(), or, with no base=, a set of 2 MiB page allocations (only
 * useful behind an IOMMU, since the zone is then not one range).
 *
 * The gen_pool manages physical addresses: an allocation's pool address
 * is its DMA address (IOVA == GPA), so alignment requests apply to the
 * address the device sees. CPU addresses come from the chunk (the pool
 * owner) the allocation landed in.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/genalloc.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/iommu.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dmazone_priv.h"

struct dmazone dmazone = {
	.lock = __MUTEX_INITIALIZER(dmazone.lock),
	.attachments = LIST_HEAD_INIT(dmazone.attachments),
};

/**
 * struct dmazone_param - an address parameter and whether it was given
 * @val: parsed value (memparse syntax: 0x40000000, 64M, ...)
 * @set: true once the parameter was given on insmod's command line
 */
struct dmazone_param {
	u64 val;
	bool set;
};

static struct dmazone_param dmazone_base_param;
static struct dmazone_param dmazone_size_param;

/*
 * memparse() syntax (0x40000000, 1073741824, 64M) without memparse()'s silent
 * wrap-around: a number, or a number and suffix, beyond 64 bits is -ERANGE;
 * anything else that is not one number with an optional K/M/G/T/P/E suffix
 * (and a newline) is -EINVAL.
 */
static int dmazone_parse_size(const char *val, u64 *out)
{
	unsigned int shift = 0;
	const char *p = val;
	char num[24];
	size_t len;
	u64 v;
	int ret;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		len = 2 + strspn(p + 2, "0123456789abcdefABCDEF");
	else
		len = strspn(p, "0123456789");
	if (!len)
		return -EINVAL;
	if (len >= sizeof(num))
		return -ERANGE;
	memcpy(num, p, len);
	num[len] = '\0';
	ret = kstrtoull(num, 0, &v);
	if (ret)
		return ret;
	p += len;
	switch (*p) {
	case 'E':
	case 'e':
		shift += 10;
		fallthrough;
	case 'P':
	case 'p':
		shift += 10;
		fallthrough;
	case 'T':
	case 't':
		shift += 10;
		fallthrough;
	case 'G':
	case 'g':
		shift += 10;
		fallthrough;
	case 'M':
	case 'm':
		shift += 10;
		fallthrough;
	case 'K':
	case 'k':
		shift += 10;
		p++;
		break;
	default:
		break;
	}
	if (*p == '\n')
		p++;
	if (*p)
		return -EINVAL;
	if (shift && v > (U64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static int dmazone_param_set(const char *val, const struct kernel_param *kp)
{
	struct dmazone_param *p = kp->arg;
	u64 v;
	int ret;

	/* On an error the module loader logs the one line naming the param. */
	ret = dmazone_parse_size(val, &v);
	if (ret)
		return ret;
	p->val = v;
	p->set = true;
	return 0;
}

static int dmazone_param_get(char *buf, const struct kernel_param *kp)
{
	const struct dmazone_param *p = kp->arg;

	if (!p->set)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "0x%llx\n", p->val);
}

static const struct kernel_param_ops dmazone_param_ops = {
	.set = dmazone_param_set,
	.get = dmazone_param_get,
};

module_param_cb(base, &dmazone_param_ops, &dmazone_base_param, 0444);
MODULE_PARM_DESC(base, "Zone start: the BASE of a memmap=SIZE$BASE reservation (page-aligned)");
module_param_cb(size, &dmazone_param_ops, &dmazone_size_param, 0444);
MODULE_PARM_DESC(size, "Zone size in bytes (K/M/G suffixes allowed); without base= the zone is built from 2 MiB page chunks (default 16M)");

/**
 * struct dmazone_cover - walk state: how far reserved ranges cover the zone
 * @next: first address not yet known to be reserved
 */
struct dmazone_cover {
	u64 next;
};

static int dmazone_cover_one(struct resource *res, void *arg)
{
	struct dmazone_cover *cover = arg;

	/* Resources come in address order, children after their parent. */
	if (res->start > cover->next)
		return 1;	/* a hole: stop */
	if (res->end >= cover->next)
		cover->next = res->end + 1;
	return 0;
}

/*
 * Check base=/size= against what the kernel reserved. Each failure logs
 * exactly one line naming the parameter at fault and returns -EINVAL.
 */
static int dmazone_check_range(u64 base, u64 size)
{
	struct dmazone_cover cover = { .next = base };
	u64 last;

	if (!base || !PAGE_ALIGNED(base)) {
		pr_err("invalid base=0x%llx: must be non-zero and page-aligned (0x%lx)\n",
		       base, PAGE_SIZE);
		return -EINVAL;
	}
	if (!size) {
		pr_err("invalid size=0: the zone cannot be empty\n");
		return -EINVAL;
	}
	if (!PAGE_ALIGNED(size)) {
		pr_err("invalid size=0x%llx: not a multiple of the page size (0x%lx)\n",
		       size, PAGE_SIZE);
		return -EINVAL;
	}
	if (check_add_overflow(base, size - 1, &last)) {
		pr_err("invalid size=0x%llx: base + size overflows the physical address space\n",
		       size);
		return -EINVAL;
	}

	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, base, last,
			    &cover, dmazone_cover_one);

	if (cover.next == base) {
		if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
				      IORES_DESC_NONE) != REGION_DISJOINT)
			pr_err("invalid base=0x%llx: [0x%llx-0x%llx] overlaps System RAM; boot with memmap=SIZE$BASE and pass that range\n",
			       base, base, last);
		else
			pr_err("invalid base=0x%llx: not inside a region the kernel reserved (memmap=SIZE$BASE)\n",
			       base);
		return -EINVAL;
	}
	if (cover.next <= last) {
		pr_err("invalid size=0x%llx: [0x%llx-0x%llx] extends beyond the reserved region ending at 0x%llx\n",
		       size, base, last, cover.next - 1);
		return -EINVAL;
	}
	/* Defensive: reserved and System RAM should never overlap. */
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("invalid base=0x%llx: [0x%llx-0x%llx] overlaps System RAM\n",
		       base, base, last);
		return -EINVAL;
	}
	return 0;
}

static int dmazone_memmap_init(u64 base, u64 size)
{
	struct dmazone_chunk *chunk;
	int ret;

	ret = dmazone_check_range(base, size);
	if (ret)
		return ret;

	chunk = kzalloc(sizeof(*chunk), GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;

	if (!request_mem_region(base, size, KBUILD_MODNAME)) {
		pr_err("invalid base=0x%llx: [0x%llx-0x%llx] is claimed by another driver\n",
		       base, base, base + size - 1);
		ret = -EBUSY;
		goto err_free_chunk;
	}

	chunk->phys = base;
	chunk->size = size;
	chunk->cpu = memremap(base, size, MEMREMAP_WB);
	if (!chunk->cpu) {
		pr_err("memremap of [0x%llx-0x%llx] failed\n", base, base + size - 1);
		ret = -ENOMEM;
		goto err_release_region;
	}

	dmazone.source = DMAZONE_SOURCE_MEMMAP;
	dmazone.base = base;
	dmazone.size = size;
	dmazone.chunks = chunk;
	dmazone.nr_chunks = 1;
	return 0;

err_release_region:
	release_mem_region(base, size);
err_free_chunk:
	kfree(chunk);
	return ret;
}

static void dmazone_free_page_chunks(struct dmazone_chunk *chunks,
				     unsigned int nr)
{
	while (nr--)
		__free_pages(chunks[nr].page, DMAZONE_CHUNK_ORDER);
}

static int dmazone_pages_init(u64 size)
{
	struct dmazone_chunk *chunks;
	unsigned int i, nr;
	int ret;

	if (!size || !IS_ALIGNED(size, DMAZONE_CHUNK_SIZE) ||
	    size / DMAZONE_CHUNK_SIZE > UINT_MAX) {
		pr_err("invalid size=0x%llx: without base= the zone is built from 0x%lx-byte chunks; give a non-zero multiple\n",
		       size, DMAZONE_CHUNK_SIZE);
		return -EINVAL;
	}
	nr = size / DMAZONE_CHUNK_SIZE;

	chunks = kcalloc(nr, sizeof(*chunks), GFP_KERNEL);
	if (!chunks)
		return -ENOMEM;

	for (i = 0; i < nr; i++) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN,
						DMAZONE_CHUNK_ORDER);

		if (!page) {
			pr_err("out of memory building the zone: got %u of %u 0x%lx-byte chunks\n",
			       i, nr, DMAZONE_CHUNK_SIZE);
			ret = -ENOMEM;
			goto err_free_pages;
		}
		chunks[i].page = page;
		chunks[i].phys = page_to_phys(page);
		chunks[i].cpu = page_address(page);
		chunks[i].size = DMAZONE_CHUNK_SIZE;
	}

	dmazone.source = DMAZONE_SOURCE_PAGES;
	dmazone.base = 0;
	dmazone.size = size;
	dmazone.chunks = chunks;
	dmazone.nr_chunks = nr;
	return 0;

err_free_pages:
	dmazone_free_page_chunks(chunks, i);
	kfree(chunks);
	return ret;
}

static void dmazone_zone_exit(void)
{
	if (dmazone.source == DMAZONE_SOURCE_MEMMAP) {
		memunmap(dmazone.chunks[0].cpu);
		release_mem_region(dmazone.base, dmazone.size);
	} else {
		dmazone_free_page_chunks(dmazone.chunks, dmazone.nr_chunks);
	}
	kfree(dmazone.chunks);
	dmazone.chunks = NULL;
	dmazone.nr_chunks = 0;
}

static int dmazone_zone_init(void)
{
	if (dmazone_base_param.set && !dmazone_size_param.set) {
		pr_err("invalid size=: missing; give size= together with base=\n");
		return -EINVAL;
	}
	if (dmazone_base_param.set)
		return dmazone_memmap_init(dmazone_base_param.val,
					   dmazone_size_param.val);
	return dmazone_pages_init(dmazone_size_param.set ?
				  dmazone_size_param.val :
				  DMAZONE_DEFAULT_PAGES_SIZE);
}

static int dmazone_pool_init(void)
{
	unsigned int i;
	int ret;

	dmazone.pool = gen_pool_create(DMAZONE_MIN_ALLOC_ORDER, NUMA_NO_NODE);
	if (!dmazone.pool)
		return -ENOMEM;

	for (i = 0; i < dmazone.nr_chunks; i++) {
		struct dmazone_chunk *chunk = &dmazone.chunks[i];

		ret = gen_pool_add_owner(dmazone.pool, chunk->phys, chunk->phys,
					 chunk->size, NUMA_NO_NODE, chunk);
		if (ret)
			goto err_destroy_pool;
	}
	return 0;

err_destroy_pool:
	gen_pool_destroy(dmazone.pool);
	dmazone.pool = NULL;
	return ret;
}

/**
 * dmazone_pool_alloc() - allocate from the pool without accounting
 * @size: bytes
 * @align: power of two
 * @chunk: returns the chunk the allocation is in
 *
 * Return: the physical address, 0 if nothing fits.
 */
unsigned long dmazone_pool_alloc(size_t size, size_t align,
				 struct dmazone_chunk **chunk)
{
	struct genpool_data_align data = { .align = align };

	return gen_pool_alloc_algo_owner(dmazone.pool, size,
					 gen_pool_first_fit_align, &data,
					 (void **)chunk);
}

/**
 * dmazone_pool_free() - free what dmazone_pool_alloc() returned
 * @addr: physical address
 * @size: bytes
 */
void dmazone_pool_free(unsigned long addr, size_t size)
{
	gen_pool_free(dmazone.pool, addr, size);
}

/**
 * dmazone_bytes_free() - bytes the pool can still hand out
 *
 * Return: free bytes, counted in allocation granules.
 */
size_t dmazone_bytes_free(void)
{
	return gen_pool_avail(dmazone.pool);
}

/**
 * dmazone_iommu_present() - are PCI devices translated by an IOMMU?
 *
 * Return: true if an IOMMU driver serves the PCI bus (also with iommu=pt).
 */
bool dmazone_iommu_present(void)
{
	return iommu_present(&pci_bus_type);
}

/**
 * dmazone_fail_injected() - should this allocation fail on purpose?
 *
 * Fault injection: true while the debugfs counter fail_next is positive,
 * which it decrements.
 *
 * Context: any context.
 * Return: true if the caller must fail its allocation.
 */
bool dmazone_fail_injected(void)
{
	return atomic_dec_if_positive(&dmazone.fail_next) >= 0;
}

static struct dmazone_chunk *dmazone_chunk_of(dma_addr_t dma, size_t size)
{
	unsigned int i;

	for (i = 0; i < dmazone.nr_chunks; i++) {
		struct dmazone_chunk *chunk = &dmazone.chunks[i];

		if (dma >= chunk->phys && size <= chunk->size &&
		    dma - chunk->phys <= chunk->size - size)
			return chunk;
	}
	return NULL;
}

void *dmazone_alloc(struct dmazone_attachment *za, size_t size, size_t align,
		    dma_addr_t *dma, gfp_t gfp)
{
	struct dmazone_chunk *chunk;
	unsigned long addr;
	void *cpu;

	if (!align)
		align = 1UL << DMAZONE_MIN_ALLOC_ORDER;
	if (WARN_ON_ONCE(!za || !dma) || !size || !is_power_of_2(align) ||
	    align > INT_MAX)
		goto fail;

	if (dmazone_fail_injected())
		goto fail;

	addr = dmazone_pool_alloc(size, align, &chunk);
	if (!addr)
		goto fail;

	cpu = chunk->cpu + (addr - chunk->phys);
	if (gfp & __GFP_ZERO)
		memset(cpu, 0, size);
	*dma = addr;

	atomic_long_inc(&za->nr_allocs);
	atomic_long_add(size, &za->bytes);
	atomic_long_inc(&dmazone.allocations);
	return cpu;

fail:
	atomic_long_inc(&dmazone.failed);
	return NULL;
}
EXPORT_SYMBOL_GPL(dmazone_alloc);

void dmazone_free(struct dmazone_attachment *za, void *cpu, dma_addr_t dma,
		  size_t size)
{
	struct dmazone_chunk *chunk;

	if (!cpu)
		return;
	chunk = dmazone_chunk_of(dma, size);
	if (WARN(!za || !chunk || cpu != chunk->cpu + (dma - chunk->phys),
		 "dmazone: bad free of %p dma %pad size %zu\n", cpu, &dma, size))
		return;

	dmazone_pool_free(dma, size);
	WARN_ON_ONCE(atomic_long_dec_return(&za->nr_allocs) < 0);
	atomic_long_sub(size, &za->bytes);
	atomic_long_inc(&dmazone.frees);
}
EXPORT_SYMBOL_GPL(dmazone_free);

static int __init dmazone_init(void)
{
	int ret;

	ret = dmazone_zone_init();
	if (ret)
		return ret;

	ret = dmazone_pool_init();
	if (ret)
		goto err_zone_exit;

	ret = dmazone_sysfs_init();
	if (ret)
		goto err_destroy_pool;

	dmazone_debugfs_init();

	if (dmazone.source == DMAZONE_SOURCE_MEMMAP)
		pr_info("zone [0x%llx-0x%llx] (%zu MiB, memmap), mode %s\n",
			(u64)dmazone.base, (u64)(dmazone.base + dmazone.size - 1),
			dmazone.size >> 20,
			dmazone_iommu_present() ? "iommu" : "identity-only");
	else
		pr_info("zone of %u page chunks (%zu MiB, pages), mode %s\n",
			dmazone.nr_chunks, dmazone.size >> 20,
			dmazone_iommu_present() ? "iommu" : "identity-only");

	/* Last: selecting devices may rebind their drivers onto the zone. */
	ret = dmazone_dmaops_init();
	if (ret)
		goto err_debugfs_exit;
	return 0;

err_debugfs_exit:
	dmazone_debugfs_exit();
	dmazone_sysfs_exit();
err_destroy_pool:
	gen_pool_destroy(dmazone.pool);
err_zone_exit:
	dmazone_zone_exit();
	return ret;
}

static void __exit dmazone_exit(void)
{
	/* Transparent devices go back to their own DMA ops first. */
	dmazone_dmaops_exit();
	/* Explicit attachments hold a module reference: none can remain. */
	WARN_ON(!list_empty(&dmazone.attachments));

	dmazone_debugfs_exit();
	dmazone_sysfs_exit();
	if (dmazone_bytes_free() != dmazone.size) {
		/* A transparent device's driver leaked: it may still be used. */
		pr_err("unloaded with %zu bytes of the zone still allocated: the zone stays reserved\n",
		       dmazone.size - dmazone_bytes_free());
		return;
	}
	gen_pool_destroy(dmazone.pool);
	dmazone_zone_exit();
	pr_info("unloaded\n");
}

module_init(dmazone_init);
module_exit(dmazone_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("dmazone project");
MODULE_DESCRIPTION("Confine a device's DMA to an identity-mapped memory zone");
