package dev.jrnn.io;

import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (the one Hugging Face, PyTorch and Keras 3 read):
 *
 * <pre>
 * [8 bytes]  N, the header length, unsigned 64-bit little-endian
 * [N bytes]  UTF-8 JSON header, padded with spaces to a multiple of 8 bytes:
 *            {"__metadata__":{"format":"jrnn",...},
 *             "lstm/kernel":{"dtype":"F32","shape":[1,400],"data_offsets":[0,1600]}, ...}
 * [rest]     the tensors' bytes, little-endian, row-major, back to back in header order;
 *            data_offsets are [begin, end) relative to the first byte after the header
 * </pre>
 *
 * jrnn writes F32 only; it reads F32, F64, F16 and BF16 (converted to float32); {@link #layout} (what the
 * datasets map) also takes the integer and BOOL tensors of labels and masks, and empty ones. Writes are atomic
 * (temp file + rename). Reads check the whole header before the first data byte: the header length
 * against the file, strict UTF-8 JSON, every dtype, shape and data_offsets, that the tensors tile the
 * data region exactly and that the file has no missing or extra bytes; a bad file gives an
 * IOException naming the file and the problem.
 *
 * <pre>{@code
 * SafeTensors.write(Path.of("w.safetensors"), Map.of("dense/kernel", k), Map.of());
 * Map<String, Tensor> w = SafeTensors.read(Path.of("w.safetensors"));
 * }</pre>
 */
public final class SafeTensors {
    /** Largest header accepted on read (the reference implementation's limit). */
    public static final long MAX_HEADER = 100_000_000L;

    private SafeTensors() {}

