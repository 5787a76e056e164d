package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A weightless one-input layer whose output moves, repeats or zero-fills its input's values (Reshape, Permute,
 * ZeroPadding1D, Cropping1D, UpSampling1D): {@link #rearrange} fills the output, {@link #rearrangeBackward} adds the
 * output gradient back into the (zeroed) input gradient. No mask passes on: Keras 3 drops the mask at layers that
 * do not define {@code compute_mask}, which none of these does.
 */
abstract class Rearrangement extends WeightlessLayer {
    /** Gather indices are floats: exact below 2^24 (GetItem, Permute). */
    static final int MAX_INDEX = 1 << 24;

    /**
     * The gather indices of the layers that gather (GetItem, Permute), made and uploaded once per shapes and kept until
     * {@link #releaseBuffers} (see MergeBroadcast.Indices); empty for the others.
     */
    final MergeBroadcast.Indices indices = new MergeBroadcast.Indices();

    @Override
    public void releaseBuffers() {
        indices.release();
        super.releaseBuffers();
    }

    /** Writes y (zeroed, shaped as {@link #computeOutputShapes} says for x) from x; new buffers go to {@code owned}. */
    abstract void rearrange(Backend be, DTensor x, DTensor y, List<DTensor> owned);

    /** Adds into dx (zeroed, shaped as x) the gradient that dy (shaped as y) gives it. */
    abstract void rearrangeBackward(Backend be, DTensor dy, DTensor dx, List<DTensor> owned);

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.singleBuilt(this, inputs, 2);
        Backend be = backend();
        int[] out = Layers.batchDims(computeOutputShapes(Layers.perSample(inputs)).get(0));
        out[0] = x.dim(0);
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor y = DTensor.zeros(be, out);
            owned.add(y);
            if (y.size() > 0) rearrange(be, x, y, owned);
            return Layers.trace(this, y, null, owned, dy -> {
                DTensor dx = DTensor.zeros(be, x.shape());
                owned.add(dx);
                if (dy != null && dy.size() > 0) rearrangeBackward(be, dy, dx, owned);
                return List.of(dx);
            });
        } catch (RuntimeException e) {
            for (DTensor d : owned) d.close();
            throw e;
        }
    }

    /** Keras 3 drops the mask here even where the time axis stays (none of these layers has compute_mask). */
    @Override
    public boolean passesMask() { return false; }

    /** Under TimeDistributed a mask of inner steps ends here too (a step kept where any of its inner steps is). */
    @Override
    boolean keepsInnerMask() { return false; }

    /** Refuses a per-sample input shape other than (steps, features), for the 1-D layers. */
    final void require3d(int[] s) {
        if (s.length != 2) {
            throw new IllegalArgumentException(name() + ": expected input (batch, steps, features), got " + Layers.withBatch(s));
        }
    }
}
