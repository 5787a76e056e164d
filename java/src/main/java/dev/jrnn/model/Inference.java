package dev.jrnn.model;

import dev.jrnn.backend.DTensor;
import dev.jrnn.data.NpyWriter;
import dev.jrnn.layers.Layer;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Evaluation and prediction in batches over checked {@link Data} or a {@link BatchSource}: forward passes only, weights read,
 * not changed (but for a {@link SwapEMAWeights} among the callbacks, which swaps them in place and back, also on a failure).
 * {@link Thread#interrupt} stops evaluate and predict before their next batch, from tensors or a Dataset of any prefetch
 * depth alike ({@link #next}); the calls of one batch (testOnBatch, predictOnBatch, call) run it, as fit runs a step.
 */
final class Inference {
    /**
     * The call a run serves: its name in messages, and whether an interrupt stops it before a batch (the calls of one batch
     * run whole, as a train step). An enum, not the name: a misspelt name would silently take the other branch.
     */
    enum Call {
        EVALUATE("evaluate", true), TEST_ON_BATCH("testOnBatch", false), PREDICT("predict", true),
        /** predict handing each batch to the user's sink, which has had the batches before an interrupt (the message says so). */
        PREDICT_TO_SINK("predict", true), PREDICT_DICT("predictDict", true),
        /** predictOnBatch: named "predict" in messages, as its checks say. */
        PREDICT_ON_BATCH("predict", false), PREDICT_ON_BATCH_DICT("predictOnBatchDict", false), CALL("call", false);

        /** The name messages give the call ({@code model.evaluate: ...}). */
        final String op;
        /** Whether the call looks at the interrupt flag before each batch. */
        final boolean stopsOnInterrupt;

        Call(String op, boolean stopsOnInterrupt) {
            this.op = op;
            this.stopsOnInterrupt = stopsOnInterrupt;
        }
    }

    private final Setup s;
    /**
     * The model whose {@link Model#stopEvaluating} and {@link Model#stopPredicting} flags this run clears and reads (null:
     * none, as model.call): the calling thread's, where this run's hooks set them.
     */
    private final Model owner;

    Inference(Setup s) { this(s, null); }

    Inference(Setup s, Model owner) {
        this.s = s;
        this.owner = owner;
    }

    /** Loss and metrics ("loss", "accuracy", ...) over {@code d} in batches of {@code batchSize}, for {@code call} (evaluate, testOnBatch). */
    Map<String, Double> evaluate(Data d, int batchSize, Call call) {
        int size = StatefulBatch.resolve(s.name(), s.graph(), call.op, batchSize, d.n());
        return evaluate(new DataBatches(d, size, s.outputs()), List.of(), null, hook -> {}, call);
    }

    /** Loss and metrics over one epoch (epoch 0, in order) of {@code src}. */
    Map<String, Double> evaluate(BatchSource src) { return evaluate(src, List.of(), null, hook -> {}, Call.EVALUATE); }

    /** As {@link #evaluate(Data, int, Call)}, calling the test hooks of {@code callbacks} (a standalone evaluate given callbacks). */
    Map<String, Double> evaluate(Data d, int batchSize, List<Callback> callbacks, Model model) {
        int size = StatefulBatch.resolve(s.name(), s.graph(), "evaluate", batchSize, d.n());
        return evaluate(new DataBatches(d, size, s.outputs()), callbacks, model);
    }

    /**
     * A standalone evaluate given callbacks, as Keras' {@code evaluate(..., callbacks=[...])}: each first gets
     * {@code setParams} (verbose 0, epochs 1, the batches), then the test hooks; a callback that closes the model ends it.
     */
    Map<String, Double> evaluate(BatchSource src, List<Callback> callbacks, Model model) {
        params(src, callbacks);
        return evaluate(src, callbacks, model, hook -> stillOpen(model, "evaluate", hook), Call.EVALUATE);
    }

    /** Keras' CallbackList params of a standalone evaluate or predict: its verbose (jrnn's print nothing), 1 epoch, the batches. */
    private static void params(BatchSource src, List<Callback> callbacks) {
        int n = src instanceof BoundedBatches b ? b.steps() : src.batches();   // Keras: the steps asked for, also past the data's end
        FitParams p = new FitParams(0, 1, n < 0 ? null : n);
        for (Callback cb : callbacks) cb.setParams(p);
    }

    /** A callback that closed the model ends the call here, before a batch would use the freed weights. */
    private void stillOpen(Model model, String what, String hook) {
        if (model.closed()) {   // by this thread: another thread's close waits for this call, or is refused (CallGuard)
            throw new IllegalStateException(s.name() + "." + what + ": the model was closed by a callback (in " + hook
                    + "); close it after " + what + " returns");
        }
    }

    /**
     * As {@link #evaluate(BatchSource)}, calling the test hooks of {@code callbacks} on {@code model} (fit's validation, as
     * Keras' evaluate inside fit); {@code stillOpen} gets the hook's name after each round of them (a callback may close the model).
     * {@code call} names the call an interrupt stops (or a call of one batch, which does not look at the flag).
     */
    Map<String, Double> evaluate(BatchSource src, List<Callback> callbacks, Model model, Consumer<String> stillOpen, Call call) {
        String writer = writer(call, callbacks, false);
        return s.guard.running(writer != null ? writer : call.op, writer != null, () -> {
            s.guard.requireOpen(call.op);   // a close before the guard was taken: refused from here on
            return evaluateGuarded(src, callbacks, model, stillOpen, call);
        });
    }

    private Map<String, Double> evaluateGuarded(BatchSource src, List<Callback> callbacks, Model model, Consumer<String> stillOpen, Call call) {
        s.penalties();   // bad regularizer settings fail before the forward pass moves a stateful layer's states
        boolean[] targets = src.targets();
        EpochLogs acc = new EpochLogs(s, targets);
        s.metrics().build();   // as fit's first step (testOnBatch too)
        TrainStep losses = new TrainStep(s);
        int n = src.batches();
        boolean hooks = !callbacks.isEmpty();
        Model flags = model != null ? model : owner;
        if (flags != null) flags.stopEvaluating(false);   // Keras clears it before on_test_begin
        try {   // a failure leaves the weights a SwapEMAWeights swapped as they were
            for (Callback cb : callbacks) cb.onTestBegin(model);
            if (hooks) stillOpen.accept("onTestBegin");
            try (LossLog log = new LossLog(s, n < 0 ? LossLog.UNKNOWN_CAPACITY : n, targets);
                 BatchSource.Epoch batches = src.epoch(0, false, null)) {
                HostBatch h;
                for (int i = 0; (h = next(batches, call, i, n)) != null; i++) {
                    log.makeRoom(acc);
                    if (hooks) {
                        for (Callback cb : callbacks) cb.onTestBatchBegin(i, model);
                        stillOpen.accept("onTestBatchBegin");
                    }
                    long off = log.nextOffset();
                    try (Batch b = new Batch(s.backend(), h, true);
                         Pass p = Pass.forward(s.graph(), s.backend(), b.xs, b.mask, false, false)) {
                        losses.loss(p, h, b.ys, null, log.buf, off, acc, null);
                    }
                    log.commit(h.size(), null, 0);
                    if (hooks) {
                        BatchLogs bl = new BatchLogs(h.size(), () -> log.fold(acc), acc::logs);
                        try {
                            for (Callback cb : callbacks) cb.onTestBatchEnd(i, bl, model);
                        } finally {
                            bl.close();
                        }
                        stillOpen.accept("onTestBatchEnd");
                    }
                    if (flags != null && flags.stopEvaluating()) break;   // Keras 3's stop_evaluating: the logs so far
                }
                log.fold(acc);
            }
            Map<String, Double> logs = acc.logs();
            for (Callback cb : callbacks) cb.onTestEnd(new java.util.LinkedHashMap<>(logs), model);
            return logs;
        } catch (RuntimeException | Error e) {
            FailureAwareCallback.tell(callbacks, e, model);
            throw e;
        }
    }

    /** Every output for every sample of {@code d}, in batches of {@code batchSize}. */
    List<Tensor> predict(Data d, int batchSize) {
        return predict(d, batchSize, false, Call.PREDICT);
    }

    /**
     * As {@link #predict(Data, int)} for {@code call} (predict, predictOnBatch, call: the last two run whole, the interrupt
     * flag not looked at, as a train step); {@code training}: the layers run as in fit (dropout drawn, batch moments).
     */
    List<Tensor> predict(Data d, int batchSize, boolean training, Call call) {
        return predict(d, batchSize, training, call, List.of(), null);
    }

    /** As {@link #predict(Data, int, boolean, Call)}, calling the predict hooks of {@code callbacks} on {@code model}. */
    List<Tensor> predict(Data d, int batchSize, boolean training, Call call, List<Callback> callbacks, Model model) {
        int outputs = s.outputs();
        int n = d.n();
        float[][] out = new float[outputs][];
        int[][] shapes = new int[outputs][];
        int[] from = {0};
        predict(new DataBatches(d, StatefulBatch.resolve(s.name(), s.graph(), call.op, batchSize, n), outputs), training, callbacks, model, call, batch -> {
            for (int k = 0; k < outputs; k++) {
                Tensor v = batch.get(k);
                if (out[k] == null) {
                    shapes[k] = v.shape();
                    shapes[k][0] = n;
                    out[k] = new float[Tensor.checkedSize(s.name() + "." + call.op + ": output " + k, shapes[k])];
                }
                System.arraycopy(v.data(), 0, out[k], from[0] * (v.size() / v.dim(0)), v.size());
            }
            from[0] += batch.get(0).dim(0);
        });
        List<Tensor> r = new ArrayList<>();
        for (int k = 0; k < outputs; k++) {
            if (from[0] < n && out[k] != null) {   // stopped early (stopPredicting): the rows computed
                int row = out[k].length / n;
                out[k] = Arrays.copyOf(out[k], from[0] * row);
                shapes[k][0] = from[0];
            }
            r.add(Tensor.wrap(out[k], shapes[k]));
        }
        return r;
    }

    /**
     * Hands every batch's outputs (one tensor per output, batch axis first) to {@code sink}, in the source's order; returns the
     * rows. {@code call}: {@link Call#PREDICT_TO_SINK} where the sink is the user's, else the call that collects them.
     */
    long predict(BatchSource src, Call call, Consumer<List<Tensor>> sink) {
        return predict(src, false, List.of(), null, call, sink);
    }

    /** As {@link #predict(BatchSource, Call, Consumer)}, calling the predict hooks of {@code callbacks} on {@code model} (Keras' order). */
    long predict(BatchSource src, Call call, List<Callback> callbacks, Model model, Consumer<List<Tensor>> sink) {
        return predict(src, false, callbacks, model, call, sink);
    }

    private long predict(BatchSource src, boolean training, List<Callback> callbacks, Model model, Call call, Consumer<List<Tensor>> sink) {
        String writer = writer(call, callbacks, training);
        return s.guard.running(writer != null ? writer : call.op, writer != null, () -> {
            s.guard.requireOpen(call.op);   // a close before the guard was taken: refused from here on
            return predictGuarded(src, training, callbacks, model, call, sink);
        });
    }

    /**
     * How the refusals name {@code call} when it changes the model, so that it must run alone (CallGuard); null when it
     * only reads the weights and may run beside other readers. A SwapEMAWeights swaps the weights in place, a stateful
     * layer's batches advance its states, a training call of a layer whose calls share state (BatchNormalization's
     * moving statistics) moves them. Dropout in training mode only reads: its masks are drawn per call from a
     * synchronized stream, so threads' Monte Carlo samples are each valid (their order across threads is not fixed).
     */
    private String writer(Call call, List<Callback> callbacks, boolean training) {
        for (Callback cb : callbacks) if (cb instanceof SwapEMAWeights) return call.op + " given SwapEMAWeights";
        // walked per call, not cached per graph: discardBuild() then stateful(b) on a model's layer, or a custom layer's
        // stateful() override, changes the answer while the graph stays the same
        boolean shares = false;
        for (Layer l : s.graph().runLayers) {
            if (l.stateful()) return call.op + " of a stateful model";
            shares |= l.callsShareState();
        }
        return training && shares ? call.op + " in training mode (BatchNormalization's statistics)" : null;
    }

    private long predictGuarded(BatchSource src, boolean training, List<Callback> callbacks, Model model, Call call, Consumer<List<Tensor>> sink) {
        long rows = 0;
        int n = src.batches();
        int outputs = s.outputs();
        boolean hooks = !callbacks.isEmpty();
        Model flags = model != null ? model : owner;
        if (flags != null) flags.stopPredicting(false);
        try {   // a failure leaves the weights a SwapEMAWeights swapped as they were
            if (hooks) {
                params(src, callbacks);
                for (Callback cb : callbacks) cb.onPredictBegin(model);
                stillOpen(model, call.op, "onPredictBegin");
            }
            try (BatchSource.Epoch batches = src.epoch(0, false, null)) {
                HostBatch h;
                for (int i = 0; (h = next(batches, call, i, n)) != null; i++) {
                    if (hooks) {
                        for (Callback cb : callbacks) cb.onPredictBatchBegin(i, model);
                        stillOpen(model, call.op, "onPredictBatchBegin");
                    }
                    List<Tensor> r = new ArrayList<>(outputs);
                    try (Batch b = new Batch(s.backend(), h, false);
                         Pass p = Pass.forward(s.graph(), s.backend(), b.xs, b.mask, training, true)) {
                        for (int k = 0; k < outputs; k++) {
                            DTensor v = p.value(s.graph().outputs.get(k));
                            float[] a = new float[Tensor.checkedSize(s.name() + "." + call.op + ": output " + k, v.shape())];
                            s.backend().download(v.buf(), 0, a, 0, a.length);
                            r.add(Tensor.wrap(a, v.shape()));
                        }
                    }
                    sink.accept(r);
                    rows += h.size();
                    if (hooks) {
                        List<Tensor> view = java.util.Collections.unmodifiableList(r);
                        for (Callback cb : callbacks) cb.onPredictBatchEnd(i, view, model);
                        stillOpen(model, call.op, "onPredictBatchEnd");
                    }
                    if (flags != null && flags.stopPredicting()) break;   // Keras 3's stop_predicting: the outputs so far
                }
            }
            for (Callback cb : callbacks) cb.onPredictEnd(model);
            return rows;
        } catch (RuntimeException | Error e) {
            FailureAwareCallback.tell(callbacks, e, model);
            throw e;
        }
    }

    /**
     * Batch {@code i} (from 0) of {@code n} (-1: unknown), unless the thread is interrupted and {@code call} stops on that:
     * before it, or while a prefetching Dataset's stream waits for it, the call stops with its own message, as fit does.
     */
    private HostBatch next(BatchSource.Epoch batches, Call call, int i, int n) {
        if (!call.stopsOnInterrupt) return batches.next();
        if (Interruption.flagSet()) throw interrupted(call, i, n, null);
        try {
            return batches.next();
        } catch (RuntimeException e) {
            if (Interruption.flagSet() || Interruption.caused(e)) throw interrupted(call, i, n, e);
            throw e;
        }
    }

    private IllegalStateException interrupted(Call call, int i, int n, Throwable cause) {
        String where = i == 0 ? "before batch 1" + (n >= 0 ? " of " + n : "")
                : n >= 0 && i >= n ? "after its last batch (" + n + ")"
                : n >= 0 ? "before batch " + (i + 1) + " of " + n
                : "after batch " + i;
        // only the user's sink has had batches: another call's message must not send its user looking for one
        String kept = call == Call.PREDICT_TO_SINK ? "nothing is returned (a sink given to predict has had the batches before it)" : "nothing is returned";
        return Interruption.stop(s.name(), call.op, where, kept + " and the weights are as they were", cause);
    }

    /**
     * Streams the outputs of {@code src} into {@code files} (one {@code .npy} per output, written
     * atomically: on any failure no file is replaced); returns the rows written. Ragged outputs (whose
     * shape past the batch axis changes between batches) cannot go to one file and fail naming both shapes.
     */
    long predict(BatchSource src, List<Path> files) throws IOException {
        int outputs = s.outputs();
        if (files == null || files.size() != outputs || files.contains(null)) {
            throw new IllegalArgumentException(s.name() + ".predict: give one .npy path per output (" + outputs + "), got "
                    + (files == null ? "null" : files));
        }
        NpyWriter[] w = new NpyWriter[outputs];
        try {
            predict(src, Call.PREDICT, batch -> {
                for (int k = 0; k < outputs; k++) {
                    int[] shape = batch.get(k).shape();
                    try {
                        if (w[k] == null) w[k] = NpyWriter.open(files.get(k), Arrays.copyOfRange(shape, 1, shape.length));
                        w[k].append(batch.get(k));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(s.name() + ".predict: output " + k + " cannot go to one .npy file ("
                                + e.getMessage() + "); predict to a consumer instead", e);
                    }
                }
            });
            long rows = w[0] == null ? 0 : w[0].rows();
            for (NpyWriter x : w) if (x != null) x.close();
            return rows;
        } catch (UncheckedIOException e) {
            abort(w);
            throw e.getCause();
        } catch (RuntimeException | Error e) {
            abort(w);
            throw e;
        }
    }

    private static void abort(NpyWriter[] w) throws IOException {
        for (NpyWriter x : w) if (x != null) x.abort();
    }
}
