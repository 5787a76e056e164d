package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Base of the weightless noise layers active at training time only (Dropout, SpatialDropout1D, GaussianNoise,
 * GaussianDropout): the noise comes from the layer's {@link MaskStream} (a seed from {@link Layer#seed} or
 * {@link dev.jrnn.Jrnn#setSeed} and a draw counter in the backend's memory), so CPU and CUDA draw the same values and
 * a captured CUDA graph draws new ones at every replay. At inference the layer is the identity. The input mask is
 * passed on (Keras' {@code supports_masking}).
 */
abstract class Noise extends Layer implements RandomDraws {
    final MaskStream masks = new MaskStream();

    @Override
    public long[] maskStream() { return masks.state(); }

    @Override
    public Layer maskStream(long seed, long drawn) {
        masks.restore(backend(), name(), seed, drawn);
        return this;
    }

    /** Whether the layer changes anything in training (a rate or stddev above 0). */
    abstract boolean active();

    /**
     * Whether training zeroes every value: Keras' dropout of rate 1 returns {@code zeros_like(x)} (no draw, and a zero
     * gradient whatever x or dy hold, NaN and Inf included), not x times a zero mask.
     */
    boolean dropsAll() { return false; }

    /** True: y = x + noise (dx = dy); false: y = x * noise (dx = dy * noise). */
    abstract boolean additive();

    /** Draws the noise for input x: a new tensor shaped as x, added to {@code owned}. */
    abstract DTensor draw(Backend be, DTensor x, List<DTensor> owned);

    /** Gaussian noise of {@code mean} and {@code stddev} shaped as x, a new tensor to {@code owned}. */
    final DTensor normal(Backend be, DTensor x, float mean, float stddev, List<DTensor> owned) {
        DTensor noise = DTensor.zeros(be, x.shape());
        owned.add(noise);
        masks.drawNormal(be, x.size(), mean, stddev, noise.buf(), 0);
        return noise;
    }

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
        masks.seed(maskSeed(r));
    }

    /** Frees the draw counter (the next training call starts a new count from zero). */
    @Override
    public void releaseBuffers() { masks.release(); }

    @Override
    public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) {
        DTensor x = Layers.single(this, inputs);
        build(Layers.perSample(inputs));
        Backend be = backend();
        Layers.sameBackend(this, be, inputs);
        long n = x.size();
        List<DTensor> owned = new ArrayList<>();
        try {
            DTensor y = DTensor.zeros(be, x.shape());
            owned.add(y);
            boolean zero = training && dropsAll();   // y and dx stay the zeros they were made as
            DTensor noise = training && !zero && active() && n > 0 ? draw(be, x, owned) : null;
            if (!zero) be.copy(x.buf(), 0, y.buf(), 0, n);
            if (noise != null && additive()) be.axpy(n, 1f, noise.buf(), 0, y.buf(), 0);
            else if (noise != null) be.mul(n, y.buf(), 0, noise.buf(), 0, y.buf(), 0);
            return Layers.trace(this, y, mask, owned, dy -> {
                DTensor dx = DTensor.zeros(be, x.shape());
                owned.add(dx);
                if (dy != null && !zero) {
                    if (noise != null && !additive()) be.mul(n, dy.buf(), 0, noise.buf(), 0, dx.buf(), 0);
                    else be.copy(dy.buf(), 0, dx.buf(), 0, n);
                }
                return List.of(dx);
            });
        } catch (RuntimeException | Error e) {
            Cleanup.each(owned, DTensor::close);
            throw e;
        }
    }

    /** Keras 3's {@code supports_masking} is true here: a mask passes on where the steps stay. */
    @Override
    public boolean passesMask() { return true; }
}
