package dev.jrnn.io.keras;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.layers.Param;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.AbstractNode;
import io.jhdf.GlobalHeap;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import io.jhdf.object.datatype.StringData.PaddingType;
import io.jhdf.object.datatype.VariableLength;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.storage.HdfBackingStorage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.FloatBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads what Keras stores in HDF5 (string attributes, float datasets) into Java values, checking each. */
final class Hdf5Arrays {
    /** Largest weight array accepted (elements): a Java float[] cannot hold more. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Hdf5Arrays() {}

    /** A string attribute (scalar string or bytes), or null when absent. */
    static String stringAttribute(Node node, String name) {
        Object d = named(node, name, () -> node.getAttribute(name) == null ? null : utf8Data(node.getAttribute(name)));
        if (d == null) return null;
        if (d instanceof String s) return s;
        if (d instanceof String[] arr && arr.length == 1) return arr[0];
        if (d instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        throw new KerasFormatException("attribute '" + name + "' of " + node.getPath() + " should be a string, got "
                + d.getClass().getSimpleName());
    }

    /**
     * What {@code read} reads of attribute {@code name} of {@code node}: jhdf's failures on damaged bytes (a global heap
     * it cannot read, a header it cannot parse: {@link JhdfFailures#damage}) as a KerasFormatException naming the
     * attribute, as jhdf's words name neither; any other exception (a bug, not the file's damage) as it is.
     */
    private static <T> T named(Node node, String name, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (KerasFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            if (!JhdfFailures.damage(e)) throw e;
            throw new KerasFormatException("attribute '" + name + "' of " + node.getPath() + " could not be read ("
                    + JhdfFailures.words(e) + "): damaged", e);
        }
    }

    /**
     * A list-of-strings attribute as Keras writes it: {@code name}, or when too long for one HDF5 attribute,
     * {@code name0}, {@code name1}, ... concatenated. Null when absent; an empty float array reads as empty.
     */
    static List<String> stringList(Node node, String name) {
        if (named(node, name, () -> node.getAttribute(name)) != null) {
            return named(node, name, () -> strings(node.getAttribute(name), node, name));
        }
        List<String> r = new ArrayList<>();
        boolean any = false;
        for (int k = 0; ; k++) {
            String part = name + k;
            if (named(node, part, () -> node.getAttribute(part)) == null) break;
            any = true;
            r.addAll(named(node, part, () -> strings(node.getAttribute(part), node, part)));
        }
        return any ? r : null;
    }

    private static List<String> strings(Attribute a, Node node, String name) {
        if (a.isEmpty()) return List.of();   // h5py writes an empty list of names as an empty (null-space) array
        Object d = utf8Data(a);
        if (d instanceof String[] arr) return Arrays.asList(arr);
        if (d instanceof String s) return List.of(s);
        // h5py writes an empty list of names as an empty float64 array
        if (d != null && d.getClass().isArray() && java.lang.reflect.Array.getLength(d) == 0) return List.of();
        throw new KerasFormatException("attribute '" + name + "' of " + node.getPath() + " should be a list of strings, got "
                + (d == null ? "null" : d.getClass().getSimpleName()));
    }

    /**
     * {@code a}'s value, its strings (a scalar or a list) decoded as UTF-8 whatever their tag says, as h5py reads them:
     * Keras 3 writes layer_names and weight_names as variable-length strings tagged ASCII that hold UTF-8 bytes, and
     * tf.keras 2 fixed-length ones, which jhdf decodes as ASCII (U+FFFD for each byte over 0x7F).
     */
    static Object utf8Data(Attribute a) {
        DataType t = a.getDataType();
        if (t instanceof VariableLength v && !v.isVariableLengthString()) {
            // jhdf would read its global heap collection whole, at whatever size the damaged header claims
            throw new KerasFormatException("attribute '" + a.getName() + "' of " + a.getNode().getPath()
                    + " is a variable-length sequence, not a string: damaged (Keras writes none)");
        }
        boolean vl = t instanceof VariableLength v && v.isVariableLengthString();
        int rank = a.getDimensions().length;
        if (!(vl || t instanceof StringData) || rank > 1 || a.isEmpty()) return a.getData();
        ByteBuffer b = a.getBuffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int size = t.getSize(), n = rank == 0 ? 1 : a.getDimensions()[0];
        PaddingType padding = vl ? ((VariableLength) t).getPaddingType() : ((StringData) t).getPaddingType();
        HdfBackingStorage hdf = vl ? a.getNode().getHdfFile().getHdfBackingStorage() : null;
        if (size <= 0 || b.remaining() < (long) n * size || (vl && size < hdf.getSizeOfOffsets() + 4)) {
            throw new KerasFormatException("attribute '" + a.getName() + "' of " + a.getNode().getPath() + " holds " + b.remaining()
                    + " bytes, too few for its " + n + " string(s) of " + size + " bytes");
        }
        java.util.Map<Long, GlobalHeap> heaps = new java.util.HashMap<>();
        String[] r = new String[n];
        for (int i = 0; i < n; i++) {
            byte[] bytes;
            if (vl) {   // each element: its length (4 bytes), the global heap's address and the object's index there
                b.position(b.position() + size - hdf.getSizeOfOffsets() - 4);
                long heap = io.jhdf.Utils.readBytesAsUnsignedLong(b, hdf.getSizeOfOffsets());
                int index = io.jhdf.Utils.readBytesAsUnsignedInt(b, 4);
                ByteBuffer o = index == 0 ? ByteBuffer.allocate(0) : heaps.computeIfAbsent(heap, h -> globalHeap(hdf, h, a)).getObjectData(index);
                bytes = new byte[o.remaining()];
                o.get(bytes);
            } else {
                bytes = new byte[size];
                b.get(bytes);
            }
            int end = bytes.length;
            if (padding == PaddingType.SPACE_PADDED) {
                while (end > 0 && bytes[end - 1] == ' ') end--;
            } else if (padding == PaddingType.NULL_PADDED) {   // h5py keeps a NUL inside, strips the trailing ones
                while (end > 0 && bytes[end - 1] == 0) end--;
            } else {
                for (int k = 0; k < end; k++) if (bytes[k] == 0) end = k;
            }
            r[i] = new String(bytes, 0, end, StandardCharsets.UTF_8);
        }
        return rank == 0 ? r[0] : r;
    }

    /**
     * The global heap collection at {@code address}, its size checked against the file's first: jhdf's GlobalHeap
     * reads a whole collection of the size its header claims (0x7FFFFFF0 bytes: an OutOfMemoryError).
     */
    private static GlobalHeap globalHeap(HdfBackingStorage hdf, long address, Attribute a) {
        // the header: "GCOL", version, 3 reserved bytes, the collection's size (its header included)
        int header = 8 + hdf.getSizeOfLengths();
        long size = -1;
        try {
            ByteBuffer b = hdf.readBufferFromAddress(address, header).order(ByteOrder.LITTLE_ENDIAN);
            b.position(8);
            size = io.jhdf.Utils.readBytesAsUnsignedLong(b, hdf.getSizeOfLengths());
        } catch (RuntimeException e) {
            // an address past the file's end: refused below with the same message
        }
        if (size < header || size > hdf.size() || address < 0 || address > hdf.size() - size) {
            throw new KerasFormatException("attribute '" + a.getName() + "' of " + a.getNode().getPath()
                    + " points to a global heap collection at byte " + address + " of " + (size < 0 ? "unreadable" : size + " bytes")
                    + ", outside the file of " + hdf.size() + " bytes: damaged");
        }
        return new GlobalHeap(hdf, address);
    }

    /** A float16, float32 or float64 dataset as a tensor of its shape, after checking dtype and size. */
    static Tensor tensor(Dataset ds, Hdf5FillBudget fills) {
        return stored(ds, fills).tensor();
    }

    /**
     * A float16, bfloat16, float32 or float64 dataset (jhdf reads a half as a float) after checking dtype and size, its
     * values not read yet; also an integer scalar (Keras' int variables, Normalization's count), read as a float.
     */
    static Stored stored(Dataset ds, Hdf5FillBudget fills) {
        try {
            return checked(ds, fills);
        } catch (RuntimeException e) {
            throw damaged(ds, e);
        }
    }

    /**
     * {@code e}, met reading dataset {@code ds}'s header or values, as the caller throws it: jhdf's failures on damaged
     * bytes ({@link JhdfFailures#damage}: a header or chunk index it cannot parse, a size past a long), whose words name
     * neither the dataset nor the damage, as a {@link Damaged} naming the dataset; a KerasFormatException as it is; any
     * other (a NullPointerException, an IllegalStateException: a bug, jrnn's or jhdf's, not the file's damage) as it is,
     * as an attribute's read does.
     */
    static RuntimeException damaged(Dataset ds, RuntimeException e) {
        if (e instanceof KerasFormatException || !JhdfFailures.damage(e)) return e;
        String path;
        try {
            path = ds.getPath();
        } catch (RuntimeException x) {
            path = "?";
        }
        String lacking = JhdfFailures.missingFilter(e);
        if (lacking != null) {
            return new Damaged("dataset " + path + " is stored through an HDF5 filter jrnn cannot decode (" + lacking + "; jrnn reads"
                    + " deflate/gzip, shuffle, fletcher32, lzf, lz4 and bitshuffle): the file is not damaged; save it again without"
                    + " that filter (Keras' model.save writes none; h5py: compression=\"gzip\")", e);
        }
        return new Damaged("dataset " + path + " is damaged: " + JhdfFailures.words(e), e);
    }

    /**
     * A dataset whose values could not be read as its header describes them (jhdf failed on its bytes, or they are not
     * as many as its shape says; or a filter jhdf lacks stores them): the file's damage or jrnn's limit, never a file that does not fit a model, even where a layout's
     * conversion (Keras 1's per-gate arrays, cuDNN's) meets it while matching the arrays to the model's weights.
     */
    static final class Damaged extends KerasFormatException {
        Damaged(String message) {
            super(message);
        }

        Damaged(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static Stored checked(Dataset ds, Hdf5FillBudget fills) {
        String path = ds.getPath();
        long fileBytes = fills.fileBytes;
        boolean bfloat16 = JhdfOpaqueTypes.marked(ds.getDataType());
        if (bfloat16 && !"bfloat16".equals(stringAttribute(ds, "dtype"))) {
            throw new KerasFormatException("dataset " + path + " holds 2-byte opaque values (NumPy's void V2) without the "
                    + "attribute dtype=\"bfloat16\" that Keras 3 gives its bfloat16 weights in a .keras or .weights.h5: "
                    + "Keras' legacy .h5 writer stores bfloat16 so, and Keras 3.15.1 cannot load that file back either; "
                    + "save the model as .keras");
        }
        Class<?> type = bfloat16 ? float.class : ds.getJavaType();
        if (type == Float.class || type == Double.class) type = type == Float.class ? float.class : double.class;   // a scalar
        boolean intScalar = (type == Long.class || type == Integer.class || type == long.class || type == int.class)
                && ds.getDimensionsAsLong().length == 0;
        if (intScalar) type = long.class;
        if (type != float.class && type != double.class && !intScalar) {
            // jhdf reads an HDF5 enum (h5py's bool) as its names: say what the file holds, not "String"
            String holds = ds.getDataType() instanceof io.jhdf.object.datatype.EnumDataType ? "HDF5 enum (h5py's bool)" : type.getSimpleName();
            throw new KerasFormatException("dataset " + path + " holds " + holds + " values, expected float16, bfloat16, float32 or float64 weights");
        }
        JhdfChunks.checkImplicitIndex(ds, fills);   // before jhdf builds its chunk map (unwritten's isEmpty does)
        // a dataset never written has no storage (jhdf calls it empty): it reads as its fill value, whatever its size
        boolean unwritten = unwritten(ds);
        if (!unwritten && ds.getDimensionsAsLong().length == 0 && ds.isEmpty()) {
            throw new KerasFormatException("dataset " + path + " has a null dataspace (h5py.Empty): no shape and no values");
        }
        if (ds.isCompound() || ds.isVariableLength()) throw new KerasFormatException("dataset " + path + " is not a plain float array");
        long[] dims = ds.getDimensionsAsLong();
        long n = 1;
        for (long d : dims) {
            if (d < 0 || d > MAX_ELEMENTS || (d > 0 && n > MAX_ELEMENTS / d)) {
                throw new KerasFormatException("dataset " + path + " has dimensions " + Arrays.toString(dims) + ": too large");
            }
            n *= d;
        }
        long bytes = n * (bfloat16 ? 2 : type == float.class ? 4 : 8);
        if (!unwritten && ds.getFilters().isEmpty() && bytes > fileBytes) {
            throw new KerasFormatException("dataset " + path + " claims " + Arrays.toString(dims) + " (" + bytes
                    + " bytes), more than the whole file (" + fileBytes + " bytes)");
        }
        // values the file does not hold (never written, chunks missing; not what a filter saves) cost it nothing
        // whatever their size: past a bound per load, a few KB would make jrnn fill gigabytes before any shape check
        // (h5py would too); no saver leaves a real weight that large unwritten
        long unbacked = unwritten ? bytes : unbacked(ds, n, fills);
        if (unbacked > 0) fills.charge(ds, unbacked, unwritten, dims, bytes);
        // a scalar (Keras' Attention scale) reads as shape (1): jrnn's tensors have at least one dimension
        int[] shape = dims.length == 0 ? new int[] {1} : new int[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = (int) dims[i];
        return new Stored(ds, shape, n, null, dims.length == 0);
    }

    /**
     * The bytes of a written dataset's values that its storage does not hold: a chunked one's chunks missing from its
     * chunk index (jhdf fills them), each at its uncompressed size; 0 for a contiguous one (its bytes are checked against
     * the file above). What a filter (gzip) saves is not counted: a zero weight gzips about 690:1 (gzip_claims.h5's
     * 48,000 bytes in 69), and h5py and Keras load it. But the chunks present, each inside the file, must be able to decode
     * to their size under any pipeline ({@link JhdfChunks#decodable}: one decompressing stage expands at most 1032 times;
     * stacked ones are refused), and all chunked datasets of a load to at most 1032 times the file
     * ({@link Hdf5FillBudget#chargeDecoded}), else a few damaged bytes of header would make jhdf allocate gigabytes before
     * its first chunk; an LZ4 or bitshuffle-LZ4 chunk's own header may not size it past a chunk
     * ({@link JhdfChunks#checkHeaders}, last: the only check that reads the chunks, each once per load).
     */
    private static long unbacked(Dataset ds, long n, Hdf5FillBudget fills) {
        long fileBytes = fills.fileBytes;
        if (!(ds instanceof ChunkedDataset c)) return 0;
        int[] chunk = c.getChunkDimensions();
        long[] dims = ds.getDimensionsAsLong();
        long grid = 1, perChunk = Math.max(1, ds.getDataType().getSize());   // chunks in the grid; bytes of one chunk
        for (int i = 0; i < dims.length && i < chunk.length; i++) {
            if (chunk[i] <= 0) return 0;   // jhdf refuses such a layout when reading
            grid = saturatedTimes(grid, (dims[i] + chunk[i] - 1) / chunk[i]);
            perChunk = saturatedTimes(perChunk, chunk[i]);
        }
        long present = JhdfChunks.present(c), logical = n * Math.max(1, ds.getDataType().getSize());
        // before jrnn walks the list: each hard link lists it again (an implicit index's chunks are charged by their bytes)
        if (JhdfChunks.implicitIndex(ds) == null) fills.chargeListed(ds, present);
        long stored = JhdfChunks.stored(c, fileBytes);   // each chunk inside the file
        long decoded = Math.min(logical, saturatedTimes(present, perChunk));
        long most = c.getFilters().isEmpty() ? Math.min(stored, fileBytes) : JhdfChunks.decodable(c, stored, fileBytes, perChunk);
        if (decoded > most) {
            throw new KerasFormatException("dataset " + ds.getPath() + " claims " + Arrays.toString(dims) + " (" + logical
                    + " bytes), " + decoded + " of them in its " + present + " chunk(s) written, which the file stores in "
                    + stored + " bytes (of its " + fileBytes + ")" + (c.getFilters().isEmpty() ? ""
                    : ", decoding to at most " + most + " (one decompressing filter expands at most "
                    + JhdfChunks.DEFLATE_MAX_RATIO + " times)") + ": damaged");
        }
        fills.chargeDecoded(ds, decoded);
        JhdfChunks.checkHeaders(c, perChunk, fills);   // the one bound that reads the chunks: after those that do not
        long missing = Math.max(0, grid - present);
        return Math.min(logical, saturatedTimes(missing, perChunk));   // an edge chunk holds fewer values: at most the whole
    }

    static long saturatedTimes(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    /**
     * Whether {@code ds} was created and never written (h5py's create_dataset without data): its contiguous storage has no
     * address, or its chunked storage no chunk (no chunk index); h5py (so Keras) reads it as its fill value, HDF5's
     * default 0 where the file sets none. A null dataspace (h5py.Empty, no storage either) has no values to fill.
     */
    private static boolean unwritten(Dataset ds) {
        if (ds.getDimensionsAsLong().length == 0 && ds.getSize() == 0) return false;   // jhdf: a null dataspace has size 0
        if (ds instanceof ContiguousDataset c) return c.getDataAddress() == UNDEFINED_ADDRESS;
        if (!(ds instanceof ChunkedDataset)) return false;
        try {
            return ds.isEmpty();   // jhdf: no chunk in its index
        } catch (RuntimeException e) {
            return false;   // an index jhdf cannot read: the read reports it
        }
    }

    /**
     * The value h5py reads for each element of a dataset never written: its fill value, or 0 where there is none or where
     * the file says to write it never (HDF5 then leaves h5py's buffer, which h5py zeroes, as it is).
     */
    private static float fill(Dataset ds) {
        if (ds instanceof AbstractNode node && node.getHeader().hasMessageOfType(FillValueMessage.class)
                && node.getHeader().getMessageOfType(FillValueMessage.class).getFillValueWriteTime() == FILL_TIME_NEVER) {
            return 0;
        }
        return ds.getFillValue() instanceof Number fill ? fill.floatValue() : 0;
    }

    /** HDF5's H5D_FILL_TIME_NEVER as the fill value message stores it. */
    private static final int FILL_TIME_NEVER = 1;

    /** HDF5's undefined address (all bits set), as jhdf reads it. */
    private static final long UNDEFINED_ADDRESS = -1;

    /**
     * A weight array in the file, checked (dtype, size) but read only when asked: into a tensor, or straight into
     * a parameter's span of its store (what a loader filling a new model does: no array of its own in between).
     */
    static final class Stored {
        /** Floats per piece of a read straight into a parameter (256 KB: the piece is checked while in cache). */
        private static final int PIECE = 64 * 1024;
        private final Dataset ds;
        private final int[] shape;
        private final long n;
        /** Its entry of the layer group's weight_names ({@code a1/kernel:0}), null where not read from one. */
        private final String name;
        /** A scalar dataset (shape ()), which {@link #shape} gives as (1). */
        private final boolean scalar;
        private Tensor read;

        private Stored(Dataset ds, int[] shape, long n, String name, boolean scalar) {
            this.ds = ds;
            this.shape = shape;
            this.n = n;
            this.name = name;
            this.scalar = scalar;
        }

        /** This array with its layer group's {@code weight_names} entry for it as its name. */
        Stored named(String weightName) {
            Stored s = new Stored(ds, shape, n, weightName, scalar);
            s.read = read;
            return s;
        }

        /** Its weight_names entry, null where it was not read from one (a converted layout, a Keras 3 file's vars). */
        String name() { return name; }

        /** Values already in memory (a layout converted on reading), standing for a stored array of their shape. */
        static Stored of(Tensor t) {
            Stored s = new Stored(null, t.shape(), t.size(), null, false);
            s.read = t;
            return s;
        }

        int[] shape() { return shape.clone(); }

        /** The shape as the file has it, as NumPy writes it: "()" for a scalar, "(0,)" for an empty array. */
        String fileShape() {
            if (scalar) return "()";
            if (n != 0) return Tensor.shapeString(shape);
            StringBuilder b = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) b.append(i == 0 ? "" : ", ").append(shape[i]);
            return b.append(shape.length == 1 ? ",)" : ")").toString();
        }

        /** Whether it holds no values (a dimension 0), which no jrnn weight does. */
        boolean isEmpty() { return n == 0; }

        /** The dataset's path in the file; null for values converted on reading. */
        String path() { return ds == null ? null : ds.getPath(); }

        /** The values as a tensor of the dataset's shape (read once; later calls return the same tensor). */
        Tensor tensor() {
            if (read == null) read = readTensor();
            return read;
        }

        /**
         * As {@link #tensor()}, plain float32 data read by position from {@code file} where it can ({@link
         * KerasFile#fileOffset}): those reads are the ones its deferred CRC-32 check is computed from, so the bytes are
         * read once (jhdf's read through the mapping would fault its pages in and leave the check to read them again).
         */
        Tensor tensor(KerasFile file) {
            if (read != null) return read;
            ByteBuffer raw = plainFloats();
            long position = raw == null ? -1 : file.fileOffset((ContiguousDataset) ds, raw);
            if (position < 0) return tensor();
            float[] f = new float[(int) n];
            ByteBuffer bytes = file.pieceBuffer(PIECE * 4).order(raw.order());
            for (long at = 0; at < n; at += PIECE) {
                int k = (int) Math.min(PIECE, n - at);
                bytes.clear().limit(k * 4);
                file.read(bytes, position + at * 4);
                bytes.flip().asFloatBuffer().get(f, (int) at, k);
            }
            read = Tensor.wrap(f, shape);
            return read;
        }

        private Tensor readTensor() {
            String path = ds.getPath();
            // jrnn's tensors have no zero dimension; the shape checks name it first where they run before the read
            if (n == 0) throw new KerasFormatException("dataset " + path + " has shape " + fileShape() + ": no values");
            if (unwritten(ds)) {
                float[] f = new float[(int) n];
                Arrays.fill(f, fill(ds));
                return Tensor.wrap(f, shape);
            }
            if (JhdfOpaqueTypes.marked(ds.getDataType())) return Tensor.wrap(bfloat16(), shape);
            Object flat;
            try {
                flat = ds.getDataFlat();
            } catch (RuntimeException e) {
                throw damaged(ds, e);
            }
            float[] f;
            if (flat instanceof Float one) {   // a scalar dataset
                f = new float[] {one};
            } else if (flat instanceof Double one) {
                f = new float[] {(float) (double) one};
            } else if (flat instanceof Number one) {   // an integer scalar
                f = new float[] {one.floatValue()};
            } else if (flat instanceof long[] la && la.length == 1) {
                f = new float[] {la[0]};
            } else if (flat instanceof int[] ia && ia.length == 1) {
                f = new float[] {ia[0]};
            } else if (flat instanceof float[] fa) {
                f = fa;
            } else if (flat instanceof double[] da) {
                f = new float[da.length];
                for (int i = 0; i < da.length; i++) f[i] = (float) da[i];
            } else {
                throw new Damaged("dataset " + path + " did not read as floats");
            }
            if (f.length != n) throw new Damaged("dataset " + path + " holds " + f.length + " values, its shape says " + n);
            return Tensor.wrap(f, shape);   // f is this method's own array: no copy
        }

        /**
         * A bfloat16 dataset's values ({@link JhdfOpaqueTypes}), each exact in float32: its bits the upper half of the
         * float's. Little-endian, as NumPy on the machines Keras runs on stores ml_dtypes' bfloat16 (an opaque type has
         * no byte order).
         */
        private float[] bfloat16() {
            ByteBuffer b = ((io.jhdf.dataset.DatasetBase) ds).getDataBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() != n * 2) {
                throw new Damaged("dataset " + ds.getPath() + " holds " + b.remaining() + " bytes, its shape says "
                        + n + " bfloat16 values");
            }
            float[] f = new float[(int) n];
            for (int i = 0, at = b.position(); i < f.length; i++) f[i] = Float.intBitsToFloat((b.getShort(at + 2 * i) & 0xffff) << 16);
            return f;
        }

        /**
         * Writes the values into {@code p} (of this shape) and says whether all were finite; after false, p holds
         * part of them. Plain float32 data is copied piece by piece, each piece checked while in cache, from where
         * it lies in {@code file} (read by position when the file can, else from jhdf's view of the bytes).
         */
        boolean readInto(Param p, KerasFile file) {
            ByteBuffer raw = plainFloats();
            if (raw == null || !(ds instanceof ContiguousDataset c)) {
                Tensor t = tensor();
                if (!t.isFinite()) return false;
                p.set(t);
                return true;
            }
            long position = file.fileOffset(c, raw);
            int size = (int) Math.min(n, PIECE);
            float[] piece = new float[size];
            int[] bits = new int[size];
            ByteBuffer bytes = position < 0 ? raw : file.pieceBuffer(PIECE * 4).order(raw.order());
            int base = raw.position();
            Backend be = p.backend();
            Buf dst = p.value();
            for (long at = 0; at < n; at += size) {
                int k = (int) Math.min(size, n - at);
                if (position >= 0) {
                    bytes.clear().limit(k * 4);
                    file.read(bytes, position + at * 4);
                    bytes.flip();
                } else {
                    bytes.limit(base + (int) (at + k) * 4).position(base + (int) at * 4);
                }
                bytes.asIntBuffer().get(bits, 0, k);   // read twice on purpose: the check over an int[] vectorizes, over floats it did not
                if (!finite(bits, k)) return false;
                bytes.asFloatBuffer().get(piece, 0, k);
                be.upload(piece, 0, dst, p.offset() + at, k);
            }
            return true;
        }

        /**
         * Whether none of the first {@code k} float bit patterns is NaN or Inf (exponent all ones): adding one to the
         * exponent of those alone carries into the sign bit. Branch-free over ints, which the JIT vectorizes: 1 ms per
         * 24 M values against 8 ms for a Float.isFinite loop.
         */
        private static boolean finite(int[] bits, int k) {
            int carry = 0;
            for (int i = 0; i < k; i++) carry |= (bits[i] & 0x7f800000) + 0x00800000;
            return carry >= 0;
        }

        /** The bytes of plain float32 data (contiguous, no filter) in the file's byte order; null for other data. */
        private ByteBuffer plainFloats() {
            try {
                return plainFloatsOrNull();
            } catch (RuntimeException e) {
                throw damaged(ds, e);
            }
        }

        private ByteBuffer plainFloatsOrNull() {
            if (n == 0 || !(ds instanceof ContiguousDataset c) || unwritten(ds) || !ds.getFilters().isEmpty()
                    || !(ds.getDataType() instanceof FloatingPoint fp) || fp.getBitPrecision() != 32 || ds.getJavaType() != float.class) {
                return null;
            }
            ByteBuffer b = c.getBuffer();
            if (b.remaining() / 4 != n) {
                throw new Damaged("dataset " + ds.getPath() + " holds " + b.remaining() / 4 + " values, its shape says " + n);
            }
            return b.order(fp.getByteOrder());
        }
    }
}
