package io.dmazone.memory;

import io.dmazone.Sizes;
import io.dmazone.internal.Sys;
import io.dmazone.jni.Natives;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A range of memory mapped into this process: anonymous, memfd-backed or hugetlb; or a
 * device region mapped by {@code VfioDevice}. Closing it unmaps it (and closes the memfd).
 * Unmap DMA mappings of it first: a still-mapped DMA keeps its pages pinned.
 */
public final class NativeMemory implements AutoCloseable {
    /** How the memory was obtained. */
    public enum Kind {
        /** {@code mmap(MAP_PRIVATE | MAP_ANONYMOUS)}. */
        ANONYMOUS,
        /** {@code memfd_create} + {@code mmap(MAP_SHARED)}: shareable with another process through the fd. */
        MEMFD,
        /** {@code mmap(MAP_ANONYMOUS | MAP_HUGETLB)} with the default huge page size. */
        HUGETLB,
        /** A VFIO device region. */
        DEVICE_REGION
    }

    private final Kind kind;
    private final long address;
    private final long size;
    private final int fd;
    private volatile boolean closed;

    private NativeMemory(Kind kind, long address, long size, int fd) {
        this.kind = kind;
        this.address = address;
        this.size = size;
        this.fd = fd;
    }

    /** Anonymous private memory, zero-filled, not yet faulted in. */
    public static NativeMemory anonymous(long size) {
        return map(Kind.ANONYMOUS, size, Natives.MAP_PRIVATE | Natives.MAP_ANONYMOUS, -1,
                "raise vm.max_map_count or the address-space limit, or map less");
    }

    /**
     * Anonymous memory in huge pages of the default size (2 MiB on x86-64).
     * Needs reserved huge pages: {@code echo N > /proc/sys/vm/nr_hugepages}.
     */
    public static NativeMemory hugetlb(long size) {
        return map(Kind.HUGETLB, size, Natives.MAP_PRIVATE | Natives.MAP_ANONYMOUS | Natives.MAP_HUGETLB, -1,
                "reserve huge pages first (echo N > /proc/sys/vm/nr_hugepages) and use a multiple of 2 MiB");
    }

    /** Memory backed by a new memfd of {@code size} bytes, mapped shared. */
    public static NativeMemory memfd(String name, long size) {
        checkSize(size);
        Sys.requireNatives();
        int fd = Sys.check(Natives.memfdCreate(name, 0), "memfd_create(" + name + ")", null);
        try {
            Sys.check(Natives.ftruncate(fd, size), "ftruncate(memfd, " + Sizes.format(size) + ")", null);
            long addr = Sys.check(Natives.mmap(size, Natives.PROT_READ | Natives.PROT_WRITE, Natives.MAP_SHARED, fd, 0),
                    "mmap(memfd, " + Sizes.format(size) + ")", null);
            return new NativeMemory(Kind.MEMFD, addr, size, fd);
        } catch (RuntimeException e) {
            Natives.close(fd);
            throw e;
        }
    }

    /** Wraps a mapping made by a VFIO device region mmap; for {@code io.dmazone.vfio}. */
    public static NativeMemory deviceRegion(long address, long size) {
        return new NativeMemory(Kind.DEVICE_REGION, address, size, -1);
    }

    private static NativeMemory map(Kind kind, long size, int flags, int fd, String hint) {
        checkSize(size);
        Sys.requireNatives();
        long addr = Sys.check(Natives.mmap(size, Natives.PROT_READ | Natives.PROT_WRITE, flags, fd, 0),
                "mmap(" + kind + ", " + Sizes.format(size) + ")", hint);
        return new NativeMemory(kind, addr, size, fd);
    }

    private static void checkSize(long size) {
        if (size <= 0 || size % Sizes.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("memory size " + size + " must be a positive multiple of 4 KiB");
        }
    }

    /** How it was obtained. */
    public Kind kind() {
        return kind;
    }

    /** Its virtual address in this process. */
    public long address() {
        ensureOpen();
        return address;
    }

    /** Its size in bytes. */
    public long size() {
        return size;
    }

    /** The memfd ({@link Kind#MEMFD}), else -1. */
    public int fd() {
        return fd;
    }

    /** True once closed. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * A little-endian direct buffer over the whole memory (at most 2 GiB - 1); valid until
     * {@link #close()}.
     */
    public ByteBuffer buffer() {
        return buffer(0, size);
    }

    /** A little-endian direct buffer over {@code [offset, offset + length)}. */
    public ByteBuffer buffer(long offset, long length) {
        ensureOpen();
        if (offset < 0 || length < 0 || offset > size || length > size - offset || length > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("buffer [" + offset + ", +" + length + ") outside memory of "
                    + size + " bytes (or over 2 GiB); ask for a smaller window");
        }
        return Natives.directBuffer(address + offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(kind + " memory of " + Sizes.format(size) + " is closed");
        }
    }

    /** Unmaps the memory (and closes the memfd); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        int r = Natives.munmap(address, size);
        int c = fd >= 0 ? Natives.close(fd) : 0;
        Sys.check(r, "munmap(" + Sizes.hex(address) + ", " + Sizes.format(size) + ")", null);
        Sys.check(c, "close(memfd)", null);
    }

    @Override
    public String toString() {
        return "NativeMemory[" + kind + ", " + Sizes.format(size) + " at " + Sizes.hex(address)
                + (closed ? ", closed" : "") + "]";
    }
}
