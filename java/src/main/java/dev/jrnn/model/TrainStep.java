package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.LossMath;
import dev.jrnn.backend.Span;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.ParamStore;
import dev.jrnn.losses.EpochMetric;
import dev.jrnn.tensor.Tensor;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One step on a batch already on the device: the forward pass, the loss of every output with a target
 * (and the metrics, read back, when asked), the backward pass and one optimizer update behind the
 * device-side NaN guard. Queues only asynchronous work unless metrics are read, so a CUDA graph can
 * capture {@link #run} whole. Evaluation uses {@link #loss} alone.
 */
final class TrainStep {
    private final Setup s;
    private final Backend backend;

    /** Data-parallel training (null: one process): the gradients are averaged over the ranks before the update. */
    private DistributedFit dp;
    /** The factor of the loss gradient for the next step (a data-parallel shard's weight; see ShardedBatches). */
    private float gradientWeight = 1f;
    /** Model and output names whose mask did not fit their loss, warned of once in the process ({@link #rowMask}). */
    private static final java.util.Set<String> UNFIT_MASKS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    TrainStep(Setup s) {
        this.s = s;
        this.backend = s.backend();
    }

    void distributed(DistributedFit dp) { this.dp = dp; }

    /** The loss gradient's factor for the steps from now on (1 for one process; an eager step when not 1). */
    void gradientWeight(float w) { this.gradientWeight = w; }

    /**
     * Forward, loss, backward and one optimizer step on batch {@code b} (host copy {@code h}): the losses go to {@code lossOut[lossOff + k]}, the NaN guard's state after the step to
     * {@code lossOut[lossOff + outputs]}. A non-finite loss (and, with {@code check}, non-finite gradients)
     * sets the guard and the device skips the update; with {@code check}, weights that the update made
     * non-finite are restored from a copy on the device. A set guard skips every later update too, so
     * whenever the host reads it the weights are those of the last finite step.
     */
    void run(Batch b, HostBatch h, Buf lossOut, long lossOff, EpochLogs acc, Buf guard, boolean check) {
        Parameters ps = s.params();
        ParamStore store = ps.store;
        s.optimizer().requireUsableFor(store, ps.trainable);   // before the forward pass moves any state
        Penalties penalties = s.penalties();
        // the forward pass updates them (moving statistics): backed up always, so that a step the loss guard skips (or
        // any set guard) leaves them as the weights, whether or not check also watches them
        boolean guardState = !ps.state.isEmpty();
        if (guardState) ps.backUpState();
        try (Pass p = Pass.forward(s.graph(), backend, b.xs, b.mask, true, false)) {
            Map<Node, DTensor> dOut = new IdentityHashMap<>();
            loss(p, h, b.ys, dOut, lossOut, lossOff, acc, guard);
            if (gradientWeight != 1f) for (DTensor g : dOut.values()) backend.scale(g.size(), gradientWeight, g.buf(), 0);
            store.zeroGrads();
            if (dp == null) {
                p.backward(dOut);
            } else {
                // Each bucket's average starts as soon as the backward pass has completed its gradients.
                GradientBuckets buckets = dp.buckets(p.run());   // numbered by the calls this pass ran
                buckets.start();
                p.backward(dOut, buckets::readyFrom);
                buckets.finish();
            }
            penalties.gradients(backend, lossOut, lossOff + s.outputs() + 1, guard);   // after the average: once per rank, as one process
            boolean guardWeights = check && ps.trainableSize > 0;
            if (guardWeights) {
                backend.finiteGuard(ps.trainableSize, store.grads(), 0, LossLog.GUARD_GRADIENTS, guard, 0);
                backend.copy(store.values(), 0, ps.backup(), 0, ps.trainableSize);
            }
            // the weights' own check right after the update, before the optimizer's moving average (EMA) takes them
            s.optimizer().step(store, ps.trainable, ps.trainableSize, guard, !guardWeights ? null : () -> {
                backend.finiteGuard(ps.trainableSize, store.values(), 0, LossLog.GUARD_WEIGHTS, guard, 0);
                backend.copyIfGuard(ps.trainableSize, guard, 0, ps.backup(), 0, store.values(), 0);
            });
            penalties.constrain();   // Keras: each constraint after the update
            // after the update, as the weights' own check: the step ran, and the device undoes it all
            if (check && guardState) ps.guardState(LossLog.GUARD_WEIGHTS, guard);
            if (guardState) ps.restoreStateIfGuard(guard);
            backend.copy(guard, 0, lossOut, lossOff + s.outputs(), 1);
        }
    }

    /** One eager step on {@code h}: uploads the batch, then {@link #run}. */
    void runEager(HostBatch h, Buf lossOut, long lossOff, EpochLogs acc, Buf guard, boolean check) {
        try (Batch b = new Batch(backend, h, true)) {
            run(b, h, lossOut, lossOff, acc, guard, check);
        }
    }

    /**
     * Loss of one batch over every output with a target, written (without a sync) to
     * {@code lossOut[lossOff + k]} for output k; a non-finite one sets {@code guard} (nullable) to GUARD_LOSS.
     * Fills {@code dOut} with the loss gradients (when not null).
     * With metrics and an {@code acc}, the predictions are read back and the metrics added to it.
     */
    void loss(Pass p, HostBatch h, List<DTensor> targets, Map<Node, DTensor> dOut, Buf lossOut, long lossOff, EpochLogs acc,
              Buf guard) {
        int b = h.size();
        List<Node> outputs = s.graph().outputs;
        for (int k = 0; k < outputs.size(); k++) {
            Tensor y = h.ys().get(k);
            DTensor tgt = targets.get(k);
            if (y == null || tgt == null) continue;
            Node on = outputs.get(k);
            DTensor pred = p.value(on);
            // an output without a loss: what its metrics read (by the targets' shape for "accuracy"); null when nothing does
            Loss form = s.targetLoss(k, y.shape(), Arrays.copyOfRange(pred.shape(), 1, pred.rank()));
            if (form == null) continue;
            int cols = pred.dim(-1);
            long size = pred.size();
            int rows = (int) (size / cols);
            int ySample = y.size() / y.dim(0);
            long need = form.sparse() ? rows / b : size / b;
            if (ySample != need) {
                throw new IllegalArgumentException(s.name() + ": " + InputCheck.targetMismatch(
                        "target" + (outputs.size() > 1 ? " " + k : ""), y, ySample, on,
                        Arrays.copyOfRange(pred.shape(), 1, pred.rank()), need, form, s.loss(k) == null,
                        s.targetsByShape(k)));
            }
            Loss loss = s.loss(k);
            DTensor mask = rowMask(p.masks.get(on), pred, on), lossMask = mask, lossTgt = tgt;
            Tensor sw = h.weights() == null ? null : h.weights().get(k);
            if (loss == null) {   // Keras' loss=[None, ...]: no loss, no gradient, only its metrics
                if (acc != null && !s.metrics().isEmpty()) addMetrics(acc, k, form, pred, mask, rows, cols, y.data(), sw);
                continue;
            }
            if (loss.ignoreClass() != null) {
                // Keras: rows whose target is the ignored class are masked (with the output's mask), their targets 0
                lossMask = p.own(DTensor.zeros(backend, rows));
                backend.maskFromValues(rows, 1, tgt.buf(), 0, loss.ignoreClass(), lossMask.buf(), 0);
                if (mask != null) backend.mul(rows, lossMask.buf(), 0, mask.buf(), 0, lossMask.buf(), 0);
                lossTgt = p.own(DTensor.zeros(backend, rows));
                backend.mul(rows, tgt.buf(), 0, lossMask.buf(), 0, lossTgt.buf(), 0);
            }
            DTensor w = lossWeights(p, loss.reduction(), lossMask, sw, pred, on, rows);
            DTensor g = p.own(DTensor.zeros(backend, pred.shape()));
            if (loss.customFunction() != null) {
                hostLoss(loss, rows, cols, pred, lossTgt, w, g, lossOut, lossOff + k);
            } else {
                backend.lossAsync(new LossArgs(loss, rows, cols, Span.of(pred.buf()), Span.of(lossTgt.buf()),
                        w == null ? null : Span.of(w.buf()), Span.of(g.buf()), new Span(lossOut, lossOff + k)));
            }
            if (guard != null) backend.finiteGuard(1, lossOut, lossOff + k, LossLog.GUARD_LOSS, guard, 0);
            double lw = s.lossWeight(k);   // Keras' loss_weights: the total loss, so its gradient, weighs this output
            // the ranks' gradients are averaged, each a shard's weighted for a mean; Keras adds the replicas' for "sum" (only
            // the means are divided by them): the rank's own sum, times the ranks
            if (dp != null && loss.reduction().equals("sum")) lw *= dp.size() / gradientWeight;
            if (dOut != null && lw != 1) backend.scale(g.size(), (float) lw, g.buf(), 0);
            if (dOut != null) dOut.merge(on, g, (a, bb) -> {
                backend.axpy(bb.size(), 1f, bb.buf(), 0, a.buf(), 0);
                return a;
            });
            // metrics weigh by the mask itself (Keras: a Mean over the epoch's valid steps), not by the loss's per-batch weights
            if (acc != null && !s.metrics().isEmpty()) addMetrics(acc, k, form, pred, mask, rows, cols, y.data(), sw);
        }
        s.penalties().loss(backend, p, dOut, lossOut, lossOff + s.outputs() + 1, guard, s.modelTrains());
    }

    /**
     * Adds output {@code k}'s batch, whose targets are read as {@code form}'s, to its metrics' states: each weighed by the mask {@code w} (nullable) where it takes one,
     * a weighted metric also by the sample weights {@code sw} (nullable; Keras' apply_mask multiplies the two, as for the loss).
     */
    private void addMetrics(EpochLogs acc, int k, Loss form, DTensor pred, DTensor w, int rows, int cols, float[] yt, Tensor sw) {
        float[] pr = new float[(int) pred.size()];
        backend.download(pred.buf(), 0, pr, 0, pr.length);
        float[] wh = null;
        if (w != null) {
            wh = new float[rows];
            backend.download(w.buf(), 0, wh, 0, rows);
        }
        float[] swh = sw == null ? null : perRow(sw, rows), swMasked = swh;
        if (swh != null && wh != null) {
            swMasked = swh.clone();
            for (int r = 0; r < rows; r++) swMasked[r] *= wh[r];
        }
        List<CompileMetrics.Slot> slots = s.metrics().slots;
        for (int j = 0; j < slots.size(); j++) {
            CompileMetrics.Slot sl = slots.get(j);
            if (sl.output() != k) continue;
            EpochMetric m = sl.metric();
            // Keras' RMSE, precision, recall, AUC, F-scores count masked steps too
            float[] mw = sl.weighted() && swh != null ? (m.usesMask() ? swMasked : swh) : m.usesMask() ? wh : null;
            m.update(form, rows, cols, pr, yt, mw, acc.metricState[j]);
        }
    }

    /**
     * Sample weights (b), (b, T) or (b, T, inner...) as one weight per row of a prediction of {@code rows} rows (a
     * sample's weight on each of its steps; the others already one per row, as Keras' apply_mask takes them).
     */
    private static float[] perRow(Tensor sw, int rows) {
        if (sw.rank() >= 2) return sw.data();
        int b = sw.dim(0), per = rows / b;
        float[] host = new float[rows];
        float[] d = sw.data();
        for (int i = 0; i < b; i++) Arrays.fill(host, i * per, (i + 1) * per, d[i]);
        return host;
    }

    /**
     * The mask of a sequence output, one weight per row of {@code pred}: its shape is pred's but the last axis, (B, T) or
     * a TimeDistributed RNN's (B, T, inner), as Keras 3 applies a mask shaped as the loss per element; null when the
     * output has no mask or none of that shape (said once per output: a mask dropped unsaid averaged padded words in).
     */
    private DTensor rowMask(DTensor mask, DTensor pred, Node on) {
        if (mask == null || pred.rank() < 3) return null;
        boolean fits = mask.rank() == pred.rank() - 1;
        for (int a = 0; fits && a < mask.rank(); a++) fits = mask.dim(a) == pred.dim(a);
        if (fits) return mask;
        if (UNFIT_MASKS.add(s.name() + "/" + on.layer().name())) {
            System.getLogger(TrainStep.class.getName()).log(System.Logger.Level.WARNING, s.name() + ": output " + on.layer().name()
                    + "'s mask " + Tensor.shapeString(mask.shape()) + " is not its prediction's shape " + Tensor.shapeString(pred.shape())
                    + " less the units axis; its loss is not masked");
        }
        return null;
    }

    /**
     * Keras' sample_weight on the rows of output {@code on}'s prediction {@code pred}: per sample [b] each sample's weight on
     * each of its rows (a sequence's steps), per timestep [b, T] one weight per row of a (b, T, units) sequence, per loss
     * element [b, T, inner...] one per row of a (b, T, inner..., units) output; times the mask's row weights {@code w}
     * (nullable) as Keras' apply_mask multiplies them.
     */
    private DTensor sampleWeighted(Pass p, DTensor w, Tensor sw, DTensor pred, Node on) {
        int rows = (int) (pred.size() / pred.dim(-1));
        if (sw.rank() >= 2) {
            int[] loss = Arrays.copyOfRange(pred.shape(), 1, Math.max(1, pred.rank() - 1));
            boolean fits = sw.rank() == pred.rank() - 1;
            for (int a = 1; fits && a < sw.rank(); a++) fits = sw.dim(a) == pred.dim(a);
            if (!fits) {
                throw new IllegalArgumentException(SampleWeights.misfit(s.name(), "sampleWeight", sw.shape(), on.layer().name(),
                        Tensor.shapeString(pred.shape()), loss));
            }
        }
        float[] host = perRow(sw, rows);
        DTensor ws = p.own(DTensor.from(backend, Tensor.wrap(host, rows)));
        if (w != null) backend.mul(rows, ws.buf(), 0, w.buf(), 0, ws.buf(), 0);
        return ws;
    }

    /**
     * A custom loss ({@link Loss#custom}) on the host, as lossAsync computes the built-in ones: the predictions, targets
     * and row weights read back, {@code LossMath} (the user's row function), the gradient and the mean loss written back.
     */
    private void hostLoss(Loss loss, int rows, int cols, DTensor pred, DTensor tgt, DTensor w, DTensor g, Buf out, long off) {
        int n = rows * cols;
        float[] p = new float[n], t = new float[n], gh = new float[n], wh = w == null ? null : new float[rows];
        backend.download(pred.buf(), 0, p, 0, n);
        backend.download(tgt.buf(), 0, t, 0, n);
        if (w != null) backend.download(w.buf(), 0, wh, 0, rows);
        double total = LossMath.weightedSum(loss, rows, cols, p, 0, t, 0, wh, 0, gh, 0);
        backend.upload(gh, 0, g.buf(), 0, n);
        backend.upload(new float[] {(float) (total / rows)}, 0, out, off, 1);
    }

    /**
     * The row weights lossAsync takes (its value is their weighted sum of the row losses over {@code rows}) for Keras'
     * reduction, from the loss's row mask (nullable: none) and the sample weights {@code sw} (nullable), as Keras'
     * reduce_weighted_values: "sum_over_batch_size" scales the mask so the mean runs over the valid rows (apply_mask's
     * total / valid), then multiplies the sample weights; "sum" takes mask times sample weights unscaled and undoes the
     * division by rows; "mean_with_sample_weight" divides by the sum of mask times sample weights. On the device.
     */
    private DTensor lossWeights(Pass p, String reduction, DTensor mask, Tensor sw, DTensor pred, Node on, int rows) {
        boolean mean = reduction.equals("sum_over_batch_size");
        DTensor w = null;
        if (mask != null) {
            w = p.own(DTensor.zeros(backend, rows));
            backend.copy(mask.buf(), 0, w.buf(), 0, rows);
            if (mean) backend.scaleToSum(rows, rows, w.buf(), 0);   // mask * rows / valid rows; all-masked stays 0
        }
        if (sw != null) w = sampleWeighted(p, w, sw, pred, on);   // the loss only, as Keras' sample_weight
        if (reduction.equals("sum")) {
            if (w == null) {
                w = p.own(DTensor.zeros(backend, rows));
                backend.fill(w.buf(), 0, rows, rows);
            } else {
                backend.scale(rows, rows, w.buf(), 0);
            }
        } else if (!mean && w != null) {
            backend.scaleToSum(rows, rows, w.buf(), 0);   // divide_no_nan: all-zero weights stay 0
        }
        return w;
    }
}
