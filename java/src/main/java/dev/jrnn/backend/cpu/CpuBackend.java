package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.BufAt;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellSequence;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.Fork;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.Settings;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU {@link Backend}: float32 on Java arrays, computed synchronously with the Vector API
 * ({@code jdk.incubator.vector}, the widest species of the machine): a packed, register-blocked GEMM,
 * vectorized tanh/sigmoid (about 2e-7 relative error) and fused recurrent step kernels. Large GEMMs and
 * large elementwise spans are split over the cores by a small shared pool of daemon threads;
 * {@code -Djrnn.cpu.threads=N} caps it (1 = calling thread only).
 *
 * <pre>{@code
 * try (Backend be = CpuBackend.create()) {
 *     Buf a = be.alloc(4);
 *     be.fill(a, 0, 4, 2f);
 *     float[] out = new float[4];
 *     be.download(a, 0, out, 0, 4);                  // {2, 2, 2, 2}
 * }
 * }</pre>
 */
public final class CpuBackend implements Backend {
    private static final VectorSpecies<Float> S = VMath.S;
    private static final int VL = VMath.VL;

    private volatile boolean closed;
    // live-buffer counters for leak and soak checks (every alloc must be closed)
    private final java.util.concurrent.atomic.AtomicLong liveBuffers = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong liveFloats = new java.util.concurrent.atomic.AtomicLong();
    private final CpuTraining training = new CpuTraining(this);
    private final CpuNormOps norm = new CpuNormOps(this);

    /** An elementwise body over indices [i0, i1) of a span. */
    interface Range { void run(int i0, int i1); }

    /** Runs body over [0, n), split over the cores when n is large (chunks are vector-aligned). */
    static void split(long n, Range body) {
        int parts = Parallel.partsFor(n);
        if (parts <= 1) {
            body.run(0, (int) n);
            return;
        }
        int chunk = (int) ((n / parts + VL - 1) / VL * VL);
        Parallel.run(parts, i -> body.run((int) Math.min(n, (long) i * chunk), i == parts - 1 ? (int) n : (int) Math.min(n, (long) (i + 1) * chunk)));
    }

    /** Whether {@link #fork} runs its task on a second thread (see {@link #create(boolean)}). */
    private final boolean forks;
    /** What {@link #minForkRows()} answers. */
    private final int minForkRows;
    /** The recurrent steps, and whole sequences of them. */
    private final CpuRecurrent recurrent = new CpuRecurrent(this);
    private final CpuSequence sequence = new CpuSequence(recurrent);

    /** Whether {@link #empty} fills its buffers with NaN (see {@link #createNanEmpty}). */
    private final boolean nanEmpty;

    private CpuBackend(boolean forks, int minForkRows, boolean nanEmpty) {
        if (minForkRows < 1) throw new IllegalArgumentException("minForkRows must be at least 1, got " + minForkRows);
        JvmOptions.warnIfSlow();   // -Xint or C1 only: one line on stderr, the first time a CPU backend is made
        this.forks = forks;
        this.minForkRows = minForkRows;
        this.nanEmpty = nanEmpty;
    }

    /** A new CPU backend with the process's {@link Settings#current() settings}. */
    public static CpuBackend create() {
        return create(Settings.current());
    }

    /**
     * A new CPU backend (what {@code Backends.cpu()} returns); {@code settings.cpuForks()} makes it
     * {@link #create(boolean) create(true)}. The thread pool is process-wide and takes
     * {@code Settings.current().cpuThreads()}.
     */
    public static CpuBackend create(Settings settings) {
        return create(settings.cpuForks());
    }

    /**
     * A new CPU backend whose {@link #fork} runs its tasks on a second thread (one per process, in fork
     * order, like a second CUDA stream) while the caller goes on; {@code join} waits for the task and
     * rethrows what it threw. Off by default: on the 2-core build machine the layers' per-step GEMMs
     * already use both cores. It is the same contract as CUDA's two streams, run with real concurrency,
     * which is how the tests check that forked work never races with the caller's.
     *
     * <pre>{@code
     * Backend be = CpuBackend.create(true);
     * }</pre>
     */
    public static CpuBackend create(boolean forks) { return new CpuBackend(forks, MIN_FORK_ROWS, false); }

    /**
     * As {@link #create(boolean)}, with forked chunks of a sequence as small as {@code minForkRows} rows
     * (1: every step its own chunk, which the tests use to split small sequences as CUDA splits long ones).
     *
     * <pre>{@code
     * Backend be = CpuBackend.create(true, 1);
     * }</pre>
     */
    public static CpuBackend create(boolean forks, int minForkRows) { return new CpuBackend(forks, minForkRows, false); }

