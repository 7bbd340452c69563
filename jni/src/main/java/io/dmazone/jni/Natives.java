package io.dmazone.jni;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The thin native calls of dmazone: VFIO type1 ioctls, memory mapping, memfd,
 * {@code prlimit(RLIMIT_MEMLOCK)}, and errno names and messages from the C library.
 *
 * <p>Every method returns its result, or {@code -errno} on failure, and makes no
 * decision: the callers in {@code dmazone-java-api} name the failure and say what to
 * do. The methods are registered from one table ({@code RegisterNatives}) when the
 * library loads; call {@link NativeLibrary#isAvailable()} before using any of them,
 * otherwise they throw {@link UnsatisfiedLinkError}.
 *
 * <p>The constants are the Linux UAPI values for x86-64; {@link #uapiConstants()}
 * returns the values the native code was compiled against, in the order of
 * {@link #UAPI_NAMES}, so that a test can check the two agree.
 */
public final class Natives {
    private Natives() {
    }

    /** {@code VFIO_API_VERSION}. */
    public static final int VFIO_API_VERSION = 0;
    /** {@code VFIO_TYPE1_IOMMU}. */
    public static final int VFIO_TYPE1_IOMMU = 1;
    /** {@code VFIO_TYPE1v2_IOMMU}. */
    public static final int VFIO_TYPE1V2_IOMMU = 3;
    /** {@code VFIO_GROUP_FLAGS_VIABLE}. */
    public static final int VFIO_GROUP_FLAGS_VIABLE = 1;
    /** {@code VFIO_GROUP_FLAGS_CONTAINER_SET}. */
    public static final int VFIO_GROUP_FLAGS_CONTAINER_SET = 2;
    /** {@code VFIO_DMA_MAP_FLAG_READ}: the device may read. */
    public static final int VFIO_DMA_MAP_FLAG_READ = 1;
    /** {@code VFIO_DMA_MAP_FLAG_WRITE}: the device may write. */
    public static final int VFIO_DMA_MAP_FLAG_WRITE = 2;
    /** {@code VFIO_IOMMU_INFO_PGSIZES}. */
    public static final int VFIO_IOMMU_INFO_PGSIZES = 1;
    /** {@code VFIO_IOMMU_INFO_CAPS}. */
    public static final int VFIO_IOMMU_INFO_CAPS = 2;
    /** {@code VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE}. */
    public static final int VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE = 1;
    /** {@code VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL}. */
    public static final int VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL = 3;
    /** {@code VFIO_DEVICE_FLAGS_RESET}. */
    public static final int VFIO_DEVICE_FLAGS_RESET = 1;
    /** {@code VFIO_DEVICE_FLAGS_PCI}. */
    public static final int VFIO_DEVICE_FLAGS_PCI = 2;
    /** {@code VFIO_REGION_INFO_FLAG_READ}. */
    public static final int VFIO_REGION_INFO_FLAG_READ = 1;
    /** {@code VFIO_REGION_INFO_FLAG_WRITE}. */
    public static final int VFIO_REGION_INFO_FLAG_WRITE = 2;
    /** {@code VFIO_REGION_INFO_FLAG_MMAP}. */
    public static final int VFIO_REGION_INFO_FLAG_MMAP = 4;
    /** {@code VFIO_PCI_BAR0_REGION_INDEX}. */
    public static final int VFIO_PCI_BAR0_REGION_INDEX = 0;
    /** {@code VFIO_PCI_CONFIG_REGION_INDEX}. */
    public static final int VFIO_PCI_CONFIG_REGION_INDEX = 7;
    /** {@code O_RDWR}. */
    public static final int O_RDWR = 2;
    /** {@code PROT_READ}. */
    public static final int PROT_READ = 1;
    /** {@code PROT_WRITE}. */
    public static final int PROT_WRITE = 2;
    /** {@code MAP_SHARED}. */
    public static final int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE}. */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_ANONYMOUS}. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** {@code MAP_HUGETLB}. */
    public static final int MAP_HUGETLB = 0x40000;
    /** {@code MAP_POPULATE}. */
    public static final int MAP_POPULATE = 0x8000;
    /** {@code MFD_HUGETLB}. */
    public static final int MFD_HUGETLB = 4;
    /** {@code sizeof(struct vfio_iommu_type1_info)}. */
    public static final int VFIO_IOMMU_TYPE1_INFO_SIZE = 24;
    /** {@code RLIM_INFINITY} as read back into a Java long. */
    public static final long RLIM_INFINITY = -1L;

    /** Names of the values returned by {@link #uapiConstants()}, in order. */
    public static final List<String> UAPI_NAMES = List.of(
            "VFIO_API_VERSION", "VFIO_TYPE1_IOMMU", "VFIO_TYPE1V2_IOMMU",
            "VFIO_GROUP_FLAGS_VIABLE", "VFIO_GROUP_FLAGS_CONTAINER_SET",
            "VFIO_DMA_MAP_FLAG_READ", "VFIO_DMA_MAP_FLAG_WRITE",
            "VFIO_IOMMU_INFO_PGSIZES", "VFIO_IOMMU_INFO_CAPS",
            "VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE", "VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL",
            "VFIO_DEVICE_FLAGS_RESET", "VFIO_DEVICE_FLAGS_PCI",
            "VFIO_REGION_INFO_FLAG_READ", "VFIO_REGION_INFO_FLAG_WRITE",
            "VFIO_REGION_INFO_FLAG_MMAP", "VFIO_PCI_BAR0_REGION_INDEX",
            "VFIO_PCI_CONFIG_REGION_INDEX",
            "O_RDWR", "PROT_READ", "PROT_WRITE", "MAP_SHARED", "MAP_PRIVATE",
            "MAP_ANONYMOUS", "MAP_HUGETLB", "MAP_POPULATE", "MFD_HUGETLB",
            "VFIO_IOMMU_TYPE1_INFO_SIZE");

    /** {@code open(path, flags | O_CLOEXEC)}: the fd, or -errno. */
    public static native int open(String path, int flags);

    /** {@code close(fd)}: 0 or -errno. */
    public static native int close(int fd);

    /** {@code VFIO_GET_API_VERSION} on a container fd. */
    public static native int vfioGetApiVersion(int containerFd);

    /** {@code VFIO_CHECK_EXTENSION}: 1 if supported, 0 if not, or -errno. */
    public static native int vfioCheckExtension(int containerFd, int extension);

    /** {@code VFIO_SET_IOMMU}: 0 or -errno. */
    public static native int vfioSetIommu(int containerFd, int type);

    /**
     * {@code VFIO_IOMMU_GET_INFO} with {@code argsz = info.length}. On success
     * {@code info} holds {@code struct vfio_iommu_type1_info} followed by as much of
     * the capability chain as fitted; if the {@code argsz} the kernel wrote back is
     * larger than the array, call again with a larger one.
     */
    public static native int vfioIommuGetInfo(int containerFd, byte[] info);

    /** {@code VFIO_IOMMU_MAP_DMA}: 0 or -errno. */
    public static native int vfioMapDma(int containerFd, long vaddr, long iova, long size, int flags);

    /** {@code VFIO_IOMMU_UNMAP_DMA}: the number of bytes unmapped, or -errno. */
    public static native long vfioUnmapDma(int containerFd, long iova, long size);

    /** {@code VFIO_GROUP_GET_STATUS}: the group flags, or -errno. */
    public static native int vfioGroupGetStatus(int groupFd);

    /** {@code VFIO_GROUP_SET_CONTAINER}: 0 or -errno. */
    public static native int vfioGroupSetContainer(int groupFd, int containerFd);

    /** {@code VFIO_GROUP_UNSET_CONTAINER}: 0 or -errno. */
    public static native int vfioGroupUnsetContainer(int groupFd);

    /** {@code VFIO_GROUP_GET_DEVICE_FD}: the device fd, or -errno. */
    public static native int vfioGroupGetDeviceFd(int groupFd, String deviceName);

    /** {@code VFIO_DEVICE_GET_INFO}: 0 or -errno; {@code out = {flags, num_regions, num_irqs}}. */
    public static native int vfioDeviceGetInfo(int deviceFd, long[] out);

    /** {@code VFIO_DEVICE_GET_REGION_INFO}: 0 or -errno; {@code out = {flags, size, offset}}. */
    public static native int vfioDeviceGetRegionInfo(int deviceFd, int index, long[] out);

    /** {@code VFIO_DEVICE_RESET}: 0 or -errno. */
    public static native int vfioDeviceReset(int deviceFd);

    /** {@code pread} into {@code buf[off, off + len)}: bytes read, or -errno. */
    public static native long pread(int fd, byte[] buf, int off, int len, long offset);

    /** {@code pwrite} from {@code buf[off, off + len)}: bytes written, or -errno. */
    public static native long pwrite(int fd, byte[] buf, int off, int len, long offset);

    /** {@code mmap(NULL, length, prot, flags, fd, offset)}: the address, or -errno. */
    public static native long mmap(long length, int prot, int flags, int fd, long offset);

    /** {@code munmap}: 0 or -errno. */
    public static native int munmap(long address, long length);

    /** {@code memfd_create(name, flags | MFD_CLOEXEC)}: the fd, or -errno. */
    public static native int memfdCreate(String name, int flags);

    /** {@code ftruncate}: 0 or -errno. */
    public static native int ftruncate(int fd, long length);

    /**
     * A direct {@link ByteBuffer} over native memory; it does not own the memory and
     * must not be used after the memory is unmapped.
     */
    public static native ByteBuffer directBuffer(long address, long length);

    /**
     * {@code prlimit(pid, RLIMIT_MEMLOCK)}; pid 0 is this process. {@code old}
     * receives {@code {soft, hard}} ({@link #RLIM_INFINITY} for unlimited); when
     * {@code set} is true the limit becomes {@code {soft, hard}}. 0 or -errno.
     */
    public static native int prlimitMemlock(int pid, boolean set, long soft, long hard, long[] old);

    /** {@code strerror_r}: the C library's message, e.g. {@code "Cannot allocate memory"} for 12. */
    public static native String strerror(int errno);

    /**
     * {@code strerrorname_np} (glibc 2.32): the C library's symbolic name, e.g.
     * {@code "ENOMEM"} for 12, or null for a number it does not name.
     */
    public static native String errnoName(int errno);

    /** The UAPI constants the native code was built with, in the order of {@link #UAPI_NAMES}. */
    public static native long[] uapiConstants();
}
