package dev.jrnn.io.keras;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Where a zip's stored member lies, found from the zip's own records (its central directory entry, then its local
 * header), not through the readers under test; and a member's recorded CRC-32 set to its bytes' own, for files
 * written so on purpose.
 */
final class StoredMembers {
    private StoredMembers() {}

    /** Member {@code name}: its bytes' start in the file and their count, and where its two headers lie. */
    record Span(long start, long size, int localHeader, int centralEntry) {}

    /** {@code name}'s span in zip file {@code zip}, which must hold it stored (uncompressed). */
    static Span of(Path zip, String name) throws IOException {
        return of(Files.readAllBytes(zip), name);
    }

    /** {@code name}'s span in {@code zip}'s bytes, which must hold it stored (uncompressed). */
    static Span of(byte[] zip, String name) {
        ByteBuffer z = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
        for (int cd = 0; cd + 46 <= zip.length; cd++) {
            if (z.getInt(cd) != 0x02014b50 || (z.getShort(cd + 28) & 0xffff) != want.length
                    || !Arrays.equals(zip, cd + 46, cd + 46 + want.length, want, 0, want.length)) continue;
            if (z.getShort(cd + 10) != 0 || z.getInt(cd + 20) != z.getInt(cd + 24)) throw new AssertionError(name + " is not stored");
            int local = z.getInt(cd + 42);
            int data = local + 30 + (z.getShort(local + 26) & 0xffff) + (z.getShort(local + 28) & 0xffff);
            return new Span(data, z.getInt(cd + 24) & 0xffffffffL, local, cd);
        }
        throw new AssertionError("no member " + name);
    }

    /** Sets stored member {@code name}'s CRC-32 in its local header and central directory entry to its bytes' own. */
    static void restoreCrc(byte[] zip, String name) {
        Span s = of(zip, name);
        CRC32 crc = new CRC32();
        crc.update(zip, (int) s.start(), (int) s.size());
        ByteBuffer z = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        z.putInt(s.localHeader() + 14, (int) crc.getValue());
        z.putInt(s.centralEntry() + 16, (int) crc.getValue());
    }
}
