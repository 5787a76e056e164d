package dev.jrnn.layers.check;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.TimeDistributed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;


/**
 * Layers chained by hand through their forward traces (outputs and output masks handed on, input
 * gradients handed back), checked end to end against chained float64 references: every layer's
 * weights and the input get central-difference gradients of the final output.
 */
class StackedGradTest {

    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    @AfterAll
    static void printStats() {
        GradCheck.writeStats("StackedGradTest (max relative errors)");
    }

    // ---------------------------------------------------------------- stages: a layer and its reference

    abstract static class Stage {
        final Layer layer;
        List<GradCheck.Var> weights;
        int b, t;          // batch and timesteps of the stage's input
        int[] inSample;    // per-sample input shape

        Stage(Layer layer) { this.layer = layer; }

        /** Builds the layer for this per-sample input and returns the per-sample output shape. */
        int[] build(int[] sample) {
            inSample = sample;
            List<int[]> out = layer.build(List.of(sample));
            return out.get(0);
        }

        double[] w(int i) { return weights.get(i).v; }

        abstract double[] forward(double[] in, double[] mask, Ref.Tape tape);

        /** From the last forward (tape null): adds weight gradients into g, returns the input gradient (null for ids). */
        abstract double[] backward(double[] dOut, Map<GradCheck.Var, double[]> g);

        /** The mask handed to the next layer. */
        double[] outMask(double[] in, double[] mask) { return mask; }
    }

    static final class RnnStage extends Stage {
        final Ref.Rnn s;
        Ref.RnnRun run;

        RnnStage(Ref.Rnn s, Layer layer) {
            super(layer);
            this.s = s;
        }

        @Override
        double[] forward(double[] in, double[] mask, Ref.Tape tape) {
            run = Ref.rnn(s, b, t, inSample[1], in, w(0), w(1), s.useBias() ? w(2) : null, null, null, mask, tape);
            return run.outputs.get(0);
        }

        @Override
        double[] backward(double[] dOut, Map<GradCheck.Var, double[]> g) {
            Ref.RnnGrads r = Ref.rnnBackward(run, List.of(dOut));
            g.put(weights.get(0), r.dw);
            g.put(weights.get(1), r.du);
            if (s.useBias()) g.put(weights.get(2), r.dbias);
            return r.dx;
        }

        @Override
        double[] outMask(double[] in, double[] mask) { return s.returnSequences() ? mask : null; }
    }

    static final class BidiStage extends Stage {
        final Ref.Rnn s;
        final String mode;
        Ref.BidiRun run;

        BidiStage(Ref.Rnn s, String mode, Layer layer) {
            super(layer);
            this.s = s;
            this.mode = mode;
        }

        @Override
        double[] forward(double[] in, double[] mask, Ref.Tape tape) {
            int n = s.useBias() ? 3 : 2;
            List<double[]> wf = new ArrayList<>(), wb = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                wf.add(w(i));
                wb.add(w(n + i));
            }
            run = Ref.bidi(s, mode, b, t, inSample[1], in, wf, wb, null, null, mask, tape);
            return run.outputs.get(0);
        }

        @Override
        double[] backward(double[] dOut, Map<GradCheck.Var, double[]> g) {
            Ref.RnnGrads[] r = Ref.bidiBackward(run, List.of(dOut));
            int n = s.useBias() ? 3 : 2;
            for (int d = 0; d < 2; d++) {
                g.put(weights.get(d * n), r[d].dw);
                g.put(weights.get(d * n + 1), r[d].du);
                if (s.useBias()) g.put(weights.get(d * n + 2), r[d].dbias);
            }
            double[] dx = r[0].dx.clone();
            for (int i = 0; i < dx.length; i++) dx[i] += r[1].dx[i];
            return dx;
        }

