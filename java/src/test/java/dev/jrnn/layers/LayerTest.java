package dev.jrnn.layers;

import dev.jrnn.Jrnn;
import dev.jrnn.backend.DTensor;
import dev.jrnn.backend.cpu.CpuBackend;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Building is all or nothing: sizes are checked before anything is allocated, with messages naming
 * the layer and the parameter, and a layer whose build failed (too big, out of memory) stays unbuilt,
 * holds no buffer and builds fine later. Names and double settings are checked when they are given.
 */
class LayerTest {
    /** A layer with one weight whose initializer runs out of memory the first time. */
    static final class FailingInit extends Layer {
        boolean fail = true;

        @Override public String kerasClass() { return "FailingInit"; }
        @Override public List<int[]> computeOutputShapes(List<int[]> in) { return List.of(in.get(0).clone()); }
        @Override protected void createParams(List<int[]> in) { addParam("kernel", in.get(0)[0], 3); }
        @Override protected void initParams(SplittableRandom rng) {
            if (fail) {
                fail = false;
                throw new OutOfMemoryError("simulated: Java heap space");
            }
        }
        @Override public Trace forward(List<DTensor> inputs, DTensor mask, boolean training) { throw new UnsupportedOperationException(); }
    }

    @Test
    void aBuildThatRunsOutOfMemoryLeavesTheLayerUnbuiltAndNoBuffer() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        FailingInit l = new FailingInit();
        assertThrows(OutOfMemoryError.class, () -> l.build(List.of(new int[] {4})));
        assertFalse(l.isBuilt());
        assertTrue(l.params().isEmpty(), "declared parameters are forgotten");
        assertEquals(0, be.liveBuffers(), "the failed build's buffers were freed");
        IllegalStateException e = assertThrows(IllegalStateException.class, l::backend);
        assertTrue(e.getMessage().contains("not built"), e.getMessage());
        l.build(List.of(new int[] {4}));   // a retry builds cleanly
        assertTrue(l.isBuilt());
        assertEquals(1, l.params().size());
        assertArrayEquals(new int[] {4, 3}, l.params().get(0).shape());
    }

    @Test
    void aWeightTooBigForOneBufferIsRefusedBeforeAllocatingNamingLayerAndParameter() {
        CpuBackend be = CpuBackend.create();
        Jrnn.setBackend(be);
        Dense d = new Dense(20_000_000).name("big");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.build(List.of(new int[] {200})));
        assertTrue(e.getMessage().startsWith("big: parameter kernel of shape (200, 20000000) holds 4000000000 values"), e.getMessage());
        assertFalse(d.isBuilt());
        assertEquals(0, be.liveBuffers());
        IllegalStateException s = assertThrows(IllegalStateException.class, d::outputShapes);
        assertTrue(s.getMessage().contains("not built"), s.getMessage());
    }

    @Test
    void gateTimesUnitsOverflowIsRefusedAtConstructionNamingUnits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LSTM(600_000_000));
        assertTrue(e.getMessage().startsWith("LSTM: units 600000000 is too large: recurrent_kernel (600000000, 2400000000)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new GRU(30_000));
        assertTrue(e.getMessage().startsWith("GRU: units 30000 is too large"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Embedding(100_000, 100_000));
        assertTrue(e.getMessage().startsWith("Embedding: embeddings (100000, 100000) would hold 10000000000 values"), e.getMessage());
        assertEquals(26_000, new SimpleRNN(26_000).units());   // 26000^2 fits
    }

    @Test
    void namesAreCheckedWhenGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dense(2).name("a\uD800b"));
        assertTrue(e.getMessage().contains("lone surrogate") && e.getMessage().contains("U+D800"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Dense(2).name("a/b"));
        assertTrue(e.getMessage().contains("'/'"), e.getMessage());
        assertEquals("dense \uD83D\uDE00", new Dense(2).name("dense \uD83D\uDE00").name());   // a valid pair is fine
    }

    @Test
    void dropoutAndMaskingCheckTheFloatTheyUse() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0000001));
        assertTrue(e.getMessage().startsWith("Dropout: rate must be in [0, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Masking(1e39));
        assertTrue(e.getMessage().startsWith("Masking: maskValue must be finite") && e.getMessage().contains("Infinity"), e.getMessage());
        assertEquals(0.5, new Dropout(0.5).rate());
        assertEquals(-1.0, new Masking(-1.0).maskValue());
        Jrnn.setBackend(CpuBackend.create());
        Tensor y = new Masking(3.4e38).call(Tensor.full(3.4e38f, 1, 2, 2));
        assertArrayEquals(new float[4], y.toArray());   // the largest float still masks
    }

    @Test
    void nullShapesAndValuesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dense(2).name("d").inputShape((int[]) null));
        assertEquals("d: inputShape is null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Param("kernel", true, 2).set(null));
        assertEquals("kernel: value is null", e.getMessage());
    }

    /** Models.load's build: values left at zeros for the loader, the rest as a normal build (stream, wrappers). */
    @Test
    void buildForLoadingSkipsOnlyTheInitialValues() {
        Jrnn.setBackend("cpu");
        List<int[]> in = List.of(new int[] {3, 2});
        Jrnn.setSeed(3);
        Bidirectional normal = new Bidirectional(new LSTM(2));
        normal.build(in);
        Dense next = new Dense(2);
        next.build(List.of(new int[] {4}));
        Jrnn.setSeed(3);
        Bidirectional loaded = Layer.buildForLoading(() -> {
            Bidirectional b = new Bidirectional(new LSTM(2));
            b.build(in);
            return b;
        });
        Dense after = new Dense(2);
        after.build(List.of(new int[] {4}));
        assertEquals(normal.getWeights().size(), loaded.getWeights().size());
        for (Tensor w : loaded.getWeights()) assertArrayEquals(new float[w.data().length], w.data(), "left for the loader");
        assertTrue(normal.getWeights().stream().anyMatch(w -> w.data()[0] != 0f), "a normal build initialises");
        assertArrayEquals(next.getWeights().get(0).data(), after.getWeights().get(0).data(), "the random stream advanced as in a build");
        assertTrue(Layer.initialValuesNeeded(), "only inside buildForLoading");
    }
}
