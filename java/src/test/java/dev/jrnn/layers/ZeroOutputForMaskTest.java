package dev.jrnn.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Activation;
import dev.jrnn.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keras' {@code zero_output_for_mask}: every masked step outputs 0 (the states still carry over it), and
 * with returnSequences false the output is 0 when the last processed step is masked. Outputs and every
 * gradient against the float64 reference with those outputs zeroed; Bidirectional turns it on for both
 * layers exactly when returnSequences is set, as Keras does.
 */
class ZeroOutputForMaskTest {

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
        Jrnn.setSeed(3);
    }

    @ParameterizedTest(name = "{0} seq={1} back={2} init={3}")
    @CsvSource({"lstm,true,false,false", "lstm,false,false,true", "gru,true,true,true", "gru,false,true,false",
            "rnn,true,false,true", "rnn,false,false,false"})
    void maskedStepsOutputZero(String cell, boolean seq, boolean back, boolean init) {
        int B = 3, T = 5, I = 2, H = 3;
        RecurrentLayer layer = RecurrentLayerTest.make(cell, H).returnSequences(seq).returnState(true).goBackwards(back)
                .zeroOutputForMask(true);
        SplittableRandom rng = new SplittableRandom(7);
        int ns = RecurrentLayerTest.states(cell);
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(LayerCheck.rand(rng, 1, B, T, I));
        if (init) for (int i = 0; i < ns; i++) inputs.add(LayerCheck.rand(rng, 0.8, B, H));
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : inputs) shapes.add(Arrays.copyOfRange(t.shape(), 1, t.rank()));
        layer.build(shapes);
        List<Tensor> w = new ArrayList<>();
        for (Param p : layer.params()) w.add(LayerCheck.rand(rng, 0.6, p.shape()));
        layer.setWeights(w);
        Tensor m = RecurrentLayerTest.mask();   // sample 1 masked at t=0 and 3, sample 2 post-padded
        boolean[] diff = new boolean[inputs.size()];
        Arrays.fill(diff, true);
        LayerCheck.RefFn ref = v -> {
            double[] md = Ref.d(m.data());
            double[] h0 = init ? v[4] : null, c0 = init && ns > 1 ? v[5] : null;
            Ref.Out o = Ref.recurrent(cell, Activation.TANH, Activation.SIGMOID, B, T, I, H, v[0], v[1], v[2], v[3], md,
                    h0, c0, back, 0, null);
            double[] y;
            if (seq) {
                y = o.seq.clone();   // processing order
                for (int b = 0; b < B; b++) {
                    for (int s = 0; s < T; s++) {
                        int t = back ? T - 1 - s : s;
                        if (md[b * T + t] == 0) Arrays.fill(y, (b * T + s) * H, (b * T + s + 1) * H, 0.0);
                    }
                }
            } else {
                y = o.h.clone();     // the last processed step's output is the state unless that step is masked
                int last = back ? 0 : T - 1;
                for (int b = 0; b < B; b++) if (md[b * T + last] == 0) Arrays.fill(y, b * H, (b + 1) * H, 0.0);
            }
            List<double[]> out = new ArrayList<>(List.of(y, o.h));
            if (ns > 1) out.add(o.c);
            return out.toArray(new double[0][]);
        };
        LayerCheck.check(layer, inputs, m, diff, ref, 5);
    }

    @Test
    void bidirectionalSetsItFromReturnSequencesAndTheBackwardCopyInheritsIt() {
        Bidirectional seq = new Bidirectional(new LSTM(2).returnSequences(true));
        assertTrue(seq.forwardLayer().zeroOutputForMask());
        assertTrue(seq.backwardLayer().zeroOutputForMask());
        Bidirectional last = new Bidirectional(new GRU(2));
        assertFalse(last.forwardLayer().zeroOutputForMask());
        assertFalse(last.backwardLayer().zeroOutputForMask());
        assertFalse(new LSTM(2).zeroOutputForMask(), "off by default, as Keras");
    }

    @Test
    void bidirectionalSequenceIsZeroAtPaddingInBothHalves() {
        Bidirectional bi = new Bidirectional(new SimpleRNN(2).returnSequences(true));
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 0.3f, 0f, 0f, 0f}, 1, 3, 2);   // last step padded
        Sequential1 m = new Sequential1(bi);
        float[] y = m.run(x, Tensor.of(new float[][] {{1, 1, 0}})).data();
        for (int k = 0; k < 4; k++) assertEquals(0f, y[2 * 4 + k], "time 2, column " + k);
        boolean nonZero = false;
        for (int k = 0; k < 8; k++) nonZero |= y[k] != 0f;
        assertTrue(nonZero, "real steps are not zero");
    }

    /** Runs one layer on a batch with a mask through the layer API. */
    record Sequential1(Layer layer) {
        Tensor run(Tensor x, Tensor mask) {
            layer.build(List.of(Arrays.copyOfRange(x.shape(), 1, 3)));
            dev.jrnn.backend.Backend be = layer.backend();
            try (dev.jrnn.backend.DTensor dx = dev.jrnn.backend.DTensor.from(be, x);
                 dev.jrnn.backend.DTensor dm = dev.jrnn.backend.DTensor.from(be, mask);
                 Trace t = layer.forward(List.of(dx), dm, false)) {
                return t.outputs().get(0).toTensor();
            }
        }
    }
}
