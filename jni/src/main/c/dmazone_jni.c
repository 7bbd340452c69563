// SPDX-License-Identifier: Apache-2.0
/*
 * dmazone_jni.c - the thin native layer of dmazone: what ties it together.
 *
 * Only what Java cannot do itself: VFIO type1 ioctls, mmap/munmap, memfd,
 * prlimit(RLIMIT_MEMLOCK). Every function returns its result or -errno and
 * makes no decision: naming the failure and what to do about it is the Java
 * side's job (io.dmazone.vfio and friends). Methods are registered from one
 * table in JNI_OnLoad; nothing is looked up by symbol name.
 *
 * This file holds that table, JNI_OnLoad/OnUnload, the helpers the other
 * files share (dmazone_jni.h), errno names and messages as the C library
 * gives them, and the UAPI constants the library was compiled against. The
 * natives themselves live by concern in vfio.c, memory.c and limits.c.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include <linux/vfio.h>

#include "dmazone_jni.h"

#define DMAZONE_NATIVES_CLASS "io/dmazone/jni/Natives"

static jclass dmazone_natives_class;

jint dmazone_with_string(JNIEnv *env, jstring s,
			 jint (*fn)(const char *chars, jint arg), jint arg)
{
	const char *chars;
	jint ret;

	if (!s)
		return -EINVAL;
	chars = (*env)->GetStringUTFChars(env, s, NULL);
	if (!chars)
		return -ENOMEM;
	ret = fn(chars, arg);
	(*env)->ReleaseStringUTFChars(env, s, chars);
	return ret;
}

static jstring dmazone_strerror(JNIEnv *env, jclass cls, jint err)
{
	char buf[128];

	(void)cls;
	/* GNU strerror_r returns a pointer that may or may not be buf. */
	return (*env)->NewStringUTF(env, strerror_r(err, buf, sizeof(buf)));
}

/* "ENOMEM" for 12 (glibc 2.32's strerrorname_np), or null for a number it does not name. */
static jstring dmazone_errno_name(JNIEnv *env, jclass cls, jint err)
{
	const char *name = strerrorname_np(err);

	(void)cls;
	return name ? (*env)->NewStringUTF(env, name) : NULL;
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

/* Java name, JNI signature, C function; by file, as in dmazone_jni.h. */
static const JNINativeMethod dmazone_methods[] = {
	/* vfio.c */
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
	/* memory.c */
	DMAZONE_NATIVE("mmap", "(JIIIJ)J", dmazone_mmap),
	DMAZONE_NATIVE("munmap", "(JJ)I", dmazone_munmap),
	DMAZONE_NATIVE("memfdCreate", "(Ljava/lang/String;I)I", dmazone_memfd_create),
	DMAZONE_NATIVE("ftruncate", "(IJ)I", dmazone_ftruncate),
	DMAZONE_NATIVE("directBuffer", "(JJ)Ljava/nio/ByteBuffer;", dmazone_direct_buffer),
	/* limits.c */
	DMAZONE_NATIVE("prlimitMemlock", "(IZJJ[J)I", dmazone_prlimit_memlock),
	/* this file */
	DMAZONE_NATIVE("strerror", "(I)Ljava/lang/String;", dmazone_strerror),
	DMAZONE_NATIVE("errnoName", "(I)Ljava/lang/String;", dmazone_errno_name),
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
