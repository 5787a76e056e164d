package dev.jrnn.io.keras;

import io.jhdf.AbstractNode;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.filter.PipelineFilterWithData;
import io.jhdf.object.message.DataLayoutMessage.ChunkedDataLayoutMessageV4;
import io.jhdf.storage.HdfBackingStorage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What jhdf 0.13 reads of a chunked dataset's index before its values: how many chunks the file holds, the bytes the
 * index gives them (each checked to lie inside the file) and the most bytes they can decode to. jhdf allocates a dataset's whole declared size before it decodes a chunk, so
 * {@link Hdf5Arrays} checks the declared size against these first.
 */
final class JhdfChunks {
    /**
     * Deflate's largest expansion: each 258-byte match costs at least 2 bits (a 1-bit length code, a 1-bit distance
     * code), so a zlib stream of s bytes decodes to at most 1032 s (zlib -9 on zeros reaches 1028.7:1, so the bound
     * leaves a 0.3% margin). LZF (at most ~88:1) and LZ4 (at most ~255:1) expand less, so 1032 bounds one decompressing
     * stage of any of them.
     */
    static final long DEFLATE_MAX_RATIO = 1032;
    private static final int DEFLATE = 1, SHUFFLE = 2, FLETCHER32 = 3, LZF = 32000, LZ4 = 32004, BITSHUFFLE = 32008;

    private JhdfChunks() {}

    /** ChunkedDatasetBase.getChunkLookup, found once (null until then). */
    private static volatile java.lang.reflect.Method lookup;

    /**
     * The number of chunks {@code c}'s index lists. jhdf 0.13 keeps the index behind a protected method
     * (ChunkedDatasetBase.getChunkLookup, what its own reads use) and has no public one that counts it; jhdf is not a
     * named module, so the method is open to reflection. A LinkageError (what the JVM throws for a missing method) if
     * a jhdf version drops it: the file is not at fault.
     */
    static long present(ChunkedDataset c) {
        return chunks(c).size();
    }

    /** {@link #present(ChunkedDataset)} through {@code owner}'s {@code method} (a test names one that is missing). */
    static long present(ChunkedDataset c, Class<?> owner, String method) {
        return chunks(c, find(owner, method), owner, method).size();
    }

    private static Collection<?> chunks(ChunkedDataset c) {
        java.lang.reflect.Method m = lookup;
        if (m == null) lookup = m = find(ChunkedDatasetBase.class, "getChunkLookup");
        return chunks(c, m, ChunkedDatasetBase.class, "getChunkLookup");
    }

    private static java.lang.reflect.Method find(Class<?> owner, String method) {
        try {
            java.lang.reflect.Method m = owner.getDeclaredMethod(method);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw jhdfChanged(owner, method, e);
        }
    }

    private static Collection<?> chunks(ChunkedDataset c, java.lang.reflect.Method m, Class<?> owner, String method) {
        try {
            return ((Map<?, ?>) m.invoke(c)).values();   // a ChunkedDataset jhdf made: a ChunkedDatasetBase
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;   // an index jhdf cannot read: the caller names the dataset
            if (e.getCause() instanceof Error err) throw err;
            throw jhdfChanged(owner, method, e.getCause());
        } catch (ReflectiveOperationException | ClassCastException | IllegalArgumentException e) {
            throw jhdfChanged(owner, method, e);
        }
    }

    private static LinkageError jhdfChanged(Class<?> owner, String method, Throwable e) {
        return new LinkageError("jhdf's chunk index is not reachable (" + owner.getName() + "." + method + "(), a Map, in jhdf "
                + "0.13): this jhdf is another version than jrnn was built against (" + e + ")", e);
    }

    /**
     * The bytes {@code c}'s index gives its chunks, each checked to lie inside the file's {@code fileBytes} (an index
     * may claim any size for a chunk; jhdf maps what it claims): a KerasFormatException naming the dataset otherwise.
     */
    static long stored(ChunkedDataset c, long fileBytes) {
        long sum = 0;
        for (Object o : chunks(c)) {
            Chunk k = (Chunk) o;
            if (k.getSize() < 0 || k.getAddress() < 0 || k.getAddress() > fileBytes - k.getSize()) {
                throw new KerasFormatException("dataset " + c.getPath() + " has a chunk the index places at byte "
                        + k.getAddress() + " with " + k.getSize() + " bytes, past the end of the file (" + fileBytes
                        + " bytes): damaged");
            }
            sum += k.getSize();   // each at most fileBytes: no overflow below 2^63 / 2^31 chunks
        }
        return sum;
    }

