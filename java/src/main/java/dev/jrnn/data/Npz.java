package dev.jrnn.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * NumPy's {@code .npz} (what {@code np.savez} and {@code np.savez_compressed} write): a zip archive of
 * {@code .npy} members. Stored members ({@code np.savez}) are memory-mapped; deflated ones
 * ({@code np.savez_compressed}) are inflated into off-heap memory when opened, their CRC checked, as
 * {@code np.load} reads them into memory. Zip64 archives (NumPy forces zip64 records) are read.
 *
 * <pre>{@code
 * Map<String, Npy.Header> arrays = Npz.headers(Path.of("data.npz"));   // "x" -> FLOAT32 [100, 20, 3]
 * }</pre>
 */
public final class Npz {
    private static final int EOCD = 0x06054b50, ZIP64_EOCD = 0x06064b50, ZIP64_LOCATOR = 0x07064b50,
            CENTRAL = 0x02014b50, LOCAL = 0x04034b50;

    private Npz() {}

    /**
     * One member's {@code .npy} content inside the archive: {@code length} bytes at {@code offset}, stored ({@code method} 0)
     * or deflated (8) from {@code size} bytes whose CRC-32 is {@code crc}.
     */
    record Member(String name, long offset, long length, int method, long size, long crc) {}

    private static final int STORED = 0, DEFLATED = 8;

    /** The arrays in {@code file} by name (without {@code .npy}), with their checked headers. */
    public static Map<String, Npy.Header> headers(Path file) throws IOException {
        dev.jrnn.io.AtomicFiles.requireRegularFile(file, "an .npz file");
        Map<String, Npy.Header> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Member m : members(file, ch).values()) out.put(m.name, header(file, ch, m));
        }
        return out;
    }

    /** Maps array {@code name} of {@code file}. */
    static ArrayData map(Path file, String name) throws IOException {
        dev.jrnn.io.AtomicFiles.requireRegularFile(file, "an .npz file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Map<String, Member> all = members(file, ch);
            Member m = all.get(name);
            if (m == null) throw new IOException(file + ": no array '" + name + "' (it holds " + all.keySet() + ")");
            if (m.method == DEFLATED) {
                try (Inflating z = new Inflating(file, ch, m)) {
                    Npy.Header h = Npy.header(z.region(), m.size, z.src);   // checked against the member's size before it is inflated whole
                    return ArrayData.inMemory(z.src, h, z.upTo(m.size).asSlice(h.dataOffset()));
                }
            }
            Npy.Header h = header(file, ch, m);
            Npy.afterHeader();
            return ArrayData.map(ch, file, source(file, name), h, m.offset + h.dataOffset());
        }
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
            int p0 = p;
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
            if (method != STORED && method != DEFLATED) {
                throw new IOException(source(file, key) + ": zip compression method " + method + "; jrnn reads stored (np.savez) "
                        + "and deflated (np.savez_compressed) members");
            }
            if (method == STORED && csize != usize) {
                throw new IOException(source(file, key) + ": stored member with different sizes (" + csize + " vs " + usize + ")");
            }
            ByteBuffer lh = read(ch, local, 30, file);
            if (lh.getInt(0) != LOCAL) throw new IOException(source(file, key) + ": corrupt zip local header at byte " + local);
            long data = local + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
            if (data + csize > size) throw new IOException(source(file, key) + ": truncated (member ends past the file)");
            out.put(key, new Member(key, data, csize, method, usize, cd.getInt(p0 + 16) & 0xffffffffL));
        }
        return out;
    }

    /** A stored member's header from the file; a deflated one's from the few bytes of it inflated for the header. */
    private static Npy.Header header(Path file, FileChannel ch, Member m) throws IOException {
        if (m.method == STORED) return Npy.header(ch, m.offset, m.length, source(file, m.name));
        try (Inflating z = new Inflating(file, ch, m)) {
            return Npy.header(z.region(), m.size, z.src);
        }
    }

    /**
     * Deflated member {@code m} inflated front to back, once, into off-heap memory (freed when unreachable) that grows as far as
     * asked: the header first, then, once checked, the whole member, which is checked against its size and CRC-32.
     */
    private static final class Inflating implements AutoCloseable {
        final String src;
        private final FileChannel ch;
        private final Member m;
        private final Inflater inf = new Inflater(true);
        private final CRC32 crc = new CRC32();
        private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
        private MemorySegment out = MemorySegment.ofArray(new byte[0]);
        private long read, done;

        Inflating(Path file, FileChannel ch, Member m) throws IOException {
            this.src = source(file, m.name);
            this.ch = ch;
            this.m = m;
            if (m.size > m.length * 1032 + 1024) {   // deflate inflates at most 1032:1
                inf.end();
                throw new IOException(src + ": corrupt zip directory: " + m.length + " deflated bytes cannot inflate to " + m.size);
            }
        }

        /** The inflated bytes as far as the header parser reads them. */
        Npy.Region region() {
            return (b, pos) -> {
                int n = b.remaining();
                if (pos + n > m.size) throw new IOException(src + ": read past its " + m.size + " inflated bytes at " + pos);
                b.put(upTo(pos + n).asSlice(pos, n).asByteBuffer());
                b.flip();
            };
        }

        /** The first {@code bytes} bytes of the member. */
        MemorySegment upTo(long bytes) throws IOException {
            if (bytes > out.byteSize()) {
                MemorySegment grown;
                try {
                    grown = Arena.ofAuto().allocate(Math.max(1, bytes)).asSlice(0, bytes);
                } catch (OutOfMemoryError e) {   // the zip directory's size, before a byte of the data proved it
                    throw new IOException(src + ": cannot allocate " + bytes + " bytes to inflate this member (its size in the zip directory): "
                            + e.getMessage(), e);
                }
                MemorySegment.copy(out, 0, grown, 0, done);
                out = grown;
            }
            while (done < bytes) {
                if (inf.needsInput()) {
                    if (read >= m.length) throw new IOException(src + ": corrupt deflated member: it ends after " + done + " of " + m.size + " bytes");
                    in.clear().limit((int) Math.min(in.capacity(), m.length - read));
                    Npy.readFully(ch, in, m.offset + read, src);
                    read += in.remaining();
                    inf.setInput(in);
                }
                int n;
                try {
                    n = inf.inflate(out.asSlice(done, Math.min(bytes - done, 1 << 30)).asByteBuffer());
                } catch (DataFormatException e) {
                    throw new IOException(src + ": corrupt deflated member: " + e.getMessage(), e);
                }
                if (n == 0 && (inf.finished() || inf.needsDictionary())) {
                    throw new IOException(src + ": corrupt deflated member: it inflates to " + done + " bytes, the zip directory says " + m.size);
                }
                crc.update(out.asSlice(done, n).asByteBuffer());
                done += n;
                if (done == m.size && crc.getValue() != m.crc) {
                    throw new IOException(src + ": corrupt deflated member: CRC-32 " + Long.toHexString(crc.getValue()) + ", the zip directory says "
                            + Long.toHexString(m.crc));
                }
            }
            return out.asSlice(0, bytes);
        }

        @Override
        public void close() {
            inf.end();
        }
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n, Path file) throws IOException {
        if (pos < 0 || pos + n > ch.size()) throw new IOException(file + ": corrupt zip: a record at byte " + pos + " lies outside the file");
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        Npy.readFully(ch, b, pos, file.toString());
        return b;
    }
}