    /**
     * A new CPU backend whose {@link #empty} buffers come filled with NaN (as PyTorch's
     * {@code fill_uninitialized_memory} fills {@code torch.empty}): an element read before anything wrote it then
     * shows as NaN in what comes out, as far as the read reaches an output. For tests and debugging; otherwise as
     * {@link #create(boolean) create(false)}.
     *
     * <pre>{@code
     * Jrnn.setBackend(CpuBackend.createNanEmpty());   // then train: NaN means a read of unwritten memory
     * }</pre>
     */
    public static CpuBackend createNanEmpty() { return new CpuBackend(false, MIN_FORK_ROWS, true); }

    /**
     * As {@link #createNanEmpty()}, with forks as {@link #create(boolean, int)} makes them.
     *
     * <pre>{@code
     * Backend be = CpuBackend.createNanEmpty(true, 1);   // the per-step and forked paths, NaN-filled empty buffers
     * }</pre>
     */
    public static CpuBackend createNanEmpty(boolean forks, int minForkRows) {
        return new CpuBackend(forks, minForkRows, true);
    }

    @Override
    public boolean overlapsForks() { return forks; }

    @Override
    public int minForkRows() { return minForkRows; }

    @Override
    public Fork fork(Runnable task) {
        if (task == null) throw new IllegalArgumentException("fork: task is null");
        return forks ? CpuForks.submit(task) : CpuForks.inline(task);
    }

    /** Refuses {@code op} on the fork thread, as the CUDA backend refuses it on its second stream. */
    private static void refuseInFork(String op) {
        if (CpuForks.onForkThread()) {
            throw new IllegalStateException(op + " cannot run inside a forked task (Backend.fork, runConcurrently)");
        }
    }

    @Override
    public String name() { return "cpu"; }

    /** What a closed backend's use throws: its buffers are gone, and a new model needs another backend. */
    static final String CLOSED = "cpu backend is closed (close() freed its buffers and those of the models built on it): "
            + "build the model again on an open backend (Jrnn.backend() replaces a closed default one, Jrnn.setBackend(\"cpu\") any other)";

    @Override
    public void close() { closed = true; pool.clear(); }

    /**
     * Drops the products' packing scratch, which every CPU backend of the process shares ({@code Jrnn.clearSession()}
     * calls it through {@code Backends.trimCpuScratch()}, whatever the current backend).
     *
     * <pre>{@code
     * CpuBackend.trimScratch();
     * }</pre>
     */
    public static void trimScratch() { GemmScratch.trim(); }

    /**
     * Drops the arrays kept from closed buffers (up to an eighth of the heap, softly held) and the products' packing
     * scratch (shared by every CPU backend of the process, up to 2 x cores - 1 sets kept); this backend stays open.
     */
    @Override
    public void trim() {
        pool.clear();
        GemmScratch.trim();
    }

    @Override
    public boolean isClosed() { return closed; }

    @Override
    public void synchronize() {}

    // ================================================================ argument checks

    /** The array behind {@code b}, after checking it is a buffer of this backend (also used by CpuTraining). */
    float[] arr(String op, String what, Buf b) {
        return ((CpuBuf) Checks.owned(op, what, b, this)).array();
    }

    /** Checks that [off, off + len) lies inside {@code a} and returns off as an int. */
    static int span(String op, String what, float[] a, long off, long len) {
        return (int) Checks.span(op, what, a.length, off, len);
    }

    /** Span of a row-major [rows, cols] matrix with row stride ld. */
    static int span2(String op, String what, float[] a, long off, int rows, int cols, int ld) {
        return span(op, what, a, off, Checks.matrixLength(op, what, rows, cols, ld));
    }

    private static void positive(String op, String what, long v) {
        Checks.nonNegative(op, what, v);
    }

    private static void elementwise(String op, Activation act) {
        Checks.elementwise(op, act);
    }

    // ================================================================ memory

    @Override
    public Buf alloc(long n) {
        return newBuf(n, true);
    }

    /** A reused array as its last buffer left it (new arrays are zeroed by the JVM); NaN-filled by {@link #createNanEmpty}. */
    @Override
    public Buf empty(long n) {
        CpuBuf b = newBuf(n, false);
        if (nanEmpty) java.util.Arrays.fill(b.array(), Float.NaN);
        return b;
    }

