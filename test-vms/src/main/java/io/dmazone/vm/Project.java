package io.dmazone.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Where the checkout is and where VM runs keep their files. */
public final class Project {
    /** Set by the build to the checkout's top directory. */
    public static final String ROOT_PROPERTY = "dmazone.root";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    private Project() {
    }

    /**
     * The checkout's top directory. Guests see it at the same path, since virtme-ng
     * shares the host root with them read-only.
     */
    public static Path root() {
        String configured = System.getProperty(ROOT_PROPERTY);
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("ci/setup")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the dmazone checkout above " + start
                + "; run from inside it or set -D" + ROOT_PROPERTY);
    }

    /**
     * The classpath for running test-vms' guest-side mains (io.dmazone.guest) with java
     * inside a VM, which sees this machine's root: test-vms' classes and the dependencies
     * mvn listed in target/guest-classpath.txt (process-classes).
     */
    public static String guestClasspath() {
        Path module = root().resolve("test-vms");
        Path listed = module.resolve("target/guest-classpath.txt");
        try {
            return module.resolve("target/classes") + ":" + Files.readString(listed).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + listed + "; run mvn process-classes in test-vms", e);
        }
    }

    /** A new, empty directory for one VM run, under test-vms/target/vms. */
    public static Path newRunDirectory(String name) {
        Path dir = root().resolve("test-vms/target/vms").resolve(name + "-" + LocalDateTime.now().format(STAMP));
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Copies one of this package's scripts into {@code dir}, executable, and returns its path. */
    static Path installScript(String resource, Path dir) {
        Path target = dir.resolve(resource);
        try (InputStream in = Project.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("script " + resource + " is missing from the classpath");
            }
            Files.createDirectories(dir);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install " + resource + " into " + dir, e);
        }
    }
}