    /**
     * The most bytes {@code c}'s stored chunks can decode to, {@code stored} bytes of them (at most the file's): DEFLATE_MAX_RATIO
     * times those, whatever the pipeline, as jhdf allocates the dataset's whole declared size before it decodes a
     * chunk. Reads no chunk's bytes (the caller compares this bound first; {@link #checkHeaders} then reads the chunks'
     * headers). A KerasFormatException where the pipeline could make jhdf allocate more while decoding a chunk: two or more
     * decompressing filters (deflate, LZF, LZ4, bitshuffle with LZ4: jhdf decodes each into a buffer it sizes from the
     * data, and no writer jrnn reads stacks them), an LZF filter whose parameters size a chunk's output past
     * {@code chunkBytes} (the chunk's uncompressed size; jhdf allocates that parameter's bytes for each chunk) or past
     * DEFLATE_MAX_RATIO times a chunk's stored bytes ({@link #checkLzf}), or a filter applied after one whose chunk
     * headers {@link #checkHeaders} reads.
     */
    static long decodable(ChunkedDataset c, long stored, long fileBytes, long chunkBytes) {
        int decompressing = 0;
        List<PipelineFilterWithData> filters = c.getFilters();
        for (int i = 0; i < filters.size(); i++) {
            PipelineFilterWithData f = filters.get(i);
            int[] data = f.getFilterData();
            switch (f.getId()) {
                case DEFLATE -> decompressing++;
                case LZ4 -> {
                    decompressing++;
                    headersFirst(c, "LZ4", filters.subList(i + 1, filters.size()));
                }
                case LZF -> {
                    decompressing++;
                    if (data.length > 2 && (data[2] < 0 || data[2] > chunkBytes)) {
                        throw new KerasFormatException("dataset " + c.getPath() + " has an LZF filter whose parameters "
                                + "give a chunk " + data[2] + " bytes decoded, more than a chunk's " + chunkBytes + ": damaged");
                    }
                    if (data.length > 2) checkLzf(c, data[2]);
                }
                case BITSHUFFLE -> {
                    if (data.length > 4 && data[4] != 0) decompressing++;   // 0: no compression
                    if (bitshuffleLz4(f)) headersFirst(c, "bitshuffle-LZ4", filters.subList(i + 1, filters.size()));
                }
                case SHUFFLE, FLETCHER32 -> { }   // bytes reordered; a checksum removed
                default -> { }   // a filter jhdf does not have: it refuses the read
            }
        }
        if (decompressing > 1) {
            throw new KerasFormatException("dataset " + c.getPath() + " stacks " + decompressing + " decompressing filters "
                    + "(" + c.getFilters() + "): each could expand its input up to " + DEFLATE_MAX_RATIO + " times; "
                    + "refused (h5py and Keras write one)");
        }
        return Hdf5Arrays.saturatedTimes(DEFLATE_MAX_RATIO, Math.min(stored, fileBytes));
    }

    /** Bitshuffle's filter with its LZ4 compression (parameter 4: 2), whose chunks start with a header jhdf allocates from. */
    private static boolean bitshuffleLz4(PipelineFilterWithData f) {
        int[] data = f.getFilterData();
        return f.getId() == BITSHUFFLE && data.length > 4 && data[4] == 2;
    }

    /**
     * Refuses {@code c} where a filter other than Fletcher32 follows its {@code kind} filter in {@code after} (applied after
     * it when writing, undone before it when reading): only Fletcher32's checksum, which jhdf leaves at the chunk's end,
     * keeps that filter's header at the chunk's start, where {@link #checkHeaders} reads it.
     */
    private static void headersFirst(ChunkedDataset c, String kind, List<PipelineFilterWithData> after) {
        for (PipelineFilterWithData f : after) {
            if (f.getId() != FLETCHER32) {
                throw new KerasFormatException("dataset " + c.getPath() + " applies filter " + f.getName() + " (" + f.getId()
                        + ") after " + kind + ": its chunks' " + kind + " headers cannot be checked before jhdf allocates what "
                        + "they claim; refused (h5py and hdf5plugin put compression after shuffling)");
            }
        }
    }

