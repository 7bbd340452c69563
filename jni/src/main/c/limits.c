// SPDX-License-Identifier: Apache-2.0
/*
 * limits.c - the resource limit VFIO charges pinned memory against:
 * RLIMIT_MEMLOCK, read and set through prlimit(2).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "dmazone_jni.h"

/*
 * prlimit(pid, RLIMIT_MEMLOCK). pid 0 is this process. old receives
 * { soft, hard } (RLIM_INFINITY reads as -1); when set is true the limit
 * becomes { soft, hard }.
 */
jint dmazone_prlimit_memlock(JNIEnv *env, jclass cls, jint pid, jboolean set,
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
