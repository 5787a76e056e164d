package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link TimeDistributed}: a Dense and a recurrent layer over the time axis against float64 references, names, shapes, masks. */
class TimeDistributedTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(13);
    }

    @Test
    void timeDistributedDenseMatchesReference() {
        TimeDistributed td = new TimeDistributed(new Dense(3).activation("tanh"));
        td.build(List.of(new int[] {4, 2}));
        assertEquals(2 * 3 + 3, td.countParams());
        SplittableRandom rng = new SplittableRandom(1);
        LayerCheck.randomWeights(td, rng);
        Tensor x = LayerCheck.rand(rng, 1, 2, 4, 2);
        LayerCheck.check(td, List.of(x), null, new boolean[] {true},
                v -> new double[][] {Ref.dense(Activation.TANH, 8, 2, 3, v[0], v[1], v[2])}, 2);
    }

    @Test
    void timeDistributedRecurrentMatchesReference() {
        // (B=2, T=3, T2=4, I=2): SimpleRNN over the inner axis for each of the 3 outer steps
        TimeDistributed td = new TimeDistributed(new SimpleRNN(2));
        assertArrayEquals(new int[] {3, 2}, td.computeOutputShapes(List.of(new int[] {3, 4, 2})).get(0));
        td.build(List.of(new int[] {3, 4, 2}));
        SplittableRandom rng = new SplittableRandom(2);
        LayerCheck.randomWeights(td, rng);
        Tensor x = LayerCheck.rand(rng, 1, 2, 3, 4, 2);
        LayerCheck.check(td, List.of(x), null, new boolean[] {true},
                v -> new double[][] {Ref.recurrent("rnn", Activation.TANH, Activation.SIGMOID, 6, 4, 2, 2, v[0], v[1], v[2], v[3],
                        null, null, null, false, 0, null).h}, 3);
    }

    @Test
    void timeDistributedNamesShapesAndMask() {
        Jrnn.clearSession();
        Dense inner = new Dense(5);
        TimeDistributed td = new TimeDistributed(inner);
        assertEquals("time_distributed", td.name());
        assertEquals("TimeDistributed", td.kerasClass());
        assertArrayEquals(new int[] {2, 7, 5}, td.call(Tensor.zeros(2, 7, 3)).shape());
        assertEquals(inner.params(), td.params());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> td.call(Tensor.zeros(2, 3)));
        assertEquals("time_distributed: expected input (batch, timesteps, ...) of rank >= 3, got (2, 3)", e.getMessage());
        try (DTensor x = DTensor.from(td.backend(), Tensor.zeros(1, 2, 3));
             DTensor m = DTensor.from(td.backend(), Tensor.of(new float[][] {{1, 0}}));
             Trace t = td.forward(List.of(x), m, false)) {
            assertSame(m, t.outputMask());
        }
    }

    @Test
    void theWrappedLayerIsNamedWhenWrappedAsKerasNamesItAtConstruction() {
        // Keras: Sequential([..., TimeDistributed(Dense(2)), Flatten(), Dense(1)]) names the inner Dense "dense", the last "dense_1"
        Jrnn.clearSession();
        dev.jrnn.model.Sequential m = new dev.jrnn.model.Sequential(new LSTM(2).returnSequences(true).inputShape(3, 1),
                new TimeDistributed(new Dense(2)), new Flatten(), new Dense(1));
        assertEquals(List.of("lstm", "time_distributed", "flatten", "dense_1"), m.layers().stream().map(Layer::name).toList());
        assertEquals("dense", ((TimeDistributed) m.layers().get(1)).layer().name());
        // a name given before wrapping is kept and takes no number
        assertEquals("mine", new TimeDistributed(new Dense(1).name("mine")).layer().name());
        assertEquals("dense_2", new Dense(1).name());
    }

}
