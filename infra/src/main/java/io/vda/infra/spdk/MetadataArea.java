package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The emulator's stand-in for the first blocks of a device, where SPDK's blobstore keeps lvstore metadata.
 * A record is a JSON tree; {@code null} means blank (never written, or wiped).
 */
interface MetadataArea {
    JsonNode read() throws IOException;

    void write(JsonNode record) throws IOException;

    /** Malloc memory: alive as long as the bdev. */
    static MetadataArea inMemory() {
        return new MetadataArea() {
            private JsonNode record;

            @Override
            public JsonNode read() {
                return record;
            }

            @Override
            public void write(JsonNode r) {
                record = r;
            }
        };
    }
}
