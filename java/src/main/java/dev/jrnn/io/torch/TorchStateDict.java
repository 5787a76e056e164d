package dev.jrnn.io.torch;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.io.SafeTensors;
import dev.jrnn.tensor.Tensor;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * A PyTorch state_dict file, open for reading: a {@code torch.save(model.state_dict(), path)} zip (torch 1.6 and later:
 * {@code <archive>/data.pkl}, read by {@link TorchPickle}, over the storages {@code <archive>/data/<key>}) or a
 * safetensors file as {@code safetensors.torch.save_file} writes it, told apart by their first bytes. Opening reads the
 * names, types and shapes and checks that every tensor lies inside its storage; {@link #floats} reads one tensor's
 * values (strides and storage offsets honoured) as float32.
 */
final class TorchStateDict implements Closeable {
    /** One tensor of the file: its key, element type and shape. */
    record Info(String key, TorchDType dtype, int[] shape) {}

    private final Path file;
    private final Map<String, Info> infos = new LinkedHashMap<>();
    // .pt: the open zip, its storages' entries, each tensor's place; safetensors: each tensor's byte offset
    private final Records zip;
    private final String archive;
    private final ByteOrder order;
    private final Map<String, TorchPickle.TensorRef> refs;
    private final Map<String, ByteBuffer> storages = new HashMap<>();
    private final Map<String, Long> offsets = new HashMap<>();

    private TorchStateDict(Path file, Records zip, String archive, ByteOrder order, Map<String, TorchPickle.TensorRef> refs) {
        this.file = file;
        this.zip = zip;
        this.archive = archive;
        this.order = order;
        this.refs = refs;
    }

    /** Opens {@code file} (a .pt zip or safetensors) and reads its index; an IOException names the file and the problem. */
    static TorchStateDict open(Path file) throws IOException {
        AtomicFiles.requireRegularFile(file, "a PyTorch state_dict file (.pt or .safetensors)");
        byte[] head = new byte[8];
        int n;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, 8);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return openZip(file);
        long headerLength = n == 8 ? ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong() : -1;
        // a pickle's PROTO opcode, where a safetensors file has its header length (which may start with 0x80 too)
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 1 && head[1] <= 5
                && (headerLength < 0 || headerLength > SafeTensors.MAX_HEADER || headerLength > java.nio.file.Files.size(file) - 8)) {
            throw new IOException(file + ": a bare pickle, not a torch.save zip: torch older than 1.6 or _use_new_zipfile_serialization=False "
                    + "write this legacy format, and pickle.dump writes code jrnn does not run; load it in torch and save it again "
                    + "with torch.save(state_dict, path) (torch 1.6 or later)");
        }
        if (!file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".safetensors")
                && !looksLikeSafetensors(file, n, headerLength)) {
            // a text, empty or other file named .pt: what it is not, rather than a safetensors parse error
            long size = java.nio.file.Files.size(file);
            throw new IOException(file + ": neither a torch.save zip checkpoint (those start with the zip signature PK\\3\\4) nor a "
                    + "safetensors file (an 8-byte header length, then a JSON header starting with '{'): it "
                    + (size == 0 ? "is empty" : "holds " + size + " bytes starting " + printable(head, n)));
        }
        return openSafetensors(file);
    }

    /** An 8-byte header length that fits the file, followed by '{': a safetensors file, to be parsed with its own errors. */
    private static boolean looksLikeSafetensors(Path file, int n, long headerLength) throws IOException {
        if (n < 8 || headerLength < 2 || headerLength > java.nio.file.Files.size(file) - 8) return false;
        try (java.nio.channels.SeekableByteChannel ch = java.nio.file.Files.newByteChannel(file)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            return ch.position(8).read(b) == 1 && b.get(0) == '{';
        }
    }

    /** The first bytes, quoted as text where printable, else in hex. */
    private static String printable(byte[] head, int n) {
        boolean text = true;
        for (int i = 0; i < n; i++) text &= head[i] >= 0x20 && head[i] < 0x7f || head[i] == '\n' || head[i] == '\r' || head[i] == '\t';
        if (text) return "\"" + new String(head, 0, n, java.nio.charset.StandardCharsets.US_ASCII).replace("\n", "\\n").replace("\r", "\\r") + "\"";
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < n; i++) sb.append(String.format("%02x", head[i] & 0xff));
        return sb.toString();
    }

    private static TorchStateDict openSafetensors(Path file) throws IOException {
        TorchStateDict sd = new TorchStateDict(file, null, null, ByteOrder.LITTLE_ENDIAN, null);
        for (SafeTensors.Layout l : SafeTensors.layout(file)) {
            TorchDType t = TorchDType.ofSafetensors(l.dtype());
            if (t == null) throw new IOException(file + ": tensor '" + l.name() + "' has dtype " + l.dtype() + ", which jrnn does not read");
            if (l.bytes() / t.bytes > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": tensor '" + l.name() + "' has more than 2^31 - 9 elements");
            }
            sd.infos.put(l.name(), new Info(l.name(), t, l.shape()));
            sd.offsets.put(l.name(), l.offset());
        }
        return sd;
    }

    private static TorchStateDict openZip(Path file) throws IOException {
        Records zip = file.getFileSystem() == java.nio.file.FileSystems.getDefault() ? Records.of(file) : Records.inMemory(file);
        try {
            String archive = null;
            boolean script = false;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                int slash = name.indexOf('/');
                String rest = slash < 0 ? name : name.substring(slash + 1);
                if (rest.equals("constants.pkl") || rest.startsWith("code/")) script = true;
                if (rest.equals("data.pkl") && (slash < 0 || name.lastIndexOf('/') == slash)) {
                    String a = slash < 0 ? "" : name.substring(0, slash + 1);
                    if (archive != null) throw new IOException(file + ": the zip holds two data.pkl records ('" + archive + "data.pkl', '" + name + "')");
                    archive = a;
                }
            }
            if (script) {
                throw new IOException(file + ": a TorchScript archive (torch.jit.save), not a state_dict; save the weights with "
                        + "torch.save(model.state_dict(), path)");
            }
            if (archive == null) throw new IOException(file + ": a zip without data.pkl, not a torch.save file");
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.getEntry(archive + "byteorder");
            if (bo != null) {
                String s = new String(bytes(file, zip, bo, 16), java.nio.charset.StandardCharsets.US_ASCII).trim();
                if (s.equals("big")) order = ByteOrder.BIG_ENDIAN;
                else if (!s.equals("little")) throw new IOException(file + ": byteorder record says '" + s + "', expected little or big");
            }
            byte[] pickle = bytes(file, zip, zip.getEntry(archive + "data.pkl"), TorchPickle.MAX_PICKLE);
            Map<String, TorchPickle.TensorRef> refs = TorchPickle.read(pickle, file + " (" + archive + "data.pkl)");
            TorchStateDict sd = new TorchStateDict(file, zip, archive, order, refs);
            for (Map.Entry<String, TorchPickle.TensorRef> e : refs.entrySet()) sd.check(e.getKey(), e.getValue());
            return sd;
        } catch (Throwable e) {   // an Error too: the zip is not left open
            zip.close();
            throw e;
        }
    }

    /** That {@code t} lies inside its storage record (strides and offset included), before any data is read. */
    private void check(String key, TorchPickle.TensorRef t) throws IOException {
        TorchPickle.StorageRef s = t.storage();
        ZipEntry e = zip.getEntry(archive + "data/" + s.key());
        if (e == null) throw new IOException(file + ": tensor '" + key + "' needs storage record " + archive + "data/" + s.key() + ", which the zip lacks");
        long elements = e.getSize() < 0 ? 0 : e.getSize() / s.dtype().bytes;
        long numel = 1, last = t.offset();
        for (int i = 0; i < t.shape().length; i++) {
            numel = mulClamped(numel, t.shape()[i]);
            if (t.shape()[i] > 0) last = addClamped(last, mulClamped(t.shape()[i] - 1L, t.stride()[i]));
        }
        if (numel > Integer.MAX_VALUE - 8) throw new IOException(file + ": tensor '" + key + "' has " + numel + " elements, more than 2^31 - 9");
        if (numel > 0 && last >= elements) {
            throw new IOException(file + ": tensor '" + key + "' (shape " + Tensor.shapeString(t.shape()) + ", offset " + t.offset() + ", stride "
                    + java.util.Arrays.toString(t.stride()) + ") reaches element " + last + " of storage '" + s.key() + "', which holds " + elements);
        }
        infos.put(key, new Info(key, s.dtype(), t.shape()));
    }

    private static long mulClamped(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    private static long addClamped(long a, long b) { return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b; }

    private static byte[] bytes(Path file, Records zip, ZipEntry e, long max) throws IOException {
        long size = e.getSize();
        if (size < 0 || size > max) throw new IOException(file + ": zip record " + e.getName() + " has " + size + " bytes (at most " + max + " read)");
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) size);
            if (b.length != size || in.read() >= 0) throw new IOException(file + ": zip record " + e.getName() + " does not hold the " + size + " bytes its header says");
            return b;
        } catch (ZipException | java.io.EOFException x) {
            throw damaged(file, e, x);
        }
    }

    /** java.util.zip's own exception reading record {@code e} (no file named; an EOFException says nothing) as one that does. */
    private static IOException damaged(Path file, ZipEntry e, IOException x) {
        String why = x instanceof java.io.EOFException ? "it ends before its bytes (a wrong offset or a truncated file)"
                : x.getMessage() == null ? x.getClass().getSimpleName() : x.getMessage();
        return new IOException(file + ": zip record " + e.getName() + " could not be read, the zip is damaged (" + why + ")", x);
    }

    /** The first {@code n} bytes of record {@code e} (n at most its size, as {@link #check} made sure). */
    private static byte[] prefix(Path file, Records zip, ZipEntry e, long n) throws IOException {
        if (n > Integer.MAX_VALUE - 8) throw new IOException(file + ": storage record " + e.getName() + " needs " + n + " bytes read, more than 2^31 - 9");
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) n);
            if (b.length != n) throw new IOException(file + ": zip record " + e.getName() + " ends after " + b.length + " bytes, its header says " + e.getSize());
            return b;
        } catch (ZipException | java.io.EOFException x) {
            throw damaged(file, e, x);
        }
    }

    Path file() { return file; }

    /** The tensors' names, types and shapes, in the file's order. */
    Map<String, Info> infos() { return Collections.unmodifiableMap(infos); }

    /** The values of tensor {@code key} (a float type), row-major, as float32. */
    float[] floats(String key) throws IOException {
        Info info = infos.get(key);
        if (!info.dtype().floating) throw new IllegalStateException(key + " is " + info.dtype().torchName());
        int numel = Math.toIntExact(Tensor.size(info.shape()));
        float[] out = new float[numel];
        if (zip == null) {   // safetensors: contiguous, little-endian; read in 1 MiB pieces (a float64 tensor may pass 2 GiB)
            int width = info.dtype().bytes;
            ByteBuffer b = ByteBuffer.allocate((1 << 20) / width * width).order(ByteOrder.LITTLE_ENDIAN);
            try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {   // any file system (a jar's too)
                long pos = offsets.get(key);
                ch.position(pos);
                for (int at = 0; at < numel; ) {
                    int n = Math.min(numel - at, b.capacity() / width);
                    b.clear().limit(n * width);
                    while (b.hasRemaining()) {
                        int r = ch.read(b);
                        if (r < 0) throw new IOException(file + ": ends inside tensor '" + key + "' (the file changed)");
                        pos += r;
                    }
                    for (int i = 0; i < n; i++) out[at + i] = info.dtype().get(b, i);
                    at += n;
                }
            }
            return out;
        }
        TorchPickle.TensorRef t = refs.get(key);
        if (numel == 0) return out;
        long need = t.offset();   // the storage's bytes this view reaches (checked in range at open)
        for (int d = 0; d < t.shape().length; d++) need += (t.shape()[d] - 1L) * t.stride()[d];
        need = (need + 1) * info.dtype().bytes;
        ByteBuffer storage = storages.get(t.storage().key());
        if (storage == null || storage.capacity() < need) {
            // only the prefix the views read: a small tensor over a large storage reads what it needs
            ZipEntry e = zip.getEntry(archive + "data/" + t.storage().key());
            storage = ByteBuffer.wrap(prefix(file, zip, e, need)).order(order);
            storages.put(t.storage().key(), storage);
        }
        int[] shape = t.shape();
        int[] idx = new int[shape.length];
        long at = t.offset();
        for (int i = 0; i < numel; i++) {
            out[i] = info.dtype().get(storage, at);
            for (int d = shape.length - 1; d >= 0; d--) {   // next index, row-major, carrying
                at += t.stride()[d];
                if (++idx[d] < shape[d]) break;
                at -= (long) shape[d] * t.stride()[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    /** The keys of the file in order (for messages). */
    List<String> keys() { return new ArrayList<>(infos.keySet()); }

    @Override
    public void close() throws IOException {
        if (zip != null) zip.close();
    }

    /**
     * A .pt zip's records. On the default file system java.util.zip's ZipFile over the file; on another (a jar's zipfs,
     * an in-memory one), where that takes no path, commons-compress over the file's bytes read into memory once (zipfs
     * would copy a member into a temporary file beside the jar for a FileChannel). Either way a name recorded twice is refused:
     * commons-compress would read the first record where java.util.zip reads the last.
     */
    private interface Records extends Closeable {
        Enumeration<? extends ZipEntry> entries();
        ZipEntry getEntry(String name);
        InputStream getInputStream(ZipEntry e) throws IOException;

        static Records of(Path file) throws IOException {
            ZipFile z;
            try {
                z = new ZipFile(file.toFile());
            } catch (ZipException e) {
                throw new IOException(file + ": not a readable zip (" + e.getMessage() + ")", e);
            }
            try {
                refuseTwice(file, z.entries());
            } catch (Throwable t) {
                z.close();
                throw t;
            }
            return new Records() {
                public Enumeration<? extends ZipEntry> entries() { return z.entries(); }
                public ZipEntry getEntry(String name) { return z.getEntry(name); }
                public InputStream getInputStream(ZipEntry e) throws IOException { return z.getInputStream(e); }
                public void close() throws IOException { z.close(); }
            };
        }

        static Records inMemory(Path file) throws IOException {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": " + size + " bytes, more than 2^31 - 9 read into memory from a " + file.getFileSystem().provider().getScheme()
                        + " file system; copy it to a file first");
            }
            org.apache.commons.compress.archivers.zip.ZipFile z;
            try {
                z = org.apache.commons.compress.archivers.zip.ZipFile.builder()
                        .setSeekableByteChannel(new SeekableInMemoryByteChannel(Files.readAllBytes(file))).get();
            } catch (IOException e) {
                throw new IOException(file + ": not a readable zip (" + dev.jrnn.io.ZipReason.of(e) + ")", e);
            }
            try {
                refuseTwice(file, z.getEntries());
            } catch (Throwable t) {
                z.close();
                throw t;
            }
            return new Records() {
                public Enumeration<? extends ZipEntry> entries() { return z.getEntries(); }
                public ZipEntry getEntry(String name) { return z.getEntry(name); }
                public InputStream getInputStream(ZipEntry e) throws IOException { return z.getInputStream((ZipArchiveEntry) e); }
                public void close() throws IOException { z.close(); }
            };
        }

        /** A name recorded twice: which record a reader takes differs (java.util.zip the last, commons-compress the first). */
        private static void refuseTwice(Path file, Enumeration<? extends ZipEntry> entries) throws IOException {
            Set<String> seen = new HashSet<>();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (!seen.add(name)) throw new IOException(file + ": the zip holds two records named '" + name + "'");
            }
        }
    }
}