    private CpuBuf newBuf(long n, boolean zero) {
        if (closed) throw new dev.jrnn.backend.BackendClosedException(CLOSED);
        CpuBuf b = new CpuBuf(this, n, zero);
        liveBuffers.incrementAndGet();
        liveFloats.addAndGet(n);
        return b;
    }

    /** Buffers allocated by this backend and not closed yet (for leak checks). */
    public long liveBuffers() { return liveBuffers.get(); }

    /** Floats held by the buffers counted in {@link #liveBuffers()}. */
    public long liveFloats() { return liveFloats.get(); }

    final ArrayPool pool = new ArrayPool(Runtime.getRuntime().maxMemory() / Float.BYTES / 8);   // an eighth of the heap

    /** Called once by {@link CpuBuf#close()}, which hands over its array. */
    void released(long n, float[] array) {
        liveBuffers.decrementAndGet();
        liveFloats.addAndGet(-n);
        if (!closed) pool.give(array);
    }

    @Override
    public void upload(float[] src, int srcOff, Buf dst, long dstOff, int len) {
        Checks.arraySpan("upload", "src", src, srcOff, len);
        float[] d = arr("upload", "dst", dst);
        System.arraycopy(src, srcOff, d, span("upload", "dst", d, dstOff, len), len);
    }

    @Override
    public void download(Buf src, long srcOff, float[] dst, int dstOff, int len) {
        refuseInFork("download");
        Checks.arraySpan("download", "dst", dst, dstOff, len);
        float[] s = arr("download", "src", src);
        System.arraycopy(s, span("download", "src", s, srcOff, len), dst, dstOff, len);
    }

    @Override
    public void copy(Buf src, long srcOff, Buf dst, long dstOff, long n) {
        float[] s = arr("copy", "src", src), d = arr("copy", "dst", dst);
        positive("copy", "n", n);
        System.arraycopy(s, span("copy", "src", s, srcOff, n), d, span("copy", "dst", d, dstOff, n), (int) n);
    }

    @Override
    public void fill(Buf dst, long off, long n, float value) {
        float[] d = arr("fill", "dst", dst);
        positive("fill", "n", n);
        int o = span("fill", "dst", d, off, n);
        java.util.Arrays.fill(d, o, o + (int) n, value);
    }

    @Override
    public void copy2d(int rows, int cols, Buf src, long srcOff, int srcLd, Buf dst, long dstOff, int dstLd) {
        float[] s = arr("copy2d", "src", src), d = arr("copy2d", "dst", dst);
        int so = span2("copy2d", "src", s, srcOff, rows, cols, srcLd);
        int dOff = span2("copy2d", "dst", d, dstOff, rows, cols, dstLd);
        for (int r = 0; r < rows; r++) System.arraycopy(s, so + r * srcLd, d, dOff + r * dstLd, cols);
    }

    @Override
    public void transpose01(int d0, int d1, int d2, Buf x, long xOff, Buf y, long yOff) {
        float[] xs = arr("transpose01", "x", x), ys = arr("transpose01", "y", y);
        if (d0 < 0 || d1 < 0 || d2 < 0) {
            throw new IllegalArgumentException("transpose01: shape [" + d0 + ", " + d1 + ", " + d2 + "] is negative");
        }
        long n = (long) d0 * d1 * d2;
        int xo = span("transpose01", "x", xs, xOff, n), yo = span("transpose01", "y", ys, yOff, n);
        int parts = Math.min(Parallel.partsFor(n), Math.max(1, d0));   // blocks of d0 over the cores
        Parallel.run(parts, p -> {
            for (int i = (int) ((long) d0 * p / parts); i < (int) ((long) d0 * (p + 1) / parts); i++) {
                for (int j = 0; j < d1; j++) System.arraycopy(xs, xo + (i * d1 + j) * d2, ys, yo + (j * d0 + i) * d2, d2);
            }
        });
    }

