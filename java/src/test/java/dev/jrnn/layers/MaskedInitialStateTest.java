package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Masked leading steps with a non-zero initial state, against a plain double transcription of Keras'
 * RNN loop (keras/src/backend/tensorflow/rnn.py, while_loop with a mask): the previous output starts at
 * zeros and the states at the initial state; at each step {@code output = mask ? out : prev_output} and
 * {@code states = mask ? new_states : states}. So outputs before a sample's first real step are 0, a
 * fully masked sample outputs 0 and returns its initial state unchanged.
 */
class MaskedInitialStateTest {
    static final int B = 4, T = 5, I = 3, H = 3;

    /**
     * Rows (time order): pre-padded by 2, all real, fully masked, pre-padded by 1 with a masked middle step.
     */
    static final float[][] MASK = {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}, {0, 0, 0, 0, 0}, {0, 1, 0, 1, 1}};

    @BeforeAll
    static void cpu() {
        Jrnn.setBackend("cpu");
    }

    static RecurrentLayer make(String cell) {
        return switch (cell) {
            case "rnn" -> new SimpleRNN(H);
            case "lstm" -> new LSTM(H);
            default -> new GRU(H);
        };
    }

    static double sigmoid(double v) { return 1 / (1 + Math.exp(-v)); }

    /** Keras' loop in double: returns [seq (B*T*H, processing order), last output (B*H), h (B*H), c (B*H)]. */
    static double[][] keras(String cell, double[] w, double[] u, double[] bias, double[] x, float[][] mask,
                            double[] h0, double[] c0, boolean back) {
        int g = switch (cell) { case "rnn" -> H; case "lstm" -> 4 * H; default -> 3 * H; };
        double[] seq = new double[B * T * H], last = new double[B * H], hOut = new double[B * H], cOut = new double[B * H];
        for (int b = 0; b < B; b++) {
            double[] prevOutput = new double[H];     // zeros, as Keras' flat_zero_output
            double[] h = new double[H], c = new double[H];
            for (int k = 0; k < H; k++) {
                h[k] = h0[b * H + k];
                c[k] = c0 == null ? 0 : c0[b * H + k];
            }
            for (int j = 0; j < T; j++) {
                int t = back ? T - 1 - j : j;
                double[] xp = new double[g], rp = new double[g];
                for (int q = 0; q < g; q++) {
                    double a = bias[q], r = cell.equals("gru") ? bias[g + q] : 0;
                    for (int i = 0; i < I; i++) a += x[(b * T + t) * I + i] * w[i * g + q];
                    for (int k = 0; k < H; k++) r += h[k] * u[k * g + q];
                    xp[q] = a;
                    rp[q] = r;
                }
                double[] out = new double[H], nc = new double[H];
                for (int k = 0; k < H; k++) {
                    switch (cell) {
                        case "rnn" -> out[k] = Math.tanh(xp[k] + rp[k]);
                        case "lstm" -> {
                            double ig = sigmoid(xp[k] + rp[k]), fg = sigmoid(xp[H + k] + rp[H + k]);
                            double gg = Math.tanh(xp[2 * H + k] + rp[2 * H + k]), og = sigmoid(xp[3 * H + k] + rp[3 * H + k]);
                            nc[k] = fg * c[k] + ig * gg;
                            out[k] = og * Math.tanh(nc[k]);
                        }
                        default -> {
                            double z = sigmoid(xp[k] + rp[k]), r = sigmoid(xp[H + k] + rp[H + k]);
                            double hh = Math.tanh(xp[2 * H + k] + r * rp[2 * H + k]);
                            out[k] = z * h[k] + (1 - z) * hh;
                        }
                    }
                }
                if (mask[b][t] != 0) {
                    prevOutput = out;
                    h = out.clone();
                    if (cell.equals("lstm")) c = nc;
                }
                System.arraycopy(prevOutput, 0, seq, (b * T + j) * H, H);
            }
            System.arraycopy(prevOutput, 0, last, b * H, H);
            System.arraycopy(h, 0, hOut, b * H, H);
            System.arraycopy(c, 0, cOut, b * H, H);
        }
        return new double[][] {seq, last, hOut, cOut};
    }

    static double[] d(Tensor t) { return Ref.d(t.data()); }

    static void close(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
        }
    }

    /** Runs forward on the CPU backend and returns the outputs as host tensors. */
    static List<Tensor> run(RecurrentLayer l, List<Tensor> inputs, Tensor mask) {
        Backend be = l.backend();
        List<DTensor> ins = new ArrayList<>();
        for (Tensor t : inputs) ins.add(DTensor.from(be, t));
        try (DTensor dm = mask == null ? null : DTensor.from(be, mask);
             Trace tr = l.forward(ins, dm, false)) {
            List<Tensor> out = new ArrayList<>();
            for (DTensor o : tr.outputs()) out.add(o.toTensor());
            return out;
        } finally {
            for (DTensor d : ins) d.close();
        }
    }

    @Test
    void leadingMaskedStepsOutputZerosAndStatesKeepTheInitialState() {
        for (String cell : new String[] {"rnn", "lstm", "gru"}) {
            for (boolean back : new boolean[] {false, true}) {
                for (boolean seq : new boolean[] {true, false}) {
                    String name = cell + (back ? " goBackwards" : "") + (seq ? " returnSequences" : "");
                    SplittableRandom rng = new SplittableRandom(31 + cell.hashCode() + (back ? 1 : 0));
                    RecurrentLayer l = make(cell).returnSequences(seq).returnState(true).goBackwards(back);
                    int ns = l.stateCount();
                    List<Tensor> inputs = new ArrayList<>();
                    inputs.add(LayerCheck.rand(rng, 1, B, T, I));
                    for (int i = 0; i < ns; i++) inputs.add(LayerCheck.rand(rng, 0.9, B, H));
                    List<int[]> shapes = new ArrayList<>();
                    shapes.add(new int[] {T, I});
                    for (int i = 0; i < ns; i++) shapes.add(new int[] {H});
                    l.build(shapes);
                    List<Tensor> w = new ArrayList<>();
                    for (Param p : l.params()) w.add(LayerCheck.rand(rng, 0.7, p.shape()));
                    l.setWeights(w);

                    double[][] want = keras(cell, d(w.get(0)), d(w.get(1)), d(w.get(2)), d(inputs.get(0)), MASK,
                            d(inputs.get(1)), ns > 1 ? d(inputs.get(2)) : null, back);
                    List<Tensor> got = run(l, inputs, Tensor.of(MASK));
                    assertEquals(1 + ns, got.size(), name + ": outputs");
                    close(seq ? want[0] : want[1], got.get(0).data(), name + ": output");
                    close(want[2], got.get(1).data(), name + ": returned h");
                    if (ns > 1) close(want[3], got.get(2).data(), name + ": returned c");

                    // exactly zero before each row's first real step (processing order), exactly h0/c0 kept
                    // by the fully masked row 2
                    float[] y = got.get(0).data();
                    for (int b = 0; b < B; b++) {
                        boolean seen = false;
                        for (int j = 0; j < T; j++) {
                            seen |= MASK[b][back ? T - 1 - j : j] != 0;
                            for (int k = 0; k < H; k++) {
                                if (seq && !seen) assertEquals(0f, y[(b * T + j) * H + k], name + ": y[" + b + ", " + j + "]");
                            }
                        }
                        if (!seq && !seen) for (int k = 0; k < H; k++) assertEquals(0f, y[b * H + k], name + ": y[" + b + "]");
                    }
                    for (int s = 0; s < ns; s++) {
                        float[] st = got.get(1 + s).data(), init = inputs.get(1 + s).data();
                        for (int k = 0; k < H; k++) {
                            assertEquals(init[2 * H + k], st[2 * H + k], name + ": state " + s + " of the fully masked row");
                        }
                    }
                }
            }
        }
    }

    /**
     * An explicit zero initial state still gives bit for bit what no initial state gives (forward, and
     * the weight and input gradients), with pre-padded rows.
     */
    @Test
    void zeroInitialStateIsBitIdenticalToNone() {
        for (String cell : new String[] {"rnn", "lstm", "gru"}) {
            for (boolean seq : new boolean[] {true, false}) {
                String name = cell + (seq ? " returnSequences" : "");
                SplittableRandom rng = new SplittableRandom(77 + cell.hashCode());
                Tensor x = LayerCheck.rand(rng, 1, B, T, I);
                RecurrentLayer plain = make(cell).returnSequences(seq), zero = make(cell).returnSequences(seq);
                int ns = plain.stateCount();
                plain.build(List.of(new int[] {T, I}));
                List<int[]> shapes = new ArrayList<>(List.of(new int[] {T, I}));
                for (int i = 0; i < ns; i++) shapes.add(new int[] {H});
                zero.build(shapes);
                List<Tensor> w = new ArrayList<>();
                for (Param p : plain.params()) w.add(LayerCheck.rand(rng, 0.7, p.shape()));
                plain.setWeights(w);
                zero.setWeights(w);
                Tensor r = LayerCheck.rand(rng, 1, seq ? new int[] {B, T, H} : new int[] {B, H});
                List<Tensor> inputs = new ArrayList<>(List.of(x));
                for (int i = 0; i < ns; i++) inputs.add(Tensor.zeros(B, H));
                Result a = forwardBackward(plain, List.of(x), r), b = forwardBackward(zero, inputs, r);
                assertArrayEquals(a.y, b.y, name + ": output");
                assertArrayEquals(a.dx, b.dx, name + ": dx");
                for (int i = 0; i < a.dw.size(); i++) assertArrayEquals(a.dw.get(i), b.dw.get(i), name + ": weight grad " + i);
            }
        }
    }

    record Result(float[] y, float[] dx, List<float[]> dw) {}

    static Result forwardBackward(RecurrentLayer l, List<Tensor> inputs, Tensor r) {
        Backend be = l.backend();
        l.zeroGrads();
        List<DTensor> ins = new ArrayList<>();
        for (Tensor t : inputs) ins.add(DTensor.from(be, t));
        try (DTensor dm = DTensor.from(be, Tensor.of(MASK));
             DTensor dr = DTensor.from(be, r);
             Trace tr = l.forward(ins, dm, true)) {
            float[] y = tr.outputs().get(0).toTensor().data();
            List<DTensor> g = tr.backward(List.of(dr));
            float[] dx = g.get(0).toTensor().data();
            List<float[]> dw = new ArrayList<>();
            for (Param p : l.params()) dw.add(p.getGrad().data());
            return new Result(y, dx, dw);
        } finally {
            for (DTensor d : ins) d.close();
        }
    }

    /**
     * Real Keras 3.15.1 on TensorFlow 2.21, which jrnn follows here ({@code make_masked_initial_state_backends.py} in this
     * package's test resources): GRU, SimpleRNN, LSTM(3, return_sequences, return_state) with initial states h = 0.7
     * (and c = -0.4), sample 0 masked at its first two steps, sample 1 at every step. Keras 3.15.1 on JAX gives the same
     * states and real steps but outputs the initial h (0.7) at the masked steps before the first real one, so at every
     * step of sample 1 (the GUIDE's "Where Keras' own backends disagree").
     */
    @Test
    void maskedStepsWithAnInitialStateMatchKerasOnTensorFlow() {
        Jrnn.clearSession();
        float[] x = new float[2 * 4 * 3];
        for (int k = 0; k < x.length; k++) x[k] = (float) (0.5 * Math.sin(1.3 * k + 5));
        for (int k = 0; k < 6; k++) x[k] = 0;             // sample 0, steps 0 and 1
        for (int k = 12; k < 24; k++) x[k] = 0;           // sample 1, every step
        float[] h0 = new float[6], c0 = new float[6];
        Arrays.fill(h0, 0.7f);
        Arrays.fill(c0, -0.4f);
        Object[][] cases = {{new GRU(3), 10, GRU_SEQ, GRU_H}, {new SimpleRNN(3), 20, SIMPLE_RNN_SEQ, SIMPLE_RNN_H},
                {new LSTM(3), 30, LSTM_SEQ, LSTM_H}};
        for (Object[] c : cases) {
            RecurrentLayer l = ((RecurrentLayer) c[0]).returnSequences(true).returnState(true);
            boolean lstm = l instanceof LSTM;
            Input in = Input.shape(4, 3), h = Input.shape(3),
                    cc = Input.shape(3);
            List<Node> ins = new ArrayList<>(List.of(new Masking(0.0).apply(in), h));
            if (lstm) ins.add(cc);
            Model m = new Model(lstm ? List.of(in, h, cc) : List.of(in, h), l.apply(ins).all());
            int seed = (Integer) c[1];
            List<Tensor> w = new ArrayList<>();
            for (Param p : l.params()) {
                float[] v = new float[Arrays.stream(p.shape()).reduce(1, (a, b) -> a * b)];
                for (int k = 0; k < v.length; k++) v[k] = (float) (0.5 * Math.sin(1.3 * k + seed));
                w.add(Tensor.of(v, p.shape()));
                seed++;
            }
            l.setWeights(w);
            List<Tensor> data = new ArrayList<>(List.of(Tensor.of(x, 2, 4, 3), Tensor.of(h0, 2, 3)));
            if (lstm) data.add(Tensor.of(c0, 2, 3));
            List<Tensor> got = m.predictAll(data, 32, null);
            String name = l.kerasClass();
            close(Ref.d((float[]) c[2]), got.get(0).data(), name + ": sequence");
            close(Ref.d((float[]) c[3]), got.get(1).data(), name + ": h");
            if (lstm) close(Ref.d(LSTM_C), got.get(2).data(), name + ": c");
        }
    }

    // ---- pasted from KERAS_BACKEND=tensorflow python make_masked_initial_state_backends.py (Keras 3.15.1, TF 2.21)
    static final float[] GRU_SEQ = {0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, -9.73684937e-02f, 5.63586354e-01f, 5.51720381e-01f, 2.60096401e-01f, 5.10788858e-01f, 2.80250490e-01f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f};
    static final float[] GRU_H = {2.60096401e-01f, 5.10788858e-01f, 2.80250490e-01f, 6.99999988e-01f, 6.99999988e-01f, 6.99999988e-01f};
    static final float[] SIMPLE_RNN_SEQ = {0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, -1.15664966e-01f, -5.53547859e-01f, -2.14016184e-01f, 1.00151137e-01f, -6.80612624e-01f, -4.96516526e-01f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f};
    static final float[] SIMPLE_RNN_H = {1.00151137e-01f, -6.80612624e-01f, -4.96516526e-01f, 6.99999988e-01f, 6.99999988e-01f, 6.99999988e-01f};
    static final float[] LSTM_SEQ = {0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 8.11028108e-02f, -8.42452124e-02f, -3.39633644e-01f, 1.23641469e-01f, -8.24776888e-02f, -2.70705849e-01f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f, 0.00000000e+00f};
    static final float[] LSTM_H = {1.23641469e-01f, -8.24776888e-02f, -2.70705849e-01f, 6.99999988e-01f, 6.99999988e-01f, 6.99999988e-01f};
    static final float[] LSTM_C = {2.64258772e-01f, -1.40827090e-01f, -5.17199039e-01f, -4.00000006e-01f, -4.00000006e-01f, -4.00000006e-01f};
}
