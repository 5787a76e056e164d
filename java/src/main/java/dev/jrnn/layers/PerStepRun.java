package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link TimeDistributed}'s call of a layer once per step, as Keras 3's TimeDistributed runs its {@code step_function}
 * over the steps, for a layer whose output mixes the batch ({@link Layer#mixesBatch}: BatchNormalization in training)
 * or that carries states ({@link Layer#stateful()}: each step starts from the states the one before left).
 * Step s gets {@code x[:, s]} and {@code mask[:, s]}, in step order (so a layer's own state, BatchNormalization's moving
 * statistics, moves once per step, step 0 first). The trace it gives looks like the layer's trace over the folded
 * batch ((batch * steps, ...), batch-major): its outputs, its mask where every step gave one with axes of its own, and
 * a backward taking and returning folded gradients, so the wrapper's unfolding stays one. Slices and stitches are
 * {@link Backend#copy2d} strided copies, on either backend.
 */
final class PerStepRun implements Trace {
    private final List<Trace> steps = new ArrayList<>();
    private final List<DTensor> owned = new ArrayList<>();
    private final List<DTensor> outputs = new ArrayList<>();
    private final Backend be;
    private final Layer layer;
    private final int b, t;
    private DTensor outputMask;

    private PerStepRun(Backend be, Layer layer, int b, int t) {
        this.be = be;
        this.layer = layer;
        this.b = b;
        this.t = t;
    }

    /** Runs {@code layer} once per step of {@code x} (batch, steps, ...), steps &gt; 0; a failure frees what it made. */
    static Trace run(Layer layer, DTensor x, DTensor mask, boolean training) {
        PerStepRun r = new PerStepRun(x.backend(), layer, x.dim(0), x.dim(1));
        try {
            r.forward(x, mask, training);
        } catch (RuntimeException | Error e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void forward(DTensor x, DTensor mask, boolean training) {
        // as Keras' mask[:, i]: a mask one axis short of x gives each step its (batch, ...) part, a (batch, steps) one
        // over a 3-D x, a (batch, steps, inner) one over a 4-D x. Any other (a (batch, steps) mask over a 4-D x, which
        // Keras refuses: "mask provided should be one dimension less than the inputs") is dropped, as the folded call
        // and inference drop a (batch, steps) mask over a 4-D x; a mask of more axes than x's less one, which Keras
        // refuses too, the folded call still passes on folded (left as it was: no layer here reads such a mask)
        boolean masked = mask != null && mask.rank() == x.rank() - 1 && mask.dim(0) == b && mask.dim(1) == t;
        for (int s = 0; s < t; s++) {
            DTensor xs = slice(x, s);
            DTensor ms = masked ? slice(mask, s) : null;
            steps.add(layer.forward(List.of(xs), ms, training));
        }
        int n = steps.get(0).outputs().size();
        for (int k = 0; k < n; k++) {
            List<DTensor> perStep = new ArrayList<>();
            for (Trace tr : steps) perStep.add(tr.outputs().get(k));
            outputs.add(stitch(perStep, "output " + k));
        }
        // the steps' own masks where each has axes of its own (a wrapped layer's inner steps); a (batch,) one is not
        List<DTensor> masks = new ArrayList<>();
        for (Trace tr : steps) {
            DTensor m = tr.outputMask();
            if (m == null || m.rank() < 2) break;
            masks.add(m);
        }
        outputMask = masks.size() == t ? stitch(masks, "mask") : null;
    }

    /** {@code d[:, s]} of a (batch, steps, ...) tensor, as a new (batch, ...) tensor. */
    private DTensor slice(DTensor d, int s) {
        int[] shape = d.shape();
        int[] r = new int[shape.length - 1];
        r[0] = b;
        System.arraycopy(shape, 2, r, 1, shape.length - 2);
        DTensor out = uninitialised(r);
        int n = (int) (out.size() / Math.max(1, b));
        be.copy2d(b, n, d.buf(), (long) s * n, t * n, out.buf(), 0, n);
        return out;
    }

    /** The layer's per-step (batch, ...) {@code what}, side by side as one folded (batch * steps, ...) batch-major. */
    private DTensor stitch(List<DTensor> perStep, String what) {
        int[] shape = perStep.get(0).shape();
        for (int s = 0; s < t; s++) {
            DTensor d = perStep.get(s);
            if (d.rank() == 0 || d.dim(0) != b || !Arrays.equals(d.shape(), shape)) {
                throw new IllegalStateException(layer.name() + "'s " + what + " at step " + s + " has shape "
                        + Tensor.shapeString(d.shape()) + ", at step 0 " + Tensor.shapeString(shape)
                        + ": run once per step, a layer must give every step the same shape, with the batch (" + b
                        + ") first");
            }
        }
        int[] r = shape.clone();
        r[0] = b * t;
        DTensor out = uninitialised(r);
        int n = (int) (perStep.get(0).size() / Math.max(1, b));
        for (int s = 0; s < t; s++) be.copy2d(b, n, perStep.get(s).buf(), 0, n, out.buf(), (long) s * n, t * n);
        return out;
    }

    @Override
    public List<DTensor> outputs() { return List.copyOf(outputs); }

    @Override
    public DTensor outputMask() { return outputMask; }

    /** Each step's backward on its part of the folded gradients, last step first; the parameters' gradients add up. */
    @Override
    public List<DTensor> backward(List<DTensor> dOut) {
        DTensor[] dx = new DTensor[t];
        for (int s = t - 1; s >= 0; s--) {
            List<DTensor> d = new ArrayList<>();
            for (DTensor g : dOut) d.add(g == null ? null : slice(unfolded(g), s));
            dx[s] = steps.get(s).backward(d).get(0);
        }
        for (DTensor d : dx) if (d == null) return Arrays.asList((DTensor) null);
        return Arrays.asList(stitch(Arrays.asList(dx), "input gradient"));
    }

    /** A tensor the trace frees, not zero-filled: every slice and stitch writes all of it. */
    private DTensor uninitialised(int[] shape) {
        DTensor d = new DTensor(be, be.empty(Tensor.size(shape)), shape);
        owned.add(d);
        return d;
    }

    /** A folded (batch * steps, ...) gradient viewed as (batch, steps, ...) over the same buffer. */
    private DTensor unfolded(DTensor g) {
        int[] s = g.shape();
        int[] r = new int[s.length + 1];
        r[0] = b;
        r[1] = t;
        System.arraycopy(s, 1, r, 2, s.length - 1);
        return new DTensor(be, g.buf(), r);
    }

    @Override
    public void close() {
        for (Trace tr : steps) tr.close();
        steps.clear();
        for (DTensor d : owned) d.close();
        owned.clear();
    }
}
