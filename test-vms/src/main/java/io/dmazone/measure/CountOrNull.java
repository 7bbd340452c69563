package io.dmazone.measure;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/** Writes a count that holds -1 for "not counted" as null in the JSON reports. */
final class CountOrNull extends StdSerializer<Long> {
    CountOrNull() {
        super(Long.class);
    }

    @Override
    public void serialize(Long count, JsonGenerator out, SerializerProvider provider) throws IOException {
        if (count < 0) {
            out.writeNull();
        } else {
            out.writeNumber(count);
        }
    }
}
