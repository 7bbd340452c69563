// SPDX-License-Identifier: Apache-2.0
/*
 * vfio.c - open/close of the VFIO nodes (close serves any fd, memfds too),
 * the type1 ioctls on container (/dev/vfio/vfio), group (/dev/vfio/N) and
 * device fds, and pread/pwrite of a device's regions. Every native returns
 * its result or -errno.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "dmazone_jni.h"

static jint dmazone_open_chars(const char *path, jint flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? dmazone_neg_errno() : fd;
}

jint dmazone_open(JNIEnv *env, jclass cls, jstring path, jint flags)
{
	(void)cls;
	return dmazone_with_string(env, path, dmazone_open_chars, flags);
}

jint dmazone_close(JNIEnv *env, jclass cls, jint fd)
{
	(void)env; (void)cls;
	return close(fd) ? dmazone_neg_errno() : 0;
}

/* ioctl() returning its non-negative result or -errno. */
static jint dmazone_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? dmazone_neg_errno() : ret;
}

static jint dmazone_ioctl_val(int fd, unsigned long request, unsigned long arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? dmazone_neg_errno() : ret;
}

jint dmazone_vfio_get_api_version(JNIEnv *env, jclass cls, jint fd)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_GET_API_VERSION, 0);
}

jint dmazone_vfio_check_extension(JNIEnv *env, jclass cls, jint fd, jint ext)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_CHECK_EXTENSION, (unsigned long)ext);
}

jint dmazone_vfio_set_iommu(JNIEnv *env, jclass cls, jint fd, jint type)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_SET_IOMMU, (unsigned long)type);
}

/*
 * VFIO_IOMMU_GET_INFO into a caller-sized buffer. argsz is the buffer length;
 * on return the buffer holds the kernel's struct vfio_iommu_type1_info and as
 * much of the capability chain as fitted. When the kernel's argsz in the
 * result exceeds the buffer, the caller retries with a larger one.
 */
jint dmazone_vfio_iommu_get_info(JNIEnv *env, jclass cls, jint fd, jbyteArray buf)
{
	struct vfio_iommu_type1_info *info;
	jsize len;
	jint ret;

	(void)cls;
	if (!buf)
		return -EINVAL;
	len = (*env)->GetArrayLength(env, buf);
	if ((size_t)len < sizeof(*info))
		return -EINVAL;
	info = calloc(1, (size_t)len);
	if (!info)
		return -ENOMEM;
	info->argsz = (__u32)len;
	ret = dmazone_ioctl(fd, VFIO_IOMMU_GET_INFO, info);
	if (ret >= 0)
		(*env)->SetByteArrayRegion(env, buf, 0, len, (const jbyte *)info);
	free(info);
	return ret;
}

jint dmazone_vfio_map_dma(JNIEnv *env, jclass cls, jint fd, jlong vaddr,
			  jlong iova, jlong size, jint flags)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = (__u32)flags,
		.vaddr = (__u64)vaddr,
		.iova = (__u64)iova,
		.size = (__u64)size,
	};

	(void)env; (void)cls;
	return dmazone_ioctl(fd, VFIO_IOMMU_MAP_DMA, &map);
}

/* Returns the number of bytes the kernel unmapped, or -errno. */
jlong dmazone_vfio_unmap_dma(JNIEnv *env, jclass cls, jint fd, jlong iova, jlong size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = (__u64)iova,
		.size = (__u64)size,
	};
	jint ret;

	(void)env; (void)cls;
	ret = dmazone_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
	return ret < 0 ? ret : (jlong)unmap.size;
}

/* Returns the group flags (VFIO_GROUP_FLAGS_*), or -errno. */
jint dmazone_vfio_group_get_status(JNIEnv *env, jclass cls, jint fd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	jint ret;

	(void)env; (void)cls;
	ret = dmazone_ioctl(fd, VFIO_GROUP_GET_STATUS, &status);
	return ret < 0 ? ret : (jint)status.flags;
}

