package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SimpleRNN}'s own numbers (what all recurrent layers share is in {@link RecurrentLayerTest}): two
 * steps by hand, each elementwise activation against the float64 reference, the parameter count of the
 * README's model, one state and no recurrent activation.
 */
class SimpleRNNTest {
    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(13);
    }

    /** A sample's output is the same bits whatever the batch it comes in (units not a multiple of the vector width too). */
    @Test
    void predictionsDoNotDependOnTheBatchSize() {
        for (int units : new int[] {5, 16, 21}) {
            Jrnn.setSeed(7);
            dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new SimpleRNN(units).inputShape(6, 3));
            java.util.SplittableRandom r = new java.util.SplittableRandom(units);
            float[] v = new float[13 * 6 * 3];
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
            Tensor x = Tensor.wrap(v, 13, 6, 3);
            float[] whole = m.predictAll(List.of(x), 13, null).get(0).toArray();
            for (int b : new int[] {1, 3, 7}) assertArrayEquals(whole, m.predictAll(List.of(x), b, null).get(0).toArray(), units + " units, batches of " + b);
        }
    }

    @Test
    void tinyHandComputedSimpleRnn() {
        // H = 1, I = 1: h1 = tanh(0.5*1 + 0.1) , h2 = tanh(0.5*2 + 0.8*h1 + 0.1)
        SimpleRNN r = new SimpleRNN(1).returnSequences(true);
        r.build(List.of(new int[] {2, 1}));
        r.setWeights(List.of(Tensor.of(new float[] {0.5f}, 1, 1), Tensor.of(new float[] {0.8f}, 1, 1),
                Tensor.of(new float[] {0.1f}, 1)));
        float[] y = r.call(Tensor.of(new float[] {1, 2}, 1, 2, 1)).data();
        double h1 = Math.tanh(0.6), h2 = Math.tanh(1.1 + 0.8 * h1);
        assertEquals(h1, y[0], 1e-6);
        assertEquals(h2, y[1], 1e-6);
    }

    @Test
    void everyElementwiseActivationMatchesTheReference() {
        long seed = 40;
        for (Activation a : new Activation[] {Activation.TANH, Activation.RELU, Activation.SIGMOID, Activation.LINEAR}) {
            SimpleRNN r = new SimpleRNN(3).activation(a.kerasName());
            assertEquals(a.kerasName(), r.activation());
            LayerCheck.oneStep(r, "rnn", a, Activation.SIGMOID, new float[] {1, 0, 1, 1}, seed++);
        }
    }

    @Test
    void readmeModelsParameterCountAndOneState() {
        SimpleRNN r = new SimpleRNN(10).inputShape(3, 1);
        r.build(List.of(new int[] {3, 1}));
        assertEquals(120, r.countParams(), "10 * (1 + 10 + 1), the README's summary");
        assertArrayEquals(new int[] {10, 10}, r.getWeights().get(1).shape());
        assertEquals(1, r.stateCount());
        List<Tensor> out = new SimpleRNN(2).returnState(true).callWithStates(Tensor.zeros(4, 3, 1));
        assertEquals(2, out.size(), "[output, h]");
        assertArrayEquals(out.get(0).data(), out.get(1).data(), "without sequences the output is the last state");
    }

    @Test
    void softmaxIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SimpleRNN(2).activation("softmax"));
        assertTrue(e.getMessage().contains("activation") && e.getMessage().contains("softmax"), e.getMessage());
    }
}
