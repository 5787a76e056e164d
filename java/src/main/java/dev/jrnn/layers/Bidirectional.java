package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.WeakHashMap;

/**
 * Keras Bidirectional: runs a recurrent layer forwards and a copy of it backwards over the sequence
 * and merges the two outputs ("concat" (default), "sum", "mul", "ave", or "none" for both outputs).
 * The backward layer's output sequence is re-reversed before merging, so position t of the merged
 * sequence sees the forward pass up to t and the backward pass from t. returnSequences/returnState
 * follow the wrapped layer; with returnState the outputs are [y, h_fw(, c_fw), h_bw(, c_bw)].
 * Initial states are passed as [x, fw states..., bw states...]. Weights: forward's, then backward's.
 * As in Keras, with returnSequences both layers output 0 at masked steps (zeroOutputForMask).
 *
 * <pre>{@code
 * Bidirectional bi = new Bidirectional(new LSTM(4).returnSequences(true));   // layers forward_lstm, backward_lstm
 * Tensor y = bi.call(Tensor.zeros(2, 6, 3));   // (2, 6, 8)
 * }</pre>
 */
public class Bidirectional extends Layer {
    private final RecurrentLayer forwardLayer;
    private final RecurrentLayer backwardLayer;
    private String mergeMode = "concat";

    /**
     * Wraps {@code layer}; the backward layer is a copy of its configuration going backwards. Changed (session 21): a
     * {@code layer} that goes backwards itself is refused, as Keras 3.15.1 refuses it (its copy goes backwards too: "Forward
     * layer and backward layer should have different go_backwards value"); tf.keras 2 flipped the copy forwards.
     */
    public Bidirectional(RecurrentLayer layer) {
        this(layer, null);
    }

    /**
     * Wraps {@code layer} and a given {@code backwardLayer} of the other goBackwards (null: a copy of layer going backwards).
     * The forward layer is renamed {@code forward_<name>}; a given backward layer keeps its name, as in Keras 3
     * (tf.keras 2 named it {@code backward_<name>}); only the copy is named {@code backward_<name>}.
     */
    public Bidirectional(RecurrentLayer layer, RecurrentLayer backwardLayer) {
        if (layer == null) throw new IllegalArgumentException("Bidirectional: the wrapped layer is null");
        if (layer == backwardLayer) throw new IllegalArgumentException("Bidirectional: layer and backwardLayer are the same " + layer.name());
        requireUnused(layer, "layer");
        if (backwardLayer != null) requireUnused(backwardLayer, "backwardLayer");
        String fname = layer.name();
        RecurrentLayer bw;
        if (backwardLayer == null) {
            if (layer.goBackwards) {
                throw new IllegalArgumentException("Bidirectional: layer " + layer.name() + " has goBackwards = true, and so would the"
                        + " backward copy made of it (Keras 3: go_backwards=True), got the same direction twice, as Keras 3.15.1"
                        + " refuses it; expected a layer with goBackwards = false, or give a backwardLayer with goBackwards = false");
            }
            bw = layer.newInstance();
            bw.goBackwards = true;
        } else {
            bw = backwardLayer;
            if (bw.goBackwards == layer.goBackwards) {
                throw new IllegalArgumentException("Bidirectional: the backward layer must have goBackwards = "
                        + !layer.goBackwards + " (the opposite of the forward layer), got " + bw.goBackwards);
            }
            if (bw.returnSequences != layer.returnSequences || bw.returnState != layer.returnState) {
                throw new IllegalArgumentException("Bidirectional: forward and backward layers must agree on returnSequences and returnState, got ("
                        + layer.returnSequences + ", " + layer.returnState + ") and (" + bw.returnSequences + ", " + bw.returnState + ")");
            }
            if (bw.stateful != layer.stateful) {
                throw new IllegalArgumentException("Bidirectional: forward and backward layers must agree on stateful, got "
                        + layer.stateful + " and " + bw.stateful);
            }
            // Keras returns the states as [forward..., backward...] of the forward's count, and splits initial states in halves
            if (bw.stateCount() != layer.stateCount() && layer.returnState) {
                throw new IllegalArgumentException("Bidirectional: forward (" + layer.kerasClass() + ") and backward ("
                        + bw.kerasClass() + ") layers must have the same number of states with returnState");
            }
        }
        // As Keras' Bidirectional: with returnSequences, masked steps output 0 in both directions (so the
        // merged sequence is 0 at padding) instead of repeating the last real output.
        layer.zeroOutputForMask = layer.returnSequences;
        bw.zeroOutputForMask = bw.returnSequences;
        this.forwardLayer = layer;
        this.backwardLayer = bw;
        // as Keras 3: a name that has the prefix already (a saved model's) keeps it
        layer.rename("forward_" + unprefixed(fname, "forward_"));
        // only the copy is named backward_...: Keras 3 keeps a given backward layer's name (tf.keras 2 prefixed it too)
        if (backwardLayer == null) bw.name("backward_" + unprefixed(fname, "backward_"));   // a copy: no number
        WRAPPED.put(layer, Boolean.TRUE);
        WRAPPED.put(bw, Boolean.TRUE);
    }

