package dev.jrnn.io.keras;

import dev.jrnn.Jrnn;
import dev.jrnn.layers.Cropping1D;
import dev.jrnn.layers.Dense;
import dev.jrnn.layers.Dot;
import dev.jrnn.layers.GaussianDropout;
import dev.jrnn.layers.GaussianNoise;
import dev.jrnn.layers.Maximum;
import dev.jrnn.layers.Minimum;
import dev.jrnn.layers.Subtract;
import dev.jrnn.layers.UpSampling1D;
import dev.jrnn.layers.ZeroPadding1D;
import dev.jrnn.layers.LSTM;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Node;
import dev.jrnn.layers.Permute;
import dev.jrnn.layers.Reshape;
import dev.jrnn.layers.SpatialDropout1D;
import dev.jrnn.model.Input;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KerasWeightlessLayers}: configs as Keras 3's get_config writes them, read and written back, and a saved model reloaded. */
class KerasWeightlessLayersTest {
    @BeforeAll
    static void cpu() { Jrnn.setBackend("cpu"); }

    /** A Keras 3 layer spec with {@code options} after name, trainable and dtype, as Keras serialises it. */
    static Map<String, Object> spec(String cls, Object... options) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", "l");
        if (!cls.equals("SpatialDropout1D")) c.put("trainable", true);   // Keras 3's get_config has none for it
        c.put("dtype", "float32");
        for (int i = 0; i < options.length; i += 2) c.put((String) options[i], options[i + 1]);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("module", "keras.layers");
        s.put("class_name", cls);
        s.put("config", c);
        s.put("registered_name", null);
        return s;
    }

    private static Layer roundTrip(Map<String, Object> spec) {
        Layer l = new KerasLayers(3, "m.keras").build(new KerasConfig(spec, "layers[0]"));
        assertEquals(spec, KerasLayers.config(l));
        return l;
    }

    @Test
    void reshapeAndPermuteReadAndWriteTheirOptions() {
        Layer r = roundTrip(spec("Reshape", "target_shape", List.of(-1L, 2L)));
        assertArrayEquals(new int[] {-1, 2}, assertInstanceOf(Reshape.class, r).targetShape());
        Layer p = roundTrip(spec("Permute", "dims", List.of(2L, 1L)));
        assertArrayEquals(new int[] {2, 1}, assertInstanceOf(Permute.class, p).dims());
    }

    @Test
    void oneDimensionalLayersReadAndWriteTheirOptions() {
        Layer z = roundTrip(spec("ZeroPadding1D", "padding", List.of(1L, 2L), "data_format", "channels_last"));
        assertArrayEquals(new int[] {1, 2}, assertInstanceOf(ZeroPadding1D.class, z).padding());
        Layer c = roundTrip(spec("Cropping1D", "cropping", List.of(0L, 3L)));
        assertArrayEquals(new int[] {0, 3}, assertInstanceOf(Cropping1D.class, c).cropping());
        assertEquals(3, assertInstanceOf(UpSampling1D.class, roundTrip(spec("UpSampling1D", "size", 3L))).size());
        // an int for both ends, as a hand-written config may give it
        KerasLayers k = new KerasLayers(3, "m.keras");
        assertArrayEquals(new int[] {2, 2}, ((ZeroPadding1D) k.build(new KerasConfig(spec("ZeroPadding1D", "padding", 2L), "l"))).padding());
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(
                spec("ZeroPadding1D", "padding", 1L, "data_format", "channels_first"), "l")));
        assertTrue(e.getMessage().contains("data_format='channels_first' is not supported"), e.getMessage());
        e = assertThrows(KerasFormatException.class, () -> k.build(new KerasConfig(spec("Cropping1D", "cropping", List.of(1L, -1L)), "l")));
        assertTrue(e.getMessage().contains("layer 'l' (Cropping1D): Cropping1D: cropping must be >= 0"), e.getMessage());
    }

    @Test
    void mergeLayersReadAndWriteTheirOptions() {
        assertInstanceOf(Subtract.class, roundTrip(spec("Subtract")));
        assertInstanceOf(Maximum.class, roundTrip(spec("Maximum")));
        assertInstanceOf(Minimum.class, roundTrip(spec("Minimum")));
        Dot one = assertInstanceOf(Dot.class, roundTrip(spec("Dot", "axes", -1L, "normalize", true)));
        assertArrayEquals(new int[] {-1}, one.axes());
        assertTrue(one.normalize());
        Dot two = assertInstanceOf(Dot.class, roundTrip(spec("Dot", "axes", List.of(1L, 2L), "normalize", false)));
        assertArrayEquals(new int[] {1, 2}, two.axes());
    }

    @Test
    void noiseLayersReadAndWriteTheirOptions() {
        // Keras' get_config writes each one's seed (None or an int)
        SpatialDropout1D sd = assertInstanceOf(SpatialDropout1D.class, roundTrip(spec("SpatialDropout1D", "rate", 0.25, "seed", 3L)));
        assertEquals(0.25, sd.rate());
        assertEquals(3L, sd.seed());
        GaussianNoise gn = assertInstanceOf(GaussianNoise.class, roundTrip(spec("GaussianNoise", "stddev", 0.1, "seed", null)));
        assertEquals(0.1, gn.stddev());
        assertEquals(null, gn.seed());
        GaussianDropout gd = assertInstanceOf(GaussianDropout.class, roundTrip(spec("GaussianDropout", "rate", 0.3, "seed", 11L)));
        assertEquals(0.3, gd.rate());
        assertEquals(11L, gd.seed());
        KerasFormatException e = assertThrows(KerasFormatException.class, () -> new KerasLayers(3, "m.keras")
                .build(new KerasConfig(spec("GaussianNoise", "stddev", -0.5), "l")));
        assertTrue(e.getMessage().contains("layer 'l' (GaussianNoise): GaussianNoise: stddev must be in [0, 1]"), e.getMessage());
    }

    @Test
    void badOptionsNameTheLayer() {
        KerasLayers k = new KerasLayers(3, "m.keras");
        KerasFormatException e = assertThrows(KerasFormatException.class,
                () -> k.build(new KerasConfig(spec("Permute", "dims", List.of(1L, 3L)), "layers[4]")));
        assertTrue(e.getMessage().startsWith("layer 'l' (Permute): Permute: dims must be a permutation of 1..2"), e.getMessage());
        e = assertThrows(KerasFormatException.class,
                () -> k.build(new KerasConfig(spec("Reshape", "target_shape", List.of("a")), "layers[4]")));
        assertTrue(e.getMessage().contains("'target_shape' should be a list of integers, got [a]"), e.getMessage());
    }

    /** A model of every layer read here: saved, reloaded, the same predictions. */
    @Test
    void savedModelReloads(@TempDir Path dir) throws Exception {
        Input in = Input.shape(12).name("x");
        Node h = new Permute(2, 1).name("perm").apply(new Reshape(-1, 3).name("rs").apply(in));
        h = new Cropping1D(1, 2).apply(new UpSampling1D(2).apply(new ZeroPadding1D(1, 0).apply(h)));   // (3, 4) -> (5, 4)
        Node d = new Dense(4).name("d").apply(h);
        Node merged = new Subtract().apply(new Maximum().apply(h, d), new Minimum().apply(h, d));
        Node scores = new Dot(2).normalize(true).name("dot").apply(merged, h);
        Node noisy = new GaussianDropout(0.2).apply(new GaussianNoise(0.1).apply(new SpatialDropout1D(0.3).apply(scores)));
        Model m = new Model(in, new Dense(2).name("head").apply(new LSTM(3).name("lstm").apply(noisy)));
        Tensor x = Tensor.wrap(randoms(5 * 12), 5, 12);
        Tensor want = m.predict(x);
        m.save(dir.resolve("m.keras"));
        try (Model back = Models.load(dir.resolve("m.keras"))) {
            assertArrayEquals(want.data(), back.predict(x).data(), 0f);
            assertInstanceOf(Permute.class, back.getLayer("perm"));
            assertTrue(assertInstanceOf(Dot.class, back.getLayer("dot")).normalize());
        }
        m.close();
    }

    static float[] randoms(int n) {
        SplittableRandom rng = new SplittableRandom(7);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) rng.nextDouble(-1, 1);
        return d;
    }
}
