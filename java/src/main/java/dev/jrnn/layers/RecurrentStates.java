package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The states a stateful {@link RecurrentLayer} carries from one batch to the next (Keras' {@code stateful=True}):
 * h (and c for LSTM), each [batch, units], on the layer's backend. They are allocated once, at the first batch,
 * and never moved (a captured CUDA graph holds their addresses): reset fills them with zeros in place, and a
 * batch of another size is refused rather than reallocating them.
 */
final class RecurrentStates {
    private final RecurrentLayer layer;
    private List<DTensor> states;   // null until the first batch
    private int batch = -1;

    RecurrentStates(RecurrentLayer layer) { this.layer = layer; }

    /** The batch size the states hold: the first batch's, or the layer's batchInputShape; -1 when neither is known. */
    int batch() { return batch > 0 ? batch : layer.declaredBatchSize(); }

    /** The states for a batch of {@code b} on {@code be} (zeros at the first batch); refuses another batch size. */
    List<DTensor> forBatch(Backend be, int b) {
        int want = batch();
        if (want > 0 && want != b) {
            throw new IllegalArgumentException(layer.name() + ": a stateful layer runs on batches of " + want
                    + " (its states hold " + want + " samples), got a batch of " + b + "; feed batches of " + want
                    + " (fit/evaluate/predict with batchSize " + want + " and a sample count divisible by " + want
                    + "; a Dataset with batch(" + want + ", true))");
        }
        if (states == null || states.get(0).backend() != be) {
            release();
            List<DTensor> s = new ArrayList<>();
            try {
                for (int i = 0; i < layer.stateCount(); i++) s.add(DTensor.zeros(be, b, layer.units));
            } catch (RuntimeException | Error e) {
                Cleanup.each(s, DTensor::close);
                throw e;
            }
            states = s;
            batch = b;
        }
        return states;
    }

    /** Copies the last states of a batch ({@code h}, {@code c} at offset {@code off}) into the carried ones. */
    void carry(Backend be, Buf h, Buf c, long off) {
        long n = (long) batch * layer.units;
        be.copy(h, off, states.get(0).buf(), 0, n);
        if (c != null) be.copy(c, off, states.get(1).buf(), 0, n);
    }

    /** Zeros in place (the buffers keep their addresses); nothing before the first batch: the states start at zero. */
    void reset() {
        if (states == null) return;
        for (DTensor d : states) d.backend().fill(d.buf(), 0, d.size(), 0f);
    }

    /** Sets the states to {@code values} ([batch, units] each, in state order), allocating them when needed. */
    void set(List<Tensor> values) {
        int b = batch();
        if (values == null || values.size() != layer.stateCount()) {
            throw new IllegalArgumentException(layer.name() + ": resetStates expected " + layer.stateCount() + " state arrays, got "
                    + (values == null ? "null" : values.size()));
        }
        // without a batch size yet, state 0's rows fix it for all (h and c of 2 and 4 rows would overrun the 2-row c)
        Tensor first = values.get(0);
        int rows = b > 0 ? b : first != null && first.rank() == 2 ? first.dim(0) : -1;
        for (int i = 0; i < values.size(); i++) {
            Tensor v = values.get(i);
            if (v == null || v.rank() != 2 || v.dim(0) != rows || v.dim(1) != layer.units) {
                throw new IllegalArgumentException(layer.name() + ": resetStates expected state " + i + " of shape ("
                        + (rows > 0 ? rows : "batch") + ", " + layer.units + ")" + (b <= 0 && i > 0 ? " (the batch of state 0)" : "")
                        + ", got " + (v == null ? "null" : Tensor.shapeString(v.shape())));
            }
            if (!v.isFinite()) throw new IllegalArgumentException(layer.name() + ": resetStates state " + i + " holds NaN or Inf");
        }
        List<DTensor> s = forBatch(layer.backend(), values.get(0).dim(0));
        for (int i = 0; i < values.size(); i++) {
            float[] d = values.get(i).data();
            s.get(i).backend().upload(d, 0, s.get(i).buf(), 0, d.length);
        }
    }

    /** The states as host tensors (zeros before the first batch when the batch size is known). */
    List<Tensor> get() {
        List<Tensor> r = new ArrayList<>();
        if (states == null) {
            int b = batch();
            if (b <= 0) {
                throw new IllegalStateException(layer.name() + ": the stateful layer has not seen a batch yet and declares no batch"
                        + " size (batchInputShape), so its states have no shape yet");
            }
            for (int i = 0; i < layer.stateCount(); i++) r.add(Tensor.zeros(b, layer.units));
            return r;
        }
        for (DTensor d : states) r.add(d.toTensor());
        return r;
    }

    /** {@code [x, states...]}: the inputs of a run that starts from the carried states. */
    static List<DTensor> withStates(DTensor x, List<DTensor> states) {
        List<DTensor> in = new ArrayList<>(1 + states.size());
        in.add(x);
        in.addAll(states);
        return in;
    }

    /**
     * The trace of a run that started from the carried states, as the layer's caller sees it: one input (x), so
     * backward returns dx alone and the gradient into the carried states is dropped (Keras: the states are
     * variables, and the gradient stops at the batch boundary).
     */
    static Trace cutAtBatchStart(RecurrentRun r) {
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return r.outputs(); }

            @Override
            public DTensor outputMask() { return r.outputMask(); }

            @Override
            public List<DTensor> backward(List<DTensor> dOutputs) { return r.backward(dOutputs).subList(0, 1); }

            @Override
            public List<DTensor> backward(List<DTensor> dOutputs, java.util.function.IntPredicate inputGradient) {
                return r.backward(dOutputs, inputGradient).subList(0, 1);
            }

            @Override
            public void close() { r.close(); }
        };
    }

    /** Frees the buffers; a later batch allocates zeros again. */
    void release() {
        List<DTensor> s = states;
        states = null;
        batch = -1;
        if (s != null) Cleanup.each(s, DTensor::close);
    }
}
