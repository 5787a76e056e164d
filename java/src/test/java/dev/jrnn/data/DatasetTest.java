package dev.jrnn.data;

import dev.jrnn.io.SafeTensors;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {
    @TempDir Path dir;

    /** Sample i of x is (T=3, F=2) with x[i, t, f] = i*100 + t*10 + f; y[i] = (i, -i). */
    static Tensor x(int n) {
        float[] d = new float[n * 6];
        for (int i = 0; i < n; i++) for (int t = 0; t < 3; t++) for (int f = 0; f < 2; f++) d[i * 6 + t * 2 + f] = i * 100 + t * 10 + f;
        return Tensor.of(d, n, 3, 2);
    }

    static Tensor y(int n) {
        float[] d = new float[n * 2];
        for (int i = 0; i < n; i++) {
            d[2 * i] = i;
            d[2 * i + 1] = -i;
        }
        return Tensor.of(d, n, 2);
    }

    /**
     * A map failing on a table's sample names the table's column and the sample, in order, shuffled and without prefetch
     * alike (it said "generator sample 17" where there is no generator); a sample of unknown origin says so.
     */
    @Test
    void aMapFailureOnATableNamesItsSampleNotAGenerator() throws IOException {
        Dataset mapped = Dataset.fromTensors(x(40), y(40)).map(s -> {
            if (s.targets().get(0).data()[0] == 17f) throw new IllegalArgumentException("bad sample 17");
            return s;
        });
        for (Dataset ds : List.of(mapped.batch(8), mapped.prefetch(0).batch(8), mapped.shuffle(1).batch(8))) {
            try (BatchStream s = ds.epoch(0)) {
                DataException e = assertThrows(DataException.class, () -> {
                    while (s.hasNext()) s.next().close();
                });
                assertEquals("input 0 sample 17", e.where());
                assertTrue(e.getMessage().startsWith("input 0 sample 17: the map function failed: java.lang.IllegalArgumentException: bad sample 17"),
                        e.getMessage());
            }
        }
        assertEquals("a sample", Sample.of(Tensor.zeros(2), null).where());
        assertEquals("sample 3", new Sample(List.of(Tensor.zeros(2)), List.of(), -1, 3, null).where());
    }

    /** Every batch of epoch {@code e}, closed after its tensors were copied out. */
    static List<float[][]> drain(Dataset ds, int e, List<long[]> indices, List<int[]> lengths) throws IOException {
        List<float[][]> out = new ArrayList<>();
        try (BatchStream s = ds.epoch(e)) {
            while (s.hasNext()) try (Batch b = s.next()) {
                float[][] row = new float[b.inputCount() + b.targetCount()][];
                for (int k = 0; k < b.inputCount(); k++) row[k] = b.input(k).toArray();
                for (int k = 0; k < b.targetCount(); k++) row[b.inputCount() + k] = b.target(k).toArray();
                out.add(row);
                if (indices != null) indices.add(b.indices());
                if (lengths != null) lengths.add(b.lengths());
            }
        }
        return out;
    }

    /** Checks each batch row holds the sample its index names. */
    static void checkRows(List<float[][]> batches, List<long[]> idx) {
        for (int b = 0; b < batches.size(); b++) {
            long[] ix = idx.get(b);
            for (int r = 0; r < ix.length; r++) {
                int i = (int) ix[r];
                assertEquals(i * 100 + 21, batches.get(b)[0][r * 6 + 5], "x row " + r);
                assertEquals(-i, batches.get(b)[1][r * 2 + 1], "y row " + r);
            }
        }
    }

    @Test
    void tensorsBatchInOrderKeepingTheRemainder() throws IOException {
        Dataset ds = Dataset.fromTensors(x(10), y(10)).batch(4);
        assertEquals(3, ds.batchesPerEpoch());
        List<long[]> idx = new ArrayList<>();
        List<float[][]> b = drain(ds, 0, idx, null);
        assertEquals(3, b.size());
        assertArrayEquals(new long[] {8, 9}, idx.get(2));
        assertArrayEquals(Arrays.copyOfRange(x(10).data(), 0, 24), b.get(0)[0]);
        checkRows(b, idx);
        assertEquals(2, drain(Dataset.fromTensors(x(10), y(10)).batch(4, true), 0, null, null).size());
    }

    @Test
    void mappedNpyGivesTheSameBatchesAsTensors() throws IOException {
        Npy.write(dir.resolve("x.npy"), x(50));
        Npy.write(dir.resolve("y.npy"), y(50));
        Dataset mapped = Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).shuffle(3).batch(8);
        Dataset heap = Dataset.fromTensors(x(50), y(50)).shuffle(3).batch(8);
        for (int e = 0; e < 2; e++) {
            List<long[]> im = new ArrayList<>(), ih = new ArrayList<>();
            List<float[][]> bm = drain(mapped, e, im, null), bh = drain(heap, e, ih, null);
            assertEquals(bh.size(), bm.size());
            for (int i = 0; i < bm.size(); i++) {
                assertArrayEquals(ih.get(i), im.get(i));
                assertArrayEquals(bh.get(i)[0], bm.get(i)[0]);
                assertArrayEquals(bh.get(i)[1], bm.get(i)[1]);
            }
            checkRows(bm, im);
        }
    }

    @Test
    void shuffleVisitsEverySampleOncePerEpochInAFreshOrder() throws IOException {
        Dataset ds = Dataset.fromTensors(x(40), y(40)).shuffle(11).batch(7);
        List<long[]> e0 = new ArrayList<>(), e1 = new ArrayList<>();
        checkRows(drain(ds, 0, e0, null), e0);
        drain(ds, 1, e1, null);
        long[] a = e0.stream().flatMapToLong(Arrays::stream).toArray(), b = e1.stream().flatMapToLong(Arrays::stream).toArray();
        assertNotEquals(Arrays.toString(a), Arrays.toString(b));
        Arrays.sort(a);
        Arrays.sort(b);
        long[] all = new long[40];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, a);
        assertArrayEquals(all, b);
    }

    @Test
    void takeSkipRepeatAndSplit() throws IOException {
        Dataset ds = Dataset.fromTensors(x(20), y(20));
        assertEquals(5, ds.take(5).size());
        assertEquals(15, ds.skip(5).size());
        assertEquals(40, ds.repeat(2).size());
        assertEquals(-1, ds.repeat().size());
        Dataset.Split s = ds.split(0.25);
        assertEquals(15, s.training().size());
        List<long[]> idx = new ArrayList<>();
        drain(s.validation().batch(100), 0, idx, null);
        assertArrayEquals(new long[] {15, 16, 17, 18, 19}, idx.get(0), "Keras: the last fraction validates");
        assertThrows(IllegalStateException.class, () -> ds.shuffle(1).split(0.2));
        assertThrows(IllegalStateException.class, () -> ds.batch(4).split(0.2));
        try (BatchStream endless = ds.repeat().batch(6).epoch(0)) {
            for (int i = 0; i < 10; i++) endless.next().close();   // more than 2 passes, still going
        }
    }

    /** take and skip compose into one slice of the file order, which split accepts (it refused: "call split before shuffle"). */
    @Test
    void splitOfATakenAndSkippedRange() throws IOException {
        Dataset.Split s = Dataset.fromTensors(x(20), y(20)).skip(2).take(10).split(0.2);
        List<long[]> t = new ArrayList<>(), v = new ArrayList<>();
        drain(s.training().batch(100), 0, t, null);
        drain(s.validation().batch(100), 0, v, null);
        assertArrayEquals(new long[] {2, 3, 4, 5, 6, 7, 8, 9}, t.get(0));
        assertArrayEquals(new long[] {10, 11}, v.get(0));
        assertEquals(3, Dataset.fromTensors(x(20), y(20)).take(10).skip(7).size());
        assertEquals(0, Dataset.fromTensors(x(20), y(20)).skip(5).take(20).skip(15).size());
    }

    /** repeat() is endless (size -1, batches unknown) until a take; a skip keeps it endless (it gave a size of 2^63 - 6). */
    @Test
    void repeatIsEndlessUntilATakeAndASkipKeepsItSo() throws IOException {
        Dataset ds = Dataset.fromTensors(x(10), y(10));
        for (Dataset endless : List.of(ds.repeat(), ds.repeat().skip(5), ds.shuffle(1).repeat().map(s -> s),
                Dataset.fromIterator(() -> List.of(Sample.of(Tensor.zeros(3, 2), null)).iterator()).repeat())) {
            assertTrue(endless.endless(), endless.toString());
            assertEquals(-1, endless.batch(4).batchesPerEpoch());
            assertEquals(-1, endless.size());
        }
        assertEquals(-1, Dataset.fromIterator(() -> List.of(Sample.of(Tensor.zeros(3, 2), null)).iterator()).size());
        Dataset taken = ds.repeat().skip(5).take(12);
        assertTrue(!taken.endless() && !ds.repeat(3).endless() && !ds.endless());
        assertEquals(12, taken.size());
        List<long[]> idx = new ArrayList<>();
        drain(taken.batch(12), 0, idx, null);
        assertArrayEquals(new long[] {5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6}, idx.get(0));
        assertTrue(!Dataset.fromIterator(() -> List.of(Sample.of(Tensor.zeros(3, 2), null)).iterator()).repeat().take(4).endless());
    }

    @Test
    void severalInputsAndTargets() throws IOException {
        Dataset ds = Dataset.fromTensors(List.of(x(6), y(6)), List.of(y(6), Tensor.zeros(6))).batch(4);
        try (BatchStream s = ds.epoch(0); Batch b = s.next()) {
            assertEquals(2, b.inputCount());
            assertEquals(2, b.targetCount());
            assertArrayEquals(new int[] {4, 3, 2}, b.inputShape(0));
            assertArrayEquals(new int[] {4, 2}, b.input(1).shape());
            assertArrayEquals(new int[] {4}, b.target(1).shape());
            assertNull(b.lengths());
            assertEquals("input 0 sample 2", b.where(2));
        }
    }

    /** Ragged data: sequence i has length lens[i], step t of it is (i, t). */
    static Dataset ragged(int[] lens, boolean perStepTargets) {
        long[] off = new long[lens.length + 1];
        for (int i = 0; i < lens.length; i++) off[i + 1] = off[i] + lens[i];
        float[] v = new float[(int) off[lens.length] * 2];
        for (int i = 0; i < lens.length; i++) for (int t = 0; t < lens[i]; t++) {
            v[(int) (off[i] + t) * 2] = i;
            v[(int) (off[i] + t) * 2 + 1] = t + 1;
        }
        Tensor values = Tensor.of(v, (int) off[lens.length], 2);
        Tensor y = perStepTargets ? Tensor.of(Arrays.copyOf(v, (int) off[lens.length]), (int) off[lens.length], 1) : y(lens.length);
        return Dataset.fromRagged(values, off, y);
    }

    @Test
    void raggedSequencesBecomeZeroPaddedBatchesWithLengths() throws IOException {
        int[] lens = {3, 1, 4, 2, 5};
        List<int[]> ls = new ArrayList<>();
        List<float[][]> b = drain(ragged(lens, false).batch(3), 0, null, ls);
        assertArrayEquals(new int[] {3, 1, 4}, ls.get(0));
        float[] x0 = b.get(0)[0];                        // (3, 4, 2)
        assertEquals(24, x0.length);
        assertEquals(1, x0[1 * 8 + 0 * 2], "sequence 1 step 0");
        assertEquals(1, x0[1 * 8 + 0 * 2 + 1]);
        assertEquals(0, x0[1 * 8 + 1 * 2 + 1], "padding after sequence 1's only step");
        assertEquals(4, x0[2 * 8 + 3 * 2 + 1], "sequence 2 step 3");
        assertArrayEquals(new int[] {2, 5}, ls.get(1));
        assertEquals(2 * 5 * 2, b.get(1)[0].length, "padded to the batch's longest, 5");
        List<float[][]> seq = drain(ragged(lens, true).batch(5), 0, null, null);
        assertEquals(5 * 5, seq.get(0)[1].length, "per-step targets are ragged too");
    }

    @Test
    void bucketByLengthGroupsSimilarLengthsAndPadsLess() throws IOException {
        java.util.Random r = new java.util.Random(5);
        int[] lens = new int[200];
        for (int i = 0; i < lens.length; i++) lens[i] = 10 + r.nextInt(191);
        Dataset base = ragged(lens, false).shuffle(9);
        List<int[]> bucketed = new ArrayList<>(), plain = new ArrayList<>();
        List<long[]> idx = new ArrayList<>();
        List<float[][]> bb = drain(base.bucketByLength(16, false, 50, 100, 150), 0, idx, bucketed);
        drain(base.batch(16), 0, null, plain);
        assertEquals(200, idx.stream().mapToInt(a -> a.length).sum(), "every sample once");
        long padB = 0, padP = 0;
        for (int k = 0; k < bucketed.size(); k++) {
            int[] l = bucketed.get(k);
            int lo = Arrays.stream(l).min().getAsInt(), hi = Arrays.stream(l).max().getAsInt();
            assertEquals(bucket(lo), bucket(hi), "one bucket per batch: " + Arrays.toString(l));
            assertEquals((long) l.length * hi * 2, bb.get(k)[0].length);
            for (int v : l) padB += hi - v;
        }
        for (int[] l : plain) {
            int hi = Arrays.stream(l).max().getAsInt();
            for (int v : l) padP += hi - v;
        }
        assertTrue(padB * 3 < padP, "bucketing pads far less: " + padB + " vs " + padP);
        assertThrows(IllegalStateException.class, () -> Dataset.fromTensors(x(4), y(4)).bucketByLength(2, false, 5));
    }

    private static int bucket(int len) {
        return len < 50 ? 0 : len < 100 ? 1 : len < 150 ? 2 : 3;
    }

    @Test
    void mapTransformsSamplesOfFilesAndGenerators() throws IOException {
        Dataset ds = Dataset.fromTensors(x(5), y(5)).map(s -> s.with(
                List.of(Tensor.of(scale(s.inputs().get(0).toArray(), 2), 3, 2)), s.targets())).batch(5);
        List<float[][]> b = drain(ds, 0, null, null);
        assertArrayEquals(scale(x(5).toArray(), 2), b.get(0)[0]);
        assertArrayEquals(y(5).toArray(), b.get(0)[1]);
    }

    private static float[] scale(float[] a, float k) {
        for (int i = 0; i < a.length; i++) a[i] *= k;
        return a;
    }

    @Test
    void generatorsStreamShuffleThroughABufferAndPad() throws IOException {
        Dataset gen = Dataset.fromIterator(() -> new Iterator<Sample>() {
            int i;
            public boolean hasNext() { return i < 30; }
            public Sample next() {
                int len = 1 + i % 4;
                float[] v = new float[len];
                Arrays.fill(v, i);
                return Sample.sequence(Tensor.of(v, len, 1), Tensor.of(new float[] {i++}, 1));
            }
        }).shuffle(4, 8);
        Dataset ds = gen.batch(6);
        assertEquals(-1, ds.size());
        List<long[]> idx = new ArrayList<>();
        List<int[]> lens = new ArrayList<>();
        List<float[][]> b = drain(ds, 0, idx, lens);
        long[] all = idx.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] want = new long[30];
        Arrays.setAll(want, i -> i);
        assertArrayEquals(want, all);
        long[] order = idx.stream().flatMapToLong(Arrays::stream).toArray();
        assertNotEquals(Arrays.toString(want), Arrays.toString(order), "shuffled");
        for (int k = 0; k < b.size(); k++) {
            int[] l = lens.get(k);
            int hi = Arrays.stream(l).max().getAsInt();
            for (int r = 0; r < l.length; r++) {
                assertEquals(1 + idx.get(k)[r] % 4, l[r]);
                assertEquals(idx.get(k)[r], b.get(k)[1][r], "target follows its sample");
                assertEquals(idx.get(k)[r], b.get(k)[0][r * hi]);
            }
        }
        assertEquals(4, drain(gen.take(12).batch(3), 0, null, null).size());
    }

    /**
     * Fixed-shape samples (Sample.of) whose first axes differ are refused as tf.data's batch refuses them: padding them
     * without lengths would train on the zeros unmasked. Sample.sequence pads and masks them.
     */
    @Test
    void fixedShapeSamplesOfDifferentLengthsAreRefusedNotPaddedUnmasked() throws IOException {
        List<Sample> fixed = List.of(Sample.of(Tensor.zeros(3, 2), Tensor.zeros(1)), Sample.of(Tensor.zeros(5, 2), Tensor.zeros(1)));
        try (BatchStream s = Dataset.fromIterator(fixed::iterator).batch(2).epoch(0)) {
            DataException e = assertThrows(DataException.class, s::next);
            assertTrue(e.getMessage().contains("generator sample 1") && e.getMessage().contains("(5, 2)")
                    && e.getMessage().contains("(3, 2)") && e.getMessage().contains("Sample.sequence"), e.getMessage());
        }
        List<Sample> sequences = List.of(Sample.sequence(Tensor.zeros(3, 2), Tensor.zeros(1)), Sample.sequence(Tensor.zeros(5, 2), Tensor.zeros(1)));
        List<int[]> lens = new ArrayList<>();
        assertEquals(2 * 5 * 2, drain(Dataset.fromIterator(sequences::iterator).batch(2), 0, null, lens).get(0)[0].length);
        assertArrayEquals(new int[] {3, 5}, lens.get(0));
    }

    /** A generator's supplier that gives null, or a sample holding a null tensor, is named as such (they were bare NullPointerExceptions). */
    @Test
    void aNullIteratorOrANullTensorOfAGeneratorIsNamed() throws IOException {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Dataset.fromIterator(() -> null).batch(2).epoch(3));
        assertEquals("Dataset.fromIterator: the supplier gave null for epoch 3; give an iterator of the epoch's samples", e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class,
                () -> new Sample(java.util.Arrays.asList(Tensor.zeros(2), null), List.of(), -1, -1, null));
        assertEquals("Sample: inputs[1] is null", n.getMessage());
        n = assertThrows(IllegalArgumentException.class, () -> Sample.of(Tensor.zeros(2), null).with(List.of(Tensor.zeros(2)),
                java.util.Arrays.asList((Tensor) null)));
        assertEquals("Sample: targets[0] is null", n.getMessage());
    }

    @Test
    void float64ConvertsOnlyWhenAsked() throws IOException {
        Path p = NpyTest.ref(dir, "f8_le.npy");
        Dataset ds = Dataset.fromNpy(p, null).batch(4);
        IOException e = assertThrows(IOException.class, () -> ds.epoch(0));
        assertTrue(e.getMessage().contains("f8_le.npy") && e.getMessage().contains("FLOAT64") && e.getMessage().contains("asFloat32"),
                e.getMessage());
        assertArrayEquals(NpyTest.ramp(12), drain(ds.asFloat32(), 0, null, null).get(0)[0]);
    }

    /** A shard directory with one float64 shard among float32 ones: the refusal names that shard, not the first. */
    @Test
    void aFloat64ShardIsNamedItself() throws IOException {
        Path shards = Files.createDirectory(dir.resolve("mixed"));
        Npy.write(shards.resolve("x-000.npy"), Tensor.of(new float[12], 4, 3));
        Files.copy(NpyTest.ref(dir, "f8_le.npy"), shards.resolve("x-001.npy"));   // (4, 3) float64
        Dataset ds = Dataset.fromShards(shards, List.of("x"), List.of()).batch(8);
        IOException e = assertThrows(IOException.class, () -> ds.epoch(0));
        assertEquals(shards.resolve("x-001.npy") + " holds FLOAT64; jrnn trains in float32: call Dataset.asFloat32() to convert on read",
                e.getMessage());
        assertArrayEquals(NpyTest.ramp(12), java.util.Arrays.copyOfRange(drain(ds.asFloat32(), 0, null, null).get(0)[0], 12, 24));
    }

    @Test
    void safetensorsNpzAndShardDirectories() throws IOException {
        Path st = dir.resolve("d.safetensors");
        SafeTensors.write(st, Map.of("x", x(6)), Map.of());
        assertArrayEquals(x(6).toArray(), drain(Dataset.fromSafetensors(st, List.of("x"), List.of()).batch(6), 0, null, null).get(0)[0]);

        Path npz = NpyTest.ref(dir, "stored.npz");
        List<float[][]> z = drain(Dataset.fromNpz(npz, List.of("x"), List.of("y")).batch(4), 0, null, null);
        assertArrayEquals(NpyTest.ramp(24), z.get(0)[0]);
        assertArrayEquals(NpyTest.ramp(4), z.get(0)[1]);

        Path shards = Files.createDirectory(dir.resolve("shards"));
        Tensor all = x(10), ys = y(10);
        Npy.write(shards.resolve("x-000.npy"), all.slice(0, 4));
        Npy.write(shards.resolve("x-001.npy"), all.slice(4, 10));
        Npy.write(shards.resolve("y-000.npy"), ys.slice(0, 4));
        Npy.write(shards.resolve("y-001.npy"), ys.slice(4, 10));
        Dataset sd = Dataset.fromShards(shards, List.of("x"), List.of("y")).batch(3);
        List<long[]> idx = new ArrayList<>();
        checkRows(drain(sd, 0, idx, null), idx);
        assertEquals(10, sd.size());
        try (BatchStream s = sd.epoch(0)) {
            s.next().close();
            try (Batch b = s.next()) {
                assertTrue(b.where(1).endsWith("x-001.npy sample 0"), b.where(1));
            }
        }
    }

    @Test
    void recyclingMemoryReusesTheArraysOfClosedBatches() throws IOException {
        Dataset ds = Dataset.fromTensors(x(8), y(8)).batch(4).prefetch(0).memory(BatchMemory.recycling(2));
        try (BatchStream s = ds.epoch(0)) {
            Batch a = s.next();
            float[] first = a.input(0).data();
            a.close();
            try (Batch b = s.next()) {
                assertSame(first, b.input(0).data(), "the closed batch's array is reused");
                assertEquals(400, b.input(0).get(0, 0, 0));
            }
        }
    }

    /** tf.data: repeat() of an empty dataset is empty (cardinality 0); it divided by zero on the prefetch thread. */
    @Test
    void repeatOfAnEmptyDatasetIsEmptyNotADivisionByZero() throws IOException {
        for (Dataset empty : List.of(Dataset.fromTensors(x(10), y(10)).take(0), Dataset.fromTensors(x(10), y(10)).skip(20))) {
            Dataset r = empty.repeat();
            assertTrue(!r.endless() && r.size() == 0, "endless " + r.endless() + ", size " + r.size());
            assertEquals(0, drain(r.batch(2), 0, null, null).size());
            assertEquals(0, drain(r.take(5).batch(2), 0, null, null).size());
            assertEquals(0, drain(r.shuffle(3).take(5).batch(2), 1, null, null).size());
        }
    }

    /** tf.data nests batch(4).batch(2) into batches of batches; jrnn silently re-batched by 2. Refused now, naming both. */
    @Test
    void batchingABatchedDatasetAgainIsRefused() {
        Dataset ds = Dataset.fromTensors(x(10), y(10)).batch(4);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ds.batch(2));
        assertTrue(e.getMessage().contains("batch(4)") && e.getMessage().contains("already batched"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ds.bucketByLength(2, false, 3));
        assertThrows(IllegalStateException.class, () -> ragged(new int[] {1, 2, 3}, false).bucketByLength(2, false, 2).batch(2));
    }

    /** map(s -> s) keeps the batch shapes: a scalar per sample (y of shape (n,)) stayed (B,) unmapped but became (B, 1) mapped. */
    @Test
    void anIdentityMapKeepsTheBatchShapes() throws IOException {
        Tensor labels = Tensor.of(new float[] {0, 1, 2, 3, 4}, 5);
        Dataset plain = Dataset.fromTensors(x(5), labels).batch(5), mapped = Dataset.fromTensors(x(5), labels).map(s -> s).batch(5);
        try (BatchStream a = plain.epoch(0); BatchStream b = mapped.epoch(0); Batch pa = a.next(); Batch pb = b.next()) {
            assertArrayEquals(new int[] {5}, pa.targetShape(0));
            assertArrayEquals(pa.targetShape(0), pb.targetShape(0));
            assertArrayEquals(pa.inputShape(0), pb.inputShape(0));
            assertArrayEquals(pa.target(0).data(), pb.target(0).data());
        }
        // a map that makes the scalar a (1,) vector on purpose keeps its (B, 1)
        Dataset widened = Dataset.fromTensors(x(5), labels).map(s -> s.with(s.inputs(), List.of(Tensor.of(s.targets().get(0).toArray(), 1, 1)))).batch(5);
        try (BatchStream c = widened.epoch(0); Batch pc = c.next()) {
            assertArrayEquals(new int[] {5, 1, 1}, pc.targetShape(0));
        }
    }

    /**
     * Variable-length sequences without a feature axis ((steps,) per sample, as tf.data's padded_batch takes them): ragged 1-d values
     * through map, per-step scalar targets through map, and a generator's Sample.sequence of (steps,) tensors were refused as
     * "only the first axis of a sequence may differ ... give them as Sample.sequence"; they pad and mask now. A tensor whose first
     * axis is not the sequence's length is still refused (it was zero-padded unmasked when it had two axes).
     */
    @Test
    void oneDimensionalSequencesPadThroughMapAndGenerators() throws IOException {
        Tensor v = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 6);
        long[] off = {0, 1, 3, 6};
        Dataset ragged = Dataset.fromRagged(v, off, null);
        List<int[]> lp = new ArrayList<>(), lm = new ArrayList<>();
        List<float[][]> plain = drain(ragged.batch(3), 0, null, lp), mapped = drain(ragged.map(s -> s).batch(3), 0, null, lm);
        assertArrayEquals(new float[] {1, 0, 0, 2, 3, 0, 4, 5, 6}, plain.get(0)[0]);
        assertArrayEquals(plain.get(0)[0], mapped.get(0)[0]);
        assertArrayEquals(lp.get(0), lm.get(0));
        Dataset perStep = Dataset.fromRagged(Tensor.of(new float[12], 6, 2), off, v);
        assertArrayEquals(drain(perStep.batch(3), 0, null, null).get(0)[1], drain(perStep.map(s -> s).batch(3), 0, null, null).get(0)[1]);

        List<Sample> gen = List.of(Sample.sequence(Tensor.of(new float[] {7}, 1), Tensor.of(new float[] {1}, 1)),
                Sample.sequence(Tensor.of(new float[] {8, 9}, 2), Tensor.of(new float[] {2, 3}, 2)));
        List<int[]> lg = new ArrayList<>();
        List<float[][]> g = drain(Dataset.fromIterator(gen::iterator).batch(2), 0, null, lg);
        assertArrayEquals(new float[] {7, 0, 8, 9}, g.get(0)[0]);
        assertArrayEquals(new float[] {1, 0, 2, 3}, g.get(0)[1], "per-step targets pad with their sequence");
        assertArrayEquals(new int[] {1, 2}, lg.get(0));

        List<Sample> unrelated = List.of(Sample.sequence(Tensor.zeros(3, 2), Tensor.zeros(1, 2)), Sample.sequence(Tensor.zeros(5, 2), Tensor.zeros(2, 2)));
        try (BatchStream s = Dataset.fromIterator(unrelated::iterator).batch(2).epoch(0)) {
            DataException e = assertThrows(DataException.class, s::next);
            assertTrue(e.getMessage().contains("target 0 has shape (2, 2)") && e.getMessage().contains("(1, 2)"), e.getMessage());
        }
    }

    /**
     * A shard directory's {@code x-*.npy} took {@code x-val-000.npy} too (validation rows trained on), and a name with glob characters
     * ({@code in[0]}) matched other files or none.
     */
    @Test
    void shardsOfOneNameLeaveLongerNamesAndGlobCharactersAlone() throws IOException {
        Path shards = Files.createDirectory(dir.resolve("shards"));
        Npy.write(shards.resolve("x-000.npy"), x(4));
        Npy.write(shards.resolve("x-001.npy"), x(6));
        Npy.write(shards.resolve("x-val-000.npy"), x(3));
        Npy.write(shards.resolve("in[0]-000.npy"), x(2));
        Npy.write(shards.resolve("in0-000.npy"), x(7));
        assertEquals(10, Dataset.fromShards(shards, List.of("x"), List.of()).size());
        assertEquals(3, Dataset.fromShards(shards, List.of("x-val"), List.of()).size());
        assertEquals(2, Dataset.fromShards(shards, List.of("in[0]"), List.of()).size());
    }

    /**
     * A Sample whose length exceeds its steps was taken: the batch's length mask then spilled into the next sample's row (unmasking
     * its padding) or past the last row; refused now, naming the length and the shape.
     */
    @Test
    void aSampleLongerThanItsStepsIsRefused() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sample(List.of(Tensor.zeros(3, 2)), List.of(), 5, -1, null));
        assertTrue(e.getMessage().contains("length") && e.getMessage().contains("(3, 2)") && e.getMessage().contains("got 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sample(List.of(Tensor.zeros(3, 2)), List.of(), -2, -1, null));
        assertEquals(2, new Sample(List.of(Tensor.zeros(3, 2)), List.of(), 2, -1, null).length(), "a pre-padded sequence keeps its length");
        // pre-padded sequences of different padded lengths still batch, masked by their own lengths
        List<Sample> prePadded = List.of(new Sample(List.of(Tensor.zeros(3, 2)), List.of(), 2, -1, null),
                new Sample(List.of(Tensor.full(1, 5, 2)), List.of(), 4, -1, null));
        List<int[]> lens = new ArrayList<>();
        assertEquals(2 * 5 * 2, drain(Dataset.fromIterator(prePadded::iterator).batch(2), 0, null, lens).get(0)[0].length);
        assertArrayEquals(new int[] {2, 4}, lens.get(0));
    }

    /** A batch too big for a Java array failed as a bare ArithmeticException "integer overflow". */
    @Test
    void aBatchTooBigForAJavaArrayIsNamed() throws IOException {
        Path p = dir.resolve("wide.npy");   // 4 samples of 2^29 floats: 8 GiB, sparse; nothing is read
        byte[] h = Npy.headerBytes("<f4", new long[] {4, 1L << 29});
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(h));
            ch.truncate(h.length + 4L * (1L << 29) * 4);
            ch.write(java.nio.ByteBuffer.allocate(1), h.length + 4L * (1L << 29) * 4 - 1);
        }
        try (BatchStream s = Dataset.fromNpy(p, null).batch(4).prefetch(0).epoch(0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, s::next);
            assertTrue(e.getMessage().contains("2147483648 float32 values") && e.getMessage().contains("smaller batch"), e.getMessage());
        }
    }

    /**
     * Safetensors data sets (Hugging Face style) hold int64 labels and bool masks; one such tensor anywhere in the file refused the
     * whole file ("tensor 'y' has dtype I64; jrnn reads F32, F64, F16 and BF16"), although DType maps them.
     */
    @Test
    void safetensorsWithIntegerLabelsAndBoolsMap() throws IOException {
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},"
                + "\"y\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[24,48]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[48,51]}}";
        byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 51).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int i = 0; i < 6; i++) b.putFloat(i - 2);
        for (long i = 0; i < 3; i++) b.putLong(7 - i);
        b.put((byte) 1).put((byte) 0).put((byte) 1);
        Path p = dir.resolve("d.safetensors");
        Files.write(p, b.array());
        List<float[][]> got = drain(Dataset.fromSafetensors(p, List.of("x", "m"), List.of("y")).asFloat32().batch(3), 0, null, null);
        assertArrayEquals(new float[] {-2, -1, 0, 1, 2, 3}, got.get(0)[0]);
        assertArrayEquals(new float[] {1, 0, 1}, got.get(0)[1]);
        assertArrayEquals(new float[] {7, 6, 5}, got.get(0)[2]);
    }

    @Test
    void aSupplierThatGivesTheSameIteratorAgainIsRefusedNotReadOnFromItsMiddle() throws IOException {
        // the first epoch (or a model built from the first batch) used the iterator up: the second would silently lose it
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 100; i++) samples.add(Sample.of(Tensor.zeros(3, 2), null));   // more than the prefetch reads ahead
        Iterator<Sample> once = samples.iterator();
        Dataset d = Dataset.fromIterator(() -> once).batch(2);
        try (BatchStream s = d.epoch(0)) {
            assertTrue(s.hasNext());
            s.next().close();
        }
        Exception e = assertThrows(Exception.class, () -> {
            try (BatchStream s = d.epoch(1)) {
                s.hasNext();
            }
        });
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof IllegalStateException)) t = t.getCause();
        assertTrue(String.valueOf(t.getMessage()).contains("the supplier gave the same iterator again (epoch 1)"), String.valueOf(e));
    }
    /**
     * A named data set (tf.data's dicts) keeps its names through every operation that keeps its parts; zip names its targets by
     * the second set's inputs, interleave's parts are its inner sets' (unnamed), and the parts go in sorted-key order.
     */
    @Test
    void namesSurviveTheOperationsThatKeepTheParts() throws IOException {
        Tensor a = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 6, 1), b = Tensor.of(new float[] {10, 11, 12, 13, 14, 15}, 6, 1);
        Dataset d = Dataset.fromTensors(Map.of("title", a, "body", b), Map.of("prio", a), Map.of("prio", b));
        List<String> in = List.of("body", "title");
        for (Dataset op : List.of(d.shuffle(1), d.take(4), d.skip(1), d.repeat(2), d.cache(), d.prefetch(0), d.filter(s -> true),
                d.map(s -> s), d.window(2, 1, 1, true), d.unbatch(), d.split(0.5).validation(), d.batch(2).shuffle(3, 2).take(2).repeat(),
                d.paddedBatch(2, null, null, false), d.batch(3).rebatch(2, false), d.concatenate(d))) {
            assertEquals(in, op.inputNames(), op.toString());
            assertEquals(List.of("prio"), op.targetNames(), op.toString());
            assertEquals(List.of("prio"), op.sampleWeightNames(), op.toString());
        }
        try (BatchStream s = d.batch(6).epoch(0); Batch first = s.next()) {   // sorted: body first
            assertArrayEquals(b.data(), first.input(0).data());
            assertArrayEquals(a.data(), first.input(1).data());
        }
        Dataset z = Dataset.zip(Dataset.fromTensors(Map.of("title", a), Map.of()), Dataset.fromTensors(Map.of("prio", b), Map.of()));
        assertEquals(List.of("title"), z.inputNames());
        assertEquals(List.of("prio"), z.targetNames());
        Dataset inner = d.flatMap(s -> Dataset.fromTensors(List.of(a), List.of()));
        assertEquals(List.of(), inner.inputNames());
        assertTrue(d.toString().contains("inputs [body, title], targets [prio], sample weights [prio]"), d.toString());
        Dataset positional = Dataset.fromTensors(List.of(a, b), List.of(a));
        assertEquals(List.of(), positional.inputNames());
        assertEquals(List.of("x1", "x2"), positional.named(List.of("x1", "x2"), null, null).inputNames());
        assertEquals(List.of(), positional.named(List.of("x1", "x2"), null, null).targetNames());
    }

    /** A batch's inputs, targets and sample weights as arrays, in that order. */
    private static List<float[]> parts(Dataset d) throws IOException {
        List<float[]> r = new ArrayList<>();
        try (BatchStream s = d.epoch(0); Batch b = s.next()) {
            for (Tensor t : b.inputs()) r.add(t.toArray());
            for (Tensor t : b.targets()) r.add(t.toArray());
            for (Tensor t : b.sampleWeights()) r.add(t.toArray());
        }
        return r;
    }

    /**
     * fromNpy(Map, Map, Map), fromShards(dir, Map, Map) and fromSafetensors(file, Map, Map, Map) read each key's file, array or
     * tensor into the part fromTensors(Map, Map, Map) gives it (sorted-key order, named so): new, where only the positional
     * forms (and fromNpz's and safetensors' by name without weights) existed.
     */
    @Test
    void theFileFactoriesByNameReadWhatFromTensorsByNameHolds() throws IOException {
        Tensor title = x(6), body = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 6, 1), prio = y(6), w = Tensor.of(new float[] {1, 2, 1, 2, 1, 2}, 6);
        Dataset want = Dataset.fromTensors(Map.of("title", title, "body", body), Map.of("prio", prio), Map.of("prio", w));
        Path files = Files.createDirectory(dir.resolve("byname"));
        Map<String, Path> npy = new java.util.HashMap<>();
        for (var e : Map.of("t", title, "b", body, "p", prio, "w", w).entrySet()) {
            npy.put(e.getKey(), files.resolve(e.getKey() + "-000.npy"));
            Npy.write(npy.get(e.getKey()), e.getValue());
        }
        Dataset fromNpy = Dataset.fromNpy(Map.of("title", npy.get("t"), "body", npy.get("b")), Map.of("prio", npy.get("p")), Map.of("prio", npy.get("w")));
        Path st = dir.resolve("byname.safetensors");
        SafeTensors.write(st, Map.of("t", title, "b", body, "p", prio, "w", w), Map.of());
        Dataset fromSt = Dataset.fromSafetensors(st, Map.of("title", "t", "body", "b"), Map.of("prio", "p"), Map.of("prio", "w"));
        Dataset fromShards = Dataset.fromShards(files, Map.of("title", "t", "body", "b"), Map.of("prio", "p"));
        for (Dataset d : List.of(fromNpy, fromSt, fromShards)) {
            assertEquals(List.of("body", "title"), d.inputNames(), d.toString());
            assertEquals(List.of("prio"), d.targetNames(), d.toString());
        }
        List<float[]> all = parts(want.batch(6));
        for (Dataset d : List.of(fromNpy, fromSt)) {
            assertEquals(List.of("prio"), d.sampleWeightNames(), d.toString());
            List<float[]> got = parts(d.batch(6));
            assertEquals(all.size(), got.size());
            for (int k = 0; k < all.size(); k++) assertArrayEquals(all.get(k), got.get(k), d + " part " + k);
        }
        List<float[]> shards = parts(fromShards.batch(6));
        for (int k = 0; k < 3; k++) assertArrayEquals(all.get(k), shards.get(k), "shards part " + k);
    }

    /**
     * The file factories by name take a null sample weight (that output unweighted: a weight of 1 per sample) and all-null
     * targets (inputs only, to predict) as fromTensors(Map, Map, Map) does; they refused both ("sampleWeights['dept'] is null",
     * "every targets value is null").
     */
    @Test
    void theFileFactoriesByNameTakeNullsAsFromTensorsByName() throws IOException {
        Tensor title = x(6), body = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 6, 1), prio = y(6), dept = Tensor.of(new float[] {6, 5, 4, 3, 2, 1}, 6, 1);
        Tensor w = Tensor.of(new float[] {1, 2, 1, 2, 1, 2}, 6);
        Path st = dir.resolve("nulls.safetensors");
        SafeTensors.write(st, Map.of("t", title, "b", body, "p", prio, "d", dept, "w", w), Map.of());
        Map<String, Tensor> unweighted = new java.util.HashMap<>(Map.of("prio", w));
        unweighted.put("dept", null);
        Map<String, String> unweightedMember = new java.util.HashMap<>(Map.of("prio", "w"));
        unweightedMember.put("dept", null);
        Dataset want = Dataset.fromTensors(Map.of("title", title, "body", body), Map.of("prio", prio, "dept", dept), unweighted);
        Dataset got = Dataset.fromSafetensors(st, Map.of("title", "t", "body", "b"), Map.of("prio", "p", "dept", "d"), unweightedMember);
        assertEquals(want.sampleWeightNames(), got.sampleWeightNames());
        List<float[]> all = parts(want.batch(6)), read = parts(got.batch(6));
        assertEquals(6, read.size());
        for (int k = 0; k < all.size(); k++) assertArrayEquals(all.get(k), read.get(k), "part " + k);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, read.get(4), "dept's weight: 1 per sample");
        Map<String, Tensor> noTargets = new java.util.HashMap<>();
        noTargets.put("prio", null);
        noTargets.put("dept", null);
        Map<String, String> noMembers = new java.util.HashMap<>();
        noMembers.put("prio", null);
        noMembers.put("dept", null);
        Dataset inputsOnly = Dataset.fromTensors(Map.of("title", title, "body", body), noTargets);
        Dataset fromFile = Dataset.fromSafetensors(st, Map.of("title", "t", "body", "b"), noMembers);
        assertEquals(inputsOnly.targetNames(), fromFile.targetNames());
        assertEquals(inputsOnly.nullTargetNames(), fromFile.nullTargetNames());
        List<float[]> a = parts(inputsOnly.batch(6)), b = parts(fromFile.batch(6));
        assertEquals(2, b.size(), "inputs only");
        for (int k = 0; k < a.size(); k++) assertArrayEquals(a.get(k), b.get(k), "input " + k);
    }

    /**
     * A null target value holds no part and is kept as a null target name through the operations that keep the names;
     * enumerate (one more part) drops every name and says so but keeps the null targets, which named(...) keeps unless it names
     * them as parts or leaves the targets positional.
     */
    @Test
    void nullTargetsRideWithTheNamesAndEnumerateDropsThem() throws IOException {
        Tensor a = Tensor.of(new float[] {0, 1, 2, 3}, 4, 1), b = Tensor.of(new float[] {5, 6, 7, 8}, 4, 1);
        Map<String, Tensor> ys = new java.util.HashMap<>(Map.of("prio", a));
        ys.put("dept", null);
        Dataset d = Dataset.fromTensors(Map.of("title", a), ys);
        assertEquals(List.of("prio"), d.targetNames());
        assertEquals(List.of("dept"), d.nullTargetNames());
        assertTrue(d.toString().contains("targets [prio], null targets [dept]"), d.toString());
        for (Dataset op : List.of(d.shuffle(1), d.take(2), d.filter(s -> true), d.batch(2).repeat(2), d.concatenate(d), d.cache())) {
            assertEquals(List.of("dept"), op.nullTargetNames(), op.toString());
        }
        try (BatchStream s = d.batch(4).epoch(0); Batch first = s.next()) {
            assertEquals(1, first.targetCount());
            assertArrayEquals(a.data(), first.target(0).data());
        }
        Dataset e = Dataset.fromTensors(Map.of("title", a, "body", b), ys).enumerate(3);
        assertEquals("enumerate", e.namesDroppedBy());
        assertTrue(e.toString().contains("names dropped by enumerate"), e.toString());
        assertEquals(List.of(), e.inputNames());
        assertEquals(List.of("dept"), e.nullTargetNames(), "no part holds it: kept");
        assertEquals("enumerate", Dataset.fromTensors(Map.of("title", a), Map.of()).enumerate(0).namesDroppedBy(), "inputs named only");
        Dataset dropped = e.map(s -> s.with(s.inputs().subList(0, 2), s.targets()));
        Dataset again = dropped.named(List.of("body", "title"), List.of("prio"), null);
        assertEquals(null, again.namesDroppedBy());
        assertEquals(List.of("dept"), again.nullTargetNames());
        assertEquals(List.of(), again.named(null, List.of("dept"), null).nullTargetNames(), "named as a part now");
        assertEquals(List.of(), dropped.named(List.of("body", "title"), null, null).nullTargetNames(), "positional targets");
        assertEquals(null, Dataset.fromTensors(List.of(a), List.of(b)).enumerate(0).namesDroppedBy(), "nothing named, nothing dropped");
    }

    /**
     * concatenate keeps the dropped-names mark of either side: a positional set followed by one whose names enumerate dropped
     * would feed the second half's sorted-key parts by position (it kept only the first set's mark, none).
     */
    @Test
    void concatenateKeepsEitherSidesDroppedNames() {
        Tensor a = Tensor.of(new float[] {0, 1, 2, 3}, 4, 1), b = Tensor.of(new float[] {5, 6, 7, 8}, 4, 1);
        Dataset positional = Dataset.fromTensors(List.of(a, b), List.of(a));
        Dataset dropped = Dataset.fromTensors(Map.of("title", a, "body", b), Map.of("prio", a)).enumerate(0)
                .map(s -> s.with(s.inputs().subList(0, 2), s.targets()));
        assertEquals("enumerate", positional.concatenate(dropped).namesDroppedBy());
        assertEquals("enumerate", dropped.concatenate(positional).namesDroppedBy());
        assertNull(positional.concatenate(positional).namesDroppedBy());
    }
}