    private static String unprefixed(String name, String prefix) {
        return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
    }

    /** Whether some Bidirectional has taken {@code l} over. */
    static boolean wraps(RecurrentLayer l) { return WRAPPED.containsKey(l); }

    /** Layers some Bidirectional has taken over (renamed, reconfigured); weak, so they can be collected. */
    private static final Map<RecurrentLayer, Boolean> WRAPPED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * Wrapping renames the layer and turns on zeroOutputForMask: refused for a layer that another
     * Bidirectional already wraps or that is built (called, or part of a model), so no one else's layer
     * changes behind its back. Wrap a fresh layer instead.
     */
    private static void requireUnused(RecurrentLayer l, String what) {
        if (WRAPPED.containsKey(l)) {
            throw new IllegalArgumentException("Bidirectional: " + what + " " + l.name() + " is already wrapped by another "
                    + "Bidirectional; wrap a new " + l.layerClass() + " (e.g. a copy with the same settings)");
        }
        if (l.isBuilt()) {
            throw new IllegalArgumentException("Bidirectional: " + what + " " + l.name() + " is already built (called, or part of "
                    + "a model); wrapping would rename it and change its masked outputs; wrap a new " + l.layerClass());
        }
    }

    @Override
    public String kerasClass() { return "Bidirectional"; }

    /** The wrapped layer (Keras' {@code forward_layer}). */
    public RecurrentLayer forwardLayer() { return forwardLayer; }

    /** The other direction (Keras' {@code backward_layer}): the one given, or a copy of the wrapped layer going backwards. */
    public RecurrentLayer backwardLayer() { return backwardLayer; }

    /**
     * Truncated BPTT in both directions ({@link RecurrentLayer#tbptt(int)}, 0 = full BPTT), which a wrapped layer no
     * longer takes alone: {@code new Bidirectional(new LSTM(8).returnSequences(true)).tbptt(20)}.
     */
    public Bidirectional tbptt(int k) {
        return tbptt(k, k);
    }

    /** Truncated BPTT of each direction: the forward layer's {@code forward} steps, the backward layer's {@code backward}. */
    public Bidirectional tbptt(int forward, int backward) {
        if (forward < 0 || backward < 0) {
            throw new IllegalArgumentException(name() + ": tbptt must be >= 0 (0 = full BPTT), got forward " + forward
                    + ", backward " + backward);
        }
        forwardLayer.tbptt = forward;
        backwardLayer.tbptt = backward;
        return this;
    }

    @Override
    protected List<Layer> wrapped() { return List.of(forwardLayer, backwardLayer); }

    /** The wrapped layers' (both take the same input): a wrapper never hides an id check. */
    @Override
    public int inputIdBound() {
        int f = forwardLayer.inputIdBound(), b = backwardLayer.inputIdBound();
        return f < 0 ? b : b < 0 ? f : Math.min(f, b);
    }

    /** "bidirectional/forward_lstm/" for the wrapped layers' parameters (Keras' variable scopes). */
    @Override
    public String variableScope(Param p) {
        for (Layer inner : List.of(forwardLayer, backwardLayer)) {
            for (Param q : inner.params()) if (q == p) return name() + "/" + inner.name() + "/";
        }
        return super.variableScope(p);
    }

    /** Keras' {@code merge_mode}: "concat" (default), "sum", "mul", "ave" or "none". */
    public String mergeMode() { return mergeMode; }

    /** "concat" (default), "sum", "mul", "ave", or "none" (outputs y_fw and y_bw separately). */
    public Bidirectional mergeMode(String m) {
        requireUncalled("mergeMode");
        String n = m == null ? "none" : m.trim().toLowerCase(Locale.ROOT);
        if (!List.of("concat", "sum", "mul", "ave", "none").contains(n)) {
            throw new IllegalArgumentException(name() + ": unknown mergeMode '" + m + "': expected concat, sum, mul, ave or none");
        }
        this.mergeMode = n;
        return this;
    }

