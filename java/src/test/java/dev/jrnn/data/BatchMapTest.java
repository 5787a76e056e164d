package dev.jrnn.data;

import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * map after batch: tf.data's map of whole batches (its order against TensorFlow 2.21 is in InterleaveTest's chains). Here:
 * what a batch of sequences keeps, what is refused, and that fit on a mapped batch equals fit on the batch the map makes.
 */
class BatchMapTest {

    private static Sample times(Sample b, float a, float c) {
        return b.with(b.inputs().stream().map(t -> affine(t, a, c)).toList(), b.targets());
    }

    private static Tensor affine(Tensor t, float a, float c) {
        float[] v = t.data().clone();
        for (int i = 0; i < v.length; i++) v[i] = v[i] * a + c;
        return Tensor.of(v, t.shape());
    }

    private static Dataset ragged() {   // sequences of 2 and 3 steps of one feature, targets 7 and 8
        return Dataset.fromRagged(Tensor.of(new float[] {1, 2, 3, 4, 5}, 5, 1), new long[] {0, 2, 5}, Tensor.of(new float[] {7, 8}, 2));
    }

    /** The map sees the padded batch (its padding mapped too, as tf.data's); the lengths stay, so the padding stays masked. */
    @Test
    void aBatchOfSequencesKeepsItsLengths() throws IOException {
        Dataset ds = ragged().batch(2).map(b -> times(b, 2, 1));
        try (BatchStream s = ds.epoch(0); Batch b = s.next()) {
            assertArrayEquals(new float[] {3, 5, 1, 7, 9, 11}, b.input(0).data());
            assertArrayEquals(new int[] {2, 3, 1}, b.inputShape(0));
            assertArrayEquals(new int[] {2, 3}, b.lengths());
            assertArrayEquals(new float[] {7, 8}, b.target(0).data());
            assertEquals("values sequence 1 (rows 2..5)", b.where(1), "named as the unmapped batch names it");
        }
        // unbatch after it: the mapped rows, each with its length
        try (BatchStream s = ds.unbatch().batch(1).epoch(0); Batch b = s.next()) {
            assertArrayEquals(new float[] {3, 5, 1}, b.input(0).data());
            assertArrayEquals(new int[] {2}, b.lengths());
        }
    }

    /** A map that changes the rows, a sequence batch's steps, or throws, fails the batch naming it; a NaN it makes is caught. */
    @Test
    void whatAMapOfBatchesMayNotDo() {
        Dataset xs = Dataset.fromTensors(Tensor.of(new float[] {1, 2, 3, 4}, 4, 1), Tensor.of(new float[] {1, 2, 3, 4}, 4, 1)).batch(2);
        String m = read(xs.map(b -> b.with(List.of(b.inputs().get(0).slice(0, 1)), b.targets())));
        assertTrue(m.contains("Dataset.map of batches: input 0 has shape (1, 1); expected the batch's 2 rows first"), m);
        assertTrue(m.startsWith("the batch of input 0 sample 0 .. input 0 sample 1"), m);
        m = read(ragged().batch(2).map(b -> b.with(List.of(b.inputs().get(0).slice(0, 2).reshape(2, 1, 3)), b.targets())));
        assertTrue(m.contains("a batch of sequences keeps its lengths, so expected its 3 steps on axis 1 as in (2, 3, 1)"), m);
        m = read(xs.map(b -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(m.contains("the map function failed: java.lang.IllegalStateException: boom"), m);
        m = read(xs.map(b -> times(b, Float.NaN, 0)).checkFinite(true));
        assertTrue(m.contains("input 0 sample 0") && m.contains("NaN"), m);
    }

    private static String read(Dataset d) {
        return assertThrows(DataException.class, () -> {
            try (BatchStream s = d.epoch(0)) {
                while (s.hasNext()) s.next().close();
            }
        }).getMessage();
    }

    /**
     * Keras' common batch map, labels to one-hot after batch: fit on it equals fit on the one-hot targets batched (the same
     * losses and weights), and History's steps stay known (a map keeps the cardinality, as tf.data's).
     */
    @Test
    void fitOnAMappedBatchIsFitOnWhatItMakes() throws IOException {
        float[] x = new float[16], labels = {0, 2, 1, 1, 0, 2, 2, 1};
        for (int i = 0; i < x.length; i++) x[i] = (i % 5) / 4f - 0.5f;
        Tensor xs = Tensor.of(x, 8, 2), ys = Tensor.of(labels, 8);
        Dataset mapped = Dataset.fromTensors(xs, ys).batch(4)
                .map(b -> b.with(b.inputs(), List.of(Sequences.toCategorical(b.targets().get(0), 3))));
        Dataset plain = Dataset.fromTensors(xs, Sequences.toCategorical(ys, 3)).batch(4);
        assertEquals(plain.cardinality(), mapped.cardinality());
        List<Float> lossMapped = null, lossPlain = null;
        List<Tensor> wMapped = null, wPlain = null;
        for (Dataset ds : List.of(mapped, plain)) {
            dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new dev.jrnn.layers.Dense(3).inputShape(2));
            m.setWeights(List.of(Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0.2f, 0.1f, -0.1f}, 2, 3), Tensor.zeros(3)));
            m.compile(new dev.jrnn.optim.SGD(0.1), "categorical_crossentropy");
            dev.jrnn.model.History h = m.fit(ds, new dev.jrnn.model.FitOptions().epochs(2).verbose(0));
            assertEquals(2, h.params().steps());
            List<Float> loss = h.get("loss").stream().map(Number::floatValue).toList();
            if (ds == mapped) {
                lossMapped = loss;
                wMapped = m.getWeights();
            } else {
                lossPlain = loss;
                wPlain = m.getWeights();
            }
        }
        assertEquals(lossPlain, lossMapped);
        for (int i = 0; i < wPlain.size(); i++) assertArrayEquals(wPlain.get(i).data(), wMapped.get(i).data());
    }
}
