package dev.jrnn.bench;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Loss;
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
 * recurrent layer (last output only), MSE against a random target, backward, and one fused Adam
 * update over the layer's flat parameter buffer. The inputs of every batch are uploaded once.
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
    /** Keras' Adam defaults. */
    public static final float LR = 1e-3f, BETA1 = 0.9f, BETA2 = 0.999f, EPS = 1e-7f;

    private final Shapes s;
    private final Layer layer;
    private final Backend be;
    private final ParamStore store;
    private final List<DTensor> xs = new ArrayList<>();
    private final List<DTensor> ys = new ArrayList<>();
    private final DTensor grad;
    private final Buf m, v;
    private final float[] one = new float[1];
    private long t;

    /** Builds the layer for {@code s} with seed {@code seed} and uploads every batch of {@code data}. */
    public JrnnTrainer(Shapes.Cell cell, Shapes s, BenchData data, long seed) {
        this.s = s;
        this.layer = switch (cell) {
            case SIMPLE_RNN -> new SimpleRNN(s.units());
            case LSTM -> new LSTM(s.units());
            case GRU -> new GRU(s.units());
        };
        layer.seed(seed);
        layer.build(List.of(new int[] {s.steps(), s.in()}));
        this.be = layer.backend();
        this.store = layer.params().get(0).store();
        for (int i = 0; i < data.count(); i++) {
            xs.add(DTensor.from(be, Tensor.wrap(data.x(i), s.batch(), s.steps(), s.in())));
            ys.add(DTensor.from(be, Tensor.wrap(data.y(i), s.batch(), s.units())));
        }
        this.grad = DTensor.zeros(be, s.batch(), s.units());
        this.m = be.alloc(store.size());
        this.v = be.alloc(store.size());
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
            return be.loss(Loss.MSE, s.batch(), s.units(), tr.outputs().get(0).buf(), 0,
                    y(i).buf(), 0, null, 0, grad.buf(), 0);
        }
    }

    /** Forward, MSE loss, backward, Adam: one train step on batch {@code i}; returns the loss before the update. */
    public float trainStep(int i) {
        store.zeroGrads();
        float loss;
        try (Trace tr = layer.forward(List.of(x(i)), null, true)) {
            loss = be.loss(Loss.MSE, s.batch(), s.units(), tr.outputs().get(0).buf(), 0,
                    y(i).buf(), 0, null, 0, grad.buf(), 0);
            tr.backward(List.of(grad));   // the input gradients it returns are freed with the trace
        }
        be.adamUpdate(store.size(), store.values(), 0, store.grads(), 0, m, 0, v, 0, LR, BETA1, BETA2, EPS, ++t);
        return loss;
    }

    private DTensor x(int i) { return xs.get(Math.floorMod(i, xs.size())); }
    private DTensor y(int i) { return ys.get(Math.floorMod(i, ys.size())); }

    @Override
    public void close() {
        for (DTensor d : xs) d.close();
        for (DTensor d : ys) d.close();
        grad.close();
        m.close();
        v.close();
        store.close();
    }
}
