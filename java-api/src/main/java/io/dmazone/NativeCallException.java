package io.dmazone;

/**
 * A system call or ioctl failed. Carries the call and its errno; the message reads
 * {@code "<call> failed: <ENAME>"}, followed by {@code " — <hint>"} when
 * there is something the user can do.
 */
public class NativeCallException extends DmazoneException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /**
     * @param call  the failing call as the user should read it, e.g. {@code "VFIO_IOMMU_MAP_DMA 256 MiB"}
     * @param errno the positive errno
     * @param hint  what to do, or null
     */
    public NativeCallException(String call, int errno, String hint) {
        super(message(call, errno, hint));
        this.call = call;
        this.errno = errno;
    }

    /** Like {@link #NativeCallException(String, int, String)} with a message already built. */
    protected NativeCallException(String message, String call, int errno) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    /** The standard message: {@code "<call> failed: ENAME[ — hint]"}. */
    public static String message(String call, int errno, String hint) {
        String base = call + " failed: " + Errno.name(errno);
        return hint == null || hint.isEmpty() ? base : base + " — " + hint;
    }

    /** The failing call. */
    public String call() {
        return call;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "ENOMEM"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
