package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Float32;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras Dropout: at training time each value is dropped with probability {@code rate} and the kept
 * ones are scaled by 1 / (1 - rate); at inference it is the identity. The mask is drawn by the
 * backend ({@link Backend#dropoutMask}): a counter-based hash of the layer's seed ({@link Layer#seed} or
 * {@link dev.jrnn.Jrnn#setSeed}), the call count and the element index, so CPU and CUDA draw the same
 * masks, nothing is copied from the host, and a captured CUDA graph draws a new mask at every replay
 * (the call count lives in the backend's memory). The input mask is passed on.
 *
 * <pre>{@code
 * Dropout d = new Dropout(0.2);
 * }</pre>
 */
public class Dropout extends Layer {
    private final double rate;
    private final float rate32;   // what the mask kernel uses, checked as such
    private final MaskStream masks = new MaskStream();

    /** {@code rate}: fraction of values to drop, in [0, 1). */
    public Dropout(double rate) {
        this.rate32 = Float32.check("Dropout: rate", rate, r -> r >= 0 && r < 1, "in [0, 1)");
        this.rate = rate;
    }

    @Override
    public String kerasClass() { return "Dropout"; }

    public double rate() { return rate; }

    @Override
    public List<int[]> computeOutputShapes(List<int[]> in) {
        return List.of(Layers.singleShape(this, in).clone());
    }

    @Override
    protected boolean weightsFit(List<int[]> built, List<int[]> given) { return given.size() == 1; }

    @Override
    protected void createParams(List<int[]> in) {}

    @Override
    protected void initParams(SplittableRandom r) {
        masks.seed(r.nextLong());
    }

    /**
     * The mask stream, for saving a training run: {seed, masks drawn so far}. {@link #maskStream(long, long)} puts it
     * back, so a resumed fit draws the masks the uninterrupted one would have drawn.
     */
    public long[] maskStream() { return masks.state(); }

    /** Sets the mask stream saved by {@link #maskStream()}; the layer must be built (its backend known). */
    public Dropout maskStream(long seed, long drawn) {
        masks.restore(backend(), name(), seed, drawn);
        return this;
    }

    /** Frees the mask counter (the next training call starts a new one from zero). */
    @Override
    public void releaseBuffers() { masks.release(); }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        int n = (int) x.size();
        List<DTensor> owned = new ArrayList<>();
        DTensor y, keep;
        try {
            y = DTensor.zeros(be, x.shape());
            owned.add(y);
            if (training && rate > 0) {
                keep = DTensor.zeros(be, x.shape());
                owned.add(keep);
                masks.draw(be, n, rate32, keep.buf(), 0);
                be.mul(n, x.buf(), 0, keep.buf(), 0, y.buf(), 0);
            } else {
                keep = null;
                be.copy(x.buf(), 0, y.buf(), 0, n);
            }
        } catch (RuntimeException | Error e) {
            Cleanup.each(owned, DTensor::close);
            throw e;
        }
        return new Trace() {
            @Override
            public List<DTensor> outputs() { return List.of(y); }

            @Override
            public DTensor outputMask() { return mask; }

            @Override
            public List<DTensor> backward(List<DTensor> dOut) {
                DTensor dy = Layers.gradient(Dropout.this, dOut, List.of(y));
                DTensor dx = DTensor.zeros(be, x.shape());
                owned.add(dx);
                if (dy != null) {
                    if (keep != null) be.mul(n, dy.buf(), 0, keep.buf(), 0, dx.buf(), 0);
                    else be.copy(dy.buf(), 0, dx.buf(), 0, n);
                }
                return List.of(dx);
            }

            @Override
            public void close() {
                for (DTensor d : owned) d.close();
                owned.clear();
            }
        };
    }

    @Override
    public Dropout name(String n) { super.name(n); return this; }

    @Override
    public Dropout seed(long s) { super.seed(s); return this; }

    @Override
    public Dropout inputShape(int... shape) { super.inputShape(shape); return this; }

    @Override
    public Dropout batchInputShape(int batch, int... shape) { super.batchInputShape(batch, shape); return this; }

    @Override
    public Dropout inputLength(int n) { super.inputLength(n); return this; }

    @Override
    public Dropout inputDim(int d) { super.inputDim(d); return this; }

    @Override
    public Dropout trainable(boolean t) { super.trainable(t); return this; }
}
