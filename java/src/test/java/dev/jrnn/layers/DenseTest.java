package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DenseTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
    }

    @ParameterizedTest(name = "{0} bias={1} rank={2}")
    @CsvSource({"linear,true,2", "tanh,true,3", "sigmoid,false,2", "relu,true,3", "softmax,true,2", "softmax,false,3"})
    void forwardAndGradientsMatchReference(String act, boolean useBias, int rank) {
        int O = 4, I = 3;
        int[] shape = rank == 2 ? new int[] {5, I} : new int[] {2, 3, I};
        int rows = shape.length == 2 ? 5 : 6;
        Dense d = new Dense(O).activation(act).useBias(useBias);
        SplittableRandom rng = new SplittableRandom(4);
        Tensor x = LayerCheck.rand(rng, 1, shape);
        d.build(List.of(java.util.Arrays.copyOfRange(shape, 1, shape.length)));
        List<Tensor> w = new ArrayList<>();
        for (Param p : d.params()) w.add(LayerCheck.rand(rng, 0.8, p.shape()));
        d.setWeights(w);
        Activation a = Activation.of(act);
        LayerCheck.check(d, List.of(x), null, new boolean[] {true},
                v -> new double[][] {Ref.dense(a, rows, I, O, v[0], useBias ? v[1] : null, v[useBias ? 2 : 1])}, 1);
    }

    /** Keras applies one Dense to vectors and to sequences alike (its input spec fixes only the last axis). */
    @Test
    void oneDenseServesInputsOfAnyRankWithItsFeatures() {
        Dense d = new Dense(2).activation("tanh");
        SplittableRandom rng = new SplittableRandom(9);
        Tensor v = LayerCheck.rand(rng, 1, 4, 3), seq = LayerCheck.rand(rng, 1, 2, 5, 3);
        assertArrayEquals(new int[] {4, 2}, d.call(v).shape());
        Tensor y = d.call(seq);   // built for (None, 3): a (None, 5, 3) input takes the same weights
        assertArrayEquals(new int[] {2, 5, 2}, y.shape());
        double[] want = Ref.dense(Activation.TANH, 10, 3, 2, Ref.d(d.getWeights().get(0).toArray()),
                Ref.d(d.getWeights().get(1).toArray()), Ref.d(seq.toArray()));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], y.toArray()[i], 1e-6, "element " + i);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.call(Tensor.zeros(2, 5, 4)));
        assertTrue(e.getMessage().contains("expected input (None, 3)") && e.getMessage().contains("got (None, 5, 4)"), e.getMessage());
    }

    @Test
    void paramsShapesAndNames() {
        Jrnn.clearSession();
        Dense d = new Dense(10);
        assertEquals("dense", d.name());
        assertEquals("dense_1", new Dense(1).name());
        assertEquals("Dense", d.kerasClass());
        assertEquals(List.of(new int[] {7, 10}).get(0).length, d.build(List.of(new int[] {7, 4})).get(0).length);
        assertArrayEquals(new int[] {7, 10}, d.outputShapes().get(0));
        assertEquals(4 * 10 + 10, d.countParams());
        assertEquals(List.of("kernel", "bias"), d.params().stream().map(Param::name).toList());
        Dense nb = new Dense(3).useBias(false);
        nb.build(List.of(new int[] {5}));
        assertEquals(15, nb.countParams());
        double limit = Math.sqrt(6.0 / (5 + 3));
        for (float v : nb.getWeights().get(0).data()) assertTrue(Math.abs(v) <= limit);
        Dense in = new Dense(2).inputDim(6);
        assertArrayEquals(new int[] {6}, in.declaredInputShape());
    }

    @Test
    void softmaxRowsSumToOne() {
        Dense d = new Dense(5).activation("softmax");
        float[] y = d.call(LayerCheck.rand(new SplittableRandom(2), 3, 4, 2, 6)).data();
        for (int r = 0; r < 8; r++) {
            double s = 0;
            for (int o = 0; o < 5; o++) s += y[r * 5 + o];
            assertEquals(1.0, s, 1e-6);
        }
    }

    @Test
    void tinyHandComputed() {
        Dense d = new Dense(1);
        d.build(List.of(new int[] {2}));
        d.setWeights(List.of(Tensor.of(new float[] {2, -1}, 2, 1), Tensor.of(new float[] {0.5f}, 1)));
        float[] y = d.call(Tensor.of(new float[][] {{1, 1}, {3, 4}})).data();
        assertArrayEquals(new float[] {1.5f, 2.5f}, y);
    }

    @Test
    void badInput() {
        Dense d = new Dense(2).name("dense_x");
        d.call(Tensor.zeros(2, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.call(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().startsWith("dense_x"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dense(0));
        assertThrows(IllegalArgumentException.class, () -> new Dense(2).activation("bogus"));
        assertThrows(IllegalArgumentException.class, () -> d.setWeights(List.of(Tensor.zeros(2, 2), Tensor.zeros(2))));
    }
    /** A sample's output is the same bits whatever the batch it comes in, for activations whose units leave a vector tail. */
    @Test
    void predictionsDoNotDependOnTheBatchSize() {
        for (String act : new String[] {"sigmoid", "tanh"}) {
            for (int units : new int[] {1, 5, 16}) {
                Jrnn.setSeed(9);
                dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new Dense(units).activation(act).inputShape(4));
                SplittableRandom r = new SplittableRandom(units);
                float[] v = new float[13 * 4];
                for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 6 - 3);
                Tensor x = Tensor.wrap(v, 13, 4);
                float[] whole = m.predictAll(List.of(x), 13, null).get(0).toArray();
                for (int b : new int[] {1, 3, 7}) {
                    assertArrayEquals(whole, m.predictAll(List.of(x), b, null).get(0).toArray(), act + ", " + units + " units, batches of " + b);
                }
            }
        }
    }
}
