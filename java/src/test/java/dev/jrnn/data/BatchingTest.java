package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.jrnn.data.TfDataGoldensTest.cases;
import static dev.jrnn.data.TfDataGoldensTest.flat;
import static dev.jrnn.data.TfDataGoldensTest.ints;
import static dev.jrnn.data.TfDataGoldensTest.optInt;
import static dev.jrnn.data.TfDataGoldensTest.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * paddedBatch and unbatch after a batch against TensorFlow 2.21's {@code padded_batch} (tfdata/padded_batch.json, from
 * make_tfdata_goldens.py): sequences of (L, 2) steps and a scalar target, from a generator and from a ragged table.
 */
class BatchingTest {

    /** The golden's sequences: step t of sequence i is [10 i + t + 1, -(10 i + t + 1)], target i. */
    private static List<Sample> samples(int[] lengths) {
        List<Sample> l = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) l.add(Sample.sequence(steps(i, lengths[i]), Tensor.of(new float[] {i}, 1)));
        return l;
    }

    private static Tensor steps(int i, int len) {
        float[] v = new float[2 * len];
        for (int t = 0; t < len; t++) {
            v[2 * t] = 10 * i + t + 1;
            v[2 * t + 1] = -(10 * i + t + 1);
        }
        return Tensor.of(v, len, 2);
    }

    private static Dataset table(int[] lengths) {
        long[] off = new long[lengths.length + 1];
        List<Float> v = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            off[i + 1] = off[i] + lengths[i];
            for (float f : steps(i, lengths[i]).data()) v.add(f);
        }
        float[] values = new float[v.size()];
        for (int k = 0; k < values.length; k++) values[k] = v.get(k);
        float[] y = new float[lengths.length];
        for (int i = 0; i < y.length; i++) y[i] = i;
        return Dataset.fromRagged(Tensor.of(values, values.length / 2, 2), off, Tensor.of(y, y.length));
    }

    private static int[][] shapes(Object o) {
        if (o == null) return null;
        List<?> l = (List<?>) o;
        int[][] s = new int[l.size()][];
        for (int i = 0; i < s.length; i++) s[i] = ints(l.get(i));
        return s;
    }

    private static float[] values(Object o) {
        return o == null ? null : flat(o);
    }

    /**
     * Each case: the batches (values, padded shapes, per-part padding values; the scalar target as (B,)), the lengths kept (the
     * padding masked), a sample longer than its padded shape refused at its batch after the batches before it (TF's
     * DataLossError), unbatch keeping the padding (TF: the padded elements).
     */
    @Test
    void paddedBatchIsTfData() throws IOException {
        int checked = 0;
        for (Map<String, Object> c : cases("padded_batch.json")) {
            if (c.containsKey("static")) continue;
            int[] lengths = ints(c.get("lengths"));
            for (boolean generator : new boolean[] {false, true}) {
                List<Sample> gen = samples(lengths);
                Dataset src = generator ? Dataset.fromIterator(gen::iterator) : table(lengths);
                Dataset ds = src.paddedBatch(optInt(c.get("size")), shapes(c.get("shapes")), values(c.get("values")), (Boolean) c.get("drop"));
                boolean unbatched = Boolean.TRUE.equals(c.get("unbatch"));
                if (unbatched) ds = c.get("rebatch") != null ? ds.unbatch().batch(optInt(c.get("rebatch"))) : ds.unbatch().batch(1);
                String what = (generator ? "generator " : "table ") + c.keySet() + " " + c.get("shapes") + " " + c.get("values");
                List<?> want = (List<?>) c.get("elements");
                List<Object[]> got = new ArrayList<>();
                List<int[]> lens = new ArrayList<>();
                String error = null;
                try (BatchStream s = ds.epoch(0)) {
                    while (s.hasNext()) try (Batch b = s.next()) {
                        got.add(new Object[] {b.input(0).data().clone(), b.input(0).shape(), b.target(0).data().clone(), b.target(0).shape()});
                        lens.add(b.lengths());
                    }
                } catch (DataException e) {
                    error = e.getMessage();
                }
                if (c.containsKey("error") && c.get("rebatch") != null) {
                    // TF cannot batch the unbatched samples of two padded batches (lengths 4 and 5): InvalidArgumentError
                    // after the first; jrnn's batch pads sequences, so it goes on: the first batch is TF's, the rest padded
                    assertEquals("InvalidArgumentError", c.get("error"));
                    Map<?, ?> w = (Map<?, ?>) want.get(0);
                    assertArrayEquals(flat(w.get("x")), (float[]) got.get(0)[0], what);
                    assertEquals(4, got.size(), what);
                    checked++;
                    continue;
                }
                if (c.containsKey("error")) {
                    assertEquals("DataLossError", c.get("error"));
                    assertTrue(error != null && error.contains("Dataset.paddedBatch: input 0 has shape (5, 2), longer than its padded shape (4, 2) on axis 0")
                            && error.contains("sample 4"), error);
                } else {
                    assertEquals(null, error, what);
                }
                assertEquals(want.size(), got.size(), what);
                for (int i = 0; i < got.size(); i++) {
                    Map<?, ?> w = (Map<?, ?>) want.get(i);
                    int[] ws = shape(w.get("x"));
                    if (unbatched) ws = concat(1, ws);
                    assertArrayEquals(ws, (int[]) got.get(i)[1], what + " batch " + i);
                    assertArrayEquals(flat(w.get("x")), (float[]) got.get(i)[0], what + " batch " + i);
                    assertArrayEquals(flat(w.get("y")), (float[]) got.get(i)[2], what + " batch " + i);
                    if (!generator) assertArrayEquals(new int[] {ws[0]}, (int[]) got.get(i)[3], "the scalar target as (B,): " + what);
                    int[] want0 = new int[ws[0]];
                    for (int r = 0; r < ws[0]; r++) {
                        int sample = (int) flat(w.get("y"))[r];
                        want0[r] = lengths[sample];
                    }
                    assertArrayEquals(want0, lens.get(i), "the lengths mask the padding: " + what);
                }
                checked++;
            }
        }
        assertEquals(2 * 8, checked);
    }

    private static int[] concat(int first, int[] rest) {
        int[] s = new int[rest.length + 1];
        s[0] = first;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }

    /**
     * unbatch after a plain batch of sequences gives them padded to their batch's longest, as tf.data's padded_batch then
     * unbatch (before session 21 jrnn gave them unpadded); the lengths stay, so a batch of them masks the padding.
     */
    @Test
    void unbatchAfterABatchKeepsItsPadding() throws IOException {
        Map<String, Object> c = cases("padded_batch.json").stream().filter(m -> m.containsKey("shapes") && m.get("shapes") == null)
                .findFirst().orElseThrow();   // padded_batch(4) with TF's defaults: each batch's longest, 0
        int[] lengths = ints(c.get("lengths"));
        List<float[]> rows = new ArrayList<>();
        for (Object b : (List<?>) c.get("elements")) {
            Object x = ((Map<?, ?>) b).get("x");
            for (Object row : (List<?>) x) rows.add(flat(row));
        }
        for (Dataset src : List.of(table(lengths), Dataset.fromIterator(samples(lengths)::iterator))) {
            Dataset ds = src.batch(4).unbatch().batch(1);
            List<Object[]> got = TfDataGoldensTest.batches(ds, 0);
            assertEquals(rows.size(), got.size());
            for (int i = 0; i < rows.size(); i++) assertArrayEquals(rows.get(i), (float[]) got.get(i)[0], "sample " + i);
            try (BatchStream s = ds.epoch(0); Batch b = s.next()) {
                assertArrayEquals(new int[] {lengths[0]}, b.lengths(), "sample 0 keeps its length 2 in its 4 padded steps");
            }
        }
    }

    /** TensorFlow's checks at the call from the element spec: a static axis longer than its padded shape, another rank. */
    @Test
    void paddedShapesThatDoNotFitAreRefusedAtTheCall() throws IOException {
        Dataset x = Dataset.fromTensors(Tensor.zeros(3, 4), null);
        int checked = 0;
        for (Map<String, Object> c : cases("padded_batch.json")) {
            if (!c.containsKey("static") || c.containsKey("interleave")) continue;
            int[][] s = shapes(c.get("shapes"));
            if (c.containsKey("error")) {
                assertEquals("ValueError", c.get("error"));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.paddedBatch(2, s, null, false));
                assertTrue(e.getMessage().startsWith("Dataset.paddedBatch: paddedShapes[0]: expected a shape that input 0's samples of shape (4,) fit in")
                        && e.getMessage().endsWith("got " + Tensor.shapeString(s[0])), e.getMessage());
            } else {
                List<Object[]> got = TfDataGoldensTest.batches(x.paddedBatch(2, s, null, false), 0);
                assertArrayEquals(new int[] {2, 6}, (int[]) got.get(0)[1]);
            }
            checked++;
        }
        assertEquals(3, checked);
    }

    /**
     * After interleave (or flatMap) the same exact ranks as TensorFlow's: {@code {}} only for a part of one value per sample
     * (y of shape (4,) in its files), {@code {1}} only for a (1,) part (y (4, 1)). TF checks the element spec at the call;
     * jrnn knows the parts once the function has given the first inner data set, so it refuses at the first batch, naming
     * the part, its samples and the padded shape. Before session 22 a stream was never checked: {@code {}} on (1,) samples
     * gave (B, 1) batches silently.
     */
    @Test
    void afterInterleaveRanksAreCheckedAtTheFirstBatch() throws IOException {
        int checked = 0;
        for (Map<String, Object> c : cases("padded_batch.json")) {
            if (!c.containsKey("interleave")) continue;
            boolean rank1 = ints(c.get("static")).length == 1;
            Tensor y = rank1 ? Tensor.of(new float[] {0, 1, 2, 3}, 4, 1) : Tensor.of(new float[] {0, 1, 2, 3}, 4);
            Dataset files = Dataset.fromTensors(Tensor.of(new float[] {0, 1}, 2, 1), null);
            int[][] s = shapes(c.get("shapes"));
            Dataset padded = files.interleave(f -> Dataset.fromTensors(Tensor.zeros(4, 5, 3), y), 2, 1).paddedBatch(3, s, null, false);
            if (c.containsKey("error")) {
                assertEquals("ValueError", c.get("error"));
                DataException e = assertThrows(DataException.class, () -> TfDataGoldensTest.batches(padded, 0));
                assertTrue(e.getMessage().contains("Dataset.paddedBatch: paddedShapes[1]: target 0 holds " + (rank1
                        ? "samples of shape (1,), so its padded shape has their rank" : "one value per sample (tf.data: rank 0), so its padded shape is {}")
                        + "; got " + Tensor.shapeString(s[1])), e.getMessage());
            } else {
                List<Object[]> got = TfDataGoldensTest.batches(padded, 0);
                int[] want = ints(c.get("batch_y"));
                // TF batches a part of one value per sample as (B,); jrnn batches a stream's parts as their (1,) samples come
                assertArrayEquals(rank1 ? want : new int[] {want[0], 1}, (int[]) got.get(0)[3], c.toString());
            }
            checked++;
        }
        assertEquals(4, checked);
    }

    /**
     * A map after interleave may change a part's rank: TensorFlow 2.21 takes {@code [3]} for targets mapped from one value
     * to three per sample (batch y (3, 3)); the flags learned before the map refused it (review of the rank check).
     */
    @Test
    void aMapAfterInterleaveLeavesTheRanksToTheSamples() throws IOException {
        Dataset files = Dataset.fromTensors(Tensor.of(new float[] {0, 1}, 2, 1), null);
        Dataset mapped = files.interleave(f -> Dataset.fromTensors(Tensor.zeros(4, 5, 3), Tensor.of(new float[] {0, 1, 2, 3}, 4)), 2, 1)
                .map(smp -> smp.with(smp.inputs(), List.of(Tensor.zeros(3))));
        List<Object[]> got = TfDataGoldensTest.batches(mapped.paddedBatch(3, new int[][] {{-1, -1}, {3}}, null, false), 0);
        assertArrayEquals(new int[] {3, 3}, (int[]) got.get(0)[3]);
    }

    /**
     * An integer file's part pads with a whole number, as tf.data pads in the element's dtype (TypeError for 0.5 there),
     * whether or not asFloat32 converts it for training; a whole value pads it.
     */
    @Test
    void anIntegerPartPadsWithAWholeNumber(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        java.nio.file.Path ids = dir.resolve("ids.npy");
        String header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
        header = header + " ".repeat(128 - 10 - header.length() - 1) + "\n";   // NumPy's 64-byte aligned header
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(128 + 24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (128 - 10)).put(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int v = 1; v <= 6; v++) b.putInt(v);
        java.nio.file.Files.write(ids, b.array());
        Dataset ds = Dataset.fromNpy(ids, null).asFloat32();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.paddedBatch(2, new int[][] {{5}}, new float[] {0.5f}, false));
        assertEquals("Dataset.paddedBatch: paddingValues[0]: input 0 holds INT32, so tf.data pads it with a whole number of its dtype; got 0.5", e.getMessage());
        List<Object[]> got = TfDataGoldensTest.batches(ds.paddedBatch(2, new int[][] {{5}}, new float[] {-1}, false), 0);
        assertArrayEquals(new float[] {1, 2, 3, -1, -1, 4, 5, 6, -1, -1}, (float[]) got.get(0)[0]);
    }

    /** Padding on several axes puts each sample in the corner (the pad itself, checked by hand). */
    @Test
    void padPutsTheSampleInTheCorner() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor p = Batching.pad(t, new int[] {3, 4}, -1);
        assertArrayEquals(new float[] {1, 2, 3, -1, 4, 5, 6, -1, -1, -1, -1, -1}, p.data());
        Tensor q = Batching.pad(Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2), new int[] {2, 2, 3}, 0);
        assertArrayEquals(new float[] {1, 2, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0}, q.data());
        assertEquals(Arrays.toString(new int[] {2, 2, 3}), Arrays.toString(q.shape()));
    }
}
