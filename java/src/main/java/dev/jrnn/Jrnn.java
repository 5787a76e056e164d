package dev.jrnn;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Backends;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.Settings;

import java.util.SplittableRandom;

/**
 * Process-wide settings: the backend new layers and models use, the seed, the matrix precision.
 *
 * <pre>{@code
 * Jrnn.setSeed(42);            // reproducible initial weights and shuffles
 * Jrnn.setBackend("cpu");      // or "cuda", or "auto" (default; also -Djrnn.backend / JRNN_BACKEND)
 * }</pre>
 */
public final class Jrnn {
    private static Backend backend;
    private static String backendName;
    private static Precision precision = Precision.FP32;

    private Jrnn() {}

    /** The current backend, created on first use from -Djrnn.backend, JRNN_BACKEND, or "auto" (see {@link Settings}). */
    public static synchronized Backend backend() {
        if (backend == null) {
            Settings s = Settings.current();
            setBackend(Backends.create(s.backend(), s));
        }
        return backend;
    }

    /** Selects "auto", "cpu" or "cuda" for layers and models built from now on. */
    public static synchronized void setBackend(String name) {
        if (name == null) throw new IllegalArgumentException("Jrnn.setBackend: name is null, expected auto, cpu or cuda");
        Backend b = Backends.create(name);
        b.setPrecision(precision);
        backend = b;
        backendName = name;
    }

    /** Uses {@code b} for layers and models built from now on. */
    public static synchronized void setBackend(Backend b) {
        if (b == null) throw new IllegalArgumentException("Jrnn.setBackend: backend is null");
        b.setPrecision(precision);
        backend = b;
        backendName = b.name();
    }

    /** Matrix-product precision: FP32 (default), TF32 or BF16 (CUDA only; the CPU computes FP32). */
    public static synchronized void setPrecision(Precision p) {
        if (p == null) throw new IllegalArgumentException("Jrnn.setPrecision: precision is null, expected FP32, TF32 or BF16");
        precision = p;
        if (backend != null) backend.setPrecision(p);
    }

    /** The matrix-product precision {@link #setPrecision} set; default FP32. */
    public static synchronized Precision precision() { return precision; }

    /** Seeds every random choice jrnn makes from now on (initializers, shuffles, dropout). */
    public static void setSeed(long seed) {
        dev.jrnn.backend.GlobalRandom.setSeed(seed);
    }

    /** As Keras' clear_session(): default layer, model and metric object names ("lstm_1", "auc_1") count from zero again. */
    public static synchronized void clearSession() {
        dev.jrnn.backend.NameUids.reset();
    }

    /** A new independent random stream drawn from the global seed. */
    public static SplittableRandom nextRandom() {
        return dev.jrnn.backend.GlobalRandom.split();
    }
}
