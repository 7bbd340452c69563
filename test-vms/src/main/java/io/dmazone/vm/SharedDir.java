package io.dmazone.vm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A host directory the guest may write, mounted at {@code guestPath}. virtme-ng can
 * mount writable directories only inside its guest overlays, so the guest path lies
 * under /tmp.
 */
public record SharedDir(Path hostPath, String guestPath) {
    public SharedDir {
        if (hostPath == null || !hostPath.isAbsolute() || !Files.isDirectory(hostPath)) {
            throw new IllegalArgumentException("sharedDirs: " + hostPath + " must be an existing absolute directory");
        }
        if (guestPath == null || !guestPath.matches("/tmp/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")) {
            throw new IllegalArgumentException("sharedDirs: guest path '" + guestPath
                    + "' must lie under /tmp (virtme-ng mounts writable directories only inside its overlays)");
        }
    }
}
