package dev.jrnn.backend;

/**
 * The counter-based random numbers behind {@link Backend#dropoutMask}: a pure function of
 * (seed, counter, index), so the CPU loop and the CUDA kernel ({@code kernels/train.cu}) draw the same
 * numbers bit for bit, in any order and any thread layout, and a captured CUDA graph draws fresh ones at
 * every replay by advancing a counter that lives in device memory.
 *
 * <p>The hash is splitmix64: {@code base = mix64(seed ^ (counter * 0xD1B54A32D192ED03))}, then
 * element {@code i} gets {@code mix64(base + (i + 1) * 0x9E3779B97F4A7C15)} (Java's SplittableRandom
 * stream seeded with {@code base}); its top 24 bits make a float in [0, 1) with no rounding.
 *
 * <pre>{@code
 * float u = CounterRng.uniform(42L, 0L, 7L);   // the 8th number of call 0 of stream 42
 * }</pre>
 */
public final class CounterRng {
    /** The golden-ratio increment of splitmix64. */
    public static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** Spreads the call counter before it meets the seed. */
    public static final long COUNTER_MUL = 0xD1B54A32D192ED03L;
    /** Counters are kept on the device as two floats (lo, hi), each an integer in [0, 2^24). */
    public static final int COUNTER_LIMB = 1 << 24;

    private CounterRng() {}

    /** The splitmix64 finalizer (Stafford's mix 13). */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The stream base of call {@code counter} of stream {@code seed}. */
    public static long base(long seed, long counter) {
        return mix64(seed ^ (counter * COUNTER_MUL));
    }

    /** Element {@code index} of a stream base, as a float in [0, 1) (a multiple of 2^-24). */
    public static float uniformAt(long base, long index) {
        long h = mix64(base + (index + 1) * GOLDEN);
        return (h >>> 40) * 0x1.0p-24f;
    }

    /** Element {@code index} of call {@code counter} of stream {@code seed}, in [0, 1). */
    public static float uniform(long seed, long counter, long index) {
        return uniformAt(base(seed, counter), index);
    }

    /**
     * Element {@code index} of a standard normal stream of base {@code base} (Box-Muller in double precision on
     * uniforms {@code 2 index} and {@code 2 index + 1}): {@code sqrt(-2 ln(1 - u1)) cos(2 pi u2)}, so |z| &lt;= 5.77
     * (the uniforms' 24 bits bound the tail). {@code kernels/train.cu} computes the same in double.
     */
    public static double normal(long base, long index) {
        double u1 = uniformAt(base, 2 * index), u2 = uniformAt(base, 2 * index + 1);
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** The counter a (lo, hi) float pair holds: {@code hi * 2^24 + lo}. */
    public static long counter(float lo, float hi) {
        return (long) hi * COUNTER_LIMB + (long) lo;
    }

    /** The low limb of counter {@code c} (a float holding an integer in [0, 2^24)). */
    public static float lo(long c) {
        return (float) (c & (COUNTER_LIMB - 1));
    }

    /** The high limb of counter {@code c}. */
    public static float hi(long c) {
        return (float) (c >>> 24);
    }
}
