package io.dmazone.vm;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A VM's console file, written line by line from several streams, keeping the
 * last lines in memory for error messages.
 */
final class ConsoleLog implements AutoCloseable {
    private static final int TAIL_LINES = 40;
    private final Path path;
    private final BufferedWriter writer;
    private final Deque<String> tail = new ArrayDeque<>();

    ConsoleLog(Path path) {
        this.path = path;
        try {
            this.writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create console log " + path, e);
        }
    }

    Path path() {
        return path;
    }

    synchronized void append(String line) {
        try {
            writer.write(line);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write console log " + path, e);
        }
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
    }

    synchronized String tail() {
        return String.join("\n", tail);
    }

    synchronized String contents() {
        try {
            return new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console log " + path, e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        writer.close();
    }
}
