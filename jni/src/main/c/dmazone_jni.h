/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmazone_jni.h - what the files of the JNI library share.
 *
 *   dmazone_jni.c  JNI_OnLoad/OnUnload and the one registration table; the
 *                  shared helpers below; errno names and messages from the
 *                  C library; the UAPI constants the library was built with
 *   vfio.c         open/close, VFIO container, group and device ioctls,
 *                  region pread/pwrite
 *   memory.c       mmap/munmap, memfd_create/ftruncate, direct ByteBuffers
 *   limits.c       prlimit(RLIMIT_MEMLOCK)
 *
 * The natives are declared here per file; dmazone_jni.c registers each under
 * its Java name and JNI signature. Only JNI_OnLoad and JNI_OnUnload leave the
 * library (build.sh compiles with -fvisibility=hidden).
 */
#ifndef DMAZONE_JNI_H
#define DMAZONE_JNI_H

#include <errno.h>

#include <jni.h>

/* -errno of the call that just failed; -EIO if it left errno at 0. */
static inline jint dmazone_neg_errno(void)
{
	return errno ? -errno : -EIO;
}

/*
 * Calls fn(chars, arg) with the modified UTF-8 chars of the Java string s,
 * releases them, and returns what fn returned. A Java null gives -EINVAL and
 * chars the JVM cannot give (OutOfMemoryError pending) -ENOMEM; fn is not
 * called then.
 */
jint dmazone_with_string(JNIEnv *env, jstring s,
			 jint (*fn)(const char *chars, jint arg), jint arg);

/* vfio.c */
jint dmazone_open(JNIEnv *env, jclass cls, jstring path, jint flags);
jint dmazone_close(JNIEnv *env, jclass cls, jint fd);
jint dmazone_vfio_get_api_version(JNIEnv *env, jclass cls, jint fd);
jint dmazone_vfio_check_extension(JNIEnv *env, jclass cls, jint fd, jint ext);
jint dmazone_vfio_set_iommu(JNIEnv *env, jclass cls, jint fd, jint type);
jint dmazone_vfio_iommu_get_info(JNIEnv *env, jclass cls, jint fd, jbyteArray buf);
jint dmazone_vfio_map_dma(JNIEnv *env, jclass cls, jint fd, jlong vaddr,
			  jlong iova, jlong size, jint flags);
jlong dmazone_vfio_unmap_dma(JNIEnv *env, jclass cls, jint fd, jlong iova, jlong size);
jint dmazone_vfio_group_get_status(JNIEnv *env, jclass cls, jint fd);
jint dmazone_vfio_group_set_container(JNIEnv *env, jclass cls, jint fd, jint container);
jint dmazone_vfio_group_unset_container(JNIEnv *env, jclass cls, jint fd);
jint dmazone_vfio_group_get_device_fd(JNIEnv *env, jclass cls, jint fd, jstring name);
jint dmazone_vfio_device_get_info(JNIEnv *env, jclass cls, jint fd, jlongArray out);
jint dmazone_vfio_device_get_region_info(JNIEnv *env, jclass cls, jint fd,
					 jint index, jlongArray out);
jint dmazone_vfio_device_reset(JNIEnv *env, jclass cls, jint fd);
jlong dmazone_pread(JNIEnv *env, jclass cls, jint fd, jbyteArray buf,
		    jint off, jint len, jlong offset);
jlong dmazone_pwrite(JNIEnv *env, jclass cls, jint fd, jbyteArray buf,
		     jint off, jint len, jlong offset);

/* memory.c */
jlong dmazone_mmap(JNIEnv *env, jclass cls, jlong length, jint prot, jint flags,
		   jint fd, jlong offset);
jint dmazone_munmap(JNIEnv *env, jclass cls, jlong address, jlong length);
jint dmazone_memfd_create(JNIEnv *env, jclass cls, jstring name, jint flags);
jint dmazone_ftruncate(JNIEnv *env, jclass cls, jint fd, jlong length);
jobject dmazone_direct_buffer(JNIEnv *env, jclass cls, jlong address, jlong length);

/* limits.c */
jint dmazone_prlimit_memlock(JNIEnv *env, jclass cls, jint pid, jboolean set,
			     jlong soft, jlong hard, jlongArray old);

#endif /* DMAZONE_JNI_H */
