package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Fork;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * A chain of recurrent layers run as a wavefront: layer l+1 works on a chunk of timesteps as soon as layer
 * l has produced it, on a second stream ({@link Backend#fork}), instead of waiting for layer l's whole
 * sequence. Forward: the bottom layer's loop runs on the main stream, chunk by chunk; after each chunk one
 * fork projects and runs that chunk through every layer above. Backward, from the last chunk to the first:
 * the top layer's loop on the main stream; after each chunk one fork computes the top layer's weight
 * gradients and dx for it, which are the next layer's output gradients for the same steps, and runs that
 * chunk down through the layers below. Each layer above the bottom reads the states of the layer below
 * in place (time-major, no transposes between the layers) and only the top layer makes outputs.
 *
 * <p>Only on a backend that overlaps forks (CUDA, two streams); {@link #eligible} says when
 * (forward-in-time layers without initial states or returned states, all but the top returning sequences,
 * on the per-step path). The results are those of running the layers one after another, up to the order
 * of the gradient sums.
 *
 * <pre>{@code
 * if (RecurrentStack.eligible(List.of(lstm1, lstm2), be, batch, steps)) {
 *     Trace t = RecurrentStack.forward(List.of(lstm1, lstm2), x, mask, true);   // outputs: lstm2's
 *     List<DTensor> dx = t.backward(List.of(dy));                              // input gradient of lstm1
 * }
 * }</pre>
 */
public final class RecurrentStack {
    private RecurrentStack() {}

    /**
     * Whether {@code layers}, each feeding the next, can run as a wavefront on {@code be} for batches of
     * {@code batch} x {@code steps}: a backend that overlaps forks; at least two layers on it; none going
     * backwards, returning states, zeroing masked outputs, stateful or with a dropout; all but the last returning sequences and without an activity regularizer; none on
     * the backend's whole-sequence path; and at least two chunks of steps.
     */
    public static boolean eligible(List<RecurrentLayer> layers, Backend be, int batch, int steps) {
        if (be == null || !be.overlapsForks() || layers == null || layers.size() < 2 || batch <= 0 || steps < 2) {
            return false;
        }
        for (int l = 0; l < layers.size(); l++) {
            RecurrentLayer r = layers.get(l);
            if (r.isBuilt() && r.backend() != be) return false;
            if (r.goBackwards || r.returnState || r.zeroOutputForMask || r.stateful) return false;
            if (r.dropout32 > 0 || r.recurrentDropout32 > 0) return false;   // its masks are drawn by its own forward
            if (l < layers.size() - 1 && !r.returnSequences) return false;
            if (l < layers.size() - 1 && r.weightRules().activity() != null) return false;   // its output's penalty gradient enters there
            if (be.recurrentSequenceSupported(r.cell.config(batch, r.units), steps)) {
                return false;
            }
        }
        return chunkSteps(be, batch, steps) < steps;
    }

    /**
     * Steps per chunk of a stack's wavefront over a [batch, steps] sequence: at
     * most 8 chunks, each of at least {@link Backend#minForkRows()} rows of {@code be}, so that the GEMMs stay
     * large; {@code steps} (no split) for short or small sequences.
     */
    static int chunkSteps(Backend be, int batch, int steps) {
        int c = Math.max((steps + 7) / 8, (be.minForkRows() - 1 + batch) / batch);
        return Math.min(c, steps);
    }

    /** {@link Layer#forwardChain}: the wavefront's trace where {@code chain} is recurrent layers it may run; else null. */
    static Trace chain(List<Layer> chain, DTensor x, DTensor mask, boolean training) {
        List<RecurrentLayer> rs = new ArrayList<>(chain.size());
        for (Layer l : chain) {
            if (!(l instanceof RecurrentLayer r)) return null;
            rs.add(r);
        }
        if (x == null || x.rank() != 3 || rs.isEmpty()) return null;
        if (!eligible(rs, rs.get(0).backend(), x.dim(0), x.dim(1))) return null;
        return forward(rs, x, mask, training);
    }

    /**
     * Runs the chain on {@code x} [B, T, I] with {@code mask} [B, T] (nullable) for every layer. The trace's
     * outputs and output mask are the last layer's; its backward takes the last layer's output gradients
     * and returns the first layer's input gradient. Check {@link #eligible} first.
     */
    public static Trace forward(List<RecurrentLayer> layers, DTensor x, DTensor mask, boolean training) {
        if (x == null || x.rank() != 3) {
            throw new IllegalArgumentException("RecurrentStack: expected input (batch, timesteps, features), got "
                    + (x == null ? "null" : Tensor.shapeString(x.shape())));
        }
        int B = x.dim(0), T = x.dim(1);
        int in = x.dim(2);
        for (RecurrentLayer r : layers) {   // what each layer's forward checks, for the shape it will see
            RecurrentShapes.checkBatchFirst(r, List.of(new int[] {B, T, in}));
            r.build(List.of(new int[] {T, in}));
            in = r.units;
        }
        Backend be = layers.get(0).backend();
        Layers.sameBackend(layers.get(0), be, List.of(x));
        if (mask != null && (mask.rank() != 2 || mask.dim(0) != B || mask.dim(1) != T)) {
            throw new IllegalArgumentException("RecurrentStack: expected mask (" + B + ", " + T + "), got "
                    + Tensor.shapeString(mask.shape()));
        }
        if (!eligible(layers, be, B, T)) {
            throw new IllegalStateException("RecurrentStack: these layers cannot run as a wavefront here (see eligible)");
        }
        Stack st = new Stack(layers, be, B, T);
        try {
            st.forward(x, mask);
        } catch (RuntimeException | Error e) {
            st.close();
            throw e;
        }
        return st;
    }

    private static final class Stack implements Trace {
        final List<RecurrentLayer> layers;
        final Backend be;
        final int B, T, chunk;
        final List<RecurrentRun> runs = new ArrayList<>();

        Stack(List<RecurrentLayer> layers, Backend be, int b, int t) {
            this.layers = List.copyOf(layers);
            this.be = be;
            this.B = b;
            this.T = t;
            this.chunk = chunkSteps(be, b, t);
        }

        RecurrentRun top() { return runs.get(runs.size() - 1); }

        void forward(DTensor x, DTensor mask) {
            int n = layers.size();
            RecurrentRun bottom = new RecurrentRun(layers.get(0), be, List.of(x), mask, B, T, x.dim(2));
            runs.add(bottom);
            bottom.prepareForward(null, 0);
            for (int l = 1; l < n; l++) {
                RecurrentRun below = runs.get(l - 1);
                RecurrentRun r = new RecurrentRun(layers.get(l), be, mask, B, T, below.H);
                runs.add(r);
                r.prepareForward(below.hs, below.bh(1));   // h_1..h_T of the layer below, time-major
            }
            bottom.project(0, T);
            List<Fork> forks = new ArrayList<>();
            try {
                for (int from = 0; from < T; from += chunk) {
                    int f = from, to = Math.min(from + chunk, T);
                    bottom.stepsForward(f, to);
                    forks.add(be.fork(() -> {
                        for (int l = 1; l < n; l++) {
                            runs.get(l).project(f, to);
                            runs.get(l).stepsForward(f, to);
                        }
                    }));
                }
            } finally {
                Fork.joinAll(forks);
            }
            for (int l = 0; l < n; l++) runs.get(l).finishForward(l == n - 1);
        }

        @Override
        public List<DTensor> outputs() { return top().outputs(); }

        @Override
        public DTensor outputMask() { return top().outputMask(); }

        @Override
        public List<DTensor> backward(List<DTensor> dOut) { return backward(dOut, k -> true); }

        /** Every layer but the first makes its dx (the dy of the layer below); the first only when it is taken. */
        @Override
        public List<DTensor> backward(List<DTensor> dOut, IntPredicate inputGradient) {
            RecurrentRun top = top();
            Layers.checkGradients(layers.get(layers.size() - 1), dOut, top.outputs);
            dev.jrnn.backend.Checks.notNull(runs.get(0).layer.name() + ": backward", "inputGradient", inputGradient);
            boolean firstDx = inputGradient.test(0);
            int n = runs.size();
            try {
                top.prepareBackward(dOut, null, true);
                for (int l = n - 2; l >= 0; l--) runs.get(l).prepareBackward(null, runs.get(l + 1).dxT, l > 0 || firstDx);
                List<Fork> forks = new ArrayList<>();
                try {
                    for (int to = T; to > 0; to -= chunk) {
                        int t = to, f = Math.max(0, to - chunk);
                        top.stepsBackward(f, t);
                        forks.add(be.fork(() -> {
                            top.stepGradients(f, t, top.dxT);   // the next layer's dy for these steps
                            for (int l = n - 2; l >= 0; l--) {
                                RecurrentRun r = runs.get(l);
                                r.stepsBackward(f, t);
                                r.stepGradients(f, t, r.dxT);
                            }
                        }));
                    }
                } finally {
                    Fork.joinAll(forks);
                }
                return runs.get(0).finishBackward(runs.get(0).dxT != null);
            } finally {
                for (RecurrentRun r : runs) r.releaseBackward();
            }
        }

        @Override
        public void close() {
            try {
                Cleanup.each(runs.reversed(), RecurrentRun::close);
            } finally {
                runs.clear();
            }
        }
    }
}
