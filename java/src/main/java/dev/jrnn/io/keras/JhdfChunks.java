package dev.jrnn.io.keras;

import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.filter.PipelineFilterWithData;

import java.util.Map;

/**
 * What jhdf 0.13 reads of a chunked dataset's index before its values: how many chunks the file holds and the most
 * bytes they can decode to. jhdf allocates a dataset's whole declared size before it decodes a chunk, so
 * {@link Hdf5Arrays} checks the declared size against these first.
 */
final class JhdfChunks {
    /**
     * Deflate's largest expansion: each 258-byte match costs at least 2 bits (a 1-bit length code, a 1-bit distance
     * code), so a zlib stream of s bytes decodes to at most 1032 s.
     */
    static final long DEFLATE_MAX_RATIO = 1032;
    private static final int DEFLATE = 1, SHUFFLE = 2, FLETCHER32 = 3;

    private JhdfChunks() {}

    /**
     * The number of chunks {@code c}'s index lists. jhdf 0.13 keeps the index behind a protected method
     * (ChunkedDatasetBase.getChunkLookup, what its own reads use) and has no public one that counts it; jhdf is not a
     * named module, so the method is open to reflection. A LinkageError (what the JVM throws for a missing method) if
     * a jhdf version drops it: the file is not at fault.
     */
    static long present(ChunkedDataset c) {
        return present(c, ChunkedDatasetBase.class, "getChunkLookup");
    }

    /** {@link #present(ChunkedDataset)} through {@code owner}'s {@code method} (a test names one that is missing). */
    static long present(ChunkedDataset c, Class<?> owner, String method) {
        java.lang.reflect.Method lookup;
        try {
            lookup = owner.getDeclaredMethod(method);
            lookup.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw jhdfChanged(owner, method, e);
        }
        try {
            return ((Map<?, ?>) lookup.invoke(c)).size();   // a ChunkedDataset jhdf made: a ChunkedDatasetBase
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
     * The most bytes {@code c}'s stored chunks can decode to: the bytes its index gives them (at most the file's), times
     * deflate's largest expansion per deflate filter; -1 where another filter (LZF, LZ4, bitshuffle) is in the pipeline,
     * whose jhdf decoder sizes its output from the filter's own data, not bounded here.
     */
    static long decodable(ChunkedDataset c, long fileBytes) {
        long ratio = 1;
        for (PipelineFilterWithData f : c.getFilters()) {
            switch (f.getId()) {
                case DEFLATE -> ratio = Hdf5Arrays.saturatedTimes(ratio, DEFLATE_MAX_RATIO);
                case SHUFFLE, FLETCHER32 -> { }   // bytes reordered; a checksum removed
                default -> {
                    return -1;
                }
            }
        }
        return Hdf5Arrays.saturatedTimes(ratio, Math.min(c.getStorageInBytes(), fileBytes));
    }
}