    /**
     * Refuses {@code c} where a chunk's stored bytes could not decode to the {@code decoded} bytes its LZF filter's
     * parameters give each chunk (which jhdf 0.13 allocates for each): more than {@link #DEFLATE_MAX_RATIO} times them.
     * The chunk's uncompressed size alone bounds it loosely where the chunk is larger than the dataset (10 values in a
     * chunk of 2^28: 1 GB per chunk of a few bytes).
     */
    private static void checkLzf(ChunkedDataset c, long decoded) {
        for (Object o : chunks(c)) {
            Chunk k = (Chunk) o;
            if (decoded > Hdf5Arrays.saturatedTimes(DEFLATE_MAX_RATIO, k.getSize())) {
                throw new KerasFormatException("dataset " + c.getPath() + " has an LZF filter whose parameters give a chunk "
                        + decoded + " bytes decoded, more than " + DEFLATE_MAX_RATIO + " times its chunk at byte " + k.getAddress()
                        + " (" + k.getSize() + " bytes): damaged");
            }
        }
    }

    /**
     * Each of {@code c}'s chunks checked before jhdf decodes it where its LZ4 or bitshuffle-LZ4 filter starts the chunk
     * with a header jhdf 0.13 allocates from as it comes (up to 2^31 bytes per chunk, and per block). Call after the
     * bounds that read no chunk ({@link #decodable}, {@link Hdf5FillBudget#chargeDecoded}): this one reads each chunk's
     * header and its blocks' sizes. A chunk at an address, of a size, already checked in this load ({@code fills}: a hard
     * link to a dataset is another jhdf object listing the same chunks) is not read again, and the chunks read in one
     * load may hold at most the file's bytes ({@link Hdf5FillBudget#walkOnce}): so a file's links cost one walk of its
     * chunks, not one per link.
     * <p>
     * LZ4's HDF5 format (big-endian: the decoded bytes in 8, the block bytes in 4, then per block its compressed size in
     * 4 and the block, raw where that size is the block's): the decoded bytes must be at most the chunk's {@code chunkBytes}
     * (what HDF5's LZ4 filter writes: the chunk's size) and at most {@link #DEFLATE_MAX_RATIO} times the chunk's stored
     * bytes (LZ4 expands at most ~255 times: a chunk larger than its dataset, 2^28 values for 10, would let a few bytes
     * claim 1 GB), each block inside the chunk. Bitshuffle's (the same header, the block bytes being bitshuffle's block
     * of elements, each block then LZ4-compressed behind its size): the same bounds, and the block bytes (jhdf allocates
     * them once per chunk) at least 1 and at most DEFLATE_MAX_RATIO times the chunk's stored bytes, whole elements in
     * blocks of a multiple of 8 elements, the blocks bitshuffle wrote as many as jhdf reads (see {@link #walk}), each
     * inside the chunk, and the bytes after them those of the last elements bitshuffle leaves raw. A KerasFormatException
     * naming the dataset and the chunk otherwise. Reads 16 bytes per chunk and 4 per block (a block takes at least its
     * 4-byte size, so at most a quarter of the chunk's bytes).
     */
    static void checkHeaders(ChunkedDataset c, long chunkBytes, Hdf5FillBudget fills) {
        String kind = null;
        int elem = 0;
        boolean fletcher = false;
        for (PipelineFilterWithData f : c.getFilters()) {
            if (f.getId() == LZ4) kind = "LZ4";
            else if (bitshuffleLz4(f)) {
                kind = "bitshuffle-LZ4";
                elem = f.getFilterData()[2];
            } else if (f.getId() == FLETCHER32 && kind != null) fletcher = true;   // after it: jhdf leaves its 4 bytes
        }
        if (kind == null) return;
        String how = kind, lz4 = kind;   // the element size and checksum change a bitshuffle chunk's verdict: part of its key
        if (elem != 0) how = kind + " (" + elem + "-byte elements" + (fletcher ? ", Fletcher32)" : ")");
        int elemBytes = elem;
        boolean checksum = fletcher;
        HdfBackingStorage hdf = c.getHdfFile().getHdfBackingStorage();
        for (Object o : chunks(c)) {
            Chunk k = (Chunk) o;   // inside the file: checked by stored()
            long decoded = fills.walkOnce(c, how, k.getAddress(), k.getSize(), () -> walk(hdf.map(k.getAddress(),
                    k.getSize()).order(ByteOrder.BIG_ENDIAN), lz4, elemBytes, checksum, c, k, chunkBytes));
            if (decoded > chunkBytes) {   // walked for another dataset's larger chunks
                throw new KerasFormatException(chunk(c, kind, k) + "whose header gives " + Long.toUnsignedString(decoded)
                        + " bytes decoded, more than a chunk's " + chunkBytes + ": damaged");
            }
        }
    }

