// SPDX-License-Identifier: Apache-2.0
/*
 * memory.c - the memory dmazone maps for DMA: mmap/munmap (anonymous or
 * hugetlb), memfd_create/ftruncate for memory backed by a file descriptor,
 * and direct ByteBuffers over it. Every native returns its result or -errno.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "dmazone_jni.h"

/* Returns the mapping's address, or -errno (user addresses are never negative). */
jlong dmazone_mmap(JNIEnv *env, jclass cls, jlong length, jint prot, jint flags,
		   jint fd, jlong offset)
{
	void *p;

	(void)env; (void)cls;
	p = mmap(NULL, (size_t)length, prot, flags, fd, (off_t)offset);
	if (p == MAP_FAILED)
		return dmazone_neg_errno();
	return (jlong)(uintptr_t)p;
}

jint dmazone_munmap(JNIEnv *env, jclass cls, jlong address, jlong length)
{
	(void)env; (void)cls;
	return munmap((void *)(uintptr_t)address, (size_t)length) ? dmazone_neg_errno() : 0;
}

static jint dmazone_memfd_create_chars(const char *name, jint flags)
{
	int fd = memfd_create(name, (unsigned int)flags | MFD_CLOEXEC);

	return fd < 0 ? dmazone_neg_errno() : fd;
}

jint dmazone_memfd_create(JNIEnv *env, jclass cls, jstring name, jint flags)
{
	(void)cls;
	return dmazone_with_string(env, name, dmazone_memfd_create_chars, flags);
}

jint dmazone_ftruncate(JNIEnv *env, jclass cls, jint fd, jlong length)
{
	(void)env; (void)cls;
	return ftruncate(fd, (off_t)length) ? dmazone_neg_errno() : 0;
}

/* A direct ByteBuffer over [address, address + length); no copy, no ownership. */
jobject dmazone_direct_buffer(JNIEnv *env, jclass cls, jlong address, jlong length)
{
	(void)cls;
	return (*env)->NewDirectByteBuffer(env, (void *)(uintptr_t)address, length);
}
