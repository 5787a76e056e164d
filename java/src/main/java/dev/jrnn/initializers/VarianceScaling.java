package dev.jrnn.initializers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Keras' VarianceScaling(scale, mode, distribution, seed), and its presets Glorot, He and Lecun (uniform and normal;
 * {@code kerasClass} names which; null: VarianceScaling). With n the fan of {@code mode} ({@link Fans}; fan_avg their mean; at least 1):
 * "uniform" draws U(-limit, limit), limit = sqrt(3 scale / n); "untruncated_normal" N(0, scale / n);
 * "truncated_normal" a normal cut at 2 stddev whose stddev after the cut is sqrt(scale / n) (so Keras' stddev
 * sqrt(scale / n) / 0.87962566103423978 before it). Seed null draws from the layer's stream.
 */
public record VarianceScaling(double scale, String mode, String distribution, Long seed, String kerasClass) implements Initializer {
    /** The standard deviation of a unit normal cut at ±2: Keras divides by it so that the cut values have the asked one. */
    public static final double TRUNCATED_STDDEV = 0.87962566103423978;

    private static final Set<String> MODES = Set.of("fan_in", "fan_out", "fan_avg");
    private static final Set<String> DISTRIBUTIONS = Set.of("truncated_normal", "untruncated_normal", "uniform");
    /** Keras' presets: class name -> scale, mode, distribution. */
    private static final Map<String, Object[]> PRESETS = Map.of(
            "GlorotUniform", new Object[] {1.0, "fan_avg", "uniform"}, "GlorotNormal", new Object[] {1.0, "fan_avg", "truncated_normal"},
            "HeUniform", new Object[] {2.0, "fan_in", "uniform"}, "HeNormal", new Object[] {2.0, "fan_in", "truncated_normal"},
            "LecunUniform", new Object[] {1.0, "fan_in", "uniform"}, "LecunNormal", new Object[] {1.0, "fan_in", "truncated_normal"});

    /** Checks the arguments as Keras does ("normal" reads as "truncated_normal") and that a preset keeps its own. */
    public VarianceScaling {
        if (kerasClass == null) kerasClass = "VarianceScaling";   // the record built directly: Keras' VarianceScaling
        dev.jrnn.tensor.Float32.check(kerasClass + ": scale", scale, x -> x > 0 && Double.isFinite(x), "positive and finite (in float32)");
        if (mode == null || !MODES.contains(mode)) throw new IllegalArgumentException(kerasClass + ": mode must be \"fan_in\", \"fan_out\" or \"fan_avg\", got " + quoted(mode));
        String d = distribution == null ? null : distribution.toLowerCase(java.util.Locale.ROOT);
        if ("normal".equals(d)) d = "truncated_normal";   // as Keras
        if (d == null || !DISTRIBUTIONS.contains(d)) {
            throw new IllegalArgumentException(kerasClass + ": distribution must be \"truncated_normal\", \"untruncated_normal\" or \"uniform\", got "
                    + quoted(distribution));
        }
        distribution = d;
        Object[] p = PRESETS.get(kerasClass);
        if (!"VarianceScaling".equals(kerasClass) && (p == null || (double) p[0] != scale || !p[1].equals(mode) || !p[2].equals(distribution))) {
            throw new IllegalArgumentException("VarianceScaling: kerasClass must be VarianceScaling or a preset with its own arguments "
                    + PRESETS.keySet() + ", got " + kerasClass);
        }
    }

    /** The preset {@code cls} (GlorotUniform, HeNormal, ...). */
    static VarianceScaling preset(String cls, Long seed) {
        Object[] p = PRESETS.get(cls);
        return new VarianceScaling((double) p[0], (String) p[1], (String) p[2], seed, cls);
    }

    /** Whether {@code cls} is one of the presets. */
    static boolean isPreset(String cls) { return PRESETS.containsKey(cls); }

    private static String quoted(String s) { return s == null ? "null" : "\"" + s + "\""; }

    @Override
    public float[] values(int[] shape, SplittableRandom rng) {
        Fans f = Fans.of(shape);
        double n = switch (mode) {
            case "fan_in" -> f.in();
            case "fan_out" -> f.out();
            default -> (f.in() + f.out()) / 2.0;
        };
        n = Math.max(1.0, n);
        SplittableRandom r = Draws.stream(seed, rng);
        int size = Draws.size(shape);
        return switch (distribution) {
            // 3 * scale / n in one division: glorot_uniform's limit is then exactly sqrt(6 / (fan_in + fan_out))
            case "uniform" -> {
                double limit = Math.sqrt(3.0 * scale / n);
                yield Draws.uniform(r, -limit, limit, size);
            }
            case "untruncated_normal" -> Draws.normal(r, 0, Math.sqrt(scale / n), size);
            default -> Draws.truncatedNormal(r, 0, Math.sqrt(scale / n) / TRUNCATED_STDDEV, size);
        };
    }

    @Override
    public Map<String, Object> kerasConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("seed", seed);
        if (kerasClass.equals("VarianceScaling")) {
            c.put("scale", scale);
            c.put("mode", mode);
            c.put("distribution", distribution);
        }
        return c;
    }
}
