package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.jrnn.data.TfDataGoldensTest.cases;
import static dev.jrnn.data.TfDataGoldensTest.flat;
import static dev.jrnn.data.TfDataGoldensTest.optInt;
import static dev.jrnn.data.TfDataGoldensTest.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * flatMap, interleave, enumerate and map after batch against TensorFlow 2.21 (tfdata/dataset_nested.json, dataset_interleave_fit.json, from
 * make_tfdata_goldens.py): element order, values and cardinality over tensors and over a generator, and a Keras 3 fit on an
 * interleave of .npy files into padded batches.
 */
class InterleaveTest {

    /** tf.data's inner data set of element x: range(10 x, 10 x + x) (empty for 0), from tensors or a generator. */
    private static Dataset inner(Sample s, boolean generator) {
        int x = (int) s.inputs().get(0).data()[0];
        if (x == 0) return TfDataGoldensTest.source(0, 1, true, generator).take(0);
        return TfDataGoldensTest.source(10 * x, 10 * x + x, true, generator);
    }

    private static Dataset apply(Dataset ds, List<Object> op, boolean generator) {
        return switch ((String) op.get(0)) {
            case "enumerate" -> ds.enumerate(optInt(op.get(1)));
            case "flat_map" -> ds.flatMap(s -> inner(s, generator));
            case "interleave" -> ds.interleave(s -> inner(s, generator), optInt(op.get(1)), optInt(op.get(2)));
            case "map" -> ds.map(s -> s.with(affine(s.inputs(), optInt(op.get(1)), optInt(op.get(2))), affine(s.targets(), optInt(op.get(1)), optInt(op.get(2)))));
            default -> TfDataGoldensTest.apply(ds, op, generator);
        };
    }

    /** x * a + b of every tensor (a sample's, or after batch a whole batch's). */
    private static List<Tensor> affine(List<Tensor> l, int a, int b) {
        return l.stream().map(t -> {
            float[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) v[i] = v[i] * a + b;
            return Tensor.of(v, t.shape());
        }).toList();
    }

    /** enumerate, flat_map, interleave and map after batch (of whole batches) chains, element for element. */
    @Test
    @SuppressWarnings("unchecked")
    void nestedChainsAreTfData() throws IOException {
        int checked = 0;
        for (Map<String, Object> c : cases("dataset_nested.json")) {
            int n = optInt(c.get("n"));
            List<List<Object>> ops = (List<List<Object>>) (List<?>) c.get("ops");
            boolean enumerated = ops.stream().anyMatch(op -> op.get(0).equals("enumerate"));
            boolean batched = false;
            for (List<Object> op : ops) batched = !op.get(0).equals("unbatch") && (batched || op.get(0).equals("batch"));
            for (boolean generator : new boolean[] {false, true}) {
                Dataset ds = TfDataGoldensTest.source(0, n, true, generator);
                for (List<Object> op : ops) ds = apply(ds, op, generator);
                String what = (generator ? "generator " : "tensors ") + c;
                long card = ((Number) c.get(generator ? "generator_cardinality" : "cardinality")).longValue();
                assertEquals(card, ds.cardinality(), "tf.data's cardinality: " + what);
                if (!batched) ds = ds.batch(1);
                // tf.data's (i, x) elements: jrnn's inputs are (x, i), the counter last
                List<List<Integer>> gotX = new ArrayList<>(), gotI = new ArrayList<>(), wantX = new ArrayList<>(), wantI = new ArrayList<>();
                try (BatchStream s = ds.epoch(0)) {
                    while (s.hasNext()) try (Batch b = s.next()) {
                        gotX.add(ints(b.input(0).data()));
                        if (enumerated) gotI.add(ints(b.input(b.inputCount() - 1).data()));
                    }
                }
                for (Object w : (List<?>) c.get("batches")) {
                    if (w instanceof Map<?, ?> m) {
                        wantI.add(ints(flat(m.get("x"))));
                        wantX.add(ints(flat(m.get("y"))));
                    } else {
                        wantX.add(ints(flat(w)));
                    }
                }
                if (!batched) {   // read one by one here: compare the elements' sequence
                    assertEquals(wantX.stream().flatMap(List::stream).toList(), gotX.stream().flatMap(List::stream).toList(), what);
                    assertEquals(wantI.stream().flatMap(List::stream).toList(), gotI.stream().flatMap(List::stream).toList(), what);
                } else {
                    assertEquals(wantX, gotX, what);
                    assertEquals(wantI, gotI, "the counter: " + what);
                }
                checked++;
            }
        }
        assertEquals(2 * 25, checked);
    }

