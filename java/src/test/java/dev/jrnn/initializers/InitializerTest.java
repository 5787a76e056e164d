package dev.jrnn.initializers;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keras' initializers against Keras 3's formulas (keras/src/initializers/random_initializers.py, constant_initializers.py):
 * limits, means and variances of large draws, truncation bounds, their names and aliases (initializers/__init__.py's
 * ALL_OBJECTS_DICT) and configs (each class's get_config).
 */
class InitializerTest {
    /** Keras' VarianceScaling divides a truncated normal's stddev by this: the sd of a unit normal cut at ±2. */
    private static final double CUT = 0.87962566103423978;
    /** The kurtosis E z⁴ / (E z²)² of a unit normal cut at ±2 (numpy: trapezoid integration of z⁴ and z² over the cut density), 2.3655. */
    private static final double CUT_KURTOSIS = 2.3655;

    private static float[] draw(Initializer i, int... shape) { return i.values(shape, new SplittableRandom(42)); }

    @Test
    void theTruncatedStddevIsTheCutNormals() {
        // variance of a unit normal cut at ±2: 1 - 2·2·φ(2) / (Φ(2) - Φ(-2)), φ(2) = 0.0539909665, Φ(2) - Φ(-2) = 0.9544997361
        double v = 1 - 4 * 0.0539909665 / 0.9544997361;
        assertEquals(CUT, Math.sqrt(v), 1e-8);
        assertEquals(CUT, VarianceScaling.TRUNCATED_STDDEV);
    }

    @Test
    void constantsFillTheShape() {
        assertArrayEquals(new float[6], draw(Initializer.zeros(), 2, 3));
        float[] ones = new float[4];
        Arrays.fill(ones, 1f);
        assertArrayEquals(ones, draw(Initializer.ones(), 4));
        float[] c = new float[3 * 2 * 2];
        Arrays.fill(c, -0.25f);
        assertArrayEquals(c, draw(Initializer.constant(-0.25), 3, 2, 2));
    }

    @Test
    void randomUniformHasKerasLimitsMeanAndVariance() {
        // U(-1, 3): mean 1, variance (3 - -1)² / 12
        Stats.of(draw(Initializer.randomUniform(-1, 3), 200, 100)).within(-1, 3, "uniform").reaches(-1, 3, 0.01, "uniform")
                .near(1, 4 / Math.sqrt(12), 1.8, "uniform");
        Stats.of(draw(Initializer.of("uniform"), 100, 100)).within(-0.05, 0.05, "default").near(0, 0.1 / Math.sqrt(12), 1.8, "Keras' default uniform");
    }

    @Test
    void randomNormalHasKerasMeanAndStddev() {
        Stats s = Stats.of(draw(Initializer.randomNormal(2, 0.5), 200, 100)).near(2, 0.5, 3, "normal");
        assertTrue(s.max() > 2 + 3 * 0.5 && s.min() < 2 - 3 * 0.5, "not truncated: " + s);
        Stats.of(draw(Initializer.of("random_normal"), 100, 100)).near(0, 0.05, 3, "Keras' default normal");
    }

    @Test
    void truncatedNormalIsCutAtTwoStddevs() {
        // mean 1, stddev 2: values in [1 - 4, 1 + 4], their sd 2 · 0.8796
        Stats.of(draw(Initializer.truncatedNormal(1, 2), 200, 100)).within(-3, 5, "truncated").reaches(-3, 5, 0.05, "truncated")
                .near(1, 2 * CUT, CUT_KURTOSIS, "truncated");
    }

    /** Each variance-scaling preset on a (fan_in 100, fan_out 300) kernel: Keras' limit or stddev. */
    @Test
    void thePresetsScaleByTheirFans() {
        int in = 100, out = 300;
        record Want(Initializer init, boolean uniform, double scaleOverN) {}
        List<Want> wants = List.of(
                new Want(Initializer.glorotUniform(), true, 2.0 / (in + out)),
                new Want(Initializer.glorotNormal(), false, 2.0 / (in + out)),
                new Want(Initializer.heUniform(), true, 2.0 / in),
                new Want(Initializer.heNormal(), false, 2.0 / in),
                new Want(Initializer.lecunUniform(), true, 1.0 / in),
                new Want(Initializer.lecunNormal(), false, 1.0 / in),
                new Want(Initializer.varianceScaling(3, "fan_out", "uniform"), true, 3.0 / out),
                new Want(Initializer.varianceScaling(0.5, "fan_avg", "truncated_normal"), false, 0.5 / ((in + out) / 2.0)),
                new Want(Initializer.varianceScaling(2, "fan_in", "normal"), false, 2.0 / in));   // Keras: "normal" is truncated
        for (Want w : wants) {
            Stats s = Stats.of(draw(w.init(), in, out));
            String what = w.init().toString();
            if (w.uniform()) {
                double limit = Math.sqrt(3 * w.scaleOverN());   // glorot: sqrt(6 / (in + out)); he: sqrt(6 / in); lecun: sqrt(3 / in)
                s.within(-limit, limit, what).reaches(-limit, limit, limit / 100, what).near(0, limit / Math.sqrt(3), 1.8, what);
            } else {
                double sd = Math.sqrt(w.scaleOverN()), cut = 2 * sd / CUT;   // the sd after the cut is Keras' sqrt(scale / n)
                s.within(-cut, cut, what).reaches(-cut, cut, cut / 20, what).near(0, sd, CUT_KURTOSIS, what);
            }
        }
        Stats.of(draw(Initializer.varianceScaling(2, "fan_in", "untruncated_normal"), in, out)).near(0, Math.sqrt(2.0 / in), 3, "untruncated");
    }

    @Test
    void glorotUniformsLimitIsExactlyKerasFormula() {
        // 3 * scale / fan_avg in one division: the limit is sqrt(6 / (in + out)) to the last bit
        float[] v = Initializer.glorotUniform().values(new int[] {7, 5}, new SplittableRandom(3));
        SplittableRandom r = new SplittableRandom(3);
        double limit = Math.sqrt(6.0 / 12);
        for (float x : v) assertEquals((float) (-limit + 2 * limit * r.nextDouble()), x);
    }

    @Test
    void orthogonalHasOrthonormalRowsOrColumnsTimesGain() {
        Stats.assertOrthonormal(draw(Initializer.orthogonal(1), 16, 64), 16, 64, 1);    // a recurrent kernel (units, 4 units): rows
        Stats.assertOrthonormal(draw(Initializer.orthogonal(2), 40, 10), 40, 10, 2);    // columns, times gain 2
        Stats.assertOrthonormal(draw(Initializer.orthogonal(1), 3, 4, 8), 12, 8, 1);    // a Conv1D kernel as its (3·4, 8) matrix
    }

    @Test
    void identityIsTheRectangularEyeTimesGain() {
        assertArrayEquals(new float[] {2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0}, draw(Initializer.identity(2), 3, 5));
        assertArrayEquals(new float[] {1, 0, 0, 1, 0, 0}, draw(Initializer.of("identity"), 3, 2));
        assertThrows(IllegalArgumentException.class, () -> draw(Initializer.identity(1), 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> draw(Initializer.orthogonal(1), 8));
    }

    @Test
    void aSeedGivesTheSameValuesWhateverTheLayersStream() {
        for (Initializer i : List.of(Initializer.heNormal(7), Initializer.randomUniform(0, 1, 7), Initializer.randomNormal(0, 1, 7),
                Initializer.truncatedNormal(0, 1, 7), Initializer.orthogonal(1, 7), Initializer.varianceScaling(1, "fan_in", "uniform", 7))) {
            float[] a = i.values(new int[] {6, 8}, new SplittableRandom(1)), b = i.values(new int[] {6, 8}, new SplittableRandom(2));
            assertArrayEquals(a, b, i + ": its own seed, not the stream");
            assertFalse(Arrays.equals(a, withSeed(i, 8).values(new int[] {6, 8}, new SplittableRandom(1))), i + ": another seed, other values");
        }
        Initializer unseeded = Initializer.heNormal();
        assertArrayEquals(unseeded.values(new int[] {6, 8}, new SplittableRandom(5)), unseeded.values(new int[] {6, 8}, new SplittableRandom(5)),
                "unseeded: the stream decides");
        assertFalse(Arrays.equals(unseeded.values(new int[] {6, 8}, new SplittableRandom(5)),
                unseeded.values(new int[] {6, 8}, new SplittableRandom(6))));
    }

    private static Initializer withSeed(Initializer i, long seed) {
        Map<String, Object> c = new LinkedHashMap<>(i.kerasConfig());
        c.put("seed", seed);
        return Initializer.fromConfig(i.kerasClass(), c);
    }

    /** Every name Keras 3's initializers.get takes: class names, snake_case names and the aliases. */
    @Test
    void kerasNamesAndAliases() {
        Map<String, Initializer> want = new LinkedHashMap<>();
        want.put("zeros", Initializer.zeros());
        want.put("Zeros", Initializer.zeros());
        want.put("zero", Initializer.zeros());
        want.put("ones", Initializer.ones());
        want.put("one", Initializer.ones());
        want.put("constant", Initializer.constant(0));
        want.put("Constant", Initializer.constant(0));
        want.put("random_uniform", Initializer.randomUniform(-0.05, 0.05));
        want.put("uniform", Initializer.randomUniform(-0.05, 0.05));
        want.put("RandomNormal", Initializer.randomNormal(0, 0.05));
        want.put("normal", Initializer.randomNormal(0, 0.05));
        want.put("truncated_normal", Initializer.truncatedNormal(0, 0.05));
        want.put("TruncatedNormal", Initializer.truncatedNormal(0, 0.05));
        want.put("glorot_uniform", Initializer.glorotUniform());
        want.put("GlorotNormal", Initializer.glorotNormal());
        want.put("he_uniform", Initializer.heUniform());
        want.put("HeNormal", Initializer.heNormal());
        want.put("lecun_uniform", Initializer.lecunUniform());
        want.put("lecun_normal", Initializer.lecunNormal());
        want.put("variance_scaling", Initializer.varianceScaling(1, "fan_in", "truncated_normal"));
        want.put("orthogonal", Initializer.orthogonal(1));
        want.put("OrthogonalInitializer", Initializer.orthogonal(1));
        want.put("Identity", Initializer.identity(1));
        want.put("IdentityInitializer", Initializer.identity(1));
        want.forEach((name, init) -> assertEquals(init, Initializer.of(name), name));
        assertNotEquals(Initializer.glorotUniform(), Initializer.varianceScaling(1, "fan_avg", "uniform"), "Keras keeps the class apart");
        for (String bad : List.of("STFT", "glorot", "HE_NORMAL", "he-normal")) assertThrows(IllegalArgumentException.class, () -> Initializer.of(bad), bad);
    }

    /** Keras 3's get_config of each class, as its sources write it (the base's seed first). */
    @Test
    void configsAreKerasGetConfig() {
        Map<String, Object> seedNull = new LinkedHashMap<>();
        seedNull.put("seed", null);
        assertEquals(seedNull, Initializer.heNormal().kerasConfig());
        assertEquals("HeNormal", Initializer.heNormal().kerasClass());
        assertEquals(Map.of("seed", 3L), Initializer.glorotUniform(3).kerasConfig());
        assertEquals(Map.of(), Initializer.zeros().kerasConfig());
        assertEquals("Ones", Initializer.ones().kerasClass());
        assertEquals(Map.of("value", 0.5), Initializer.constant(0.5).kerasConfig());
        assertEquals(List.of("seed", "mean", "stddev"), List.copyOf(Initializer.randomNormal(0, 0.01, 3).kerasConfig().keySet()));
        assertEquals(Map.of("seed", 3L, "mean", 0.0, "stddev", 0.01), Initializer.randomNormal(0, 0.01, 3).kerasConfig());
        assertEquals("TruncatedNormal", Initializer.truncatedNormal(0, 1).kerasClass());
        assertEquals(List.of("seed", "minval", "maxval"), List.copyOf(Initializer.randomUniform(-1, 1).kerasConfig().keySet()));
        assertEquals(List.of("seed", "scale", "mode", "distribution"),
                List.copyOf(Initializer.varianceScaling(2, "fan_out", "uniform").kerasConfig().keySet()));
        assertEquals(Map.of("seed", 1L, "scale", 2.0, "mode", "fan_out", "distribution", "truncated_normal"),
                Initializer.varianceScaling(2, "fan_out", "normal", 1).kerasConfig(), "\"normal\" written as Keras keeps it");
        assertEquals(List.of("seed", "gain"), List.copyOf(Initializer.orthogonal(1).kerasConfig().keySet()));
        assertEquals(Map.of("gain", 2.0), Initializer.identity(2).kerasConfig());
    }

    /**
     * The record built directly with a null Keras class (its arguments valid) is Keras' VarianceScaling: it threw a bare
     * NullPointerException. Keras 3.15.1: {@code keras.initializers.VarianceScaling(1, "fan_in", "normal")} serializes as
     * class_name VarianceScaling, get_config {'seed': None, 'scale': 1, 'mode': 'fan_in', 'distribution': 'truncated_normal', ...}.
     */
    @Test
    void aVarianceScalingRecordWithoutAClassIsVarianceScaling() {
        VarianceScaling v = new VarianceScaling(1, "fan_in", "normal", null, null);
        assertEquals("VarianceScaling", v.kerasClass());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", null);
        c.putAll(Map.of("scale", 1.0, "mode", "fan_in", "distribution", "truncated_normal"));
        assertEquals(c, v.kerasConfig());
        assertEquals(Initializer.varianceScaling(1, "fan_in", "normal"), v);
    }

    @Test
    void configsReadBack() {
        for (Initializer i : List.of(Initializer.zeros(), Initializer.ones(), Initializer.constant(-3), Initializer.randomUniform(-1, 2, 4),
                Initializer.randomNormal(1, 2), Initializer.truncatedNormal(0, 0.1, 9), Initializer.glorotUniform(), Initializer.glorotNormal(1),
                Initializer.heUniform(), Initializer.heNormal(2), Initializer.lecunUniform(3), Initializer.lecunNormal(),
                Initializer.varianceScaling(0.3, "fan_avg", "untruncated_normal", 5), Initializer.orthogonal(1.5, 6), Initializer.identity(0.5))) {
            assertEquals(i, Initializer.fromConfig(i.kerasClass(), i.kerasConfig()), i.kerasClass());
        }
        // Keras 2's configs: dtype ignored, Keras 3.15's fan axes null, integer numbers
        assertEquals(Initializer.glorotUniform(), Initializer.fromConfig("GlorotUniform", mapOf("seed", null, "dtype", "float32")));
        assertEquals(Initializer.heNormal(), Initializer.fromConfig("HeNormal", mapOf("seed", null, "input_axes", null, "output_axes", null)));
        assertEquals(Initializer.orthogonal(1), Initializer.fromConfig("Orthogonal", mapOf("gain", 1L, "seed", null, "dtype", "float32")));
        assertEquals(Initializer.randomUniform(-0.05, 0.05), Initializer.fromConfig("RandomUniform", Map.of()), "Keras' defaults");
    }

    private static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
