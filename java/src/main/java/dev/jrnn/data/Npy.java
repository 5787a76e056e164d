package dev.jrnn.data;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.io.FileFaults;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format: header versions 1, 2 and 3, little- or big-endian float16/32/64,
 * signed and unsigned integers and bool, C or Fortran order (a Fortran-order array reads as NumPy
 * indexes it, element by element: slower than C order). Files are read by memory-mapping
 * ({@link #map(Path)}), so an array may be larger than a Java array; {@link #write} writes float32
 * version-1 files that NumPy reads, {@link NpyWriter} streams rows of unknown count to disk.
 *
 * <pre>{@code
 * Npy.write(Path.of("x.npy"), Tensor.zeros(100, 20, 3));
 * Npy.Header h = Npy.header(Path.of("x.npy"));   // FLOAT32, shape [100, 20, 3]
 * Tensor x = Npy.read(Path.of("x.npy"));
 * }</pre>
 */
public final class Npy {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Largest header accepted (NumPy's own default limit is 10 000 bytes). */
    static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    /**
     * A parsed header: the element type and byte order, the shape, where the data starts and its order.
     *
     * @param dataOffset   byte offset of the first element from the start of the file (or npz member)
     * @param fortranOrder whether the elements are stored first axis fastest (NumPy's {@code fortran_order}; false for 1-d)
     */
    public record Header(DType dtype, ByteOrder order, long[] shape, long dataOffset, boolean fortranOrder) {
        /** Keeps a copy of the shape. */
        public Header {
            shape = shape.clone();
        }

        /** A copy of the shape. */
        @Override
        public long[] shape() { return shape.clone(); }

        /** Number of elements (product of the shape). */
        public long elements() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Header h && dtype == h.dtype && order.equals(h.order) && java.util.Arrays.equals(shape, h.shape)
                    && dataOffset == h.dataOffset && fortranOrder == h.fortranOrder;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(dtype, order, java.util.Arrays.hashCode(shape), dataOffset, fortranOrder);
        }

        /** E.g. {@code FLOAT32 [100, 20, 3] little-endian, data at byte 128}. */
        @Override
        public String toString() {
            return dtype + " " + java.util.Arrays.toString(shape) + (order == ByteOrder.BIG_ENDIAN ? " big" : " little")
                    + "-endian" + (fortranOrder ? ", Fortran order" : "") + ", data at byte " + dataOffset;
        }
    }

    /** Reads and checks the header of {@code file}. */
    public static Header header(Path file) throws IOException {
        dev.jrnn.io.AtomicFiles.requireRegularFile(file, "a .npy file");
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {   // any file system
            return header((b, pos) -> readFully(ch, b, pos, file.toString()), ch.size(), file.toString());
        }
    }

    /** Maps the array in {@code file} (after checking its header and size), its header read through the handle it maps. */
    static ArrayData map(Path file) throws IOException {
        AtomicFiles.requireRegularFile(file, "a .npy file");
        ArrayData.requireMappable("map", file.toString(), file);   // before the open: zipfs' FileChannel copies a jar's member
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(ch, 0, ch.size(), file.toString());
            afterHeader();
            return ArrayData.map(ch, file, file.toString(), h, h.dataOffset);
        }
    }

    /**
     * Per thread, for tests: run by {@link #map} and {@code Npz.map} between the read of an array's header and the mapping
     * of its data, so a test renames another file over the path exactly there.
     */
    static final ThreadLocal<Runnable> AFTER_HEADER = new ThreadLocal<>();

    static void afterHeader() {
        Runnable hook = AFTER_HEADER.get();
        if (hook != null) hook.run();
    }

    /** Reads the whole array as a float32 Tensor (converting other dtypes); at most 2^31 - 9 elements. */
    public static Tensor read(Path file) throws IOException {
        // a jar's or an in-memory file system cannot map: the array is read into memory (it becomes a Tensor anyway)
        ArrayData a = file != null && file.getFileSystem() != FileSystems.getDefault() ? readWhole(file) : map(file);
        for (long d : a.shape) {
            if (d == 0) {
                throw new IOException(file + ": the array of shape " + shapeString(a.shape) + " is empty; a Tensor needs positive dimensions");
            }
        }
        long n = Tensor.size(toInts(a.shape, file.toString()));
        if (n > Integer.MAX_VALUE - 8) {
            throw new IOException(file + ": " + n + " elements do not fit a Tensor (at most 2^31 - 9); use Dataset.fromNpy");
        }
        float[] d = new float[(int) n];
        a.copyFloats(0, n, MemorySegment.ofArray(d), 0);
        int[] s = toInts(a.shape, file.toString());
        return Tensor.wrap(d, s.length == 0 ? new int[] {1} : s);
    }

    /** The array in {@code file} read into memory (after checking its header and size), for file systems that cannot map. */
    private static ArrayData readWhole(Path file) throws IOException {
        dev.jrnn.io.AtomicFiles.requireRegularFile(file, "a .npy file");
        String source = file.toString();
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
            long size = ch.size();
            Header h = header((b, pos) -> readFully(ch, b, pos, source), size, source);
            if (h.elements() > Integer.MAX_VALUE - 8) {   // Npy.read's own refusal, before anything is allocated
                throw new IOException(file + ": " + h.elements() + " elements do not fit a Tensor (at most 2^31 - 9); use Dataset.fromNpy");
            }
            long bytes = h.elements() * h.dtype().width();
            if (h.dataOffset + bytes > size) {   // the words of ArrayData.map's refusal
                throw new IOException(source + ": truncated: the header promises " + bytes + " data bytes from byte "
                        + h.dataOffset + ", the file has " + size + " bytes");
            }
            MemorySegment data = bytes == 0 ? MemorySegment.NULL : Arena.ofAuto().allocate(bytes, 8);
            for (long at = 0; at < bytes; ) {
                long n = Math.min(1 << 20, bytes - at);
                readFully(ch, data.asSlice(at, n).asByteBuffer(), h.dataOffset + at, source);
                at += n;
            }
            return ArrayData.inMemory(source, h, data);
        }
    }

    /** Writes {@code t} as a little-endian float32 version-1 {@code .npy}, atomically (temp file + rename). */
    public static void write(Path file, Tensor t) throws IOException {
        if (file == null) throw new IllegalArgumentException("Npy.write: file is null");
        if (t == null) throw new IllegalArgumentException("Npy.write: tensor is null");
        int[] s = t.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = s[i];
        float[] d = t.data();
        write("Npy.write", file, headerBytes("<f4", shape), d.length, 4, (bb, i, n) -> bb.asFloatBuffer().put(d, i, n));
    }

    /** Writes {@code values} as a 1-d little-endian int64 {@code .npy} (ragged offsets), atomically. */
    public static void writeInt64(Path file, long[] values) throws IOException {
        if (file == null) throw new IllegalArgumentException("Npy.writeInt64: file is null");
        if (values == null) throw new IllegalArgumentException("Npy.writeInt64: values is null");
        write("Npy.writeInt64", file, headerBytes("<i8", new long[] {values.length}), values.length, 8,
                (bb, i, n) -> bb.asLongBuffer().put(values, i, n));
    }

    /** Puts elements {@code [from, from + n)} into a little-endian buffer. */
    private interface Chunk {
        void put(ByteBuffer bb, int from, int n);
    }

    /** Through {@link FileFaults#save}: an interrupt or a failure says {@code who(file)} and that the old file is unchanged. */
    private static void write(String who, Path file, byte[] header, int count, int width, Chunk chunk) throws IOException {
        FileFaults.save(who, file, () -> AtomicFiles.write(file, out -> {
            out.write(header);
            ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; ) {
                int n = Math.min(count - i, bb.capacity() / width);
                bb.clear();
                chunk.put(bb, i, n);
                out.write(bb.array(), 0, n * width);
                i += n;
            }
        }));
    }

    /**
     * The full header (magic, version, length, dict, padding and newline) of a version-1 file, or
     * version 2 when the dict needs more than 65535 bytes; the total is a multiple of 64 like NumPy's.
     */
    static byte[] headerBytes(String descr, long[] shape) {
        return headerBytes(descr, shape, 0);
    }

    /** As {@link #headerBytes(String, long[])}, padded to at least {@code minTotal} bytes. */
    static byte[] headerBytes(String descr, long[] shape, int minTotal) {
        StringBuilder b = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) b.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        b.append("), }");
        byte[] dict = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        int v = dict.length + 11 < 65536 ? 1 : 2;
        int pre = v == 1 ? 10 : 12;
        int total = Math.max(minTotal, (pre + dict.length + 1 + 63) / 64 * 64);
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) v).put((byte) 0);
        if (v == 1) out.putShort((short) (total - pre));
        else out.putInt(total - pre);
        out.put(dict);
        while (out.position() < total - 1) out.put((byte) ' ');
        out.put((byte) '\n');
        return out.array();
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Fills {@code b} from byte {@code pos} of a {@code .npy} region and flips it. */
    interface Region {
        void read(ByteBuffer b, long pos) throws IOException;
    }

    /** Parses the header at {@code base} of a region of {@code length} bytes (a file or an npz member). */
    static Header header(FileChannel ch, long base, long length, String source) throws IOException {
        return header((b, pos) -> readFully(ch, b, base + pos, source), length, source);
    }

    /** Parses the header of a {@code .npy} of {@code length} bytes read through {@code region} (an inflated npz member). */
    static Header header(Region region, long length, String source) throws IOException {
        if (length < 10) throw new IOException(source + ": not a .npy file (" + length + " bytes, shorter than the 10-byte preamble)");
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        pre.limit((int) Math.min(12, length));
        region.read(pre, 0);
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre.get(i) != MAGIC[i]) throw new IOException(source + ": not a .npy file (the magic string \\x93NUMPY is missing)");
        }
        int major = pre.get(6) & 0xff;
        long hlen, start;
        if (major == 1) {
            hlen = pre.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (length < 12) throw new IOException(source + ": truncated .npy header (" + length + " bytes)");
            hlen = pre.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new IOException(source + ": .npy format version " + major + "." + (pre.get(7) & 0xff)
                    + " is not supported (jrnn reads versions 1, 2 and 3)");
        }
        if (hlen > MAX_HEADER) throw new IOException(source + ": .npy header of " + hlen + " bytes is larger than " + MAX_HEADER);
        if (start + hlen > length) {
            throw new IOException(source + ": truncated .npy header: it declares " + hlen + " bytes, the file has "
                    + (length - start) + " after the preamble");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) hlen);
        region.read(hb, start);
        String dict = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        if (!dict.startsWith("{") || !dict.endsWith("}")) throw new IOException(source + ": corrupt .npy header: not a dict: " + clip(dict));
        if (dict.matches("(?s).*'descr'\\s*:\\s*\\[.*")) {
            throw new IOException(source + ": structured dtypes are not supported; save a plain numeric array");
        }
        String descr = group(DESCR, dict, "descr", source);
        boolean fortran = group(FORTRAN, dict, "fortran_order", source).equals("True");
        long[] shape = parseShape(group(SHAPE, dict, "shape", source), source);
        if (descr.length() < 3) throw new IOException(source + ": unsupported dtype '" + descr + "'");
        char mark = descr.charAt(0);
        DType t = DType.ofNumpy(descr.substring(1));
        if (t == null || "<>|=".indexOf(mark) < 0) {
            throw new IOException(source + ": unsupported dtype '" + descr + "'; jrnn reads float16/32/64, int8-64, uint8-64 and bool");
        }
        ByteOrder order = mark == '>' ? ByteOrder.BIG_ENDIAN : mark == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.nativeOrder();
        Header h = new Header(t, order, shape, start + hlen, fortran && shape.length > 1);
        long need;
        try {
            need = Math.multiplyExact(h.elements(), (long) t.width());
        } catch (ArithmeticException e) {
            throw new IOException(source + ": shape " + java.util.Arrays.toString(shape) + " overflows 2^63 bytes");
        }
        long have = length - h.dataOffset;
        if (have != need) {
            throw new IOException(source + ": " + (have < need ? "truncated" : "has trailing bytes") + ": shape "
                    + java.util.Arrays.toString(shape) + " of " + descr + " needs " + need + " data bytes, found " + have);
        }
        return h;
    }

    private static long[] parseShape(String inner, String source) throws IOException {
        String s = inner.strip();
        if (s.endsWith(",")) s = s.substring(0, s.length() - 1);
        if (s.isBlank()) return new long[0];
        String[] parts = s.split(",");
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.endsWith("L")) p = p.substring(0, p.length() - 1);
            try {
                shape[i] = Long.parseLong(p);
            } catch (NumberFormatException e) {
                throw new IOException(source + ": corrupt .npy header: shape entry '" + parts[i].strip() + "' is not an integer");
            }
            if (shape[i] < 0) throw new IOException(source + ": corrupt .npy header: negative dimension " + shape[i]);
        }
        return shape;
    }

    private static String group(Pattern p, String dict, String key, String source) throws IOException {
        Matcher m = p.matcher(dict);
        if (!m.find()) throw new IOException(source + ": corrupt .npy header: no valid '" + key + "' in " + clip(dict));
        return m.group(1);
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    /** NumPy's way of writing a shape: {@code (0, 3)}, {@code (5,)}. */
    static String shapeString(long[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) b.append(i > 0 ? ", " : "").append(shape[i]);
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    static int[] toInts(long[] shape, String source) throws IOException {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) throw new IOException(source + ": dimension " + shape[i] + " exceeds 2^31 - 1");
            s[i] = (int) shape[i];
        }
        return s;
    }

    /** As {@link #readFully(FileChannel, ByteBuffer, long, String)} through a channel of one reader (any file system). */
    static void readFully(SeekableByteChannel ch, ByteBuffer b, long pos, String source) throws IOException {
        ch.position(pos);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new IOException(source + ": unexpected end of file at byte " + ch.position());
        }
        b.flip();
    }

    static void readFully(FileChannel ch, ByteBuffer b, long pos, String source) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException(source + ": unexpected end of file at byte " + pos);
            pos += r;
        }
        b.flip();
    }
}