    private static List<Integer> ints(float[] v) {
        List<Integer> l = new ArrayList<>();
        for (float f : v) l.add((int) f);
        return l;
    }

    /** The counter of a table's enumerate batches as (B,), tf.data's scalar; its other parts keep their shapes. */
    @Test
    void enumerateOfATableBatchesTheCounterAsOneValuePerSample() throws IOException {
        Dataset ds = Dataset.fromTensors(Tensor.of(new float[] {5, 6, 7, 8, 9, 10}, 3, 2), Tensor.of(new float[] {1, 2, 3}, 3))
                .enumerate(4).batch(3);
        assertEquals(3, ds.size());
        try (BatchStream s = ds.epoch(0); Batch b = s.next()) {
            assertEquals(2, b.inputCount());
            assertArrayEquals(new int[] {3, 2}, b.inputShape(0));
            assertArrayEquals(new int[] {3}, b.inputShape(1));
            assertArrayEquals(new float[] {4, 5, 6}, b.input(1).data());
            assertArrayEquals(new int[] {3}, b.targetShape(0));
        }
        // a sequence keeps its length (input 0's steps) with the counter beside it
        Dataset seq = Dataset.fromRagged(Tensor.of(new float[] {1, 2, 3, 4, 5}, 5, 1), new long[] {0, 2, 5}, null).enumerate(0).batch(2);
        try (BatchStream s = seq.epoch(0); Batch b = s.next()) {
            assertArrayEquals(new int[] {2, 3}, b.lengths());
            assertArrayEquals(new float[] {0, 1}, b.input(1).data());
        }
    }

    /**
     * Each inner data set is read as its first epoch (tf.data's fresh inner iterator: a seeded shuffle built inside the function
     * gives one order; TF 2.21 reshuffles one captured from outside, as {@code inner} is here, where jrnn keeps the one order).
     */
    @Test
    void innerDataSetsAreReadAsTheirFirstEpoch() throws IOException {
        Dataset files = TfDataGoldensTest.source(0, 2, false, false);
        Dataset inner = TfDataGoldensTest.source(0, 6, false, false).shuffle(1, 6);
        Dataset ds = files.flatMap(s -> inner).batch(12);
        List<Integer> first;
        try (BatchStream s = ds.epoch(0); Batch b = s.next()) {
            first = ints(b.input(0).data());
        }
        assertEquals(first.subList(0, 6), first.subList(6, 12), "the same order for both elements (TF, the shuffle built inside the function: [4, 5, 1, 2, 3, 0] twice; captured as here: [4, 5, 1, 2, 3, 0, 4, 3, 1, 5, 0, 2])");
        try (BatchStream s = ds.epoch(1); Batch b = s.next()) {
            assertEquals(first, ints(b.input(0).data()), "and in the next epoch");
        }
    }

    /** A function that fails, returns null or a batched data set fails the epoch naming the sample; the inner streams are closed. */
    @Test
    void badInnerDataSetsNameTheSample() {
        Dataset src = TfDataGoldensTest.source(0, 3, false, false);
        String m = read(src.flatMap(s -> {
            throw new java.io.FileNotFoundException("x-7.npy");
        }));
        assertTrue(m.contains("input 0 sample 0") && m.contains("the flatMap function failed: java.io.FileNotFoundException: x-7.npy"), m);
        m = read(src.interleave(s -> null, 2, 1));
        assertTrue(m.contains("the interleave function returned null"), m);
        m = read(src.interleave(s -> TfDataGoldensTest.source(0, 2, false, false).batch(2), 2, 1));
        assertTrue(m.contains("the interleave function gave a batched data set") && m.contains("batch after interleave"), m);
        AtomicInteger closed = new AtomicInteger();
        Dataset closing = TfDataGoldensTest.source(0, 3, false, false).interleave(s -> Dataset.fromIterator(() -> new Closing(closed)), 2, 1);
        assertThrows(IllegalStateException.class, () -> {
            try (BatchStream s = closing.batch(2).epoch(0)) {
                s.next().close();   // two inner iterators open, then the stream is closed early
                throw new IllegalStateException("stop");
            }
        });
        assertEquals(2, closed.get(), "both open inner iterators closed");
    }