    /** How a refusal names {@code c}'s {@code kind} chunk {@code k} (built only when refusing: checkHeaders meets every chunk). */
    private static String chunk(ChunkedDataset c, String kind, Chunk k) {
        return "dataset " + c.getPath() + " has " + ("LZ4".equals(kind) ? "an " : "a ") + kind + " chunk at byte "
                + k.getAddress() + " (" + k.getSize() + " bytes) ";
    }

    /**
     * The decoded bytes the header of {@code c}'s chunk {@code k} ({@code b}, its bytes) gives, after {@link #checkHeaders}'
     * checks; for bitshuffle-LZ4, {@code elem} is the element size its filter gives (jhdf unshuffles by it) and
     * {@code fletcher} whether Fletcher32's 4 bytes (which jhdf leaves) end the chunk.
     * <p>
     * Bitshuffle (bshuf_blocked_wrap_fun) writes a chunk of n elements in blocks of B as n / B full blocks, then one
     * partial block of n % B elements rounded down to a multiple of 8 (if any), each behind its compressed size, then the
     * last n % 8 elements raw. jhdf 0.13 reads the decoded bytes over the block bytes, rounded down (or 1 where the block
     * is larger), as blocks and copies the rest raw: a partial block after full ones, or a chunk of fewer than 8
     * elements (no block at all), it reads wrong without an error, so those are refused.
     */
    private static long walk(ByteBuffer b, String kind, int elem, boolean fletcher, ChunkedDataset c, Chunk k, long chunkBytes) {
        boolean lz4 = "LZ4".equals(kind);
        if (b.remaining() < 12) {
            throw new KerasFormatException(chunk(c, kind, k) + "too short for " + kind + "'s 12-byte header: damaged");
        }
        long decoded = b.getLong();
        long block = Integer.toUnsignedLong(b.getInt());
        long most = Hdf5Arrays.saturatedTimes(DEFLATE_MAX_RATIO, k.getSize());
        if (decoded < 0 || decoded > chunkBytes) {
            throw new KerasFormatException(chunk(c, kind, k) + "whose header gives " + Long.toUnsignedString(decoded)
                    + " bytes decoded, more than a chunk's " + chunkBytes + ": damaged");
        }
        if (decoded > most) {   // a chunk larger than its dataset
            throw new KerasFormatException(chunk(c, kind, k) + "whose header gives " + decoded + " bytes decoded, more than "
                    + DEFLATE_MAX_RATIO + " times its bytes: damaged");
        }
        long blocks, leftover = -1;
        if (lz4) {
            if (decoded == 0) return 0;
            blocks = block == 0 ? Long.MAX_VALUE : (decoded + block - 1) / block;
        } else {
            if (block == 0) throw new KerasFormatException(chunk(c, kind, k) + "whose header gives blocks of 0 bytes: damaged");
            if (block > most) {   // jhdf allocates the block for each chunk, whatever the chunk holds
                throw new KerasFormatException(chunk(c, kind, k) + "whose header gives blocks of " + block + " bytes, more than "
                        + DEFLATE_MAX_RATIO + " times its bytes: refused (jhdf 0.13 would allocate " + block + " bytes for "
                        + "each such chunk); re-save with bitshuffle's default block (8 KB)");
            }
            if (elem <= 0 || decoded % elem != 0 || block % elem != 0 || block / elem % 8 != 0) {
                throw new KerasFormatException(chunk(c, kind, k) + "whose header gives " + decoded + " bytes decoded in blocks "
                        + "of " + block + ", for elements of " + elem + " bytes (its filter's parameter 2): not whole elements, "
                        + "or blocks not of a multiple of 8 elements as bitshuffle writes them: damaged");
            }
            long n = decoded / elem, per = block / elem, rest = n % per;
            long full = n / per, partial = rest - rest % 8;
            long real = full + (partial > 0 ? 1 : 0), jhdf = block > decoded ? 1 : decoded / block;
            if (real != jhdf) {
                throw new KerasFormatException(chunk(c, kind, k) + "of " + n + " elements in blocks of " + per + ": jhdf 0.13 "
                        + "cannot decode " + (n < 8 ? "a bitshuffle chunk of fewer than 8 elements (stored raw, without a block)"
                        : "a bitshuffle chunk with a partial block after full ones") + " (it would read wrong values); "
                        + "re-save with chunks of a multiple of bitshuffle's block (" + per + " elements), or with gzip");
            }
            blocks = real;
            leftover = n % 8 * elem + (fletcher ? 4 : 0);
        }
        if (blocks > b.remaining() / 4) {
            throw new KerasFormatException(chunk(c, kind, k) + "whose header gives " + decoded + " bytes decoded in blocks of "
                    + block + ", more blocks than its bytes can hold: damaged");
        }
        for (long i = 0; i < blocks; i++) {
            long size = b.remaining() < 4 ? -1 : Integer.toUnsignedLong(b.getInt());
            if (size < 0 || size > b.remaining()) {
                throw new KerasFormatException(chunk(c, kind, k) + "whose block " + (i + 1) + " of " + blocks + " claims "
                        + (size < 0 ? "bytes past its end" : size + " bytes, past its end") + ": damaged");
            }
            b.position(b.position() + (int) size);
        }
        if (leftover >= 0 && b.remaining() != leftover) {   // jhdf copies what is left raw: fewer bytes read as zeros
            throw new KerasFormatException(chunk(c, kind, k) + "whose " + blocks + " block(s) leave " + b.remaining()
                    + " bytes, where bitshuffle leaves its last elements' " + leftover + (fletcher ? " (with Fletcher32's 4)" : "")
                    + ": damaged");
        }
        return decoded;
    }

