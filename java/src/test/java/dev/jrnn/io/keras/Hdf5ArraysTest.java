package dev.jrnn.io.keras;

import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import io.jhdf.HdfFile;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bound on values a file does not hold is per load, not per dataset: {@code hostile/fill_budget.h5}
 * ({@code hostile/make_fill_budget.py}) holds two never-written datasets of 36 MB each, a hard link to one of them, and
 * a gzip-chunked 100 MB dataset with one chunk written. Before, each never-written one passed the 64 MiB bound alone (so
 * any number of them filled gigabytes from a few KB), and the partly written filtered one skipped every size check.
 */
class Hdf5ArraysTest {
    private static Path file() {
        try {
            return Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/fill_budget.h5").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test resource hostile/fill_budget.h5 missing: run make_fill_budget.py", e);
        }
    }

    @Test
    void neverWrittenDatasetsShareOneBoundPerLoad() throws IOException {
        long size = Files.size(file());
        Hdf5FillBudget load = new Hdf5FillBudget(size);
        try (HdfFile h = new HdfFile(file())) {
            assertEquals(9_000_000, Hdf5Arrays.stored(h.getDatasetByPath("a"), load).tensor().size());
            assertEquals("dataset /b was never written and claims [3000, 3000] (36000000 bytes) of its fill value (after 36000000 "
                    + "such bytes in the file's other datasets), more than the whole file (" + size + " bytes): refused above "
                    + "67108864 bytes of values not stored in the file per load", refused(h, "b", load));
        }
        try (HdfFile h = new HdfFile(file())) {   // another load: its own budget
            assertEquals(9_000_000, Hdf5Arrays.stored(h.getDatasetByPath("b"), new Hdf5FillBudget(size)).tensor().size());
        }
    }

    /** A hard link (and Keras 2's weight_names naming one dataset twice) is the same dataset: its fill counts once. */
    @Test
    void aliasesOfOneDatasetAreCountedOnce() throws IOException {
        Hdf5FillBudget load = new Hdf5FillBudget(Files.size(file()));
        try (HdfFile h = new HdfFile(file())) {
            for (String name : new String[] {"a", "a_again", "a", "a_again"}) {
                assertEquals(9_000_000, Hdf5Arrays.stored(h.getDatasetByPath(name), load).tensor().size());
            }
        }
    }

    /**
     * 100 MB of which the file holds one 4 MB chunk, gzipped to 4 KB: the 24 chunks missing from its index are values not
     * in the file, counted at their uncompressed size.
     */
    @Test
    void aPartlyWrittenFilteredDatasetIsBoundedToo() throws IOException {
        long size = Files.size(file());
        try (HdfFile h = new HdfFile(file())) {
            assertEquals("dataset /partly_gzip claims [5000, 5000], 96000000 bytes of which are in chunks never written, more than "
                    + "the whole file (" + size + " bytes): refused above 67108864 bytes of values not stored in the file per load",
                    refused(h, "partly_gzip", new Hdf5FillBudget(size)));
        }
    }

    private static Path zerosGzip() {
        try {
            return Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/zeros_gzip.h5").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test resource hostile/zeros_gzip.h5 missing: run make_zeros_gzip.py", e);
        }
    }

    /**
     * What gzip saves is not a value the file lacks: Keras 3.15.1's Dense(5000) of zeros, gzipped by h5py
     * ({@code hostile/zeros_gzip.h5}, {@code make_zeros_gzip.py}): its 100 MB kernel stored in 145 KB, every chunk written.
     * Keras and h5py load it, and so does jrnn (before, the 100 MB less the stored bytes were refused past 64 MiB).
     */
    @Test
    void aCompressedWeightWithEveryChunkWrittenLoads() throws IOException {
        Path f = zerosGzip();
        assertTrue(Files.size(f) < 1_000_000);
        try (Model m = Models.load(f)) {
            assertEquals(25_005_000, m.countParams());
            assertEquals(0f, maxAbs(m.getWeights().get(0).data()), 0f);
        }
        try (HdfFile h = new HdfFile(f)) {   // loadWeights' check (reading 100 MB through jhdf's gzip again takes seconds)
            String kernel = "/model_weights/dense/sequential/dense/kernel";
            assertArrayEquals(new int[] {5000, 5000}, Hdf5Arrays.stored(h.getDatasetByPath(kernel), new Hdf5FillBudget(Files.size(f))).shape());
        }
    }

    /**
     * A gzip chunk cannot decode past 1032 times its bytes: {@code hostile/gzip_claims.h5} ({@code make_gzip_claims.py})
     * holds a dataset whose header was patched to claim 1.6 GB of one 71-byte chunk (h5py crashes reading its end), and
     * an honest 48 KB one in 69 bytes. The claim is refused where the dataset is checked, before any value is read; before,
     * the check passed it (its one chunk is written) and jhdf's read allocated the 1.6 GB before inflating the chunk.
     */
    @Test
    void aGzipChunkClaimingMoreThanDeflateCanHoldIsRefusedBeforeAnyRead() throws IOException, URISyntaxException {
        Path f = Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/gzip_claims.h5").toURI());
        long size = Files.size(f);
        Hdf5FillBudget load = new Hdf5FillBudget(size);
        try (HdfFile h = new HdfFile(f)) {
            assertEquals("dataset /claims_huge claims [400000000] (1600000000 bytes), 1600000000 of them in its 1 chunk(s) written, "
                    + "which the file stores in 71 bytes (of its " + size + "), decoding to at most 73272 (one decompressing filter "
                    + "expands at most 1032 times): damaged", refused(h, "claims_huge", load));
            assertArrayEquals(new float[12000], Hdf5Arrays.stored(h.getDatasetByPath("small"), load).tensor().data());
        }
    }

    /**
     * jhdf allocates a dataset's declared size before any filter runs, so every pipeline is bounded, by one decompressing
     * stage's 1032 times the chunk bytes: {@code hostile/filter_claims.h5} ({@code make_filter_claims.py}). Before, LZF
     * and four stacked deflates passed the check (1.6 GB claimed), as did an LZF parameter sizing a chunk's output at
     * 2 GB and a chunk index claiming 2 MB past the end of a 115 KB file (its 80 MB claim under 1032 times the file).
     */
    @Test
    void everyFilterPipelineIsBoundedByOneDecompressingStageAndTheChunksInTheFile() throws IOException, URISyntaxException {
        Path f = Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/filter_claims.h5").toURI());
        long size = Files.size(f);
        Hdf5FillBudget load = new Hdf5FillBudget(size);
        try (HdfFile h = new HdfFile(f)) {
            String lzf = refused(h, "lzf", load);
            assertTrue(lzf.startsWith("dataset /lzf claims [400000000] (1600000000 bytes)") && lzf.contains("decoding to at most 587208 "
                    + "(one decompressing filter expands at most 1032 times): damaged"), lzf);
            for (String stacked : new String[] {"deflate2", "deflate4"}) {
                String m = refused(h, stacked, load);
                assertTrue(m.startsWith("dataset /" + stacked + " stacks " + stacked.charAt(7) + " decompressing filters"), m);
            }
            String param = refused(h, "lzf_param", load);
            assertEquals("dataset /lzf_param has an LZF filter whose parameters give a chunk 2000000000 bytes decoded, more than "
                    + "a chunk's 49384: damaged", param);
            String index = refused(h, "index_claims", load);
            assertTrue(index.startsWith("dataset /index_claims has a chunk the index places at byte ")
                    && index.endsWith(" with 2000000 bytes, past the end of the file (" + size + " bytes): damaged"), index);
        }
    }

    /**
     * An LZ4 chunk's header and block sizes are checked against the chunk before jhdf reads them:
     * {@code hostile/chunk_claims.h5} ({@code make_chunk_claims.py}, chunks written in LZ4's HDF5 format by hand). Before,
     * jhdf allocated what each chunk's header claimed (2,000,000,000 bytes decoded, or compressed in one block) as it
     * decoded. The honest LZ4 dataset (one LZ4 block, two blocks raw and LZ4, one raw block) reads as its plain copy.
     */
    @Test
    void anLz4ChunkMayNotClaimMoreThanAChunk() throws IOException, URISyntaxException {
        Path f = Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/chunk_claims.h5").toURI());
        Hdf5FillBudget load = new Hdf5FillBudget(Files.size(f));
        try (HdfFile h = new HdfFile(f)) {
            assertArrayEquals(Hdf5Arrays.stored(h.getDatasetByPath("plain"), load).tensor().data(),
                    Hdf5Arrays.stored(h.getDatasetByPath("lz4"), load).tensor().data());
            refusedChunk(h, "lz4_total", load, "an LZ4", " (4033 bytes) whose header "
                    + "gives 2000000000 bytes decoded, more than a chunk's 4000: damaged");
            refusedChunk(h, "lz4_block", load, "an LZ4", " (4033 bytes) whose block "
                    + "1 of 1 claims 2000000000 bytes, past its end: damaged");
            String shuffled = refused(h, "lz4_shuffled", load);
            assertTrue(shuffled.startsWith("dataset /lz4_shuffled applies filter shuffle (2) after LZ4"), shuffled);
        }
    }

    /**
     * A chunk larger than its dataset (10 values in chunks of 2^28: 1 GiB uncompressed) whose few stored bytes claim
     * 10^9 bytes decoded (its LZ4 header) or 2^30 (its LZF filter's parameters) is refused before jhdf allocates them:
     * {@code hostile/big_chunks.h5} ({@code make_big_chunks.py}). Before, the claim was bounded by the chunk's
     * uncompressed size alone, and jhdf allocated 1 GB for 3.5 KB of file.
     */
    @Test
    void aChunkLargerThanItsDatasetMayNotClaimMoreThanItsBytesDecode() throws IOException, URISyntaxException {
        Path f = Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/big_chunks.h5").toURI());
        Hdf5FillBudget load = new Hdf5FillBudget(Files.size(f));
        try (HdfFile h = new HdfFile(f)) {
            refusedChunk(h, "lz4_bigchunk", load, "an LZ4", " (20 bytes) whose header "
                    + "gives 1000000000 bytes decoded, more than 1032 times its bytes: damaged");
            String lzf = refused(h, "lzf_bigchunk", load);
            assertTrue(lzf.startsWith("dataset /lzf_bigchunk has an LZF filter whose parameters give a chunk 1073741824 bytes "
                    + "decoded, more than 1032 times its chunk at byte ") && lzf.endsWith(" (8 bytes): damaged"), lzf);
        }
    }

    /**
     * A dataset whose implicit chunk index (HDF5 1.10's, which lists no chunk) implies chunks past the file's end is
     * refused from its object header alone: {@code implicit_claims} in {@code hostile/chunk_claims.h5} claims 100,000,000
     * float32 in chunks of 10 in a 48 KB file. Before, jhdf built a map entry for each of its 10,000,000 chunks as
     * Hdf5Arrays asked whether it was written (93 s near a 1 GB heap's limit before the size check refused it; the
     * reviewer's 10^8 chunks: an OutOfMemoryError). The honest one reads.
     */
    @Test
    void anImplicitChunkIndexPastTheFileIsRefusedBeforeJhdfListsItsChunks() throws IOException, URISyntaxException {
        Path f = Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/chunk_claims.h5").toURI());
        long size = Files.size(f);
        Hdf5FillBudget load = new Hdf5FillBudget(size);
        try (HdfFile h = new HdfFile(f)) {
            float[] plain = Hdf5Arrays.stored(h.getDatasetByPath("plain"), load).tensor().data();
            assertArrayEquals(java.util.Arrays.copyOf(plain, 1000), Hdf5Arrays.stored(h.getDatasetByPath("implicit"), load).tensor().data());
            String m = refused(h, "implicit_claims", load);
            assertTrue(m.startsWith("dataset /implicit_claims claims [100000000] in an implicit chunk index: 10000000 chunk(s) of 40 bytes "
                    + "(400000000 bytes) from byte ") && m.endsWith(", past the end of the file (" + size + " bytes): damaged"), m);
        }
    }

    /**
     * An implicit chunk index whose chunk dimension is 0 ({@code hostile/implicit_zero.h5}, {@code make_implicit_zero.py})
     * is refused as damaged from its object header. Before, the check let it pass to jhdf.
     */
    @Test
    void anImplicitChunkIndexWithAChunkDimensionOfZeroIsRefused() throws IOException, URISyntaxException {
        Path f = Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/implicit_zero.h5").toURI());
        Hdf5FillBudget load = new Hdf5FillBudget(Files.size(f));
        try (HdfFile h = new HdfFile(f)) {
            String m = refused(h, "implicit_zero", load);
            assertEquals("dataset /implicit_zero has chunk dimensions [0] in an implicit chunk index: a chunk dimension of 0: damaged", m);
        }
    }

    /**
     * Hard links to one implicit-index dataset each count against the load's bound of the file's bytes of implied chunks
     * ({@code hostile/implicit_links.h5}, {@code make_implicit_links.py}: 4,000 bytes of chunks, 5 names, a 6 KB file):
     * the first name reads, and reads again through the same object uncounted; the second is refused. Before, each
     * link was checked alone, and jhdf built a chunk map per link (299 links to 50,000 chunks: a 2 GB heap exhausted).
     */
    @Test
    void hardLinksToAnImplicitIndexCountEachAgainstTheLoad() throws IOException, URISyntaxException {
        Path f = Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/implicit_links.h5").toURI());
        long size = Files.size(f);
        Hdf5FillBudget load = new Hdf5FillBudget(size);
        try (HdfFile h = new HdfFile(f)) {
            var first = h.getDatasetByPath("layers/dense/vars/0");
            assertEquals(1000, Hdf5Arrays.stored(first, load).tensor().size());
            Hdf5Arrays.stored(first, load);
            String m = refused(h, "layers/dense/vars/1", load);
            assertEquals("dataset /layers/dense/vars/1 implies 4000 bytes of chunks in an implicit chunk index, after 4000 in the load's "
                    + "other such datasets (each hard link to one counted again: jhdf lists its chunks for each): more than the file's "
                    + size + " bytes, refused per load", m);
        }
    }

    private static Path hostile(String name) {
        try {
            return Path.of(Hdf5ArraysTest.class.getResource("/dev/jrnn/io/keras/hostile/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test resource hostile/" + name + " missing: run its make_*.py", e);
        }
    }

    /**
     * Hard links to one LZ4 dataset ({@code hostile/lz4_links.h5}, {@code make_lz4_links.py}: 4 chunks, 20 links, each
     * chunk in 256 blocks of 1 byte) read its chunks' headers once per load, whatever the links (a counter, not a timer): each link
     * reads as the plain copy. A dataset whose one chunk cannot decode to what it claims is refused by the bound that
     * reads no chunk, before its header is read. Before, each link walked every chunk's headers again (84 walks, then
     * lz4_claims' too: 85), so a 16 MB file of 1,000 links took 1,000 walks of 16 MB to refuse (benchmarks/NOTES.md).
     */
    @Test
    void hardLinksToAnLz4DatasetReadItsChunkHeadersOncePerLoad() throws IOException {
        Path f = hostile("lz4_links.h5");
        long size = Files.size(f);
        Hdf5FillBudget load = new Hdf5FillBudget(size);
        try (HdfFile h = new HdfFile(f)) {
            float[] plain = Hdf5Arrays.stored(h.getDatasetByPath("plain"), load).tensor().data();
            assertArrayEquals(plain, Hdf5Arrays.stored(h.getDatasetByPath("lz4"), load).tensor().data());
            for (int k = 0; k < 20; k++) {
                assertArrayEquals(plain, Hdf5Arrays.stored(h.getDatasetByPath(String.format("link_%02d", k)), load).tensor().data());
            }
            assertEquals(4, load.walks());
            assertEquals("dataset /lz4_claims claims [100000000] (400000000 bytes), 400000000 of them in its 1 chunk(s) written, which "
                    + "the file stores in 20012 bytes (of its " + size + "), decoding to at most 20652384 (one decompressing filter "
                    + "expands at most 1032 times): damaged", refused(h, "lz4_claims", load));
            assertEquals(4, load.walks());
        }
        Hdf5FillBudget again = new Hdf5FillBudget(size);
        try (HdfFile h = new HdfFile(f)) {   // another load walks them again
            Hdf5Arrays.stored(h.getDatasetByPath("link_07"), again);
            assertEquals(4, again.walks());
        }
    }

    /**
     * The work of one load is bounded whatever its links: the chunk headers read may hold at most the file's bytes (chunk
     * indexes naming overlapping bytes at distinct addresses are refused), and jhdf's chunk lists at most one entry per 8
     * bytes of the file, each link's list counted (a link read twice counts once).
     */
    @Test
    void aLoadsChunkWorkIsBoundedByTheFile() throws IOException {
        try (HdfFile h = new HdfFile(hostile("lz4_links.h5"))) {
            var lz4 = h.getDatasetByPath("lz4");
            Hdf5FillBudget walks = new Hdf5FillBudget(1000);
            walks.chargeWalk(lz4, "LZ4", 0, 600);
            KerasFormatException overlap = assertThrows(KerasFormatException.class, () -> walks.chargeWalk(lz4, "LZ4", 1, 600));
            assertEquals("dataset /lz4 has a LZ4 chunk at byte 1 (600 bytes) after 600 bytes of the load's other chunks were "
                    + "checked: more than the file's 1000 bytes (chunk indexes naming overlapping bytes), refused per load: damaged",
                    overlap.getMessage());
            Hdf5FillBudget listed = new Hdf5FillBudget(80);   // 10 entries
            listed.chargeListed(lz4, 4);
            listed.chargeListed(lz4, 4);   // the same object: counted once
            listed.chargeListed(h.getDatasetByPath("link_00"), 4);
            KerasFormatException links = assertThrows(KerasFormatException.class, () -> listed.chargeListed(h.getDatasetByPath("link_01"), 4));
            assertEquals("dataset /link_01 lists 4 chunk(s), after 8 listed for the load's other chunked datasets (each hard link to "
                    + "one listed again): more than 10 (one per 8 of the file's 80 bytes), refused per load", links.getMessage());
        }
    }

    /**
     * The same overlap refusal through Model.loadWeights: {@code hostile/overlap_claims.weights.h5}
     * ({@code make_overlap_claims.py}), whose kernel's second chunk entry names the first chunk's address with a size
     * running to the file's end, so the two chunks' headers read cover more bytes than the file holds. The load is
     * refused naming the dataset, and the model keeps its weights.
     */
    @Test
    void aFileWhoseChunkIndexNamesOverlappingBytesIsRefusedOnLoad() throws IOException {
        Path f = hostile("overlap_claims.weights.h5");
        long size = Files.size(f);   // 46,956: chunk 0 at byte 12,104 of 16,400 bytes, chunk 1 named there with the rest
        try (Model m = new dev.jrnn.model.Sequential(dev.jrnn.model.Input.shape(8192), new dev.jrnn.layers.Dense(1))) {
            java.util.List<dev.jrnn.tensor.Tensor> before = m.getWeights();
            IOException e = assertThrows(IOException.class, () -> m.loadWeights(f));
            // the chunks are walked in jhdf's index order: whichever comes second is refused (both lie at byte 12,104)
            long[] sizes = {16400, size - 12104};
            java.util.List<String> refusals = new java.util.ArrayList<>();
            for (int k = 0; k < 2; k++) {
                refusals.add(f + ": dataset /layers/dense/vars/0 has a LZ4 chunk at byte 12104 (" + sizes[k] + " bytes) after "
                        + sizes[1 - k] + " bytes of the load's other chunks were checked: more than the file's " + size
                        + " bytes (chunk indexes naming overlapping bytes), refused per load: damaged");
            }
            assertTrue(refusals.contains(e.getMessage()), e.getMessage());
            assertEquals(before, m.getWeights());
        }
    }

    /**
     * A chunk walked for one dataset and named again by another's index under a smaller chunk shape
     * ({@code bitshuffle_claims.h5}'s shared_b, whose B-tree names shared_a's 4,096-byte chunk as its first of 2,048) is
     * refused from the answer recorded, without a second walk; read first, shared_b is refused by its walk.
     */
    @Test
    void aChunkWalkedForALargerChunkShapeIsRefusedWhenNamedAgain() throws IOException {
        Path f = hostile("bitshuffle_claims.h5");
        Hdf5FillBudget load = new Hdf5FillBudget(Files.size(f));
        try (HdfFile h = new HdfFile(f)) {
            float[] plain = Hdf5Arrays.stored(h.getDatasetByPath("plain"), load).tensor().data();
            assertArrayEquals(java.util.Arrays.copyOf(plain, 1024), Hdf5Arrays.stored(h.getDatasetByPath("shared_a"), load).tensor().data());
            assertEquals(1, load.walks());
            refusedChunk(h, "shared_b", load, "a bitshuffle-LZ4", " (4130 bytes) "
                    + "whose header gives 4096 bytes decoded, more than a chunk's 2048: damaged");
            assertEquals(1, load.walks());
        }
        Hdf5FillBudget first = new Hdf5FillBudget(Files.size(f));
        try (HdfFile h = new HdfFile(f)) {
            String walked = refused(h, "shared_b", first);
            assertTrue(walked.endsWith(" (4130 bytes) whose header gives 4096 bytes decoded, more than a chunk's 2048: damaged"), walked);
        }
    }

    /**
     * A chunk's look-up, count, walk and record are one step: a second thread asking for the chunk another is walking
     * waits and gets its answer, without walking it again or counting its bytes twice (before, three separate calls let
     * both miss, both walk and both count: a valid file whose chunks held over half its bytes was refused).
     */
    @Test
    void threadsSharingALoadWalkAChunkOnce() throws Exception {
        try (HdfFile h = new HdfFile(hostile("lz4_links.h5"))) {
            var lz4 = h.getDatasetByPath("lz4");
            Hdf5FillBudget load = new Hdf5FillBudget(1000);
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1), release = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger second = new java.util.concurrent.atomic.AtomicInteger();
            long[] got = new long[2];
            Thread a = new Thread(() -> got[0] = load.walkOnce(lz4, "LZ4", 0, 600, () -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return 42;
            }));
            Thread b = new Thread(() -> got[1] = load.walkOnce(lz4, "LZ4", 0, 600, () -> {
                second.incrementAndGet();
                return 7;
            }));
            a.start();
            started.await();
            b.start();
            while (b.getState() != Thread.State.BLOCKED && b.isAlive()) Thread.onSpinWait();   // b waits on a's walk
            release.countDown();
            a.join();
            b.join();
            assertArrayEquals(new long[] {42, 42}, got);
            assertEquals(0, second.get());
            assertEquals(1, load.walks());
        }
    }

    /**
     * A bitshuffle-LZ4 chunk's header (decoded bytes, block bytes) and block sizes are checked against the chunk before
     * jhdf allocates them: {@code hostile/bitshuffle_claims.h5} ({@code make_bitshuffle_claims.py}, chunks written by
     * hand). Before, jhdf allocated what each claimed (2,000,000,000 bytes decoded, per block, or compressed; 10^9 for a
     * 50-byte chunk larger than its dataset). The honest one (one block, two blocks, the default block larger than the
     * chunk) reads as its plain copy.
     */
    @Test
    void aBitshuffleLz4ChunkMayNotClaimMoreThanAChunkOrItsBytesDecode() throws IOException {
        Path f = hostile("bitshuffle_claims.h5");
        Hdf5FillBudget load = new Hdf5FillBudget(Files.size(f));
        try (HdfFile h = new HdfFile(f)) {
            assertArrayEquals(Hdf5Arrays.stored(h.getDatasetByPath("plain"), load).tensor().data(),
                    Hdf5Arrays.stored(h.getDatasetByPath("bshuf"), load).tensor().data());
            refusedChunk(h, "bshuf_total", load, "a bitshuffle-LZ4", " bytes) whose "
                    + "header gives 2000000000 bytes decoded, more than a chunk's 4000: damaged");
            refusedChunk(h, "bshuf_block", load, "a bitshuffle-LZ4", " bytes) whose "
                    + "header gives blocks of 2000000000 bytes, more than 1032 times its bytes: refused (jhdf 0.13 would allocate "
                    + "2000000000 bytes for each such chunk); re-save with bitshuffle's default block (8 KB)");
            refusedChunk(h, "bshuf_compressed", load, "a bitshuffle-LZ4", " bytes) whose block 1 of 1 claims 2000000000 bytes, past its end: damaged");
            refusedChunk(h, "bshuf_bigchunk", load, "a bitshuffle-LZ4", " (50 bytes) whose "
                    + "header gives 1000000000 bytes decoded, more than 1032 times its bytes: damaged");
        }
    }

    /**
     * A bitshuffle-LZ4 chunk laid out as bitshuffle writes it (full blocks, one partial block of a multiple of 8
     * elements, the last n % 8 raw) where jhdf 0.13 counts its blocks otherwise is refused in jrnn's words: a partial
     * block after a full one (jhdf read it with 6 wrong values from element 2,048, no error), fewer than 8 elements (no
     * block: jhdf read raw values as a block's size); so is a chunk whose bytes after its blocks are not the raw
     * elements bitshuffle leaves (jhdf read the missing value as 0). A partial block alone, then raw elements, which
     * jhdf reads right, loads as its plain copy ({@code make_bitshuffle_claims.py}'s real_chunk).
     */
    @Test
    void aBitshuffleChunkJhdfWouldMisreadIsRefused() throws IOException {
        Path f = hostile("bitshuffle_claims.h5");
        Hdf5FillBudget load = new Hdf5FillBudget(Files.size(f));
        try (HdfFile h = new HdfFile(f)) {
            float[] plain = Hdf5Arrays.stored(h.getDatasetByPath("plain"), load).tensor().data();
            assertArrayEquals(java.util.Arrays.copyOf(plain, 1027), Hdf5Arrays.stored(h.getDatasetByPath("bshuf_leftover"), load).tensor().data());
            refusedChunk(h, "bshuf_partial", load, "a bitshuffle-LZ4", " bytes) "
                    + "of 3000 elements in blocks of 2048: jhdf 0.13 cannot decode a bitshuffle chunk with a partial block after "
                    + "full ones (it would read wrong values); re-save with chunks of a multiple of bitshuffle's block (2048 "
                    + "elements), or with gzip");
            refusedChunk(h, "bshuf_tiny", load, "a bitshuffle-LZ4", " (32 bytes) of 5 "
                    + "elements in blocks of 2048: jhdf 0.13 cannot decode a bitshuffle chunk of fewer than 8 elements (stored raw, "
                    + "without a block) (it would read wrong values); re-save with chunks of a multiple of bitshuffle's block (2048 "
                    + "elements), or with gzip");
            refusedChunk(h, "bshuf_short", load, "a bitshuffle-LZ4", " bytes) "
                    + "whose 1 block(s) leave 8 bytes, where bitshuffle leaves its last elements' 12: damaged");
        }
    }

    /** The message of the KerasFormatException refusing the dataset at {@code path} of {@code h} in {@code load}. */
    private static String refused(HdfFile h, String path, Hdf5FillBudget load) {
        return assertThrows(KerasFormatException.class, () -> Hdf5Arrays.stored(h.getDatasetByPath(path), load)).getMessage();
    }

    /**
     * Asserts that the dataset at {@code path} is refused for one chunk: "dataset /path has {@code kind} chunk at byte
     * &lt;where&gt; ... {@code tail}" (the byte depends on the file's layout).
     */
    private static void refusedChunk(HdfFile h, String path, Hdf5FillBudget load, String kind, String tail) {
        String m = refused(h, path, load);
        assertTrue(m.startsWith("dataset /" + path + " has " + kind + " chunk at byte ") && m.endsWith(tail), m);
    }

    private static float maxAbs(float[] a) {
        float r = 0;
        for (float v : a) r = Math.max(r, Math.abs(v));
        return r;
    }
}
