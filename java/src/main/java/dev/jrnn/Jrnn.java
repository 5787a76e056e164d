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
    /** Whether {@link #backend} was made here from a name (the default, or {@link #setBackend(String)}), not handed in. */
    private static boolean madeByName;
    private static Precision precision = Precision.FP32;

    private Jrnn() {}

    /**
     * The current backend, created on first use from -Djrnn.backend, JRNN_BACKEND, or "auto" (see {@link Settings}).
     * After {@code Jrnn.backend().close()}, a backend made here (that default, or one named to
     * {@link #setBackend(String)}) is replaced by a new one of the same name, as Keras' global state is simply there
     * again; models built on the closed one stay unusable. A closed backend handed to {@link #setBackend(Backend)} is
     * the caller's to replace: it is returned as it is, and building a model on it throws a
     * {@link dev.jrnn.backend.BackendClosedException} saying to call {@code setBackend}.
     *
     * <pre>{@code
     * Jrnn.backend().close();               // gives back everything the default backend held
     * Backend fresh = Jrnn.backend();       // a new default backend
     * }</pre>
     */
    public static synchronized Backend backend() {
        if (backend == null || backend.isClosed() && madeByName) {
            Settings s = Settings.current();
            String name = backend == null ? s.backend().name().toLowerCase(java.util.Locale.ROOT) : backendName;
            Backend b = Backends.create(name, s);
            b.setPrecision(precision);
            backend = b;
            backendName = b.name();   // the resolved name ("cpu", "cuda"): a replacement does not probe CUDA again
            madeByName = true;
        }
        return backend;
    }

    /** Selects "auto", "cpu" or "cuda" for layers and models built from now on. */
    public static synchronized void setBackend(String name) {
        if (name == null) throw new IllegalArgumentException("Jrnn.setBackend: name is null, expected auto, cpu or cuda");
        Backend b = Backends.create(name);
        b.setPrecision(precision);
        backend = b;
        backendName = b.name();   // "auto" resolved
        madeByName = true;
    }

    /** Uses {@code b} for layers and models built from now on. */
    public static synchronized void setBackend(Backend b) {
        if (b == null) throw new IllegalArgumentException("Jrnn.setBackend: backend is null");
        b.setPrecision(precision);
        backend = b;
        backendName = b.name();
        madeByName = false;
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

    /**
     * As Keras' clear_session(): default layer, model and metric object names ("lstm_1", "auc_1") count from zero
     * again, and the current backend gives back what it keeps for reuse between passes ({@link Backend#trim()}: on
     * the CPU its pool of arrays, up to an eighth of the heap, and the products' packing scratch; on CUDA the device
     * pool's cached blocks, once the queued work has run) without closing: models built before stay usable. The CPU
     * products' scratch is the process's: it is dropped even when the current backend is CUDA, closed or not made yet,
     * or when its trim throws. On CUDA the trim waits for the device (holding this class's lock) and can throw: a
     * {@code CudaException} inside a graph capture or for a device error, an {@link IllegalStateException} inside a
     * forked task. A CUDA backend is driven by one thread at a time: call this from the thread that drives it, not
     * while a pass runs on another.
     *
     * <pre>{@code
     * model.predict(x);
     * Jrnn.clearSession();   // the heap after a GC holds the model, not the last pass's arrays
     * }</pre>
     */
    public static synchronized void clearSession() {
        dev.jrnn.backend.NameUids.reset();
        try {
            if (backend != null && !backend.isClosed()) backend.trim();
        } finally {
            Backends.trimCpuScratch();   // the process's, whatever the current backend, also when its trim threw
        }
    }

    /** A new independent random stream drawn from the global seed. */
    public static SplittableRandom nextRandom() {
        return dev.jrnn.backend.GlobalRandom.split();
    }
}
