package dev.jrnn.initializers;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * A Keras weight initializer ({@code keras.initializers}): what a layer's weight starts from at its build. Layers take
 * one per weight, as an object or by Keras' name ({@code kernelInitializer}, {@code recurrentInitializer},
 * {@code biasInitializer}, {@code embeddingsInitializer}); Keras' formulas and arguments, fans as Keras'
 * {@code compute_fans} ({@link Fans}). A seeded initializer draws from its own seed, the same values at every use
 * (as Keras' integer seeds); an unseeded one from the layer's stream ({@code Layer.seed}, else {@code Jrnn.setSeed}).
 * Keras' bits cannot be matched (its RNG is the backend's); the distributions are Keras'.
 *
 * <pre>{@code
 * LSTM lstm = new LSTM(64).kernelInitializer("he_normal").recurrentInitializer("orthogonal").biasInitializer("zeros");
 * Dense d = new Dense(1).kernelInitializer(Initializer.randomNormal(0.0, 0.01, 3));   // RandomNormal(stddev=0.01, seed=3)
 * float[] w = Initializer.glorotUniform().values(new int[] {4, 8}, new SplittableRandom(1));
 * }</pre>
 */
public sealed interface Initializer permits Constant, RandomUniform, RandomNormal, VarianceScaling, Orthogonal, Identity {
    /**
     * The values of a weight of {@code shape}, row-major; an unseeded initializer draws from {@code rng}. A shape it
     * cannot fill (Orthogonal below rank 2, Identity other than rank 2) is refused as Keras refuses it.
     */
    float[] values(int[] shape, SplittableRandom rng);

    /** Keras' class name, as its configs write it ("GlorotUniform", "Zeros", ...). */
    String kerasClass();

    /** The arguments as Keras 3's {@code get_config} writes them ({@code {"seed": null}}, {@code {"value": 0.5}}, ...). */
    Map<String, Object> kerasConfig();

    /** Refuses a weight rank this initializer cannot fill (Keras' Orthogonal needs 2 or more, Identity exactly 2). */
    default void checkRank(int rank) {}

    /** Keras' initializer of this name: a class name, its snake_case name or an alias ("he_normal", "HeNormal", "normal"), with its default arguments. */
    static Initializer of(String name) { return KerasInitializerNames.of(name, "Initializer.of: name"); }

    /**
     * Keras' initializer of class {@code className} (or its snake_case name, or an alias) with the arguments of a
     * Keras config ({@code {"seed": null}}, Keras 2's {@code "dtype"} ignored); an unknown class or argument is refused.
     */
    static Initializer fromConfig(String className, Map<String, ?> config) {
        return KerasInitializerNames.fromConfig(className, config, "Initializer.fromConfig: className");
    }

    /** Keras' Zeros. */
    static Initializer zeros() { return new Constant(0, "Zeros"); }

    /** Keras' Ones. */
    static Initializer ones() { return new Constant(1, "Ones"); }

    /** Keras' Constant(value). */
    static Initializer constant(double value) { return new Constant(value, "Constant"); }

    /** Keras' RandomUniform(minval, maxval) (Keras' defaults: -0.05, 0.05), unseeded. */
    static Initializer randomUniform(double minval, double maxval) { return new RandomUniform(minval, maxval, null); }

    /** Keras' RandomUniform(minval, maxval, seed). */
    static Initializer randomUniform(double minval, double maxval, long seed) { return new RandomUniform(minval, maxval, seed); }

    /** Keras' RandomNormal(mean, stddev) (Keras' defaults: 0, 0.05), unseeded. */
    static Initializer randomNormal(double mean, double stddev) { return new RandomNormal(mean, stddev, false, null); }

    /** Keras' RandomNormal(mean, stddev, seed). */
    static Initializer randomNormal(double mean, double stddev, long seed) { return new RandomNormal(mean, stddev, false, seed); }

    /** Keras' TruncatedNormal(mean, stddev): normal draws beyond 2 stddev from the mean drawn again; unseeded. */
    static Initializer truncatedNormal(double mean, double stddev) { return new RandomNormal(mean, stddev, true, null); }

    /** Keras' TruncatedNormal(mean, stddev, seed). */
    static Initializer truncatedNormal(double mean, double stddev, long seed) { return new RandomNormal(mean, stddev, true, seed); }

    /**
     * Keras' VarianceScaling(scale, mode, distribution): mode "fan_in", "fan_out" or "fan_avg"; distribution
     * "truncated_normal" ("normal" too, as Keras), "untruncated_normal" or "uniform"; unseeded.
     */
    static Initializer varianceScaling(double scale, String mode, String distribution) {
        return new VarianceScaling(scale, mode, distribution, null, "VarianceScaling");
    }

    /** Keras' VarianceScaling(scale, mode, distribution, seed). */
    static Initializer varianceScaling(double scale, String mode, String distribution, long seed) {
        return new VarianceScaling(scale, mode, distribution, seed, "VarianceScaling");
    }

    /** Keras' GlorotUniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). */
    static Initializer glorotUniform() { return VarianceScaling.preset("GlorotUniform", null); }

    /** Keras' GlorotUniform(seed). */
    static Initializer glorotUniform(long seed) { return VarianceScaling.preset("GlorotUniform", seed); }

    /** Keras' GlorotNormal: truncated normal with stddev sqrt(2 / (fan_in + fan_out)) after the truncation. */
    static Initializer glorotNormal() { return VarianceScaling.preset("GlorotNormal", null); }

    /** Keras' GlorotNormal(seed). */
    static Initializer glorotNormal(long seed) { return VarianceScaling.preset("GlorotNormal", seed); }

    /** Keras' HeUniform: U(-limit, limit), limit = sqrt(6 / fan_in). */
    static Initializer heUniform() { return VarianceScaling.preset("HeUniform", null); }

    /** Keras' HeUniform(seed). */
    static Initializer heUniform(long seed) { return VarianceScaling.preset("HeUniform", seed); }

    /** Keras' HeNormal: truncated normal with stddev sqrt(2 / fan_in) after the truncation. */
    static Initializer heNormal() { return VarianceScaling.preset("HeNormal", null); }

    /** Keras' HeNormal(seed). */
    static Initializer heNormal(long seed) { return VarianceScaling.preset("HeNormal", seed); }

    /** Keras' LecunUniform: U(-limit, limit), limit = sqrt(3 / fan_in). */
    static Initializer lecunUniform() { return VarianceScaling.preset("LecunUniform", null); }

    /** Keras' LecunUniform(seed). */
    static Initializer lecunUniform(long seed) { return VarianceScaling.preset("LecunUniform", seed); }

    /** Keras' LecunNormal: truncated normal with stddev sqrt(1 / fan_in) after the truncation. */
    static Initializer lecunNormal() { return VarianceScaling.preset("LecunNormal", null); }

    /** Keras' LecunNormal(seed). */
    static Initializer lecunNormal(long seed) { return VarianceScaling.preset("LecunNormal", seed); }

    /** Keras' Orthogonal(gain): orthonormal rows or columns of the (prod(shape[:-1]), shape[-1]) matrix, times gain; unseeded. */
    static Initializer orthogonal(double gain) { return new Orthogonal(gain, null); }

    /** Keras' Orthogonal(gain, seed). */
    static Initializer orthogonal(double gain, long seed) { return new Orthogonal(gain, seed); }

    /** Keras' Identity(gain): gain times the (rectangular) identity matrix; 2-D weights only. */
    static Initializer identity(double gain) { return new Identity(gain); }
}