    /** {@code ds}'s layout message where its chunk index is HDF5's implicit one (which spends no byte per chunk); null otherwise. */
    static ChunkedDataLayoutMessageV4 implicitIndex(Dataset ds) {
        if (!(ds instanceof ChunkedDataset) || !(ds instanceof AbstractNode node)
                || !node.getHeader().hasMessageOfType(ChunkedDataLayoutMessageV4.class)) {
            return null;
        }
        ChunkedDataLayoutMessageV4 layout = node.getHeader().getMessageOfType(ChunkedDataLayoutMessageV4.class);
        return layout.getIndexingType() == ChunkedDataLayoutMessageV4.IMPLICIT_INDEX ? layout : null;
    }

    /**
     * Refuses {@code ds} where its chunk index is HDF5's implicit one (layout message version 4, index type 2: a
     * dataset of fixed maximum dimensions, no filter, allocated early) and the chunks it implies, one after another
     * from its address, reach past the file's {@code fileBytes}: such an index lists no chunk, and jhdf 0.13 builds an
     * entry for each chunk of the declared dimensions before the first read (a few bytes of dataspace claiming 10^8
     * chunks: an OutOfMemoryError). Within the file they are at most one entry per 2 bytes of it. A chunk dimension of 0
     * or less is refused too. Reads only the
     * object header; the bytes are then counted against the load's {@code fills} ({@link Hdf5FillBudget#chargeImplicit}:
     * each hard link again). Call before anything asks jhdf for the chunks ({@link #present}, {@code isEmpty}).
     */
    static void checkImplicitIndex(Dataset ds, Hdf5FillBudget fills) {
        long fileBytes = fills.fileBytes;
        ChunkedDataLayoutMessageV4 layout = implicitIndex(ds);
        if (layout == null || layout.getAddress() == -1 || !(ds instanceof ChunkedDataset c)) return;
        long[] dims = ds.getDimensionsAsLong();
        int[] chunk = c.getChunkDimensions();
        long chunks = 1, chunkBytes = Math.max(1, ds.getDataType().getSize());
        for (int i = 0; i < dims.length && i < chunk.length; i++) {
            if (chunk[i] <= 0) {   // no writer makes one; jhdf would divide by it listing the chunks
                throw new KerasFormatException("dataset " + ds.getPath() + " has chunk dimensions " + java.util.Arrays.toString(chunk)
                        + " in an implicit chunk index: a chunk dimension of " + chunk[i] + ": damaged");
            }
            chunks = Hdf5Arrays.saturatedTimes(chunks, (dims[i] + chunk[i] - 1) / chunk[i]);
            chunkBytes = Hdf5Arrays.saturatedTimes(chunkBytes, chunk[i]);
        }
        long bytes = Hdf5Arrays.saturatedTimes(chunks, chunkBytes), address = layout.getAddress();
        if (address < 0 || address > fileBytes || bytes > fileBytes - address) {
            throw new KerasFormatException("dataset " + ds.getPath() + " claims " + java.util.Arrays.toString(dims)
                    + " in an implicit chunk index: " + chunks + " chunk(s) of " + chunkBytes + " bytes ("
                    + (bytes == Long.MAX_VALUE ? "more than 2^63" : bytes) + " bytes) from byte " + address
                    + ", past the end of the file (" + fileBytes + " bytes): damaged");
        }
        fills.chargeImplicit(ds, bytes);
    }
}
