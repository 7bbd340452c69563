package io.dmazone;

import java.nio.file.Path;

/** Reading or writing a sysfs file failed, or the kernel did not do what the write asked. */
public class SysfsException extends DmazoneException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /** @param path the sysfs file involved */
    public SysfsException(Path path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /** The sysfs file involved. */
    public Path path() {
        return path;
    }
}
