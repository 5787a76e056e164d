package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.BufAt;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellSequence;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.Fork;
import dev.jrnn.backend.GraphCapture;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.Settings;
import dev.jrnn.backend.SgdArgs;
import dev.jrnn.backend.Span;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The CUDA implementation of {@link Backend}: fused kernels from {@code kernels/*.cu} (loaded from the
 * jar's fatbin) and cuBLAS for matrix products, all queued asynchronously on one stream (plus a second one
 * for {@link #fork}ed work, when switched on). Device memory comes from a caching {@link DevicePool}
 * and is released on {@link #close()}.
 *
 * <pre>{@code
 * try (Backend be = CudaBackend.create()) {        // throws, naming what is missing, without a GPU
 *     Buf x = be.alloc(4);
 *     be.upload(new float[] {1, 2, 3, 4}, 0, x, 0, 4);
 *     float[] back = new float[4];
 *     be.download(x, 0, back, 0, 4);                 // {1, 2, 3, 4}
 * }
 * }</pre>
 *
 * <p>{@link #download} and {@link #synchronize()} wait for the stream. Embedding ids outside the table
 * are detected on the device and reported by the next of those calls as an IllegalArgumentException.
 * Not thread-safe: use one backend from one thread at a time (any thread).
 */
public final class CudaBackend implements Backend {
    static final int BLOCK = 256;

    private final CudaDriver driver;
    private final Cublas cublas;
    private final DevicePool pool;
    private final CudaKernels k;
    /** The backend's stream: every call is queued here, except inside a forked task (see fork). */
    private final long mainStream;
    /** The main and the second stream, their cuBLAS handles and fork/join (set once the main stream exists). */
    private final CudaStreams streams;
    private final boolean streamsOn;
    private final int maxGrid;
    /** 64 bytes of device scratch: [0,8) double accumulator, [8,12) int flag, [16,20) embedding id error. */
    private final long small;
    /** Host side of reads of {@code small}. */
    private final Arena arena = Arena.ofShared();
    private final MemorySegment host = arena.allocate(64, 16);
    /** A gatherRows/scatterAddRows id flag may be set on the device (package-private: CudaTraining's graphs set it). */
    boolean idsPending;
    /** Device-side training-step primitives, deferred checks and graph capture. */
    final CudaTraining training;
    private Precision precision = Precision.FP32;
    private volatile boolean closed;
    /** The recurrent steps and the persistent whole-sequence path. */
    private final CudaRecurrent recurrent;
    /** The elementwise and row operations. */
    private final CudaElementwise elementwise;
    /** The normalization layers' operations (normalization.cu). */
    private final CudaNormOps norm;
    /** The memory operations and the reduction workspaces. */
    private final CudaMemory memory;
    /** The embedding operations and their id check. */
    private final CudaEmbedding embedding;

    CudaBackend(CudaDriver driver, Cublas cublas, byte[] fatbin, Settings settings) {
        this.driver = driver;
        this.streamsOn = settings.streams();
        this.cublas = cublas;
        CudaKernels kernels;
        try {
            kernels = new CudaKernels(driver, fatbin);
        } catch (CudaException e) {
            cublas.close();
            throw new IllegalStateException("loading the jrnn CUDA kernels failed on " + driver.deviceName()
                    + " (compute capability " + driver.computeCapability() + "; the kernels are built for"
                    + " sm_80, sm_90 and PTX compute_90): " + e.getMessage(), e);
        }
        this.k = kernels;
        this.recurrent = new CudaRecurrent(this, kernels, settings);
        this.elementwise = new CudaElementwise(this, kernels);
        this.norm = new CudaNormOps(this, kernels);
        this.maxGrid = Math.max(1, driver.multiprocessorCount()) * 16;
        this.pool = new DevicePool(driver);
        long s = 0;
        CudaTraining t = null;
        try {
            s = driver.streamCreate();
            cublas.setStream(s);
            cublas.setMathMode(Precision.FP32);
            this.mainStream = s;
            this.streams = new CudaStreams(driver, pool, streamsOn, s, cublas, () -> closed, () -> precision);
            this.memory = new CudaMemory(this, driver, pool, k, streams);
            this.small = pool.allocate(64);
            // The reduction workspace is a backend-lifetime cache: made now (1 MiB, grown on demand) so that it is
            // part of the backend's baseline rather than appearing at the first reduction of a model's training.
            workspace(1L << 20);
            k.fill(g1(16), small, 16L, 0f);
            try {
                t = new CudaTraining(this, driver, pool, k, s, maxGrid);
            } catch (RuntimeException e) {
                throw new IllegalStateException("loading the jrnn training-step kernels (kernels/train.cu) failed on "
                        + driver.deviceName() + ": " + e.getMessage() + " (a stale kernel build? rebuild jrnn)", e);
            }
        } catch (RuntimeException | Error e) {
            // Nothing of a half-made backend may outlive the failure: give back what was made, in reverse.
            releaseQuietly(e, pool::close, cublas::close, () -> driver.moduleUnload(k.module));
            long made = s;
            releaseQuietly(e, () -> driver.streamDestroy(made), arena::close);
            throw e;
        }
        this.training = t;
        this.embedding = new CudaEmbedding(this, driver, k, streams, small, host);
    }

    /** Runs every cleanup step even when one fails; failures are attached to {@code cause} as suppressed. */
    static void releaseQuietly(Throwable cause, Runnable... steps) {
        for (Runnable r : steps) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** {@link #create(Settings)} with the process's {@link Settings#current() settings}. */
    public static CudaBackend create() {
        return create(Settings.current());
    }

    /**
     * A CUDA backend on device 0 (or {@code JRNN_CUDA_DEVICE}), with the persistent-kernel and stream
     * settings of {@code settings} (the driver and cuBLAS are process-wide: they take {@link Settings#current()}). Throws a RuntimeException whose message
     * says what is missing: "CUDA driver not found (libcuda.so.1)", "no CUDA device",
     * "kernels not built (no nvcc at build time)" or "cuBLAS not found: tried ...".
     */
    public static CudaBackend create(Settings settings) {
        return CudaStartup.create(settings);
    }

    /**
     * Whether {@link #fork} (and so {@link #runConcurrently}) overlaps work on two streams on this backend: the
     * default (measured on an H200: Bidirectional's directions and a stack's wavefront gain 2-23%, see
     * benchmarks/RESULTS.md); {@code Settings.withStreams(false)} only for tests and benchmarks that compare.
     */
    public boolean concurrentStreams() { return streamsOn; }

    /** A second stream with page-locked host memory and events ({@link CudaCopyQueue}), ordered against the main stream. */
    @Override
    public dev.jrnn.backend.CopyQueue copyQueue() {
        enter();
        return new CudaCopyQueue(driver, mainStream, (b, off, n) -> ptr("upload", "dst", b, off, n));
    }

    CudaDriver driver() { return driver; }

    /**
     * Runs {@code task} now; with two streams (the default) its calls are queued on a second stream that
     * first waits for everything queued on the main stream so far, so that on the device they overlap
     * the calls made after this returns, until {@link Fork#join()} makes the main stream wait for them.
     * While a fork is outstanding, freed pool blocks are not reused (either stream may still read them);
     * each stream has its own cuBLAS handle and reduction workspace; inside the task the calls whose device
     * flags are shared ({@code gatherRows}, {@code scatterAddRows}, {@code checkIds}, {@code lossAsync}) and
     * {@link #capture} are refused. Inside a capture both streams are captured into the one graph (join
     * before the step ends). A fork inside a forked task runs in order on the second stream.
     */
    @Override
    public Fork fork(Runnable task) {
        enter();
        return streams.fork(task);
    }

    @Override
    public boolean overlapsForks() { return streamsOn; }

    /** Forks not joined yet (a captured step must end with none). */
    int outstandingForks() { return streams.outstandingForks(); }

    /** Joins every fork not joined yet, then throws the first failure (see CudaStreams). */
    void joinOutstandingForks() { streams.joinOutstandingForks(); }

    /** Refuses {@code op} inside a forked task: it uses device flags both streams would share. */
    void refuseConcurrent(String op) { streams.refuseConcurrent(op); }

    /** Most blocks of a grid-stride launch (a few per SM). */
    int maxGrid() { return maxGrid; }

    /** The stream calls are queued on now (the main stream, or the second one inside a forked task). */
    long currentStream() { return streams.current(); }

    /** The backend's CUDA stream ({@code CUstream}): every call is queued on it, so events on it bracket the calls between. */
    public long streamHandle() { return mainStream; }

    @Override
    public String name() { return "cuda"; }

    /** The device this backend runs on, e.g. "NVIDIA H100 80GB HBM3". */
    public String deviceName() { return driver.deviceName(); }

    /** The pool behind {@link #alloc}: bytes in use / reserved, for leak and soak checks. */
    public DevicePool pool() { return pool; }

    // ---------------------------------------------------------------- plumbing

    /** Checks the backend is open. (CudaDriver makes the context current on each new calling thread.) */
    void enter() {
        if (closed) throw new dev.jrnn.backend.BackendClosedException("CudaBackend used after close()");
    }

    private int grid(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, maxGrid));
    }

    /** A grid-stride launch over {@code n} elements on the current stream. */
    Grid g1(long n) {
        return Grid.of(grid(n), BLOCK, streams.current());
    }

    /** Device address of {@code b} at float offset {@code off}, after checking ownership and the span. */
    long ptr(String op, String what, Buf b, long off, long len) {
        CudaBuf cb = (CudaBuf) Checks.owned(op, what, b, this);
        return cb.ptr() + 4L * Checks.span(op, what, cb.size(), off, len);
    }

    /** {@link #ptr} of a record's buffer and offset. */
    long ptr(String op, String what, BufAt b, long len) {
        return ptr(op, what, BufAt.buf(b), BufAt.offset(b), len);
    }

    /** {@link #ptrOrNull} of a record's buffer and offset (absent: 0). */
    long ptrOrNull(String op, String what, BufAt b, long len) {
        return ptrOrNull(op, what, BufAt.buf(b), BufAt.offset(b), len);
    }

    long ptrOrNull(String op, String what, Buf b, long off, long len) {
        return b == null ? 0L : ptr(op, what, b, off, len);
    }

    /** Device address of a span of {@code len} floats (see {@link #ptr}). */
    long ptr(String op, String what, Span s, long len) {
        return ptr(op, what, s.buf(), s.off(), len);
    }

    /** {@link #ptr(String, String, Span, long)}, or 0 for a null span. */
    long ptrOrNull(String op, String what, Span s, long len) {
        return s == null ? 0L : ptr(op, what, s, len);
    }

    /** A row-major [rows, cols] matrix with row stride ld. */
    long mat(String op, String what, Buf b, long off, int rows, int cols, int ld) {
        return ptr(op, what, b, off, Checks.matrixLength(op, what, rows, cols, ld));
    }

    /** Device workspace of at least {@code bytes} for work on the current stream; its content is undefined. */
    long workspace(long bytes) { return memory.workspace(bytes); }

    /** Throws if an embedding kernel met an id outside its table since the last check. */
    void checkIds() { embedding.checkIds(); }

    /** Gives a closed buffer's memory back (ignored once the backend is closed: the pool freed it all). */
    void release(long p) {
        if (!closed) pool.free(p);
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buf alloc(long n) {
        return memory.alloc(n);
    }

    @Override
    public void upload(float[] src, int srcOff, Buf dst, long dstOff, int len) {
        memory.upload(src, srcOff, dst, dstOff, len);
    }

    @Override
    public void download(Buf src, long srcOff, float[] dst, int dstOff, int len) {
        memory.download(src, srcOff, dst, dstOff, len);
    }

    @Override
    public void copy(Buf src, long srcOff, Buf dst, long dstOff, long n) {
        memory.copy(src, srcOff, dst, dstOff, n);
    }

    @Override
    public void fill(Buf dst, long off, long n, float value) {
        memory.fill(dst, off, n, value);
    }

    @Override
    public void copy2d(int rows, int cols, Buf src, long srcOff, int srcLd, Buf dst, long dstOff, int dstLd) {
        memory.copy2d(rows, cols, src, srcOff, srcLd, dst, dstOff, dstLd);
    }

    @Override
    public void transpose01(int d0, int d1, int d2, Buf x, long xOff, Buf y, long yOff) {
        memory.transpose01(d0, d1, d2, x, xOff, y, yOff);
    }

    @Override
    public void synchronize() {
        enter();
        training.refuseInCapture("synchronize");
        streams.refuseSyncInFork("synchronize");
        driver.streamSynchronize(mainStream);
        streams.synchronizeSide();
        checkIds();
    }

    /**
     * Precision of {@link #gemm}: FP32 (default, cublasSgemm), TF32 (tensor cores, FP32 storage) or BF16
     * (cublasGemmEx with CUBLAS_COMPUTE_32F_FAST_16BF: operands rounded to bfloat16 inside cuBLAS while it
     * loads its tiles, FP32 accumulation and output; no separate conversion pass or bf16 copies).
     * Elementwise kernels and the cell state always compute in FP32.
     */
    @Override
    public void setPrecision(Precision p) {
        if (p == null) throw new IllegalArgumentException("setPrecision: precision is null");
        enter();
        cublas.setMathMode(p);
        streams.setMathMode(p);
        precision = p;
    }

    /** The precision of matrix products. */
    public Precision precision() { return precision; }

    @Override
    public boolean isClosed() { return closed; }

    /**
     * Gives the pool's cached (free) blocks back to the driver, after the main and second stream's queued work has run
     * (a block freed after queuing a kernel that reads it may still be read; a copy queue's stream is ordered by its
     * markers, as for any buffer); buffers in use and blocks a live CUDA graph pins stay. Refused inside a capture or a
     * forked task, as {@link #synchronize()} is; unlike it, a pending bad-id or loss report is left for the next
     * synchronize, so the trim is done.
     */
    @Override
    public void trim() {
        enter();
        training.refuseInCapture("trim");
        streams.refuseSyncInFork("trim");
        driver.streamSynchronize(mainStream);
        streams.synchronizeSide();
        pool.trim();
    }

    @Override
    public void close() {
        if (closed) return;
        try {
            driver.streamSynchronize(mainStream);
            streams.synchronizeSide();
        } finally {
            closed = true;
            try {
                try {
                    training.close();   // graphs first: they pin pool blocks
                } finally {
                    pool.close();
                }
                cublas.close();
                driver.moduleUnload(k.module);
                driver.streamDestroy(mainStream);
                streams.close();
            } finally {
                arena.close();
            }
        }
    }

    // ---------------------------------------------------------------- BLAS-like

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int kk, float alpha,
                     Buf a, long aOff, int lda, Buf b, long bOff, int ldb,
                     float beta, Buf c, long cOff, int ldc) {
        CudaGemm.gemm(this, streams.blas(), k, transA, transB, m, n, kk, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int kk, float alpha, Buf a, long aOff,
                            int lda, long strideA, Buf b, long bOff, int ldb, long strideB, float beta, Buf c, long cOff,
                            int ldc, long strideC) {
        CudaGemm.gemmBatched(this, streams.blas(), batch, transA, transB, m, n, kk, alpha, a, aOff, lda, strideA, b,
                bOff, ldb, strideB, beta, c, cOff, ldc, strideC);
    }

    @Override
    public void axpy(long n, float alpha, Buf x, long xOff, Buf y, long yOff) {
        elementwise.axpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public void scale(long n, float s, Buf x, long xOff) {
        elementwise.scale(n, s, x, xOff);
    }

    @Override
    public void mul(long n, Buf a, long aOff, Buf b, long bOff, Buf out, long outOff) {
        elementwise.mul(n, a, aOff, b, bOff, out, outOff);
    }

    @Override
    public void addRowVector(int rows, int cols, Buf bias, long biasOff, Buf y, long yOff) {
        elementwise.addRowVector(rows, cols, bias, biasOff, y, yOff);
    }

    @Override
    public void sumRows(int rows, int cols, Buf x, long xOff, Buf out, long outOff, boolean accumulate) {
        elementwise.sumRows(rows, cols, x, xOff, out, outOff, accumulate);
    }

    @Override
    public void activate(Activation act, long n, int cols, Buf x, long xOff, Buf y, long yOff) {
        elementwise.activate(act, n, cols, x, xOff, y, yOff);
    }

    @Override
    public void activateBackward(Activation act, long n, int cols, Buf y, long yOff, Buf dy, long dyOff,
                                 Buf dx, long dxOff) {
        elementwise.activateBackward(act, n, cols, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void clip(long n, float lo, float hi, Buf x, long xOff) {
        elementwise.clip(n, lo, hi, x, xOff);
    }

    // ---------------------------------------------------------------- recurrent cells (CudaRecurrent)

    @Override
    public void recurrentStepForward(CellConfig cell, CellStep.Forward a) {
        recurrent.stepForward(cell, a);
    }

    @Override
    public void recurrentStepBackward(CellConfig cell, CellStep.Backward a) {
        recurrent.stepBackward(cell, a);
    }

    @Override
    public boolean recurrentSequenceSupported(CellConfig cell, int steps) {
        return recurrent.sequenceSupported(cell, steps);
    }

    @Override
    public boolean recurrentSequenceForward(CellConfig cell, CellSequence.Forward a) {
        return recurrent.sequenceForward(cell, a);
    }

    @Override
    public boolean recurrentSequenceBackward(CellConfig cell, CellSequence.Backward a) {
        return recurrent.sequenceBackward(cell, a);
    }

    /** Whether work may run on the second stream beside a call made now (a forked task, or forks still open). */
    boolean forksActive() {
        return streams.forksActive();
    }

    // ---------------------------------------------------------------- embedding

    @Override
    public void gatherRows(int n, int dim, Buf idx, long idxOff, Buf table, long tableOff, Buf out, long outOff) {
        embedding.gatherRows(n, dim, idx, idxOff, table, tableOff, out, outOff);
    }

    @Override
    public void scatterAddRows(int n, int dim, Buf idx, long idxOff, Buf dOut, long dOutOff, Buf dTable, long dTableOff) {
        embedding.scatterAddRows(n, dim, idx, idxOff, dOut, dOutOff, dTable, dTableOff);
    }

    // ---------------------------------------------------------------- training-step primitives (CudaTraining)

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

    /** Checks on the device; a bad id is reported by the next synchronizing call. */
    @Override
    public void normalNoise(long n, float mean, float stddev, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        training.normalNoise(n, mean, stddev, seed, counter, counterOff, out, outOff);
    }

    @Override
    public void checkIds(long n, Buf ids, long idsOff, int vocab, String context, Buf out, long outOff) {
        refuseConcurrent("checkIds");
        training.checkIds(n, ids, idsOff, vocab, context, out, outOff);
    }

    @Override
    public void lossAsync(LossArgs args) {
        refuseConcurrent("lossAsync");
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

    /**
     * Captures {@code step} into a CUDA graph (relaxed stream capture on this backend's stream; nothing runs
     * until {@link GraphCapture#replay()}). Synchronizing calls inside the step throw a CudaException
     * (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED) and the capture is dropped. The pool blocks the graph may use
     * stay reserved until the graph is closed; {@link #close()} closes graphs still open.
     */
    @Override
    public GraphCapture capture(Runnable step) {
        enter();
        refuseConcurrent("capture");
        if (!training.capturing()) {
            // Settle before capturing: a fork left open would be joined inside the capture on an event recorded
            // outside it (CUDA_ERROR_STREAM_CAPTURE_ISOLATION); and the second stream with its cuBLAS handle
            // (cublasCreate, a workspace cuMemAlloc) is made now rather than by a first fork inside the capture.
            joinOutstandingForks();
            if (streamsOn) streams.openSideStream();
        }
        return training.capture(step);
    }

    /** CUDA graphs captured by this backend so far. */
    public int graphCaptures() { return training.captures(); }

    /** Captures that failed (a synchronizing call inside the step, or a driver error). */
    public int graphCaptureFailures() { return training.failedCaptures(); }

    /** Captured graphs not closed yet. */
    public int openGraphs() { return training.openGraphs(); }
}