    // ================================================================ BLAS-like

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buf a, long aOff, int lda, Buf b, long bOff, int ldb,
                     float beta, Buf c, long cOff, int ldc) {
        String op = "gemm";
        Checks.gemmSizes(m, n, k);
        float[] as = arr(op, "A", a), bs = arr(op, "B", b), cs = arr(op, "C", c);
        int ao = transA ? span2(op, "A (stored [k, m])", as, aOff, k, m, lda) : span2(op, "A (stored [m, k])", as, aOff, m, k, lda);
        int bo = transB ? span2(op, "B (stored [n, k])", bs, bOff, n, k, ldb) : span2(op, "B (stored [k, n])", bs, bOff, k, n, ldb);
        int co = span2(op, "C", cs, cOff, m, n, ldc);
        Gemm.gemm(transA, transB, m, n, k, alpha, as, ao, lda, bs, bo, ldb, beta, cs, co, ldc);
    }

    @Override
    public void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha, Buf a, long aOff,
                            int lda, long strideA, Buf b, long bOff, int ldb, long strideB, float beta, Buf c, long cOff,
                            int ldc, long strideC) {
        BatchedGemm.gemmBatched(this, batch, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                beta, c, cOff, ldc, strideC);
    }

    @Override
    public void axpy(long n, float alpha, Buf x, long xOff, Buf y, long yOff) {
        CpuElementwise.axpy(this, n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scale(long n, float s, Buf x, long xOff) {
        CpuElementwise.scale(this, n, s, x, xOff);
    }

    @Override
    public void mul(long n, Buf a, long aOff, Buf b, long bOff, Buf out, long outOff) {
        CpuElementwise.mul(this, n, a, aOff, b, bOff, out, outOff);
    }

    @Override
    public void addRowVector(int rows, int cols, Buf bias, long biasOff, Buf y, long yOff) {
        CpuElementwise.addRowVector(this, rows, cols, bias, biasOff, y, yOff);
    }

    @Override
    public void sumRows(int rows, int cols, Buf x, long xOff, Buf out, long outOff, boolean accumulate) {
        float[] xs = arr("sumRows", "x", x), os = arr("sumRows", "out", out);
        int xo = span2("sumRows", "x", xs, xOff, rows, cols, Math.max(cols, 1));
        int oo = span("sumRows", "out", os, outOff, cols);
        WeightGradients.columnSums(rows, cols, xs, xo, os, oo, accumulate);
    }

    @Override
    public void weightGradients(int rows, int n, BufAt dz, int k1, BufAt x1, BufAt w1, int k2, BufAt x2, BufAt w2,
                                BufAt db) {
        String op = "weightGradients";
        positive(op, "rows", rows);
        positive(op, "n", n);
        positive(op, "k1", k1);
        Checks.notNull(op, "dz", dz);
        Checks.notNull(op, "x1", x1);
        Checks.notNull(op, "w1", w1);
        if (x2 != null) {
            positive(op, "k2", k2);
            Checks.notNull(op, "w2", w2);
        }
        float[] zs = arr(op, "dz", dz.buf()), as = arr(op, "x1", x1.buf()), ws = arr(op, "w1", w1.buf());
        int zo = span2(op, "dz", zs, dz.offset(), rows, n, Math.max(n, 1)),
                ao = span2(op, "x1", as, x1.offset(), rows, k1, Math.max(k1, 1));
        int wo = span2(op, "w1", ws, w1.offset(), k1, n, Math.max(n, 1));
        float[] bs = x2 == null ? null : arr(op, "x2", x2.buf()), vs = x2 == null ? null : arr(op, "w2", w2.buf());
        int bo = x2 == null ? 0 : span2(op, "x2", bs, x2.offset(), rows, k2, Math.max(k2, 1));
        int vo = x2 == null ? 0 : span2(op, "w2", vs, w2.offset(), k2, n, Math.max(n, 1));
        float[] ds = db == null ? null : arr(op, "db", db.buf());
        int dof = db == null ? 0 : span(op, "db", ds, db.offset(), n);
        WeightGradients.accumulate(rows, n, zs, zo, k1, as, ao, ws, wo, x2 == null ? 0 : k2, bs, bo, vs, vo, ds, dof);
    }

    /**
     * Start of column block {@code part} of {@code parts} over {@code cols} columns: vector-aligned
     * starts, part {@code parts} (the end of the last block) is {@code cols}, so the blocks cover every
     * column once even when rounding the block size up leaves the last ones empty.
     */
    static int columnStart(int part, int parts, int cols) {
        if (part >= parts) return cols;
        int ub = S.loopBound(cols);
        int chunk = (ub / VL + parts - 1) / parts * VL;
        return Math.min(ub, part * chunk);
    }

    // ================================================================ activations

    @Override
    public void activate(Activation act, long n, int cols, Buf x, long xOff, Buf y, long yOff) {
        String op = "activate";
        Checks.notNull(op, "activation", act);
        float[] xs = arr(op, "x", x), ys = arr(op, "y", y);
        positive(op, "n", n);
        int xo = span(op, "x", xs, xOff, n), yo = span(op, "y", ys, yOff, n);
        if (act.rowwise()) {
            Checks.softmaxRows(op, n, cols);
            boolean log = act == Activation.LOG_SOFTMAX;
            Cells.forRows((int) (n / cols), cols, (r0, r1) -> {
                float[] e = log ? new float[cols] : null;   // log_softmax's exps: y may alias x, which it reads again
                for (int r = r0; r < r1; r++) {
                    int xb = xo + r * cols, yb = yo + r * cols;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < cols; j++) max = Math.max(max, xs[xb + j]);
                    if (log) {   // (x - max) - log(sum(exp(x - max)))
                        float ls = (float) Math.log(VMath.expShifted(xs, xb, e, 0, cols, max));
                        for (int j = 0; j < cols; j++) ys[yb + j] = (xs[xb + j] - max) - ls;
                        continue;
                    }
                    float inv = 1f / VMath.expShifted(xs, xb, ys, yb, cols, max);
                    for (int j = 0; j < cols; j++) ys[yb + j] *= inv;
                }
            });
            return;
        }
        if (cols > 0 && cols % VL != 0 && n % cols == 0) {   // row by row: a row's tail goes through the scalar function wherever
            Cells.forRows((int) (n / cols), cols, (r0, r1) -> {   // the row sits, so a sample's bits do not depend on its batch
                for (int r = r0; r < r1; r++) VMath.apply(act, xs, xo + r * cols, ys, yo + r * cols, cols);
            });
            return;
        }
        split(n, (i0, i1) -> VMath.apply(act, xs, xo + i0, ys, yo + i0, i1 - i0));
    }

    @Override
    public void activateBackward(Activation act, long n, int cols, Buf y, long yOff, Buf dy, long dyOff, Buf dx, long dxOff) {
        String op = "activateBackward";
        Checks.notNull(op, "activation", act);
        float[] ys = arr(op, "y", y), dys = arr(op, "dy", dy), dxs = arr(op, "dx", dx);
        positive(op, "n", n);
        int yo = span(op, "y", ys, yOff, n), dyo = span(op, "dy", dys, dyOff, n), dxo = span(op, "dx", dxs, dxOff, n);
        if (act.rowwise()) {   // softmax: dx = y (dy - <dy, y>); log_softmax: dx = dy - exp(y) sum(dy)
            Checks.softmaxRows(op, n, cols);
            boolean log = act == Activation.LOG_SOFTMAX;
            for (int r = 0; r < n / cols; r++) {
                int yb = yo + r * cols, db = dyo + r * cols, xb = dxo + r * cols;
                double dot = 0;
                for (int j = 0; j < cols; j++) dot += log ? dys[db + j] : (double) dys[db + j] * ys[yb + j];
                float d = (float) dot;
                for (int j = 0; j < cols; j++) {
                    dxs[xb + j] = log ? dys[db + j] - (float) Math.exp(ys[yb + j]) * d : ys[yb + j] * (dys[db + j] - d);
                }
            }
            return;
        }
        split(n, (i0, i1) -> {
            // derivatives into a small scratch block, then dx = dy * f' (dx may alias dy)
            float[] d = new float[Math.min(4096, i1 - i0)];
            for (int b = i0; b < i1; b += d.length) {
                int len = Math.min(d.length, i1 - b);
                VMath.deriv(act, ys, yo + b, d, 0, len);
                int i = 0;
                for (int ub = S.loopBound(len); i < ub; i += VL) {
                    FloatVector.fromArray(S, dys, dyo + b + i).mul(FloatVector.fromArray(S, d, i)).intoArray(dxs, dxo + b + i);
                }
                for (; i < len; i++) dxs[dxo + b + i] = dys[dyo + b + i] * d[i];
            }
        });
    }

    // ================================================================ recurrent steps

    @Override
    public void recurrentStepForward(CellConfig cell, CellStep.Forward a) {
        recurrent.stepForward(cell, a);
    }

    @Override
    public void recurrentStepBackward(CellConfig cell, CellStep.Backward a) {
        recurrent.stepBackward(cell, a);
    }

    /** Whole sequences ({@link CpuSequence}), but not a reset-before GRU, nor with forks (the CPU fork mode exists to run the forked stack wavefront, which needs the per-step path). */
    @Override
    public boolean recurrentSequenceSupported(CellConfig cell, int steps) { return !forks && !cell.resetBefore(); }

    @Override
    public boolean recurrentSequenceForward(CellConfig cell, CellSequence.Forward seq) {
        if (!recurrentSequenceSupported(cell, seq.steps())) return false;
        sequence.forward(cell, seq);
        return true;
    }

    @Override
    public boolean recurrentSequenceBackward(CellConfig cell, CellSequence.Backward seq) {
        if (!recurrentSequenceSupported(cell, seq.steps())) return false;
        sequence.backward(cell, seq);
        return true;
    }

    // ================================================================ embedding

    @Override
    public void gatherRows(int n, int dim, Buf idx, long idxOff, Buf table, long tableOff, Buf out, long outOff) {
        refuseInFork("gatherRows");
        CpuRows.gatherRows(this, n, dim, idx, idxOff, table, tableOff, out, outOff);
    }

    @Override
    public void scatterAddRows(int n, int dim, Buf idx, long idxOff, Buf dOut, long dOutOff, Buf dTable, long dTableOff) {
        refuseInFork("scatterAddRows");
        CpuRows.scatterAddRows(this, n, dim, idx, idxOff, dOut, dOutOff, dTable, dTableOff);
    }

    // ================================================================ clipping

    @Override
    public void clip(long n, float lo, float hi, Buf x, long xOff) {
        CpuElementwise.clip(this, n, lo, hi, x, xOff);
    }

    // ================================================================ training-step primitives (CpuTraining)

    @Override
    public void maskFromValues(int rows, int cols, Buf x, long xOff, float maskValue, Buf mask, long maskOff) {
        training.maskFromValues(rows, cols, x, xOff, maskValue, mask, maskOff);
    }

    @Override
    public void mulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        training.mulRows(rows, cols, x, xOff, s, sOff, y, yOff);
    }

    @Override
    public void maskedMulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        training.maskedMulRows(rows, cols, x, xOff, s, sOff, y, yOff);
    }

    @Override
    public void maxOverSteps(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff) {
        training.maxOverSteps(batch, steps, features, x, xOff, y, yOff);
    }

    @Override
    public void maxOverStepsBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff,
                                     Buf dx, long dxOff) {
        training.maxOverStepsBackward(batch, steps, features, x, xOff, y, yOff, dy, dyOff, dx, dxOff, false);
    }

    @Override
    public void maxOverStepsFirstBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff, Buf dx, long dxOff) {
        training.maxOverStepsBackward(batch, steps, features, x, xOff, y, yOff, dy, dyOff, dx, dxOff, true);
    }

    @Override
    public void rsqrt(long n, float eps, Buf x, long xOff, Buf y, long yOff) {
        training.rsqrt(n, eps, x, xOff, y, yOff);
    }

    @Override
    public void mulRowVector(int rows, int cols, Buf x, long xOff, Buf v, long vOff, Buf y, long yOff) {
        norm.mulRowVector(rows, cols, x, xOff, v, vOff, y, yOff);
    }

    @Override
    public void dropoutMask(long n, float rate, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        training.dropoutMask(n, rate, seed, counter, counterOff, out, outOff);
    }

    @Override
    public void normalNoise(long n, float mean, float stddev, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        training.normalNoise(n, mean, stddev, seed, counter, counterOff, out, outOff);
    }

    @Override
    public void checkIds(long n, Buf ids, long idsOff, int vocab, String context, Buf out, long outOff) {
        refuseInFork("checkIds");
        training.checkIds(n, ids, idsOff, vocab, context, out, outOff);
    }

    @Override
    public void lossAsync(LossArgs args) {
        refuseInFork("lossAsync");
        training.lossAsync(args);
    }

    @Override
    public void scaleToSum(long n, double total, Buf x, long xOff) {
        training.scaleToSum(n, total, x, xOff);
    }

    @Override
    public void clipNorm(long n, float maxNorm, Buf x, long xOff) {
        training.clipNorm(n, maxNorm, x, xOff);
    }

    @Override
    public void adamUpdate(AdamArgs args) {
        training.adamUpdate(args);
    }

    @Override
    public void sgdUpdate(SgdArgs args) {
        training.sgdUpdate(args);
    }

    @Override
    public void optimizerUpdate(dev.jrnn.backend.OptimizerArgs args) {
        training.optimizerUpdate(args);
    }

    @Override
    public void finiteGuard(long n, Buf x, long xOff, float code, Buf guard, long guardOff) {
        training.finiteGuard(n, x, xOff, code, guard, guardOff);
    }

    @Override
    public void copyIfGuard(long n, Buf guard, long guardOff, Buf src, long srcOff, Buf dst, long dstOff) {
        training.copyIfGuard(n, guard, guardOff, src, srcOff, dst, dstOff);
    }
}
