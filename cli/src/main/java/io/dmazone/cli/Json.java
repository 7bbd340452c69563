package io.dmazone.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;

/** JSON output of the {@code --json} options: one document per call, keys in insertion order. */
final class Json {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINE = new ObjectMapper();

    private Json() {
    }

    /** Writes {@code value} (maps, lists, strings, numbers) indented. */
    static void print(PrintWriter out, Object value) {
        out.println(write(PRETTY, value));
        out.flush();
    }

    /** Writes {@code value} on one line (for streams of samples). */
    static void printLine(PrintWriter out, Object value) {
        out.println(write(LINE, value));
        out.flush();
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass().getSimpleName() + ": " + e, e);
        }
    }
}