    private static final class Closing implements java.util.Iterator<Sample>, AutoCloseable {
        private final AtomicInteger closed;
        private int k;

        Closing(AtomicInteger closed) { this.closed = closed; }

        public boolean hasNext() { return k < 100; }

        public Sample next() { return Sample.of(Tensor.of(new float[] {k++}, 1), null); }

        public void close() { closed.incrementAndGet(); }
    }

    private static String read(Dataset d) {
        return assertThrows(DataException.class, () -> {
            try (BatchStream s = d.batch(4).epoch(0)) {
                while (s.hasNext()) s.next().close();
            }
        }).getMessage();
    }

    /**
     * Keras 3 fit on {@code range(3).interleave(file k, 2, 2).padded_batch(3, ([4], [1]), (-1, 0))}: jrnn reads the same
     * values from .npy files written here and gives TensorFlow's batches, History's steps (None: unknown), the epoch losses and
     * the weights after (Dense(1) from kernel 0.1, SGD 0.1, mse, 3 epochs).
     */
    @Test
    @SuppressWarnings("unchecked")
    void fitOnAnInterleaveOfNpyFilesIntoPaddedBatchesIsKeras(@TempDir Path dir) throws IOException {
        Map<String, Object> c = (Map<String, Object>) (Object) TfDataGoldensTest.document("dataset_interleave_fit.json");
        List<Map<String, Object>> files = (List<Map<String, Object>>) c.get("files");
        for (int k = 0; k < files.size(); k++) {
            for (String part : List.of("x", "y")) {
                Object v = files.get(k).get(part);
                int[] s = shape(v);
                try (NpyWriter w = NpyWriter.open(dir.resolve(part + k + ".npy"), s[1])) {
                    w.append(Tensor.of(flat(v), s));
                }
            }
        }
        Dataset ds = Dataset.fromTensors(Tensor.of(new float[] {0, 1, 2}, 3, 1), null)
                .interleave(s -> {
                    int k = (int) s.inputs().get(0).data()[0];
                    return Dataset.fromNpy(dir.resolve("x" + k + ".npy"), dir.resolve("y" + k + ".npy"));
                }, 2, 2)
                .paddedBatch(3, new int[][] {{4}, {1}}, new float[] {-1, 0}, false);
        assertEquals(Dataset.UNKNOWN, ds.cardinality());
        List<?> want = (List<?>) c.get("batches");
        List<Object[]> got = TfDataGoldensTest.batches(ds, 0);
        assertEquals(want.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            Map<?, ?> w = (Map<?, ?>) want.get(i);
            assertArrayEquals(shape(w.get("x")), (int[]) got.get(i)[1], "batch " + i);
            assertArrayEquals(flat(w.get("x")), (float[]) got.get(i)[0], "batch " + i);
            assertArrayEquals(flat(w.get("y")), (float[]) got.get(i)[2], "batch " + i);
        }
        dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(1).inputShape(4));
        m.setWeights(List.of(Tensor.full(0.1f, 4, 1), Tensor.of(new float[] {0f}, 1)));
        m.compile(new dev.jrnn.optim.SGD(0.1), "mse");
        dev.jrnn.model.History h = m.fit(ds, new dev.jrnn.model.FitOptions().epochs(3).verbose(0));
        assertNull(h.params().steps(), "Keras' steps None: the cardinality is unknown");
        float[] loss = flat(c.get("last_batch_loss"));
        for (int e = 0; e < loss.length; e++) assertEquals(loss[e], h.get("loss").get(e), 2e-6 * Math.abs(loss[e]), "epoch " + e);
        assertArrayEquals(flat(c.get("kernel")), m.getWeights().get(0).data(), 2e-6f);
        assertArrayEquals(flat(c.get("bias")), m.getWeights().get(1).data(), 2e-6f);
    }
}
