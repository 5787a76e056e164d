package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras TimeDistributed: applies a layer to every timestep of a (batch, timesteps, ...) input with
 * the same weights, by folding time into the batch ((B, T, ...) -> (B*T, ...), a free reshape) and
 * unfolding the outputs. A layer whose output depends on the other samples of its batch ({@link Layer#mixesBatch}:
 * BatchNormalization in training) runs once per step instead, as Keras 3 runs every wrapped layer: each step is
 * normalized with its own batch moments (over its unmasked samples under a (batch, steps) mask) and the moving
 * statistics move once per step. Its parameters are the wrapped layer's; the input mask is passed on. As Keras, a mask with
 * an axis inside each timestep ((batch, timesteps, inner steps), from Masking or Embedding's maskZero on a 4-D input)
 * reaches the wrapped layer, so a wrapped recurrent layer skips the padded inner steps; where that layer uses up the
 * inner steps, the mask passed on keeps a step where any inner step is kept (tf.keras 2's compute_mask).
 *
 * <pre>{@code
 * TimeDistributed td = new TimeDistributed(new Dense(2));
 * Tensor y = td.call(Tensor.zeros(4, 10, 3));   // (4, 10, 2)
 * }</pre>
 */
public class TimeDistributed extends Layer {
    private final Layer layer;

    /** Keras' {@code TimeDistributed(layer)}: applies {@code layer} to every step of a (batch, steps, ...) input. */
    public TimeDistributed(Layer layer) {
        if (layer == null) throw new IllegalArgumentException("TimeDistributed: the wrapped layer is null");
        this.layer = layer;
    }

    @Override
    public String kerasClass() { return "TimeDistributed"; }

    /** The wrapped layer. */
    public Layer layer() { return layer; }

    @Override
    protected List<Layer> wrapped() { return List.of(layer); }

    /** The wrapped layer's: ids fed through this wrapper are checked before the first update as well. */
    @Override
    public int inputIdBound() { return layer.inputIdBound(); }

    @Override
    public void releaseBuffers() { layer.releaseBuffers(); }

    @Override
    public TimeDistributed trainable(boolean t) {
        super.trainable(t);
        layer.trainable(t);
        return this;
    }

    private static List<int[]> inner(List<int[]> in) {
        List<int[]> r = new ArrayList<>();
        for (int[] s : in) r.add(Arrays.copyOfRange(s, 1, s.length));
        return r;
    }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        Layers.singleShape(this, in);
        int[] x = in.get(0);
        if (x.length < 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, ...) of rank >= 3, got "
                    + Layers.withBatch(x));
        }
        List<int[]> out = new ArrayList<>();
        for (int[] o : layer.computeOutputShapes(inner(in))) {
            int[] s = new int[o.length + 1];
            s[0] = x[0];
            System.arraycopy(o, 0, s, 1, o.length);
            out.add(s);
        }
        return out;
    }

    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) {
        return built.size() == given.size() && given.get(0).length == built.get(0).length
                && layer.weightsFit(inner(built), inner(given));
    }

    @Override
    protected void createParams(List<int[]> in) {
        layer.build(inner(in));
        params.addAll(layer.params());
    }

    @Override
    protected void initParams(SplittableRandom rng) {
        // the wrapped layer initialised itself in build; its values were copied into this store
        Layers.adoptInner(this, layer);
    }

    @Override
    public List<Tensor> callAll(List<Tensor> inputs) {
        if (inputs != null && inputs.size() == 1 && inputs.get(0) != null && inputs.get(0).rank() < 3) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, ...) of rank >= 3, got "
                    + Tensor.shapeString(inputs.get(0).shape()));
        }
        return super.callAll(inputs);
    }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        if (x.rank() < 3) {
            throw new IllegalArgumentException(name() + ": expected input (batch, timesteps, ...) of rank >= 3, got "
                    + Tensor.shapeString(x.shape()));
        }
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        int b = x.dim(0), t = x.dim(1);
        // as Keras' step_function: the wrapped layer gets mask[:, i], so TimeDistributed(LSTM) over (batch, sentences,
        // words) skips each sentence's padded words; a (batch, steps) mask has nothing per inner step to give
        DTensor innerMask = mask != null && mask.rank() >= 3 && mask.dim(0) == b && mask.dim(1) == t ? fold(mask) : null;
        // one call over the folded batch is exact where no sample's output depends on the others; a layer whose does
        // (BatchNormalization in training) runs once per step as in Keras, with mask[:, i] where the mask is one axis short
        // of x (a (batch, steps) one over a 3-D x too; PerStepRun drops any other); so does a stateful one, whose states
        // go on from step to step (Keras' step_function calls it on each), over the batch it was declared with
        Trace tr = x.size() > 0 && (layer.mixesBatch(training) || layer.stateful()) ? PerStepRun.run(layer, x, mask, training)
                : layer.forward(List.of(fold(x)), innerMask, training);
        List<DTensor> outs = new ArrayList<>();
        DTensor outMask = mask, reduced = null;
        try {
            for (DTensor o : tr.outputs()) outs.add(unfold(o, b, t));
            if (innerMask != null) {
                DTensor own = tr.outputMask(), o0 = tr.outputs().get(0);
                if (own != null) {
                    outMask = unfold(own, b, t);
                } else if (!(layer.keepsInnerMask() && o0.rank() > innerMask.rank() && o0.dim(1) == innerMask.dim(1))) {
                    // the wrapped layer used up the inner steps (LSTM without returnSequences, a pooling): a step is kept
                    // where any of its inner steps is, tf.keras 2's TimeDistributed.compute_mask (Keras 3 passes the inner
                    // mask on, which no later layer of (batch, steps) takes), so a GRU over sentences skips padded ones
                    reduced = DTensor.zeros(be, b, t);
                    int rows = b * t;
                    be.maskFromValues(rows, (int) (mask.size() / rows), mask.buf(), 0, 0f, reduced.buf(), 0);
                    outMask = reduced;
                }
            }
        } catch (RuntimeException | Error e) {
            if (reduced != null) reduced.close();
            tr.close();
            throw e;
        }
        DTensor om = outMask, ownedMask = reduced;
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return List.copyOf(outs); }

            @Override
            public DTensor outputMask() { return om; }

            @Override
            public List<DTensor> backward(List<DTensor> dOut) {
                Layers.checkGradients(TimeDistributed.this, dOut, outs);
                List<DTensor> d = new ArrayList<>();
                for (DTensor g : dOut) d.add(g == null ? null : fold(g));
                List<DTensor> gi = tr.backward(d);
                DTensor g0 = gi.get(0);
                return Arrays.asList(g0 == null ? null : unfold(g0, b, t));
            }

            @Override
            public void close() {
                if (ownedMask != null) ownedMask.close();
                tr.close();
            }
        };
    }

    /** The wrapped layer's: a wrapper over a layer that mixes the batch mixes it too (TimeDistributed of TimeDistributed). */
    @Override
    protected boolean mixesBatch(boolean training) { return layer.mixesBatch(training); }

    /** The wrapped layer's: a TimeDistributed stateful RNN or BatchNormalization shares its state across calls too. */
    @Override
    public boolean callsShareState() { return layer.callsShareState(); }

    /**
     * The wrapped layer's: a TimeDistributed stateful RNN carries its states on (from one step to the next, and on to the
     * next batch), so a model keeps its calls where it keeps a stateful layer's and needs a fixed batch size.
     */
    @Override
    public boolean stateful() { return layer.stateful(); }

    /** Zeros the wrapped layer's carried states ({@link #stateful()} only; else the wrapped layer's refusal). */
    @Override
    public void resetStates() { layer.resetStates(); }

    /** (B, T, ...) -> (B*T, ...) over the same buffer (the view does not own it). */
    private static DTensor fold(DTensor d) {
        int[] s = d.shape();
        int[] r = new int[s.length - 1];
        r[0] = s[0] * s[1];
        System.arraycopy(s, 2, r, 1, s.length - 2);
        return new DTensor(d.backend(), d.buf(), r);
    }

    /** (B*T, ...) -> (B, T, ...) over the same buffer. */
    private static DTensor unfold(DTensor d, int b, int t) {
        int[] s = d.shape();
        int[] r = new int[s.length + 1];
        r[0] = b;
        r[1] = t;
        System.arraycopy(s, 1, r, 2, s.length - 1);
        return new DTensor(d.backend(), d.buf(), r);
    }

    @Override
    public TimeDistributed name(String n) { super.name(n); return this; }

    @Override
    public TimeDistributed dtype(String policy) { super.dtype(policy); return this; }

    /** Seeds the wrapped layer's masks (Keras' {@code seed=}: Dropout's, a recurrent layer's dropout), not its weights. */
    @Override
    public TimeDistributed seed(long s) {
        super.seed(s);
        layer.seed(s);
        return this;
    }

    @Override
    public TimeDistributed inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public TimeDistributed batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public TimeDistributed inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public TimeDistributed inputDim(int d) { super.inputDim(d); return this; }

    /** Keras' {@code activity_regularizer} on this wrapper's outputs (null: none); see {@link WeightRules#activity}. */
    public TimeDistributed activityRegularizer(dev.jrnn.regularizers.Regularizer r) { weightRules().activity(r); return this; }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
