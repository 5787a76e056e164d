package dev.jrnn.io.keras;

import io.jhdf.api.Dataset;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The values one load may read that its HDF5 file does not hold (the fill of never-written datasets and of chunks
 * missing from a chunk index): at most the file's size or {@link #UNWRITTEN_MAX_BYTES}, whichever is larger, each
 * dataset counted once however many names lead to it (hard links, Keras 2's repeated weight_names); and the bytes its
 * chunked datasets' written chunks decode to ({@link #chargeDecoded}: at most 1032 times the file's size); the chunk
 * entries jhdf lists for them ({@link #chargeListed}) and the chunk headers {@link JhdfChunks#checkHeaders} reads
 * ({@link #walkOnce}: each chunk once), so a file's hard links cannot multiply the work of one load. A
 * {@link KerasFile} makes one when it opens and hands it to {@link Hdf5Arrays}' reads; a test reading a file alone
 * makes its own.
 */
final class Hdf5FillBudget {
    /** The most bytes of values not held in the file one load may read, where the file is smaller (64 MiB). */
    static final long UNWRITTEN_MAX_BYTES = 64L << 20;

    /** The HDF5 data's size: the file's, or a .keras's model.weights.h5 member's. */
    final long fileBytes;
    private final long limit;
    private final Set<Long> charged = new HashSet<>(), decodedCharged = new HashSet<>();
    private long used, decodedUsed;
    /** The jhdf datasets with an implicit chunk index met in this load, by identity, and the chunk bytes they imply. */
    private final Set<Dataset> implicitCharged = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private long implicitUsed;
    /** The most bytes the file's chunks may decode to in one load: one decompressing filter's largest expansion of it. */
    private final long decodedLimit;
    /** The chunks whose headers were read in this load, by filter, address and size: the bytes their headers give decoded. */
    private final java.util.Map<Walked, Long> walked = new java.util.HashMap<>();
    private long walkedBytes;
    private int walks;
    /** The jhdf chunked datasets whose chunk entries were counted in this load, by identity, and the entries counted. */
    private final Set<Dataset> listed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private long listedUsed;

    /** A chunk whose header was read: its filter's name, its address and its stored bytes. */
    private record Walked(String kind, long address, long size) {}

    /**
     * The bytes of the file per chunk entry jhdf may list in one load: an index other than HDF5's implicit one (whose
     * chunks {@link #chargeImplicit} counts) spends at least 8 bytes on a chunk (its address) and the chunk at least 1, so
     * the distinct datasets of a file list at most 1 per 9 bytes.
     */
    static final int LISTED_BYTES_PER_CHUNK = 8;

    Hdf5FillBudget(long fileBytes) {
        this.fileBytes = fileBytes;
        this.limit = Math.max(UNWRITTEN_MAX_BYTES, fileBytes);
        this.decodedLimit = Hdf5Arrays.saturatedTimes(JhdfChunks.DEFLATE_MAX_RATIO, fileBytes);
    }

    /**
     * Counts {@code decoded} bytes of chunked dataset {@code ds}'s values held in its chunks against the per-load bound
     * of {@link JhdfChunks#DEFLATE_MAX_RATIO} times the file's bytes, once per dataset: each dataset's chunks are checked
     * to decode to at most that ratio of the bytes its index gives them, but many datasets' indexes may name the same
     * bytes; past the bound, a KerasFormatException naming the dataset.
     */
    synchronized void chargeDecoded(Dataset ds, long decoded) {
        if (decodedCharged.contains(ds.getAddress())) return;
        if (decoded > decodedLimit - decodedUsed) {
            throw new KerasFormatException("dataset " + ds.getPath() + " would decode to " + decoded + " bytes, after "
                    + decodedUsed + " in the file's other chunked datasets: more than " + JhdfChunks.DEFLATE_MAX_RATIO
                    + " times the file's " + fileBytes + " bytes (" + decodedLimit + "), refused per load: damaged");
        }
        decodedUsed += decoded;
        decodedCharged.add(ds.getAddress());
    }

    /**
     * Counts the {@code bytes} of chunks {@code ds}'s implicit chunk index implies ({@link JhdfChunks#checkImplicitIndex})
     * against the file's bytes, per load, once per jhdf dataset object: jhdf 0.13 builds an entry per chunk for each
     * object, and each hard link to a dataset is an object of its own (counting by address, as the other bounds do, would
     * let 299 links to one honest 50,000-chunk dataset build 299 maps from a 211 KB file). Distinct datasets' chunks lie
     * in distinct bytes of the file, so an honest file stays within; past it, a KerasFormatException naming the dataset.
     */
    synchronized void chargeImplicit(Dataset ds, long bytes) {
        if (implicitCharged.contains(ds)) return;
        if (bytes > fileBytes - implicitUsed) {
            throw new KerasFormatException("dataset " + ds.getPath() + " implies " + bytes + " bytes of chunks in an implicit "
                    + "chunk index, after " + implicitUsed + " in the load's other such datasets (each hard link to one counted "
                    + "again: jhdf lists its chunks for each): more than the file's " + fileBytes + " bytes, refused per load");
        }
        implicitUsed += bytes;
        implicitCharged.add(ds);
    }

    /**
     * Counts the {@code chunks} entries jhdf listed for chunked dataset {@code ds}'s index against the load's bound of the
     * file's bytes over {@link #LISTED_BYTES_PER_CHUNK}, once per jhdf object: each hard link to a dataset is an object of
     * its own, whose index jhdf lists again (and jrnn's checks walk again). Past it, a KerasFormatException naming the
     * dataset: an honest file's distinct datasets stay within, 10,000 links to one dataset of 10,000 chunks would not.
     * Not for an implicit index ({@link #chargeImplicit}).
     */
    synchronized void chargeListed(Dataset ds, long chunks) {
        if (listed.contains(ds)) return;
        long limit = fileBytes / LISTED_BYTES_PER_CHUNK;
        if (chunks > limit - listedUsed) {
            throw new KerasFormatException("dataset " + ds.getPath() + " lists " + chunks + " chunk(s), after " + listedUsed
                    + " listed for the load's other chunked datasets (each hard link to one listed again): more than " + limit
                    + " (one per " + LISTED_BYTES_PER_CHUNK + " of the file's " + fileBytes + " bytes), refused per load");
        }
        listedUsed += chunks;
        listed.add(ds);
    }

    /**
     * The bytes decoded the header of {@code ds}'s {@code kind} chunk at {@code address} of {@code size} bytes gives:
     * {@code walk}'s answer, run once per chunk per load (a chunk met again, through a hard link or another dataset's
     * index, gives the answer recorded; one whose walk threw is walked again, and refused again). Before a walk, the
     * chunk's bytes are counted against the load's bound of the file's bytes walked: the chunks of distinct datasets do
     * not overlap; past it (chunk indexes naming overlapping bytes at distinct addresses), a KerasFormatException naming
     * the dataset. Look-up, count, walk and record are one step, so threads sharing a budget walk a chunk once.
     */
    synchronized long walkOnce(Dataset ds, String kind, long address, long size, LongSupplier walk) {
        Walked key = new Walked(kind, address, size);
        Long known = walked.get(key);
        if (known != null) return known;
        chargeWalk(ds, kind, address, size);
        long decoded = walk.getAsLong();
        walked.put(key, decoded);
        return decoded;
    }

    /** {@link #walkOnce}'s count of a chunk about to be walked against the file's bytes. */
    synchronized void chargeWalk(Dataset ds, String kind, long address, long size) {
        if (size > fileBytes - walkedBytes) {
            throw new KerasFormatException("dataset " + ds.getPath() + " has a " + kind + " chunk at byte " + address + " (" + size
                    + " bytes) after " + walkedBytes + " bytes of the load's other chunks were checked: more than the file's "
                    + fileBytes + " bytes (chunk indexes naming overlapping bytes), refused per load: damaged");
        }
        walkedBytes += size;
        walks++;
    }

    /** The chunk headers read in this load (each chunk once, whatever the links to its dataset). */
    synchronized int walks() {
        return walks;
    }

    /**
     * Counts {@code unbacked} bytes of {@code ds} (of shape {@code dims}, {@code bytes} in all; {@code unwritten}: never
     * written) against the bound, once per dataset; a KerasFormatException naming the dataset past it.
     */
    synchronized void charge(Dataset ds, long unbacked, boolean unwritten, long[] dims, long bytes) {
        if (charged.contains(ds.getAddress())) return;
        if (unbacked > limit - used) {
            String what = unwritten ? "was never written and claims " + Arrays.toString(dims) + " (" + bytes + " bytes) of its fill value"
                    : "claims " + Arrays.toString(dims) + ", " + unbacked + " bytes of which are in chunks never written";
            throw new KerasFormatException("dataset " + ds.getPath() + " " + what + (used == 0 ? "" : " (after " + used
                    + " such bytes in the file's other datasets)") + ", more than the whole file (" + fileBytes
                    + " bytes): refused above " + limit + " bytes of values not stored in the file per load");
        }
        used += unbacked;
        charged.add(ds.getAddress());
    }
}
