package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Metadata kept in a header at the start of an aio backing file, where a real blobstore keeps its super block,
 * so that re-creating the aio bdev (even in a new process) finds the lvstore again.
 * Layout: 8-byte magic, 4-byte big-endian length, UTF-8 JSON; at most {@link #CAPACITY} bytes.
 */
final class AioFileMetadataArea implements MetadataArea {
    static final byte[] MAGIC = "VDAEMUL1".getBytes(StandardCharsets.US_ASCII);
    static final int CAPACITY = 1 << 20;

    private final Path file;

    AioFileMetadataArea(Path file) {
        this.file = file;
    }

    @Override
    public synchronized JsonNode read() throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            if (raf.length() < MAGIC.length + 4) {
                return null;
            }
            byte[] magic = new byte[MAGIC.length];
            raf.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                return null;
            }
            int len = raf.readInt();
            if (len <= 0 || len > CAPACITY - MAGIC.length - 4) {
                return null;
            }
            byte[] body = new byte[len];
            raf.readFully(body);
            return Json.MAPPER.readTree(body);
        }
    }

    @Override
    public synchronized void write(JsonNode record) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            if (record == null) {
                raf.write(new byte[MAGIC.length + 4]);
                return;
            }
            byte[] body = Json.MAPPER.writeValueAsBytes(record);
            if (body.length > CAPACITY - MAGIC.length - 4) {
                throw new IOException("lvstore metadata exceeds the emulator's header of " + CAPACITY + " bytes");
            }
            raf.write(MAGIC);
            raf.writeInt(body.length);
            raf.write(body);
        }
    }
}