    /** The wrapped layers' {@code return_sequences}. */
    public boolean returnSequences() { return forwardLayer.returnSequences; }

    /** The wrapped layers' {@code return_state}: the outputs then each direction's states. */
    public boolean returnState() { return forwardLayer.returnState; }

    private int n() { return forwardLayer.stateCount(); }

    /** Whether the wrapped layers are stateful (Keras' Bidirectional takes its layer's {@code stateful}). */
    @Override
    public boolean stateful() { return forwardLayer.stateful; }

    /** Zeros both directions' carried states. */
    @Override
    public void resetStates() {
        forwardLayer.resetStates();
        backwardLayer.resetStates();
    }

    @Override
    public void releaseBuffers() {
        forwardLayer.releaseBuffers();
        backwardLayer.releaseBuffers();
    }

    @Override
    public Bidirectional trainable(boolean t) {
        super.trainable(t);
        forwardLayer.trainable(t);
        backwardLayer.trainable(t);
        return this;
    }

    // ------------------------------------------------------------------ shapes and params

    private List<int[]> part(List<int[]> in, boolean fw) {
        List<int[]> r = new ArrayList<>();
        r.add(in.get(0));
        if (in.size() > 1) {
            int from = fw ? 1 : 1 + n();
            for (int i = 0; i < n(); i++) r.add(in.get(from + i));
        }
        return r;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        if (in == null || in.isEmpty()) throw new IllegalArgumentException(name() + ": no input shape given");
        if (in.get(0).length != 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, features), got "
                    + Layers.withBatch(in.get(0)));
        }
        if (in.size() != 1 && backwardLayer.stateCount() != n()) {
            throw new IllegalArgumentException(name() + ": initial states need forward and backward layers with the same number of"
                    + " states, got " + forwardLayer.kerasClass() + " (" + n() + ") and " + backwardLayer.kerasClass() + " ("
                    + backwardLayer.stateCount() + ")");
        }
        if (in.size() != 1 && in.size() != 1 + 2 * n()) {
            throw new IllegalArgumentException(name() + ": expected 1 input or 1 + " + 2 * n()
                    + " (x, forward states, backward states), got " + in.size());
        }
        List<int[]> fo = forwardLayer.computeOutputShapes(part(in, true));
        List<int[]> bo = backwardLayer.computeOutputShapes(part(in, false));
        List<int[]> out = new ArrayList<>();
        int[] yf = fo.get(0), yb = bo.get(0);
        switch (mergeMode) {
            case "none" -> {
                out.add(yf);
                out.add(yb);
            }
            case "concat" -> {
                int[] y = yf.clone();
                y[y.length - 1] += yb[yb.length - 1];
                out.add(y);
            }
            default -> {
                if (!Arrays.equals(yf, yb)) {
                    throw new IllegalArgumentException(name() + ": mergeMode " + mergeMode + " needs equal output shapes, got "
                            + Layers.withBatch(yf) + " and " + Layers.withBatch(yb));
                }
                out.add(yf);
            }
        }
        out.addAll(fo.subList(1, fo.size()));
        out.addAll(bo.subList(1, bo.size()));
        return out;
    }

    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        return Layers.sameFeatures(built, given);
    }

    @Override
    protected void createParams(List<int[]> in) {
        forwardLayer.build(part(in, true));
        backwardLayer.build(part(in, false));
        params.addAll(forwardLayer.params());
        params.addAll(backwardLayer.params());
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        // the inner layers initialised themselves in build; their values were copied into this store
        Layers.adoptInner(this, forwardLayer);
        Layers.adoptInner(this, backwardLayer);
    }

    // ------------------------------------------------------------------ forward / backward

    @Override
    public List<Tensor> callAll(List<Tensor> inputs) {
        if (inputs != null && !inputs.isEmpty() && inputs.get(0) != null && inputs.get(0).rank() != 3) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, features), got "
                    + Tensor.shapeString(inputs.get(0).shape()));
        }
        return super.callAll(inputs);
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        if (inputs == null || inputs.isEmpty() || !Layers.noNulls(inputs)) {
            throw new IllegalArgumentException(name() + ": no input given (or a null input)");
        }
        DTensor x = inputs.get(0);
        if (x.rank() != 3) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, features), got "
                    + Tensor.shapeString(x.shape()));
        }
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        BiTrace tr = new BiTrace(be, x.dim(0), x.dim(1), mask);
        try {
            tr.forward(inputs, mask, training);
        } catch (RuntimeException | Error e) {
            tr.close();
            throw e;
        }
        return tr;
    }

    private final class BiTrace implements Trace {
        final Backend be;
        final int B, T;
        final DTensor mask;
        Trace ft, bt;
        DTensor yf, ybr;   // forward output and backward output in input time order
        final List<DTensor> outputs = new ArrayList<>();
        final List<DTensor> owned = new ArrayList<>();

        BiTrace(Backend be, int b, int t, DTensor mask) {
            this.be = be;
            this.B = b;
            this.T = t;
            this.mask = mask;
        }

        private List<DTensor> sub(List<DTensor> in, boolean fw) {
            List<DTensor> r = new ArrayList<>();
            r.add(in.get(0));
            if (in.size() > 1) {
                int from = fw ? 1 : 1 + n();
                for (int i = 0; i < n(); i++) r.add(in.get(from + i));
            }
            return r;
        }

        private DTensor own(DTensor d) {
            owned.add(d);
            return d;
        }

        /** Reverses the time axis of a [B, T, F] sequence into a new tensor. */
        private DTensor reverse(DTensor y) {
            int f = y.dim(2);
            DTensor r = DTensor.zeros(be, B, T, f);
            for (int t = 0; t < T; t++) {
                be.copy2d(B, f, y.buf(), (long) t * f, T * f, r.buf(), (long) (T - 1 - t) * f, T * f);
            }
            return r;
        }

        void forward(List<DTensor> inputs, DTensor mask, boolean training) {
            // The two directions are independent: a backend may overlap them (two CUDA streams).
            be.runConcurrently(() -> ft = forwardLayer.forward(sub(inputs, true), mask, training),
                    () -> bt = backwardLayer.forward(sub(inputs, false), mask, training));
            List<DTensor> fo = ft.outputs(), bo = bt.outputs();
            yf = fo.get(0);
            ybr = returnSequences() ? own(reverse(bo.get(0))) : bo.get(0);
            long n = yf.size();
            switch (mergeMode) {
                case "none" -> {
                    outputs.add(yf);
                    outputs.add(ybr);
                }
                case "concat" -> {
                    int hf = yf.dim(-1), hb = ybr.dim(-1);
                    int rows = (int) (n / hf);
                    int[] shape = yf.shape();
                    shape[shape.length - 1] = hf + hb;
                    DTensor y = own(DTensor.zeros(be, shape));
                    be.copy2d(rows, hf, yf.buf(), 0, hf, y.buf(), 0, hf + hb);
                    be.copy2d(rows, hb, ybr.buf(), 0, hb, y.buf(), hf, hf + hb);
                    outputs.add(y);
                }
                case "mul" -> {
                    DTensor y = own(DTensor.zeros(be, yf.shape()));
                    be.mul(n, yf.buf(), 0, ybr.buf(), 0, y.buf(), 0);
                    outputs.add(y);
                }
                default -> {   // sum, ave
                    DTensor y = own(DTensor.zeros(be, yf.shape()));
                    be.copy(yf.buf(), 0, y.buf(), 0, n);
                    be.axpy(n, 1f, ybr.buf(), 0, y.buf(), 0);
                    if (mergeMode.equals("ave")) be.scale(n, 0.5f, y.buf(), 0);
                    outputs.add(y);
                }
            }
            outputs.addAll(fo.subList(1, fo.size()));
            outputs.addAll(bo.subList(1, bo.size()));
        }

        @Override
        public List<DTensor> outputs() { return List.copyOf(outputs); }

        @Override
        public DTensor outputMask() { return returnSequences() ? mask : null; }

        /** As Keras: with merge mode none both sequences carry the mask; the states none. */
        @Override
        public DTensor outputMask(int k) {
            return k == 0 || (k == 1 && mergeMode.equals("none")) ? outputMask() : null;
        }

        @Override
        public List<DTensor> backward(List<DTensor> dOut) { return backward(dOut, k -> true); }

        /** Each direction skips dx when no one takes it (the initial states' gradients are always made). */
        @Override
        public List<DTensor> backward(List<DTensor> dOut, java.util.function.IntPredicate inputGradient) {
            Layers.checkGradients(Bidirectional.this, dOut, outputs);
            dev.jrnn.backend.Checks.notNull(name() + ": backward", "inputGradient", inputGradient);
            boolean wantDx = inputGradient.test(0);
            java.util.function.IntPredicate inner = k -> k > 0 || wantDx;
            List<DTensor> temps = new ArrayList<>();
            try {
                DTensor dyf = null, dybr = null;
                int k;   // index of the first state gradient
                if (mergeMode.equals("none")) {
                    dyf = dOut.get(0);
                    dybr = dOut.get(1);
                    k = 2;
                } else {
                    k = 1;
                    DTensor dy = dOut.get(0);
                    if (dy != null) {
                        long n = yf.size();
                        switch (mergeMode) {
                            case "concat" -> {
                                int hf = yf.dim(-1), hb = ybr.dim(-1);
                                int rows = (int) (n / hf);
                                dyf = tmp(temps, yf.shape());
                                dybr = tmp(temps, ybr.shape());
                                be.copy2d(rows, hf, dy.buf(), 0, hf + hb, dyf.buf(), 0, hf);
                                be.copy2d(rows, hb, dy.buf(), hf, hf + hb, dybr.buf(), 0, hb);
                            }
                            case "sum" -> {
                                dyf = dy;
                                dybr = dy;
                            }
                            case "ave" -> {
                                dyf = tmp(temps, yf.shape());
                                be.copy(dy.buf(), 0, dyf.buf(), 0, n);
                                be.scale(n, 0.5f, dyf.buf(), 0);
                                dybr = dyf;
                            }
                            default -> {   // mul
                                dyf = tmp(temps, yf.shape());
                                dybr = tmp(temps, yf.shape());
                                be.mul(n, dy.buf(), 0, ybr.buf(), 0, dyf.buf(), 0);
                                be.mul(n, dy.buf(), 0, yf.buf(), 0, dybr.buf(), 0);
                            }
                        }
                    }
                }
                DTensor dyb = dybr;
                if (dybr != null && returnSequences()) {
                    dyb = reverse(dybr);
                    temps.add(dyb);
                }
                int ns = returnState() ? n() : 0;
                List<DTensor> df = new ArrayList<>(), db = new ArrayList<>();
                df.add(dyf);
                db.add(dyb);
                for (int i = 0; i < ns; i++) {
                    df.add(dOut.get(k + i));
                    db.add(dOut.get(k + ns + i));
                }
                List<List<DTensor>> g = new ArrayList<>(List.of(List.of(), List.of()));
                be.runConcurrently(() -> g.set(0, ft.backward(df, inner)), () -> g.set(1, bt.backward(db, inner)));
                List<DTensor> gf = g.get(0), gb = g.get(1);
                DTensor dx = null;
                if (gf.get(0) != null && gb.get(0) != null) {
                    dx = own(DTensor.zeros(be, gf.get(0).shape()));
                    be.copy(gf.get(0).buf(), 0, dx.buf(), 0, dx.size());
                    be.axpy(dx.size(), 1f, gb.get(0).buf(), 0, dx.buf(), 0);
                }
                List<DTensor> grads = new ArrayList<>();
                grads.add(dx);
                grads.addAll(gf.subList(1, gf.size()));
                grads.addAll(gb.subList(1, gb.size()));
                return grads;
            } finally {
                for (DTensor d : temps) d.close();
            }
        }

        private DTensor tmp(List<DTensor> temps, int[] shape) {
            DTensor d = DTensor.zeros(be, shape);
            temps.add(d);
            return d;
        }

        @Override
        public void close() {
            for (DTensor d : owned) d.close();
            owned.clear();
            if (ft != null) ft.close();
            if (bt != null) bt.close();
        }
    }

    @Override
    public Bidirectional name(String n) { super.name(n); return this; }

    @Override
    public Bidirectional dtype(String policy) { super.dtype(policy); return this; }

    /**
     * Seeds both wrapped layers' dropout masks (Keras' {@code seed=}; not their weights): the forward and backward
     * layers get two different seeds drawn from {@code s}, so they draw different masks.
     */
    @Override
    public Bidirectional seed(long s) {
        super.seed(s);
        SplittableRandom r = new SplittableRandom(s);
        forwardLayer.seed(r.nextLong());
        backwardLayer.seed(r.nextLong());
        return this;
    }

    @Override
    public Bidirectional inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Bidirectional batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Bidirectional inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Bidirectional inputDim(int d) { super.inputDim(d); return this; }

    /** Keras' {@code activity_regularizer} on this wrapper's outputs (null: none); see {@link WeightRules#activity}. */
    public Bidirectional activityRegularizer(dev.jrnn.regularizers.Regularizer r) { weightRules().activity(r); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
