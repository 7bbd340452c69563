// SPDX-License-Identifier: Apache-2.0
/*
 * vfio_map_bench.c - the C side of the MAP_DMA + UNMAP_DMA benchmark.
 *
 * The same loop as io.dmazone.guest.MapUnmapBenchmark, without Java: one VFIO
 * type1 container with one group, SIZE bytes of anonymous memory (touched
 * first), then ITERATIONS x (VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA) at
 * IOVA 0x1000000. Prints the mean as "# VALUE c_map_unmap_ms <ms>", a KTAP
 * diagnostic line (io.dmazone.guest.MapUnmapRatio relays it).
 *
 * usage: vfio_map_bench GROUP SIZE_MIB ITERATIONS WARMUP [type1|type1v2]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#define BENCH_IOVA 0x1000000ULL

static double bench_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int bench_map_unmap(int container, void *mem, size_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (__u64)(unsigned long)mem,
		.iova = BENCH_IOVA,
		.size = size,
	};
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = BENCH_IOVA,
		.size = size,
	};

	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map))
		return -errno;
	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
		return -errno;
	return unmap.size == size ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	int container, group, type, i, ret, iters, warmup;
	char path[64];
	size_t size;
	double t0, ms;
	void *mem;

	if (argc < 5) {
		fprintf(stderr, "usage: %s GROUP SIZE_MIB ITERATIONS WARMUP [type1|type1v2]\n", argv[0]);
		return 2;
	}
	size = (size_t)strtoul(argv[2], NULL, 0) << 20;
	iters = atoi(argv[3]);
	warmup = atoi(argv[4]);
	type = argc > 5 && !strcmp(argv[5], "type1") ? VFIO_TYPE1_IOMMU : VFIO_TYPE1v2_IOMMU;

	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0) {
		perror("open /dev/vfio/vfio");
		return 1;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	group = open(path, O_RDWR);
	if (group < 0) {
		perror(path);
		goto err_close_container;
	}
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) || !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fprintf(stderr, "group %s not viable\n", argv[1]);
		goto err_close_group;
	}
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) {
		perror("VFIO_GROUP_SET_CONTAINER");
		goto err_close_group;
	}
	if (ioctl(container, VFIO_SET_IOMMU, type)) {
		perror("VFIO_SET_IOMMU");
		goto err_unset;
	}
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		goto err_unset;
	}
	memset(mem, 0xa5, size);

	for (i = 0; i < warmup; i++) {
		ret = bench_map_unmap(container, mem, size);
		if (ret)
			goto err_bench;
	}
	t0 = bench_now_ms();
	for (i = 0; i < iters; i++) {
		ret = bench_map_unmap(container, mem, size);
		if (ret)
			goto err_bench;
	}
	ms = (bench_now_ms() - t0) / iters;
	printf("# VALUE c_map_unmap_ms %.3f\n", ms);
	printf("# VALUE c_iterations %d\n", iters);

	munmap(mem, size);
	ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
	close(group);
	close(container);
	return 0;

err_bench:
	fprintf(stderr, "MAP_DMA/UNMAP_DMA failed: %s\n", strerror(-ret));
	munmap(mem, size);
err_unset:
	ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
err_close_group:
	close(group);
err_close_container:
	close(container);
	return 1;
}