        @Override
        double[] outMask(double[] in, double[] mask) { return s.returnSequences() ? mask : null; }
    }

    static final class DenseStage extends Stage {
        final String act;
        final boolean bias;
        final int units;
        double[] x;

        DenseStage(int units, String act, boolean bias, Layer layer) {
            super(layer);
            this.units = units;
            this.act = act;
            this.bias = bias;
        }

        private int rows() { return inSample.length == 2 ? b * t : b; }

        @Override
        double[] forward(double[] in, double[] mask, Ref.Tape tape) {
            x = in;
            return Ref.dense(in, rows(), inSample[inSample.length - 1], units, w(0), bias ? w(1) : null, act);
        }

        @Override
        double[] backward(double[] dOut, Map<GradCheck.Var, double[]> g) {
            double[][] r = Ref.denseBackward(x, rows(), inSample[inSample.length - 1], units, w(0), bias ? w(1) : null,
                    act, dOut);
            g.put(weights.get(0), r[1]);
            if (bias) g.put(weights.get(1), r[2]);
            return r[0];
        }
    }

    static final class EmbStage extends Stage {
        final int vocab, dim;
        final boolean maskZero;
        double[] ids;

        EmbStage(int vocab, int dim, boolean maskZero) {
            super(new Embedding(vocab, dim).maskZero(maskZero));
            this.vocab = vocab;
            this.dim = dim;
            this.maskZero = maskZero;
        }

        @Override
        double[] forward(double[] in, double[] mask, Ref.Tape tape) {
            ids = in;
            return Ref.embedding(in, w(0), vocab, dim);
        }

        @Override
        double[] backward(double[] dOut, Map<GradCheck.Var, double[]> g) {
            double[] d = new double[vocab * dim];
            for (int n = 0; n < ids.length; n++) for (int k = 0; k < dim; k++) d[(int) ids[n] * dim + k] += dOut[n * dim + k];
            g.put(weights.get(0), d);
            return null;
        }

        @Override
        double[] outMask(double[] in, double[] mask) { return maskZero ? Ref.maskZero(in) : mask; }
    }

    // ---------------------------------------------------------------- the chained problem

    static final class Chain extends GradCheck.Problem {
        final List<Stage> stages;
        final GradCheck.Var x;
        final double[] mask;
        final int b, t;
        int[] outShape;

        /** {@code x}: float inputs [B, T, I] (or ids [B, T] when the first stage is an Embedding). */
        Chain(String label, List<Stage> stages, int B, int T, int I, int vocab, boolean masked, long seed) {
            super("Stacked", label);
            this.stages = stages;
            this.b = B;
            this.t = T;
            SplittableRandom rnd = new SplittableRandom(seed);
            boolean ids = stages.get(0) instanceof EmbStage;
            if (ids) {
                double[] v = new double[B * T];
                for (int i = 0; i < v.length; i++) v[i] = 1 + rnd.nextInt(vocab - 1);
                v[T - 1] = 0;                       // post-padding in row 0
                v[T] = 0;                           // pre-padding in row 1
                x = add("ids", v, false, B, T);
            } else {
                x = add("x", GradCheck.uniform(rnd, B * T * I, 1), true, B, T, I);
            }
            mask = masked ? GradCheck.mask(rnd, B, T) : null;
            int[] sample = x.sampleShape();
            for (int k = 0; k < stages.size(); k++) {
                Stage st = stages.get(k);
                st.b = B;
                st.t = T;
                sample = st.build(sample);
                List<double[]> w = GradCheck.weightsFor(st.layer, rnd);
                st.weights = GradCheck.addWeights(this, st.layer, k + ":" + st.layer.name() + "/", w);
            }
            outShape = new int[sample.length + 1];
            outShape[0] = B;
            System.arraycopy(sample, 0, outShape, 1, sample.length);
        }

        @Override
        List<double[]> reference(Ref.Tape tape) {
            double[] cur = x.v, m = mask;
            for (Stage st : stages) {
                double[] next = st.forward(cur, m, tape);
                m = st.outMask(cur, m);
                cur = next;
            }
            return List.of(cur);
        }

        @Override
        Map<GradCheck.Var, double[]> referenceGrads(List<double[]> r) {
            reference(null);
            Map<GradCheck.Var, double[]> g = new IdentityHashMap<>();
            double[] d = r.get(0);
            for (int k = stages.size() - 1; k >= 0; k--) d = stages.get(k).backward(d, g);
            if (x.diff) g.put(x, d);
            return g;
        }

        @Override
        GradCheck.JrnnOut jrnn(List<double[]> r) {
            List<Layer> layers = new ArrayList<>();
            List<List<GradCheck.Var>> weights = new ArrayList<>();
            for (Stage st : stages) {
                layers.add(st.layer);
                weights.add(st.weights);
            }
            return GradCheck.runChain(layers, weights, x, mask, outShape, r.get(0));
        }
    }

    private static Ref.Rnn rnn(Ref.Cell cell, int units, String act, boolean rs, boolean back, int tbptt) {
        return new Ref.Rnn(cell, units, act, "sigmoid", true, rs, false, back, tbptt);
    }

    // ---------------------------------------------------------------- chains

    /** LSTM(returnSequences) -> GRU -> Dense(softmax), with a mask handed from LSTM to GRU. */
    @Test
    void lstmGruDense() {
        for (boolean masked : new boolean[] {false, true}) {
            List<Stage> st = List.of(
                    new RnnStage(rnn(Ref.Cell.LSTM, 4, "tanh", true, false, 0), new LSTM(4).returnSequences(true)),
                    new RnnStage(rnn(Ref.Cell.GRU, 3, "tanh", false, false, 0), new GRU(3)),
                    new DenseStage(3, "softmax", true, new Dense(3).activation("softmax")));
            GradCheck.check(new Chain("LSTM(seq) -> GRU -> Dense(softmax) mask=" + masked, st, 3, 5, 2, 0, masked,
                    100 + (masked ? 1 : 0)), 7);
        }
    }

    /** Embedding(maskZero) -> Bidirectional(GRU, concat) -> LSTM(goBackwards, seq) -> TimeDistributed(Dense(tanh)). */
    @Test
    void embeddingBidirectionalLstmTimeDistributed() {
        List<Stage> st = List.of(
                new EmbStage(6, 3, true),
                new BidiStage(rnn(Ref.Cell.GRU, 3, "tanh", true, false, 0), "concat",
                        new Bidirectional(new GRU(3).returnSequences(true)).mergeMode("concat")),
                new RnnStage(rnn(Ref.Cell.LSTM, 2, "tanh", true, true, 0), new LSTM(2).returnSequences(true).goBackwards(true)),
                new DenseStage(2, "tanh", true, new TimeDistributed(new Dense(2).activation("tanh"))));
        GradCheck.check(new Chain("Embedding(maskZero) -> Bidirectional(GRU seq, concat) -> LSTM(seq, backwards)"
                + " -> TimeDistributed(Dense tanh)", st, 2, 4, 0, 6, false, 200), 8);
    }

    /** SimpleRNN(relu, seq, tbptt 2) -> LSTM(tbptt 1) -> Dense(linear). */
    @Test
    void truncatedStack() {
        List<Stage> st = List.of(
                new RnnStage(rnn(Ref.Cell.SIMPLE_RNN, 3, "relu", true, false, 2),
                        new SimpleRNN(3).activation("relu").returnSequences(true).tbptt(2)),
                new RnnStage(rnn(Ref.Cell.LSTM, 3, "tanh", false, false, 1), new LSTM(3).tbptt(1)),
                new DenseStage(2, "linear", true, new Dense(2)));
        GradCheck.check(new Chain("SimpleRNN(relu, seq, tbptt=2) -> LSTM(tbptt=1) -> Dense", st, 2, 5, 3, 0, false, 300), 9);
    }

    /** GRU(seq, goBackwards, tbptt 3) -> SimpleRNN(seq) -> Bidirectional(LSTM seq, sum) -> TimeDistributed(Dense sigmoid), masked. */
    @Test
    void maskedBackwardsStack() {
        List<Stage> st = List.of(
                new RnnStage(rnn(Ref.Cell.GRU, 3, "tanh", true, true, 3), new GRU(3).returnSequences(true).goBackwards(true).tbptt(3)),
                new RnnStage(rnn(Ref.Cell.SIMPLE_RNN, 2, "tanh", true, false, 0), new SimpleRNN(2).returnSequences(true)),
                new BidiStage(rnn(Ref.Cell.LSTM, 2, "tanh", true, false, 0), "sum",
                        new Bidirectional(new LSTM(2).returnSequences(true)).mergeMode("sum")),
                new DenseStage(2, "sigmoid", true, new TimeDistributed(new Dense(2).activation("sigmoid"))));
        // Seed 11: with seed 10 one element of ~1e-6 (1/2000 of the largest) differed from its central difference
        // by 4e-11, the round-off of a double difference quotient with EPS = 1e-5 (1e-16 / 1e-5), twice the
        // per-element floor; every other element and the norm agree to 3e-8.
        GradCheck.check(new Chain("GRU(seq, backwards, tbptt=3) -> SimpleRNN(seq) -> Bidirectional(LSTM seq, sum)"
                + " -> TimeDistributed(Dense sigmoid), masked", st, 3, 5, 2, 0, true, 400), 11);
    }
}
