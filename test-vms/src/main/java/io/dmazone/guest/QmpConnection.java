package io.dmazone.guest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A QMP session with a QEMU started with {@code -qmp unix:PATH,server=on}: one JSON object per
 * line each way. Commands are sent one at a time; the reply is the next line that holds
 * {@code "return"} or {@code "error"}; the asynchronous events QEMU sends in between are kept
 * for {@link #awaitEvent}. Only what the harness sends is built here: commands whose arguments
 * are strings.
 */
final class QmpConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private final Deque<String> events = new ArrayDeque<>();

    private QmpConnection(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects, reads QEMU's greeting and leaves capabilities negotiation, ready for commands. */
    static QmpConnection open(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            QmpConnection qmp = new QmpConnection(channel);
            String greeting = qmp.in.readLine();
            if (greeting == null || !greeting.contains("\"QMP\"")) {
                throw new IOException("no QMP greeting on " + socket + ": " + greeting);
            }
            qmp.execute("qmp_capabilities", Map.of());
            return qmp;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Runs a command; returns QEMU's reply line.
     *
     * @throws QmpException when QEMU answers with an error
     * @throws IOException  when the connection fails or closes before the reply
     */
    String execute(String command, Map<String, String> arguments) throws IOException {
        out.write((command(command, arguments) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("{\"return\"")) {
                return line;
            }
            if (line.startsWith("{\"error\"")) {
                throw new QmpException(command, line);
            }
            if (line.contains("\"event\"")) {
                events.add(line);
            }
        }
        throw new IOException("QEMU closed the QMP connection before replying to " + command);
    }

    /**
     * Waits for an event (one already received first) named {@code event} whose line contains
     * {@code detail}, such as {@code "device": "ID"}; returns its line.
     *
     * @throws IOException when the connection closes first
     */
    String awaitEvent(String event, String detail) throws IOException {
        String name = "\"event\": " + quote(event);
        for (String line : events) {
            if (line.contains(name) && line.contains(detail)) {
                events.remove(line);
                return line;
            }
        }
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.contains(name) && line.contains(detail)) {
                return line;
            }
        }
        throw new IOException("QEMU closed the QMP connection before " + event + " with " + detail);
    }

    /** The command as QMP's JSON: {@code {"execute": C, "arguments": {K: V, ...}}}. */
    static String command(String command, Map<String, String> arguments) {
        StringBuilder json = new StringBuilder("{\"execute\": ").append(quote(command));
        if (!arguments.isEmpty()) {
            json.append(", \"arguments\": {");
            String sep = "";
            for (Map.Entry<String, String> a : arguments.entrySet()) {
                json.append(sep).append(quote(a.getKey())).append(": ").append(quote(a.getValue()));
                sep = ", ";
            }
            json.append('}');
        }
        return json.append('}').toString();
    }

    /**
     * A {@code device_add} specification as QEMU's {@code -device} reads it
     * ({@code DRIVER,KEY=VALUE,...}) as the command's arguments, the driver first.
     *
     * @throws IllegalArgumentException for a part that is not KEY=VALUE
     */
    static Map<String, String> deviceAddArguments(String spec) {
        String[] parts = spec.split(",");
        if (parts[0].isEmpty() || parts[0].contains("=")) {
            throw new IllegalArgumentException("device_add: '" + spec + "' must start with the driver, e.g. vfio-pci,host=...");
        }
        Map<String, String> args = new LinkedHashMap<>();
        args.put("driver", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("device_add: '" + parts[i] + "' in '" + spec
                        + "' is not KEY=VALUE");
            }
            args.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return args;
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c < 0x20) {
                q.append(String.format("\\u%04x", (int) c));
            } else {
                q.append(c);
            }
        }
        return q.append('"').toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** QEMU's error reply to a command, which it carries whole. */
    static final class QmpException extends IOException {
        private static final long serialVersionUID = 1L;

        QmpException(String command, String reply) {
            super(command + " failed: " + reply);
        }
    }
}