jint dmazone_vfio_group_set_container(JNIEnv *env, jclass cls, jint fd, jint container)
{
	int c = container;

	(void)env; (void)cls;
	return dmazone_ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c);
}

jint dmazone_vfio_group_unset_container(JNIEnv *env, jclass cls, jint fd)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_GROUP_UNSET_CONTAINER, 0);
}

static jint dmazone_group_device_fd_chars(const char *name, jint group_fd)
{
	return dmazone_ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, (void *)name);
}

jint dmazone_vfio_group_get_device_fd(JNIEnv *env, jclass cls, jint fd, jstring name)
{
	(void)cls;
	return dmazone_with_string(env, name, dmazone_group_device_fd_chars, fd);
}

/* out = { flags, num_regions, num_irqs } */
jint dmazone_vfio_device_get_info(JNIEnv *env, jclass cls, jint fd, jlongArray out)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	jlong vals[3];
	jint ret;

	(void)cls;
	if (!out || (*env)->GetArrayLength(env, out) < 3)
		return -EINVAL;
	ret = dmazone_ioctl(fd, VFIO_DEVICE_GET_INFO, &info);
	if (ret < 0)
		return ret;
	vals[0] = info.flags;
	vals[1] = info.num_regions;
	vals[2] = info.num_irqs;
	(*env)->SetLongArrayRegion(env, out, 0, 3, vals);
	return 0;
}

/* out = { flags, size, offset } */
jint dmazone_vfio_device_get_region_info(JNIEnv *env, jclass cls, jint fd,
					 jint index, jlongArray out)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = (__u32)index };
	jlong vals[3];
	jint ret;

	(void)cls;
	if (!out || (*env)->GetArrayLength(env, out) < 3)
		return -EINVAL;
	ret = dmazone_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &info);
	if (ret < 0)
		return ret;
	vals[0] = info.flags;
	vals[1] = (jlong)info.size;
	vals[2] = (jlong)info.offset;
	(*env)->SetLongArrayRegion(env, out, 0, 3, vals);
	return 0;
}

jint dmazone_vfio_device_reset(JNIEnv *env, jclass cls, jint fd)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_DEVICE_RESET, 0);
}

static jint dmazone_check_range(JNIEnv *env, jbyteArray buf, jint off, jint len)
{
	jsize n;

	if (!buf || off < 0 || len < 0)
		return -EINVAL;
	n = (*env)->GetArrayLength(env, buf);
	if (off > n || len > n - off)
		return -EINVAL;
	return 0;
}

/*
 * pread/pwrite through a bounce buffer (on the stack for register-sized
 * accesses), copying between it and the Java array on the side that needs it.
 */
static jlong dmazone_region_io(JNIEnv *env, jint fd, jbyteArray buf, jint off,
			       jint len, jlong offset, int write)
{
	jbyte stack[64];
	jbyte *tmp = stack;
	ssize_t n;

	if (dmazone_check_range(env, buf, off, len))
		return -EINVAL;
	if ((size_t)len > sizeof(stack)) {
		tmp = malloc((size_t)len);
		if (!tmp)
			return -ENOMEM;
	}
	if (write) {
		(*env)->GetByteArrayRegion(env, buf, off, len, tmp);
		n = pwrite(fd, tmp, (size_t)len, (off_t)offset);
	} else {
		n = pread(fd, tmp, (size_t)len, (off_t)offset);
		if (n > 0)
			(*env)->SetByteArrayRegion(env, buf, off, (jsize)n, tmp);
	}
	if (n < 0)
		n = dmazone_neg_errno();
	if (tmp != stack)
		free(tmp);
	return (jlong)n;
}

jlong dmazone_pread(JNIEnv *env, jclass cls, jint fd, jbyteArray buf,
		    jint off, jint len, jlong offset)
{
	(void)cls;
	return dmazone_region_io(env, fd, buf, off, len, offset, 0);
}

jlong dmazone_pwrite(JNIEnv *env, jclass cls, jint fd, jbyteArray buf,
		     jint off, jint len, jlong offset)
{
	(void)cls;
	return dmazone_region_io(env, fd, buf, off, len, offset, 1);
}
