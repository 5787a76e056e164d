package dev.jrnn.bench;

import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.GraphCapture;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.Span;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.GRU;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.layers.SimpleRNN;
import dev.jrnn.layers.Trace;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * jrnn's train step through the layer API, on whatever backend {@code Jrnn.backend()} is: one
 * recurrent layer (last output only), or a Bidirectional wrapper of it (concat: last output [B, 2H]),
 * MSE against a random target, backward, and one fused Adam update over the layer's flat parameter
 * buffer. The inputs of every batch are uploaded once.
 *
 * <p>Three ways to run the same step: {@link #trainStep} reads the loss back (one host round trip
 * per step, as a simple loop does); {@link #trainStepAsync} keeps the loss and Adam's step counter
 * on the device (no host round trip); {@link #replay} replays {@link #captureSteps captured} CUDA
 * graphs of the asynchronous step, one per input batch.
 *
 * <pre>{@code
 * Jrnn.setBackend("cpu");
 * Shapes s = new Shapes(32, 50, 128, 128);
 * try (JrnnTrainer t = new JrnnTrainer(Shapes.Cell.LSTM, s, BenchData.random(s, 4, 1), 42)) {
 *     float loss = t.trainStep(0);
 * }
 * }</pre>
 */
public final class JrnnTrainer implements AutoCloseable {
    /**
     * The input is data, as a model's own input (and PyTorch's, without requires_grad): backward computes no dx, as
     * Model.fit's does not (Shapes#trainFlops counts that step).
     */
    private static final java.util.function.IntPredicate NO_DX = k -> false;

    /** Keras' Adam defaults. */
    public static final float LR = 1e-3f, BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-7f;

    private final Shapes s;
    private final int outUnits;
    private final Layer layer;
    private final Backend be;
    private final ParamStore store;
    private final List<DTensor> xs = new ArrayList<>();
    private final List<DTensor> ys = new ArrayList<>();
    private final DTensor grad;
    private final Buf m, v;
    /** The asynchronous step's loss and Adam counter; the synchronous step's (kept apart, as its count is). */
    private final Buf lossOut, adamStep, syncLoss, syncStep;
    private final float[] one = new float[1];
    private final List<GraphCapture> graphs = new ArrayList<>();

    /** Builds the layer for {@code s} with seed {@code seed} and uploads every batch of {@code data}. */
    public JrnnTrainer(Shapes.Cell cell, Shapes s, BenchData data, long seed) {
        this(cell, s, data, seed, false);
    }

    /**
     * As {@link #JrnnTrainer(Shapes.Cell, Shapes, BenchData, long)}, with the layer wrapped in
     * {@code Bidirectional} (merge concat) when {@code bidirectional}: twice the work, target [B, 2H].
     */
    public JrnnTrainer(Shapes.Cell cell, Shapes s, BenchData data, long seed, boolean bidirectional) {
        this.s = s;
        dev.jrnn.layers.RecurrentLayer inner = switch (cell) {
            case SIMPLE_RNN -> new SimpleRNN(s.units());
            case LSTM -> new LSTM(s.units());
            case GRU -> new GRU(s.units());
        };
        this.layer = bidirectional ? new Bidirectional(inner) : inner;
        this.outUnits = bidirectional ? 2 * s.units() : s.units();
        layer.seed(seed);
        // a layer's seed seeds its masks only (as Keras' seed=): the weights come from the global stream, seeded here so
        // that every trainer of one seed (the peer fixture's, the async and sync steps') starts from the same weights
        dev.jrnn.Jrnn.setSeed(seed);
        layer.build(List.of(new int[] {s.steps(), s.in()}));
        this.be = layer.backend();
        this.store = layer.params().get(0).store();
        for (int i = 0; i < data.count(); i++) {
            xs.add(DTensor.from(be, Tensor.wrap(data.x(i), s.batch(), s.steps(), s.in())));
            ys.add(DTensor.from(be, Tensor.wrap(target(data.y(i)), s.batch(), outUnits)));
        }
        this.grad = DTensor.zeros(be, s.batch(), outUnits);
        this.m = be.alloc(store.size());
        this.v = be.alloc(store.size());
        this.lossOut = be.alloc(1);
        this.adamStep = be.alloc(3);
        this.syncLoss = be.alloc(1);
        this.syncStep = be.alloc(3);
    }

    /** The [B, H] target as is, or each row twice ([B, 2H]) for the Bidirectional concat output. */
    private float[] target(float[] y) {
        if (outUnits == s.units()) return y;
        int h = s.units();
        float[] t = new float[s.batch() * outUnits];
        for (int b = 0; b < s.batch(); b++) {
            System.arraycopy(y, b * h, t, b * outUnits, h);
            System.arraycopy(y, b * h, t, b * outUnits + h, h);
        }
        return t;
    }

    public Layer layer() { return layer; }
    public Backend backend() { return be; }
    public long paramCount() { return layer.countParams(); }

    /** Forward (inference) on batch {@code i}; returns the first output value (which synchronizes). */
    public float forward(int i) {
        try (Trace tr = layer.forward(List.of(x(i)), null, false)) {
            be.download(tr.outputs().get(0).buf(), 0, one, 0, 1);
            return one[0];
        }
    }

    /** MSE of the last output against batch {@code i}'s target, without training. */
    public float loss(int i) {
        try (Trace tr = layer.forward(List.of(x(i)), null, false)) {
            be.lossAsync(mse(tr, i, syncLoss));
        }
        be.download(syncLoss, 0, one, 0, 1);
        return one[0];
    }

    /** MSE of the layer's output against batch {@code i}'s target into {@code out}, its gradient into grad. */
    private LossArgs mse(Trace tr, int i, Buf out) {
        return new LossArgs(Loss.MSE, s.batch(), outUnits, Span.of(tr.outputs().get(0).buf()), Span.of(y(i).buf()), null,
                Span.of(grad.buf()), Span.of(out));
    }

    /** Adam over every parameter, counting its steps in {@code step}. */
    private AdamArgs adam(Buf step) {
        return new AdamArgs(store.size(), Span.of(store.values()), Span.of(store.grads()), Span.of(m), Span.of(v),
                Span.of(step), null, LR, BETA1, BETA2, EPS);
    }

    /**
     * The gradient of batch {@code i}'s MSE with respect to every weight at the current weights, in Keras order and
     * shapes (as {@code layer().getWeights()}): forward, loss and backward of {@link #trainStep}, without the update.
     */
    public List<Tensor> gradients(int i) {
        store.zeroGrads();
        try (Trace tr = layer.forward(List.of(x(i)), null, true)) {
            be.lossAsync(mse(tr, i, syncLoss));
            tr.backward(List.of(grad), NO_DX);
        }
        List<Tensor> g = new ArrayList<>();
        for (dev.jrnn.layers.Param p : layer.params()) g.add(p.getGrad());
        return g;
    }

    /**
     * The gradient of batch {@code i}'s MSE with respect to its input ([B, T, I]) at the
     * current weights: the backward of {@link #gradients} asked for dx as well (the train step skips it). Step t's slice is
     * zero exactly where BPTT does not reach back to t, so it shows how far the backward pass goes.
     */
    public Tensor inputGradient(int i) {
        store.zeroGrads();
        try (Trace tr = layer.forward(List.of(x(i)), null, true)) {
            be.lossAsync(mse(tr, i, syncLoss));
            try (DTensor dx = tr.backward(List.of(grad), k -> true).get(0)) {
                return dx.toTensor();
            }
        } finally {
            store.zeroGrads();
        }
    }

    /** Forward, MSE loss, backward, Adam: one train step on batch {@code i}; returns the loss before the update. */
    public float trainStep(int i) {
        store.zeroGrads();
        try (Trace tr = layer.forward(List.of(x(i)), null, true)) {
            be.lossAsync(mse(tr, i, syncLoss));
            tr.backward(List.of(grad), NO_DX);
        }
        be.adamUpdate(adam(syncStep));
        be.download(syncLoss, 0, one, 0, 1);
        return one[0];
    }

    /**
     * The step without any host round trip: the loss goes to a device buffer ({@link #lastLoss}) and
     * Adam keeps its step count on the device. Shares the moments with {@link #trainStep}, not the count.
     */
    public void trainStepAsync(int i) {
        store.zeroGrads();
        try (Trace tr = layer.forward(List.of(x(i)), null, true)) {
            be.lossAsync(mse(tr, i, lossOut));
            tr.backward(List.of(grad), NO_DX);
        }
        be.adamUpdate(adam(adamStep));
    }

    /** The loss the last asynchronous step or replay wrote (synchronizes). */
    public float lastLoss() {
        be.download(lossOut, 0, one, 0, 1);
        return one[0];
    }

    /**
     * Captures {@link #trainStepAsync} once per input batch into CUDA graphs; false (nothing captured)
     * where the backend cannot capture (the CPU backend).
     */
    public boolean captureSteps() {
        if (!graphs.isEmpty()) return true;
        for (int k = 0; k < xs.size(); k++) {
            final int b = k;
            GraphCapture g = be.capture(() -> trainStepAsync(b));
            if (g == null) {
                closeGraphs();
                return false;
            }
            graphs.add(g);
        }
        return true;
    }

    /** Replays the captured step of batch {@code i} (asynchronous). */
    public void replay(int i) {
        if (graphs.isEmpty()) throw new IllegalStateException("JrnnTrainer.replay: call captureSteps() first");
        graphs.get(Math.floorMod(i, graphs.size())).replay();
    }

    private void closeGraphs() {
        for (GraphCapture g : graphs) g.close();
        graphs.clear();
    }

    private DTensor x(int i) { return xs.get(Math.floorMod(i, xs.size())); }
    private DTensor y(int i) { return ys.get(Math.floorMod(i, ys.size())); }

    @Override
    public void close() {
        closeGraphs();
        for (DTensor d : xs) d.close();
        for (DTensor d : ys) d.close();
        grad.close();
        m.close();
        v.close();
        lossOut.close();
        adamStep.close();
        syncLoss.close();
        syncStep.close();
        store.close();
    }
}
