package io.dmazone;

/**
 * {@code VFIO_IOMMU_MAP_DMA} (or an IOAS map, later) failed. The message says why in
 * the user's terms, e.g. {@code "VFIO_IOMMU_MAP_DMA 256 MiB failed: ENOMEM — RLIMIT_MEMLOCK
 * is 64 MiB; raise it or map less"}.
 */
public class DmaMapException extends NativeCallException {
    private static final long serialVersionUID = 1L;

    private final long iova;
    private final long size;

    /**
     * @param call  e.g. {@code "VFIO_IOMMU_MAP_DMA 256 MiB"}
     * @param errno positive errno
     * @param hint  what to do
     * @param iova  the IOVA asked for
     * @param size  the size asked for
     */
    public DmaMapException(String call, int errno, String hint, long iova, long size) {
        super(message(call, errno, hint), call, errno);
        this.iova = iova;
        this.size = size;
    }

    /** The IOVA asked for. */
    public long iova() {
        return iova;
    }

    /** The size asked for. */
    public long size() {
        return size;
    }
}
