package io.dmazone;

import io.dmazone.jni.NativeLibrary;
import io.dmazone.jni.Natives;

/**
 * Linux errno values that dmazone's calls report, and their names and messages as the
 * C library gives them (through dmazone-jni, so that they match the system's).
 *
 * <p>The constants are the Linux x86-64 ABI values; code compares the errno of a
 * {@link NativeCallException} against them.
 */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int EOPNOTSUPP = 95;

    /**
     * The symbolic name from the C library ({@code strerrorname_np}), e.g. {@code "ENOMEM"};
     * {@code "errno 123"} for a number it does not name, or when the native library is
     * unavailable.
     */
    public static String name(int errno) {
        String name = cName(errno);
        return name != null ? name : "errno " + errno;
    }

    /**
     * The name and the C library's message ({@code strerror_r}), e.g.
     * {@code "ENOMEM (Cannot allocate memory)"}; {@code "errno 123"} when there is no name.
     */
    public static String describe(int errno) {
        String name = cName(errno);
        return name != null ? name + " (" + Natives.strerror(errno) + ")" : "errno " + errno;
    }

    private static String cName(int errno) {
        return NativeLibrary.isAvailable() ? Natives.errnoName(errno) : null;
    }
}
