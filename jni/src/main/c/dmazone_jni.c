// SPDX-License-Identifier: Apache-2.0
/*
 * dmazone_jni.c - the thin native layer of dmazone.
 *
 * Only what Java cannot do itself: VFIO type1 ioctls, mmap/munmap, memfd,
 * prlimit(RLIMIT_MEMLOCK). Every function returns its result or -errno and
 * makes no decision: naming the failure and what to do about it is the Java
 * side's job (io.dmazone.vfio and friends). Methods are registered from one
 * table in JNI_OnLoad; nothing is looked up by symbol name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <jni.h>

#define DMAZONE_NATIVES_CLASS "io/dmazone/jni/Natives"

static jclass dmazone_natives_class;

static jint dmazone_neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static jint dmazone_open(JNIEnv *env, jclass cls, jstring path, jint flags)
{
	const char *p;
	int fd;

	(void)cls;
	if (!path)
		return -EINVAL;
	p = (*env)->GetStringUTFChars(env, path, NULL);
	if (!p)
		return -ENOMEM;
	fd = open(p, flags | O_CLOEXEC);
	if (fd < 0)
		fd = dmazone_neg_errno();
	(*env)->ReleaseStringUTFChars(env, path, p);
	return fd;
}

static jint dmazone_close(JNIEnv *env, jclass cls, jint fd)
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

static jint dmazone_vfio_get_api_version(JNIEnv *env, jclass cls, jint fd)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_GET_API_VERSION, 0);
}

static jint dmazone_vfio_check_extension(JNIEnv *env, jclass cls, jint fd, jint ext)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_CHECK_EXTENSION, (unsigned long)ext);
}

static jint dmazone_vfio_set_iommu(JNIEnv *env, jclass cls, jint fd, jint type)
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
static jint dmazone_vfio_iommu_get_info(JNIEnv *env, jclass cls, jint fd, jbyteArray buf)
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

static jint dmazone_vfio_map_dma(JNIEnv *env, jclass cls, jint fd, jlong vaddr,
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
static jlong dmazone_vfio_unmap_dma(JNIEnv *env, jclass cls, jint fd, jlong iova, jlong size)
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
static jint dmazone_vfio_group_get_status(JNIEnv *env, jclass cls, jint fd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	jint ret;

	(void)env; (void)cls;
	ret = dmazone_ioctl(fd, VFIO_GROUP_GET_STATUS, &status);
	return ret < 0 ? ret : (jint)status.flags;
}

static jint dmazone_vfio_group_set_container(JNIEnv *env, jclass cls, jint fd, jint container)
{
	int c = container;

	(void)env; (void)cls;
	return dmazone_ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c);
}

static jint dmazone_vfio_group_unset_container(JNIEnv *env, jclass cls, jint fd)
{
	(void)env; (void)cls;
	return dmazone_ioctl_val(fd, VFIO_GROUP_UNSET_CONTAINER, 0);
}

static jint dmazone_vfio_group_get_device_fd(JNIEnv *env, jclass cls, jint fd, jstring name)
{
	const char *n;
	jint ret;

	(void)cls;
	if (!name)
		return -EINVAL;
	n = (*env)->GetStringUTFChars(env, name, NULL);
	if (!n)
		return -ENOMEM;
	ret = dmazone_ioctl(fd, VFIO_GROUP_GET_DEVICE_FD, (void *)n);
	(*env)->ReleaseStringUTFChars(env, name, n);
	return ret;
}

/* out = { flags, num_regions, num_irqs } */
static jint dmazone_vfio_device_get_info(JNIEnv *env, jclass cls, jint fd, jlongArray out)
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
static jint dmazone_vfio_device_get_region_info(JNIEnv *env, jclass cls, jint fd,
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

static jint dmazone_vfio_device_reset(JNIEnv *env, jclass cls, jint fd)
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

static jlong dmazone_pread(JNIEnv *env, jclass cls, jint fd, jbyteArray buf,
			   jint off, jint len, jlong offset)
{
	(void)cls;
	return dmazone_region_io(env, fd, buf, off, len, offset, 0);
}

static jlong dmazone_pwrite(JNIEnv *env, jclass cls, jint fd, jbyteArray buf,
			    jint off, jint len, jlong offset)
{
	(void)cls;
	return dmazone_region_io(env, fd, buf, off, len, offset, 1);
}

/* Returns the mapping's address, or -errno (user addresses are never negative). */
static jlong dmazone_mmap(JNIEnv *env, jclass cls, jlong length, jint prot, jint flags,
			  jint fd, jlong offset)
{
	void *p;

	(void)env; (void)cls;
	p = mmap(NULL, (size_t)length, prot, flags, fd, (off_t)offset);
	if (p == MAP_FAILED)
		return dmazone_neg_errno();
	return (jlong)(uintptr_t)p;
}

static jint dmazone_munmap(JNIEnv *env, jclass cls, jlong address, jlong length)
{
	(void)env; (void)cls;
	return munmap((void *)(uintptr_t)address, (size_t)length) ? dmazone_neg_errno() : 0;
}

static jint dmazone_memfd_create(JNIEnv *env, jclass cls, jstring name, jint flags)
{
	const char *n;
	int fd;

	(void)cls;
	if (!name)
		return -EINVAL;
	n = (*env)->GetStringUTFChars(env, name, NULL);
	if (!n)
		return -ENOMEM;
	fd = memfd_create(n, (unsigned int)flags | MFD_CLOEXEC);
	if (fd < 0)
		fd = dmazone_neg_errno();
	(*env)->ReleaseStringUTFChars(env, name, n);
	return fd;
}

static jint dmazone_ftruncate(JNIEnv *env, jclass cls, jint fd, jlong length)
{
	(void)env; (void)cls;
	return ftruncate(fd, (off_t)length) ? dmazone_neg_errno() : 0;
}

/* A direct ByteBuffer over [address, address + length); no copy, no ownership. */
static jobject dmazone_direct_buffer(JNIEnv *env, jclass cls, jlong address, jlong length)
{
	(void)cls;
	return (*env)->NewDirectByteBuffer(env, (void *)(uintptr_t)address, length);
}

/*
 * prlimit(pid, RLIMIT_MEMLOCK). pid 0 is this process. old receives
 * { soft, hard } (RLIM_INFINITY reads as -1); when set is true the limit
 * becomes { soft, hard }.
 */
static jint dmazone_prlimit_memlock(JNIEnv *env, jclass cls, jint pid, jboolean set,
				    jlong soft, jlong hard, jlongArray old)
{
	struct rlimit nl = { .rlim_cur = (rlim_t)soft, .rlim_max = (rlim_t)hard };
	struct rlimit ol;
	jlong vals[2];

	(void)cls;
	if (!old || (*env)->GetArrayLength(env, old) < 2)
		return -EINVAL;
	if (prlimit((pid_t)pid, RLIMIT_MEMLOCK, set ? &nl : NULL, &ol))
		return dmazone_neg_errno();
	vals[0] = (jlong)ol.rlim_cur;
	vals[1] = (jlong)ol.rlim_max;
	(*env)->SetLongArrayRegion(env, old, 0, 2, vals);
	return 0;
}

static jstring dmazone_strerror(JNIEnv *env, jclass cls, jint err)
{
	char buf[128];

	(void)cls;
	/* GNU strerror_r returns a pointer that may or may not be buf. */
	return (*env)->NewStringUTF(env, strerror_r(err, buf, sizeof(buf)));
}

/*
 * The UAPI constants this library was compiled against, in the order of
 * io.dmazone.jni.Natives.UAPI_NAMES; a unit test checks the Java copies.
 */
static jlongArray dmazone_uapi_constants(JNIEnv *env, jclass cls)
{
	static const jlong vals[] = {
		VFIO_API_VERSION, VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU,
		VFIO_GROUP_FLAGS_VIABLE, VFIO_GROUP_FLAGS_CONTAINER_SET,
		VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE,
		VFIO_IOMMU_INFO_PGSIZES, VFIO_IOMMU_INFO_CAPS,
		VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
		VFIO_DEVICE_FLAGS_RESET, VFIO_DEVICE_FLAGS_PCI,
		VFIO_REGION_INFO_FLAG_READ, VFIO_REGION_INFO_FLAG_WRITE,
		VFIO_REGION_INFO_FLAG_MMAP, VFIO_PCI_BAR0_REGION_INDEX,
		VFIO_PCI_CONFIG_REGION_INDEX,
		O_RDWR, PROT_READ, PROT_WRITE, MAP_SHARED, MAP_PRIVATE,
		MAP_ANONYMOUS, MAP_HUGETLB, MAP_POPULATE, MFD_HUGETLB,
		(jlong)sizeof(struct vfio_iommu_type1_info),
	};
	jlongArray arr;

	(void)cls;
	arr = (*env)->NewLongArray(env, (jsize)(sizeof(vals) / sizeof(vals[0])));
	if (arr)
		(*env)->SetLongArrayRegion(env, arr, 0, (jsize)(sizeof(vals) / sizeof(vals[0])), vals);
	return arr;
}

#define DMAZONE_NATIVE(n, sig, fn) { (char *)(n), (char *)(sig), (void *)(fn) }

static const JNINativeMethod dmazone_methods[] = {
	DMAZONE_NATIVE("open", "(Ljava/lang/String;I)I", dmazone_open),
	DMAZONE_NATIVE("close", "(I)I", dmazone_close),
	DMAZONE_NATIVE("vfioGetApiVersion", "(I)I", dmazone_vfio_get_api_version),
	DMAZONE_NATIVE("vfioCheckExtension", "(II)I", dmazone_vfio_check_extension),
	DMAZONE_NATIVE("vfioSetIommu", "(II)I", dmazone_vfio_set_iommu),
	DMAZONE_NATIVE("vfioIommuGetInfo", "(I[B)I", dmazone_vfio_iommu_get_info),
	DMAZONE_NATIVE("vfioMapDma", "(IJJJI)I", dmazone_vfio_map_dma),
	DMAZONE_NATIVE("vfioUnmapDma", "(IJJ)J", dmazone_vfio_unmap_dma),
	DMAZONE_NATIVE("vfioGroupGetStatus", "(I)I", dmazone_vfio_group_get_status),
	DMAZONE_NATIVE("vfioGroupSetContainer", "(II)I", dmazone_vfio_group_set_container),
	DMAZONE_NATIVE("vfioGroupUnsetContainer", "(I)I", dmazone_vfio_group_unset_container),
	DMAZONE_NATIVE("vfioGroupGetDeviceFd", "(ILjava/lang/String;)I",
		       dmazone_vfio_group_get_device_fd),
	DMAZONE_NATIVE("vfioDeviceGetInfo", "(I[J)I", dmazone_vfio_device_get_info),
	DMAZONE_NATIVE("vfioDeviceGetRegionInfo", "(II[J)I", dmazone_vfio_device_get_region_info),
	DMAZONE_NATIVE("vfioDeviceReset", "(I)I", dmazone_vfio_device_reset),
	DMAZONE_NATIVE("pread", "(I[BIIJ)J", dmazone_pread),
	DMAZONE_NATIVE("pwrite", "(I[BIIJ)J", dmazone_pwrite),
	DMAZONE_NATIVE("mmap", "(JIIIJ)J", dmazone_mmap),
	DMAZONE_NATIVE("munmap", "(JJ)I", dmazone_munmap),
	DMAZONE_NATIVE("memfdCreate", "(Ljava/lang/String;I)I", dmazone_memfd_create),
	DMAZONE_NATIVE("ftruncate", "(IJ)I", dmazone_ftruncate),
	DMAZONE_NATIVE("directBuffer", "(JJ)Ljava/nio/ByteBuffer;", dmazone_direct_buffer),
	DMAZONE_NATIVE("prlimitMemlock", "(IZJJ[J)I", dmazone_prlimit_memlock),
	DMAZONE_NATIVE("strerror", "(I)Ljava/lang/String;", dmazone_strerror),
	DMAZONE_NATIVE("uapiConstants", "()[J", dmazone_uapi_constants),
};

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv *env;
	jclass cls;

	(void)reserved;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;
	cls = (*env)->FindClass(env, DMAZONE_NATIVES_CLASS);
	if (!cls)
		return JNI_ERR;	/* NoClassDefFoundError is pending */
	if ((*env)->RegisterNatives(env, cls, dmazone_methods,
				    (jint)(sizeof(dmazone_methods) / sizeof(dmazone_methods[0]))))
		goto err_delete_local;
	dmazone_natives_class = (*env)->NewGlobalRef(env, cls);
	if (!dmazone_natives_class)
		goto err_unregister;
	(*env)->DeleteLocalRef(env, cls);
	return JNI_VERSION_1_8;

err_unregister:
	(*env)->UnregisterNatives(env, cls);
err_delete_local:
	(*env)->DeleteLocalRef(env, cls);
	return JNI_ERR;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved)
{
	JNIEnv *env;

	(void)reserved;
	if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
		return;
	if (dmazone_natives_class) {
		(*env)->UnregisterNatives(env, dmazone_natives_class);
		(*env)->DeleteGlobalRef(env, dmazone_natives_class);
		dmazone_natives_class = NULL;
	}
}
