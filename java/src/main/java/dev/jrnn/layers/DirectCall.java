package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A layer called on host tensors, outside a model (Keras' eager {@code layer(x)}, {@code layer(x, mask=mask)} and
 * {@code layer.compute_mask(x, mask)}): the inputs checked, the layer built for them, one inference forward, the
 * outputs copied back with the masks they carry attached (Tensor#kerasMask, Keras' {@code _keras_mask}). Each input's
 * attached mask is used (an explicit mask replaces the main input's), as Keras' {@code __call__} does. The mask rule is the one models
 * apply (Pass): the layer's own output mask, else the input mask where the layer passes masks and its output keeps the
 * time axis.
 */
final class DirectCall {
    private DirectCall() {}

    /** What one call gave: every output, and the mask that goes on with the first (null: none). */
    record Result(List<Tensor> outputs, Tensor mask) {}

    static Result run(Layer layer, List<Tensor> inputs, Tensor mask) { return run(layer, inputs, mask, true); }

    /** {@link #run(Layer, List, Tensor)}; {@code warn} false for a mask query, which Keras' compute_mask never warns at. */
    private static Result run(Layer layer, List<Tensor> inputs, Tensor mask, boolean warn) {
        if (inputs == null || inputs.isEmpty()) throw new IllegalArgumentException(layer.name() + ": no input given");
        List<int[]> shapes = new ArrayList<>();
        for (Tensor t : inputs) {
            if (t == null) throw new IllegalArgumentException(layer.name() + ": an input is null");
            int[] s = t.shape();
            shapes.add(Arrays.copyOfRange(s, 1, s.length));
        }
        // each input's, as models give them (merges and attention read all); Keras 3's __call__ attaches none to a call
        // with more than one tensor argument, so a recurrent layer given initial states runs unmasked unless told
        boolean attached = inputs.size() == 1 || !(layer instanceof RecurrentLayer || layer instanceof Bidirectional);
        List<Tensor> masks = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor m = i == 0 && mask != null ? mask : attached ? inputs.get(i).kerasMask() : null;
            if (m != null) checkMask(layer, inputs.get(i), m);
            masks.add(m);
        }
        layer.build(shapes);
        Backend be = layer.backend();
        List<DTensor> dins = new ArrayList<>(), dmasks = new ArrayList<>();
        try {
            for (Tensor t : inputs) dins.add(DTensor.from(be, t));
            for (Tensor m : masks) dmasks.add(m == null ? null : DTensor.from(be, m));
            // an unmasked call (initial states) still passes its input's attached mask on (Trace.carriedMask)
            boolean unmasked = !attached && mask == null;
            Tensor carried = unmasked ? inputs.get(0).kerasMask() : null;
            if (carried != null) dmasks.add(DTensor.from(be, carried));   // after the call's masks: closed with them
            DTensor inputMask = carried != null ? dmasks.get(dmasks.size() - 1) : dmasks.get(0);
            Trace forward;
            try {
                forward = layer.forwardMasked(dins, dmasks.subList(0, inputs.size()), false);
            } catch (dev.jrnn.backend.BufferTooLargeException e) {
                throw e.in(layer.name(), "forward", inputs.get(0).shape().length == 0 ? 0 : inputs.get(0).shape()[0]);
            }
            try (Trace tr = forward) {
                List<Tensor> out = new ArrayList<>();
                Tensor m0 = null;
                for (int k = 0; k < tr.outputs().size(); k++) {
                    DTensor mk = Trace.carriedMask(layer, tr, k, inputMask, unmasked, warn);
                    Tensor mt = mk == null ? null : mk.toTensor();
                    if (k == 0) m0 = mt;
                    out.add(tr.outputs().get(k).toTensor().withKerasMask(mt));
                }
                return new Result(out, m0);
            }
        } finally {
            for (DTensor d : dins) d.close();
            for (DTensor d : dmasks) if (d != null) d.close();
        }
    }

    /**
     * Keras' {@code compute_mask(inputs, previous_mask)}: {@code mask} is the previous mask (null: none, whatever mask
     * {@code x} carries, as Keras' compute_mask reads only its argument). A stateful recurrent layer is not run (its states would move):
     * its mask is the input's where it returns sequences, as Keras' RNN.compute_mask.
     */
    static Tensor mask(Layer layer, Tensor x, Tensor mask) {
        if (layer.stateful()) {
            if (x == null) throw new IllegalArgumentException(layer.name() + ": computeMask: the input is null");
            if (mask != null) checkMask(layer, x, mask);
            if (layer instanceof TimeDistributed td) return timeDistributedMask(td.layer(), mask);
            boolean sequences = layer instanceof RecurrentLayer r ? r.returnSequences() : layer instanceof Bidirectional b && b.returnSequences();
            return sequences ? mask : null;
        }
        return run(layer, x == null ? null : List.of(x.withKerasMask(null)), mask, false).mask();
    }

    /**
     * What TimeDistributed's forward gives over a stateful RNN {@code inner}, without running it: a (batch, steps) mask as
     * it is; one with inner steps as it is where the RNN returns sequences, else a step kept where any inner step is.
     */
    private static Tensor timeDistributedMask(Layer inner, Tensor mask) {
        if (mask == null || mask.shape().length <= 2) return mask;
        if (inner instanceof RecurrentLayer r ? r.returnSequences() : inner instanceof Bidirectional b && b.returnSequences()) return mask;
        int[] sh = mask.shape();
        int rows = sh[0] * sh[1], per = (int) (mask.data().length / rows);
        float[] m = mask.data(), any = new float[rows];
        for (int i = 0; i < rows; i++) for (int k = 0; k < per && any[i] == 0f; k++) if (m[i * per + k] != 0f) any[i] = 1f;
        return Tensor.of(any, sh[0], sh[1]);
    }

    /**
     * A mask is Keras' (batch, timesteps) of the input, 1 to keep a step and 0 to skip it; or, as an Embedding with
     * maskZero gives over ids with an inner axis (batch, sentences, words), the input's leading axes.
     */
    private static void checkMask(Layer layer, Tensor x, Tensor mask) {
        int[] xs = x.shape(), ms = mask.shape();
        if (xs.length < 2) {
            throw new IllegalArgumentException(layer.name() + ": mask: the input " + Tensor.shapeString(xs)
                    + " has no time axis to mask (expected (batch, timesteps, ...))");
        }
        boolean leading = ms.length >= 2 && ms.length <= xs.length;
        for (int i = 0; leading && i < ms.length; i++) leading = ms[i] == xs[i];
        if (!leading) {
            throw new IllegalArgumentException(layer.name() + ": mask: expected shape " + Tensor.shapeString(new int[] {xs[0], xs[1]})
                    + " (batch, timesteps of the input " + Tensor.shapeString(xs) + "), got " + Tensor.shapeString(ms));
        }
        float[] m = mask.data();
        for (int i = 0; i < m.length; i++) {
            if (m[i] != 0f && m[i] != 1f) {
                throw new IllegalArgumentException(layer.name() + ": mask: expected 1 (keep the step) or 0 (skip it), got "
                        + m[i] + " at flat index " + i + " of " + Tensor.shapeString(ms));
            }
        }
    }
}
