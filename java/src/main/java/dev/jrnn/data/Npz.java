package dev.jrnn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * NumPy's {@code .npz} (what {@code np.savez} writes): a zip archive of {@code .npy} members. Only
 * stored (uncompressed) members can be memory-mapped; {@code np.savez_compressed} archives are
 * rejected with a message saying so. Zip64 archives (NumPy forces zip64 records) are read.
 *
 * <pre>{@code
 * Map<String, Npy.Header> arrays = Npz.headers(Path.of("data.npz"));   // "x" -> FLOAT32 [100, 20, 3]
 * }</pre>
 */
public final class Npz {
    private static final int EOCD = 0x06054b50, ZIP64_EOCD = 0x06064b50, ZIP64_LOCATOR = 0x07064b50,
            CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

    private Npz() {}

    /** The byte range of one member's {@code .npy} content inside the archive. */
    record Member(String name, long offset, long length) {}

    /** The arrays in {@code file} by name (without {@code .npy}), with their checked headers. */
    public static Map<String, Npy.Header> headers(Path file) throws IOException {
        dev.jrnn.io.AtomicFiles.requireRegularFile(file, "an .npz file");
        Map<String, Npy.Header> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Member m : members(file, ch).values()) out.put(m.name, Npy.header(ch, m.offset, m.length, source(file, m.name)));
        }
        return out;
    }

    /** Maps array {@code name} of {@code file}. */
    static ArrayData map(Path file, String name) throws IOException {
        dev.jrnn.io.AtomicFiles.requireRegularFile(file, "an .npz file");
        Member m;
        Npy.Header h;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, Member> all = members(file, ch);
            m = all.get(name);
            if (m == null) throw new IOException(file + ": no array '" + name + "' (it holds " + all.keySet() + ")");
            h = Npy.header(ch, m.offset, m.length, source(file, name));
        }
        return ArrayData.map(file, source(file, name), h, m.offset + h.dataOffset());
    }

    static String source(Path file, String member) {
        return file + ":" + member;
    }

    /** The stored members by array name, from the central directory. */
    static Map<String, Member> members(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        int tail = (int) Math.min(size, 22 + 65535 + 20);
        ByteBuffer end = read(ch, size - tail, tail, file);
        int at = -1;
        for (int i = tail - 22; i >= 0; i--) if (end.getInt(i) == EOCD) { at = i; break; }
        if (at < 0) throw new IOException(file + ": not a zip/.npz archive (no end-of-central-directory record)");
        long entries = end.getShort(at + 10) & 0xffff;
        long cdSize = end.getInt(at + 12) & 0xffffffffL, cdOffset = end.getInt(at + 16) & 0xffffffffL;
        if (at >= 20 && end.getInt(at - 20) == ZIP64_LOCATOR) {
            long z = end.getLong(at - 20 + 8);
            ByteBuffer z64 = read(ch, z, 56, file);
            if (z64.getInt(0) != ZIP64_EOCD) throw new IOException(file + ": corrupt zip64 end record");
            entries = z64.getLong(32);
            cdSize = z64.getLong(40);
            cdOffset = z64.getLong(48);
        }
        if (cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) throw new IOException(file + ": corrupt zip central directory (outside the file)");
        ByteBuffer cd = read(ch, cdOffset, (int) cdSize, file);
        Map<String, Member> out = new LinkedHashMap<>();
        int p = 0;
        for (long e = 0; e < entries; e++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL) throw new IOException(file + ": corrupt zip central directory at entry " + e);
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL, usize = cd.getInt(p + 24) & 0xffffffffL;
            int nlen = cd.getShort(p + 28) & 0xffff, xlen = cd.getShort(p + 30) & 0xffff, clen = cd.getShort(p + 32) & 0xffff;
            long local = cd.getInt(p + 42) & 0xffffffffL;
            if (p + 46 + nlen + xlen > cd.limit()) throw new IOException(file + ": corrupt zip central directory at entry " + e);
            byte[] nb = new byte[nlen];
            cd.get(p + 46, nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            // zip64 extra field: the 0xFFFFFFFF fields, in order usize, csize, local offset
            for (int x = p + 46 + nlen; x + 4 <= p + 46 + nlen + xlen; ) {
                int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
                if (id == 1) {
                    int q = x + 4;
                    if (usize == 0xffffffffL) { usize = cd.getLong(q); q += 8; }
                    if (csize == 0xffffffffL) { csize = cd.getLong(q); q += 8; }
                    if (local == 0xffffffffL) local = cd.getLong(q);
                }
                x += 4 + len;
            }
            p += 46 + nlen + xlen + clen;
            if (!name.endsWith(".npy")) continue;
            String key = name.substring(0, name.length() - 4);
            if (method != 0) {
                throw new IOException(source(file, key) + ": compressed member (np.savez_compressed); jrnn memory-maps only "
                        + "stored members: save with np.savez");
            }
            if (csize != usize) throw new IOException(source(file, key) + ": stored member with different sizes (" + csize + " vs " + usize + ")");
            ByteBuffer lh = read(ch, local, 30, file);
            if (lh.getInt(0) != LOCAL) throw new IOException(source(file, key) + ": corrupt zip local header at byte " + local);
            long data = local + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
            if (data + csize > size) throw new IOException(source(file, key) + ": truncated (member ends past the file)");
            out.put(key, new Member(key, data, csize));
        }
        return out;
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n, Path file) throws IOException {
        if (pos < 0 || pos + n > ch.size()) throw new IOException(file + ": corrupt zip: a record at byte " + pos + " lies outside the file");
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        Npy.readFully(ch, b, pos, file.toString());
        return b;
    }
}