    /**
     * Writes {@code tensors} (in map order) and string {@code metadata} (null or empty: none) to
     * {@code file}, atomically.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        FileFaults.save("SafeTensors.write", file, () -> AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Tensor t : tensors.values()) {
                float[] d = t.data();
                ByteBuffer bb = ByteBuffer.allocate(Math.min(d.length, 1 << 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < d.length; ) {
                    bb.clear();
                    int n = Math.min(d.length - i, bb.capacity() / 4);
                    bb.asFloatBuffer().put(d, i, n);
                    out.write(bb.array(), 0, n * 4);
                    i += n;
                }
            }
        }));
    }

    /** The padded JSON header bytes {@link #write} puts after the 8-byte length. */
    public static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        if (tensors == null) throw new IllegalArgumentException("SafeTensors: tensors map is null");
        StringBuilder b = new StringBuilder("{");
        boolean first = true;
        if (metadata != null && !metadata.isEmpty()) {
            b.append("\"__metadata__\":{");
            boolean f = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("SafeTensors: metadata entry " + e.getKey() + "=" + e.getValue() + " holds a null");
                }
                if (!f) b.append(',');
                f = false;
                Json.quote(b, e.getKey());
                b.append(':');
                Json.quote(b, e.getValue());
            }
            b.append('}');
            first = false;
        }
        long off = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("SafeTensors: invalid tensor name '" + name + "'");
            }
            if (t == null) throw new IllegalArgumentException("SafeTensors: tensor '" + name + "' is null");
            if (!StandardCharsets.UTF_8.newEncoder().canEncode(name)) {
                throw new IllegalArgumentException("SafeTensors: tensor name '" + name + "' is not valid Unicode (a lone surrogate)");
            }
            if (!first) b.append(',');
            first = false;
            Json.quote(b, name);
            b.append(":{\"dtype\":\"F32\",\"shape\":[");
            int[] s = t.shape();
            for (int i = 0; i < s.length; i++) {
                if (i > 0) b.append(',');
                b.append(s[i]);
            }
            long end = off + 4L * t.size();
            b.append("],\"data_offsets\":[").append(off).append(',').append(end).append("]}");
            off = end;
        }
        b.append('}');
        byte[] json = b.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    /** Reads every tensor (as float32), in header order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return FileFaults.readThroughChannel(file, () -> {
            try (SeekableByteChannel ch = open(file)) {
                Parsed p = parse(file, ch);
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Entry e : p.entries) out.put(e.name, readTensor(file, ch, p.dataStart, e));
                return out;
            }
        });
    }

    /**
     * The tensors' names and shapes from the header alone (in header order; the data is not read),
     * after the same checks as {@link #read}.
     */
    public static Map<String, int[]> shapes(Path file) throws IOException {
        return FileFaults.readThroughChannel(file, () -> {
            try (SeekableByteChannel ch = open(file)) {
                Map<String, int[]> out = new LinkedHashMap<>();
                for (Entry e : parse(file, ch).entries) out.put(e.name, e.shape.clone());
                return out;
            }
        });
    }

    /** The header's {@code __metadata__} strings (empty when absent). */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        return FileFaults.readThroughChannel(file, () -> {
            try (SeekableByteChannel ch = open(file)) {
                return parse(file, ch).metadata;
            }
        });
    }

    /**
     * Opens for reading after checking it is a regular file (a FIFO with no writer would block the open): the file the
     * {@link FileFaults#read} around it holds open. Off the default file system a byte channel, not a FileChannel: a jar's
     * or an in-memory file system reads it as it is (zipfs' FileChannel copies the member to a temporary file first).
     */
    private static SeekableByteChannel open(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("SafeTensors: file is null");
        AtomicFiles.requireRegularFile(file, "a safetensors file");
        return FileFaults.byteChannel(file);
    }

    /**
     * Where one tensor's bytes lie in the file, for readers that map them instead of reading
     * (the {@code dev.jrnn.data} datasets).
     *
     * @param offset byte offset of the first element from the start of the file
     */
    public record Layout(String name, String dtype, int[] shape, long offset, long bytes) {}

    /**
     * The tensors' layouts in header order, after the same checks as {@link #read} except the
     * Java-array size limit (a mapped tensor may exceed 2^31 elements).
     */
    public static List<Layout> layout(Path file) throws IOException {
        return FileFaults.readThroughChannel(file, () -> {
            try (SeekableByteChannel ch = open(file)) {
                Parsed p = parse(file, ch, true);
                List<Layout> out = new ArrayList<>();
                for (Entry e : p.entries) out.add(new Layout(e.name, e.dtype, e.shape.clone(), p.dataStart + e.begin, e.end - e.begin));
                return out;
            }
        });
    }

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    private record Parsed(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private static Parsed parse(Path file, SeekableByteChannel ch) throws IOException {
        return parse(file, ch, false);
    }

    /**
     * {@code mapping}: for {@link #layout} (the datasets), which maps tensors of any size and reads integer and bool tensors
     * (labels); reading into Tensors takes the float types up to 2^31 - 9 elements.
     */
    private static Parsed parse(Path file, SeekableByteChannel ch, boolean mapping) throws IOException {
        long size = ch.size();
        if (size < 8) throw new IOException(file + ": not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.flip().getLong();
        if (n < 2 || n > MAX_HEADER || n > size - 8) {
            throw new IOException(file + ": invalid safetensors header length " + Long.toUnsignedString(n) + " (file has " + size + " bytes)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": safetensors header is not valid UTF-8 (" + e + ")", e);
        }
        Object root;
        try {
            root = new Json(json).parseDocument();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": malformed safetensors header: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> top)) throw new IOException(file + ": safetensors header is not a JSON object");
        long dataLen = size - 8 - n;
        Map<String, String> meta = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String name = (String) e.getKey();
            if (name.isEmpty()) throw new IOException(file + ": a tensor has an empty name");
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> mm)) throw new IOException(file + ": __metadata__ is not an object");
                for (Map.Entry<?, ?> me : mm.entrySet()) {
                    if (!(me.getValue() instanceof String sv)) throw new IOException(file + ": __metadata__ value of '" + me.getKey() + "' is not a string");
                    meta.put((String) me.getKey(), sv);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) throw new IOException(file + ": entry '" + name + "' is not an object");
            Object dt = info.get("dtype"), sh = info.get("shape"), offs = info.get("data_offsets");
            if (!(dt instanceof String dtype)) throw new IOException(file + ": tensor '" + name + "' has no dtype");
            if (!(sh instanceof List<?> shl)) throw new IOException(file + ": tensor '" + name + "' has no shape");
            if (!(offs instanceof List<?> ol) || ol.size() != 2) throw new IOException(file + ": tensor '" + name + "' needs data_offsets [begin, end]");
            if (shl.size() > 32) throw new IOException(file + ": tensor '" + name + "' has rank " + shl.size() + ", more than 32");
            int[] shape = new int[shl.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                long d = asLong(file, name, shl.get(i));
                if (d < 0 || d > Integer.MAX_VALUE) throw new IOException(file + ": tensor '" + name + "' has invalid dimension " + d);
                shape[i] = (int) d;
                numel = d != 0 && numel > Long.MAX_VALUE / d ? Long.MAX_VALUE : numel * d;
            }
            if (numel == 0 && !mapping) throw new IOException(file + ": tensor '" + name + "' has zero elements, which jrnn tensors cannot hold");
            if (!mapping && numel > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": tensor '" + name + "' shape " + Tensor.shapeString(shape) + " is too large ("
                        + (numel == Long.MAX_VALUE ? "more than 2^63" : numel) + " elements; at most 2^31 - 9)");
            }
            int width = mapping ? mappedSize(file, name, dtype) : dtypeSize(file, name, dtype);
            long begin = asLong(file, name, ol.get(0)), end = asLong(file, name, ol.get(1));
            if (begin < 0 || end < begin || end > dataLen) {
                throw new IOException(file + ": tensor '" + name + "' data_offsets [" + begin + ", " + end + "] outside the "
                        + dataLen + " data bytes");
            }
            if (end - begin != numel * width) {
                throw new IOException(file + ": tensor '" + name + "' shape " + Tensor.shapeString(shape) + " of " + dtype + " needs "
                        + numel * width + " bytes, data_offsets span " + (end - begin));
            }
            entries.add(new Entry(name, dtype, shape, begin, end));
        }
        // the format requires the tensors to tile the data region with no gap or overlap
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> Long.compare(a.begin, b.begin));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin != at) throw new IOException(file + ": tensor '" + e.name + "' starts at byte " + e.begin + ", expected " + at + " (gap or overlap)");
            at = e.end;
        }
        if (at != dataLen) throw new IOException(file + ": tensors cover " + at + " data bytes, the file holds " + dataLen);
        return new Parsed(Collections.unmodifiableList(entries), Collections.unmodifiableMap(meta), 8 + n);
    }

    /** Bytes read per chunk: tensors beyond 2 GiB (up to 8 GiB of F64) never need one buffer of their size. */
    static final int CHUNK_BYTES = 1 << 20;

    private static Tensor readTensor(Path file, SeekableByteChannel ch, long dataStart, Entry e) throws IOException {
        long numel = Tensor.size(e.shape);   // checked by parse: in [1, 2^31 - 9]
        int[] shape = e.shape.length == 0 ? new int[] {1} : e.shape;
        int width = dtypeSize(file, e.name, e.dtype);
        float[] d = new float[(int) numel];
        ByteBuffer bb = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = bb.capacity() / width;
        long pos = dataStart + e.begin;
        for (int at = 0; at < d.length; ) {
            int n = Math.min(perChunk, d.length - at);
            bb.clear().limit(n * width);
            readFully(ch, bb, pos);
            bb.flip();
            pos += (long) n * width;
            switch (e.dtype) {
                case "F32" -> bb.asFloatBuffer().get(d, at, n);
                case "F64" -> {
                    for (int i = 0; i < n; i++) d[at + i] = (float) bb.getDouble();
                }
                case "F16" -> {
                    for (int i = 0; i < n; i++) d[at + i] = Float.float16ToFloat(bb.getShort());
                }
                case "BF16" -> {
                    for (int i = 0; i < n; i++) d[at + i] = Float.intBitsToFloat((bb.getShort() & 0xffff) << 16);
                }
                default -> throw new IOException(file + ": tensor '" + e.name + "' has unsupported dtype " + e.dtype);
            }
            at += n;
        }
        return Tensor.wrap(d, shape);
    }

    private static int dtypeSize(Path file, String name, String dtype) throws IOException {
        return switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            case "F16", "BF16" -> 2;
            default -> throw new IOException(file + ": tensor '" + name + "' has dtype " + dtype
                    + "; jrnn reads F32, F64, F16 and BF16");
        };
    }

    /** Bytes per element of the types a dataset maps: the float types and the integer and bool labels ({@code dev.jrnn.data.DType}). */
    private static int mappedSize(Path file, String name, String dtype) throws IOException {
        return switch (dtype) {
            case "I8", "U8", "BOOL" -> 1;
            case "I16", "U16" -> 2;
            case "I32", "U32" -> 4;
            case "I64", "U64" -> 8;
            default -> {
                try {
                    yield dtypeSize(file, name, dtype);
                } catch (IOException e) {
                    throw new IOException(file + ": tensor '" + name + "' has dtype " + dtype
                            + "; jrnn maps F32, F64, F16, BF16, I8-I64, U8-U64 and BOOL", e);
                }
            }
        };
    }

    private static long asLong(Path file, String name, Object o) throws IOException {
        if (o instanceof Long l) return l;
        throw new IOException(file + ": tensor '" + name + "' has a non-integer shape or offset: " + o);
    }

    private static void readFully(SeekableByteChannel ch, ByteBuffer b, long pos) throws IOException {
        ch.position(pos);   // one reader per channel: no positional read needed
        while (b.hasRemaining()) {
            int r = ch.read(b);
            if (r < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += r;
        }
    }
}
