package dev.jrnn.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;


/**
 * A CPU backend that can {@link #capture} like CUDA does: during a capture every call is recorded (with its
 * buffers and scalar arguments, as a CUDA graph freezes pointers and launch arguments) and NOT run;
 * {@link GraphCapture#replay()} runs the recorded calls again. Calls that would synchronize or copy from/to
 * the Java heap are refused inside a capture, and buffers closed while a graph may still use them stay
 * alive until the last graph is closed (the pool's pinning on CUDA). So what is wrong with a captured
 * train step on CUDA (a host-side value frozen into the graph, a read of device data in the middle of a
 * step, ...) shows up here, without a GPU, as a difference from eager training.
 *
 * <p>{@link #fork} (and so {@link #runConcurrently}): like the CUDA backend's second stream, a forked
 * task's calls and the calls made after the fork are recorded (not run) until {@link Fork#join()}, then run
 * in an order the device could choose: program order (the forked calls first, as early as their fork's start
 * allows: after the main calls queued before the fork), the main calls first, or
 * a random interleaving (each side's calls stay in their order); see {@link #interleave}. A hidden
 * dependency between the two sides (one reads what the other writes) shows up as a different result.
 * Inside a forked task synchronizing calls and the calls CUDA refuses there are refused; a synchronizing
 * call on the main side first runs the main side's pending calls; buffers closed meanwhile stay alive
 * until every fork is joined (the pool's deferred frees). {@link #overlapForks} sets what
 * {@link #overlapsForks()} answers (false by default, so layers do not split work as they do on CUDA).
 */
public final class RecordingBackend implements Backend {
    private final Backend inner;
    private List<Runnable> recording;
    private int openGraphs;
    private final List<Buf> deferredCloses = new ArrayList<>();
    /** Counts, for tests. */
    public int captures, failedCaptures, replays, forks;
    /** The calls of the forked task being recorded (null outside a task). */
    private List<Runnable> branch;
    /** Recorded calls of outstanding forks, in fork order, and the main side's calls since the oldest. */
    private final List<List<Runnable>> sideSegments = new ArrayList<>();
    /**
     * Per outstanding fork: how many of {@link #mainPending} were queued before it (its start event: on the
     * device its calls run after those), 0 when none or once they have run.
     */
    private final List<Integer> sideStarts = new ArrayList<>();
    private List<Runnable> mainPending = new ArrayList<>();
    private final List<Buf> regionCloses = new ArrayList<>();
    private Interleave order = Interleave.PROGRAM;
    private java.util.SplittableRandom shuffle = new java.util.SplittableRandom(0);
    private boolean overlap;
    private int minForkRows = MIN_FORK_ROWS;
    /** Value of {@link #forks} at which fork throws (-1: never). */
    private int failAt = -1;

    /** How a join orders the forked calls and the main side's calls. */
    public enum Interleave { PROGRAM, MAIN_FIRST, RANDOM }

    /** Sets the order of forked and main calls at a join (RANDOM draws from {@code seed}); returns this. */
    public RecordingBackend interleave(Interleave o, long seed) {
        this.order = o;
        this.shuffle = new java.util.SplittableRandom(seed);
        return this;
    }

    /**
     * Makes the fork with this index (0 = the next one) throw an IllegalStateException before its task
     * runs, as CUDA's fork does when it cannot queue the task (-1: none); returns this.
     */
    public RecordingBackend failFork(int index) {
        this.failAt = index < 0 ? -1 : forks + index;
        return this;
    }

    /** Allocations made through this backend (for {@link #failAlloc}). */
    public long allocs;
    private final PlannedFailure allocFault = new PlannedFailure();

    /**
     * Makes the allocation with this index (0 = the next one) throw {@code failure}'s throwable (an
     * OutOfMemoryError, say) instead of allocating (-1: none); returns this.
     */
    public RecordingBackend failAlloc(long index, java.util.function.Supplier<? extends Throwable> failure) {
        allocFault.plan(allocs, index, failure);
        return this;
    }

    /** Uploads of a float[] made through this backend (for {@link #failUpload}). */
    public long uploads;
    private final PlannedFailure uploadFault = new PlannedFailure();

    /**
     * Makes the upload of a float[] with this index (0 = the next one) throw {@code failure}'s throwable (a device's
     * failed copy, say) instead of copying (-1: none); returns this.
     */
    public RecordingBackend failUpload(long index, java.util.function.Supplier<? extends Throwable> failure) {
        uploadFault.plan(uploads, index, failure);
        return this;
    }

    /**
     * As {@link #failUpload}, but every upload from this index on throws (a device that stays failed: a rollback's uploads
     * after the failed one fail too), each a new throwable of {@code failure}'s, until {@code failUpload(-1, null)}.
     */
    public RecordingBackend failUploadsFrom(long index, java.util.function.Supplier<? extends Throwable> failure) {
        uploadFault.plan(uploads, index, failure);
        uploadFault.every = index >= 0;
        return this;
    }

    /** One kind of call's planned failure: the call of that count throws, once (or, {@code every}, each from it on). */
    private static final class PlannedFailure {
        private long at = -1;
        private boolean every;
        private java.util.function.Supplier<? extends Throwable> failure;

        void plan(long count, long index, java.util.function.Supplier<? extends Throwable> f) {
            at = index < 0 ? -1 : count + index;
            every = false;
            failure = f;
        }

        void throwIfDue(long count) {
            if (at < 0 || count < at || !every && count != at) return;
            if (!every) at = -1;
            Throwable t = failure.get();
            if (t instanceof Error e) throw e;
            throw (RuntimeException) t;
        }
    }

    /** Forks made and not joined yet (every path, failures included, must join what it forked). */
    public int openForks() { return sideSegments.size(); }

    /** What {@link #overlapsForks()} answers (so that layers split work into forks as on CUDA); returns this. */
    public RecordingBackend overlapForks(boolean on) {
        this.overlap = on;
        return this;
    }

    /** What {@link #minForkRows()} answers (1 splits even tiny sequences into one-step chunks); returns this. */
    public RecordingBackend minForkRows(int rows) {
        this.minForkRows = rows;
        return this;
    }

    public RecordingBackend(Backend inner) {
        this.inner = inner;
    }

    /** Whether {@link #copyQueue()} hands out a {@link DeferredCopyQueue} (false: null, as the CPU backend). */
    private boolean copyQueues;
    /** The copy queues handed out, for tests. */
    public final List<DeferredCopyQueue> queues = new ArrayList<>();

    /** Makes {@link #copyQueue()} hand out {@link DeferredCopyQueue}s (copies run as late as the markers allow); returns this. */
    public RecordingBackend copyQueues(boolean on) {
        this.copyQueues = on;
        return this;
    }

    @Override
    public synchronized CopyQueue copyQueue() {
        if (!copyQueues) return null;
        DeferredCopyQueue q = new DeferredCopyQueue(this);
        queues.add(q);
        return q;
    }

    /** The inner backend's buffer behind {@code b} (for the copy queue, which writes it from any thread). */
    Buf innerBuf(Buf b) {
        if (!(b instanceof RBuf r) || r.backend() != this) throw new IllegalArgumentException("buffer of another backend: " + b);
        return r.in;
    }

    Backend inner() { return inner; }

    /** A buffer of this backend: the inner (CPU) buffer. */
    final class RBuf implements Buf {
        final Buf in;
        boolean closed;

        RBuf(Buf in) {
            this.in = in;
        }

        @Override
        public long size() { return in.size(); }

        @Override
        public Backend backend() { return RecordingBackend.this; }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (recording != null || openGraphs > 0) deferredCloses.add(in);
            else if (branch != null || !sideSegments.isEmpty()) regionCloses.add(in);
            else in.close();
        }
    }

    private Buf u(Buf b) {
        if (b == null) return null;
        if (!(b instanceof RBuf r) || r.backend() != this) {
            throw new IllegalArgumentException("buffer of another backend: " + b);
        }
        if (r.closed && recording == null) throw new IllegalStateException("buffer used after close()");
        return r.in;
    }

    /** The inner backend's span behind {@code s} (null stays null). */
    private Span u(Span s) {
        return s == null ? null : new Span(u(s.buf()), s.off());
    }

    private void op(Runnable r) {
        if (branch != null) branch.add(r);
        else if (!sideSegments.isEmpty()) mainPending.add(r);
        else emit(r);
    }

    /** Runs a call now, or records it into the capture. */
    private void emit(Runnable r) {
        if (recording != null) recording.add(r);
        else r.run();
    }

    private void refuse(String what) {
        if (branch != null) throw new IllegalStateException(what + " synchronizes: not inside a forked task");
        if (recording != null) throw new IllegalStateException(what + " synchronizes: it cannot be captured");
        // the main side's own pending calls must have run before it reads; forked calls may still be pending
        for (Runnable r : mainPending) r.run();
        mainPending.clear();
        sideStarts.replaceAll(x -> 0);
    }

    private <T> T sync(String what, Supplier<T> s) {
        refuse(what);
        return s.get();
    }

    /** The calls CUDA refuses inside a forked task (they share device flags). */
    private void refuseConcurrent(String what) {
        if (branch != null) throw new IllegalStateException(what + " cannot run inside a forked task");
    }

    @Override
    public boolean overlapsForks() { return overlap; }

    @Override
    public int minForkRows() { return minForkRows; }

    @Override
    public Fork fork(Runnable task) {
        if (task == null) throw new IllegalArgumentException("fork: task is null");
        if (branch != null) {   // nested: in order on the second stream, as on CUDA
            task.run();
            return Fork.DONE;
        }
        if (forks == failAt) {
            failAt = -1;
            throw new IllegalStateException("fork: injected failure");
        }
        List<Runnable> seg = new ArrayList<>();
        branch = seg;
        Throwable failure = null;
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            branch = null;
        }
        forks++;
        sideSegments.add(seg);
        sideStarts.add(mainPending.size());
        Fork f = new Fork() {
            private boolean joined;

            @Override
            public void join() {
                if (joined) return;
                joined = true;
                int upTo = indexOf(seg);
                if (upTo < 0) return;   // joined with a later fork already
                List<Runnable> side = new ArrayList<>();
                List<Integer> starts = new ArrayList<>();   // per side call: main calls that must run first
                for (int i = 0; i <= upTo; i++) {
                    for (Runnable r : sideSegments.get(0)) {
                        side.add(r);
                        starts.add(sideStarts.get(0));
                    }
                    sideSegments.remove(0);
                    sideStarts.remove(0);
                }
                List<Runnable> main = mainPending;
                mainPending = new ArrayList<>();
                sideStarts.replaceAll(x -> 0);   // every main call queued so far runs in this merge
                for (Runnable r : merge(side, starts, main)) emit(r);
                if (sideSegments.isEmpty()) {
                    for (Runnable r : mainPending) emit(r);
                    mainPending.clear();
                    for (Buf c : regionCloses) {
                        if (recording != null || openGraphs > 0) deferredCloses.add(c);
                        else c.close();
                    }
                    regionCloses.clear();
                }
            }
        };
        if (failure != null) {   // as CUDA's fork: a failed task is joined (its frees done) before the throw
            f.join();
            if (failure instanceof Error e) throw e;
            throw (RuntimeException) failure;
        }
        return f;
    }

    private int indexOf(List<Runnable> seg) {
        for (int i = 0; i < sideSegments.size(); i++) if (sideSegments.get(i) == seg) return i;
        return -1;
    }

    /**
     * The forked calls {@code a} and the main calls {@code b} in the configured order, each side keeping its
     * own order, and forked call i only after the first {@code starts[i]} main calls (queued before its fork).
     */
    private List<Runnable> merge(List<Runnable> a, List<Integer> starts, List<Runnable> b) {
        List<Runnable> merged = new ArrayList<>(a.size() + b.size());
        int i = 0, j = 0;
        while (i < a.size() || j < b.size()) {
            boolean ready = i < a.size() && starts.get(i) <= j;
            boolean takeA = switch (order) {
                case PROGRAM -> ready;                                   // forked calls as early as they may run
                case MAIN_FIRST -> j == b.size();
                case RANDOM -> ready && (j == b.size() || shuffle.nextBoolean());
            };
            merged.add(takeA ? a.get(i++) : b.get(j++));
        }
        return merged;
    }

    @Override
    public String name() { return "cpu"; }

    @Override
    public Buf alloc(long n) {
        allocFault.throwIfDue(allocs++);
        Buf b = inner.alloc(n);
        if (branch != null || !sideSegments.isEmpty() || recording != null) op(() -> inner.fill(b, 0, n, 0f));   // as CUDA's alloc: a zero-fill launch
        return new RBuf(b);
    }

    @Override
    public void upload(float[] src, int srcOff, Buf dst, long dstOff, int len) {
        refuse("upload");
        uploadFault.throwIfDue(uploads++);
        inner.upload(src, srcOff, u(dst), dstOff, len);
    }

    @Override
    public void download(Buf src, long srcOff, float[] dst, int dstOff, int len) {
        refuse("download");
        inner.download(u(src), srcOff, dst, dstOff, len);
    }

    @Override
    public void copy(Buf src, long srcOff, Buf dst, long dstOff, long n) {
        Buf s = u(src), d = u(dst);
        op(() -> inner.copy(s, srcOff, d, dstOff, n));
    }

    @Override
    public void fill(Buf dst, long off, long n, float value) {
        Buf d = u(dst);
        op(() -> inner.fill(d, off, n, value));
    }

    @Override
    public void copy2d(int rows, int cols, Buf src, long srcOff, int srcLd, Buf dst, long dstOff, int dstLd) {
        Buf s = u(src), d = u(dst);
        op(() -> inner.copy2d(rows, cols, s, srcOff, srcLd, d, dstOff, dstLd));
    }

    @Override
    public void transpose01(int d0, int d1, int d2, Buf x, long xOff, Buf y, long yOff) {
        Buf a = u(x), b = u(y);
        op(() -> inner.transpose01(d0, d1, d2, a, xOff, b, yOff));
    }

    @Override
    public void synchronize() {
        refuse("synchronize");
        inner.synchronize();
    }

    @Override
    public void setPrecision(Precision p) { inner.setPrecision(p); }

    @Override
    public void close() { inner.close(); }

    @Override
    public boolean isClosed() { return inner.isClosed(); }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Buf a, long aOff, int lda,
                     Buf b, long bOff, int ldb, float beta, Buf c, long cOff, int ldc) {
        Buf A = u(a), B = u(b), C = u(c);
        op(() -> inner.gemm(transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc));
    }

    @Override
    public void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha, Buf a, long aOff,
                            int lda, long strideA, Buf b, long bOff, int ldb, long strideB, float beta, Buf c, long cOff,
                            int ldc, long strideC) {
        Buf A = u(a), B = u(b), C = u(c);
        op(() -> inner.gemmBatched(batch, transA, transB, m, n, k, alpha, A, aOff, lda, strideA, B, bOff, ldb, strideB, beta,
                C, cOff, ldc, strideC));
    }

    @Override
    public void axpy(long n, float alpha, Buf x, long xOff, Buf y, long yOff) {
        Buf a = u(x), b = u(y);
        op(() -> inner.axpy(n, alpha, a, xOff, b, yOff));
    }

    @Override
    public void scale(long n, float s, Buf x, long xOff) {
        Buf a = u(x);
        op(() -> inner.scale(n, s, a, xOff));
    }

    @Override
    public void mul(long n, Buf a, long aOff, Buf b, long bOff, Buf out, long outOff) {
        Buf A = u(a), B = u(b), O = u(out);
        op(() -> inner.mul(n, A, aOff, B, bOff, O, outOff));
    }

    @Override
    public void addRowVector(int rows, int cols, Buf bias, long biasOff, Buf y, long yOff) {
        Buf b = u(bias), Y = u(y);
        op(() -> inner.addRowVector(rows, cols, b, biasOff, Y, yOff));
    }

    @Override
    public void sumRows(int rows, int cols, Buf x, long xOff, Buf out, long outOff, boolean accumulate) {
        Buf X = u(x), O = u(out);
        op(() -> inner.sumRows(rows, cols, X, xOff, O, outOff, accumulate));
    }

    @Override
    public void activate(Activation act, long n, int cols, Buf x, long xOff, Buf y, long yOff) {
        Buf X = u(x), Y = u(y);
        op(() -> inner.activate(act, n, cols, X, xOff, Y, yOff));
    }

    @Override
    public void activateBackward(Activation act, long n, int cols, Buf y, long yOff, Buf dy, long dyOff, Buf dx, long dxOff) {
        Buf Y = u(y), DY = u(dy), DX = u(dx);
        op(() -> inner.activateBackward(act, n, cols, Y, yOff, DY, dyOff, DX, dxOff));
    }

    @Override
    public void recurrentStepForward(CellConfig cell, CellStep.Forward step) {
        CellStep.Forward mine = step.map(this::u);
        op(() -> inner.recurrentStepForward(cell, mine));
    }

    @Override
    public void recurrentStepBackward(CellConfig cell, CellStep.Backward step) {
        CellStep.Backward mine = step.map(this::u);
        op(() -> inner.recurrentStepBackward(cell, mine));
    }

    @Override
    public void gatherRows(int n, int dim, Buf idx, long idxOff, Buf table, long tableOff, Buf out, long outOff) {
        refuseConcurrent("gatherRows");
        Buf a = u(idx), b = u(table), c = u(out);
        op(() -> inner.gatherRows(n, dim, a, idxOff, b, tableOff, c, outOff));
    }

    @Override
    public void scatterAddRows(int n, int dim, Buf idx, long idxOff, Buf dOut, long dOutOff, Buf dTable, long dTableOff) {
        refuseConcurrent("scatterAddRows");
        Buf a = u(idx), b = u(dOut), c = u(dTable);
        op(() -> inner.scatterAddRows(n, dim, a, idxOff, b, dOutOff, c, dTableOff));
    }

    @Override
    public void clip(long n, float lo, float hi, Buf x, long xOff) {
        Buf a = u(x);
        op(() -> inner.clip(n, lo, hi, a, xOff));
    }

    @Override
    public void maskFromValues(int rows, int cols, Buf x, long xOff, float maskValue, Buf mask, long maskOff) {
        Buf a = u(x), b = u(mask);
        op(() -> inner.maskFromValues(rows, cols, a, xOff, maskValue, b, maskOff));
    }

    @Override
    public void mulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        Buf a = u(x), b = u(s), c = u(y);
        op(() -> inner.mulRows(rows, cols, a, xOff, b, sOff, c, yOff));
    }

    @Override
    public void maskedMulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        Buf a = u(x), b = u(s), c = u(y);
        op(() -> inner.maskedMulRows(rows, cols, a, xOff, b, sOff, c, yOff));
    }

    @Override
    public void maxOverSteps(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff) {
        Buf a = u(x), b = u(y);
        op(() -> inner.maxOverSteps(batch, steps, features, a, xOff, b, yOff));
    }

    @Override
    public void maxOverStepsBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff,
                                     Buf dx, long dxOff) {
        Buf a = u(x), b = u(y), c = u(dy), d = u(dx);
        op(() -> inner.maxOverStepsBackward(batch, steps, features, a, xOff, b, yOff, c, dyOff, d, dxOff));
    }

    @Override
    public void maxOverStepsFirstBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff,
                                          Buf dx, long dxOff) {
        Buf a = u(x), b = u(y), c = u(dy), d = u(dx);
        op(() -> inner.maxOverStepsFirstBackward(batch, steps, features, a, xOff, b, yOff, c, dyOff, d, dxOff));
    }

    @Override
    public void rsqrt(long n, float eps, Buf x, long xOff, Buf y, long yOff) {
        Buf a = u(x), b = u(y);
        op(() -> inner.rsqrt(n, eps, a, xOff, b, yOff));
    }

    @Override
    public void mulRowVector(int rows, int cols, Buf x, long xOff, Buf v, long vOff, Buf y, long yOff) {
        Buf a = u(x), b = u(v), c = u(y);
        op(() -> inner.mulRowVector(rows, cols, a, xOff, b, vOff, c, yOff));
    }

    @Override
    public void dropoutMask(long n, float rate, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        Buf a = u(counter), b = u(out);
        op(() -> inner.dropoutMask(n, rate, seed, a, counterOff, b, outOff));
    }

    @Override
    public void normalNoise(long n, float mean, float stddev, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        Buf a = u(counter), b = u(out);
        op(() -> inner.normalNoise(n, mean, stddev, seed, a, counterOff, b, outOff));
    }

    @Override
    public void checkIds(long n, Buf ids, long idsOff, int vocab, String context, Buf out, long outOff) {
        refuseConcurrent("checkIds");
        Buf a = u(ids), b = u(out);
        op(() -> inner.checkIds(n, a, idsOff, vocab, context, b, outOff));
    }

    @Override
    public void lossAsync(LossArgs x) {
        refuseConcurrent("lossAsync");
        LossArgs a = new LossArgs(x.kind(), x.rows(), x.cols(), u(x.pred()), u(x.target()), u(x.weights()), u(x.grad()),
                u(x.out()));
        op(() -> inner.lossAsync(a));
    }

    @Override
    public void scaleToSum(long n, double total, Buf x, long xOff) {
        Buf a = u(x);
        op(() -> inner.scaleToSum(n, total, a, xOff));
    }

    @Override
    public void clipNorm(long n, float maxNorm, Buf x, long xOff) {
        Buf a = u(x);
        op(() -> inner.clipNorm(n, maxNorm, a, xOff));
    }

    @Override
    public void adamUpdate(AdamArgs x) {
        AdamArgs a = new AdamArgs(x.n(), u(x.params()), u(x.grads()), u(x.m()), u(x.v()), u(x.step()), u(x.guard()),
                x.lr(), x.beta1(), x.beta2(), x.eps());
        op(() -> inner.adamUpdate(a));
    }

    @Override
    public void sgdUpdate(SgdArgs x) {
        SgdArgs a = new SgdArgs(x.n(), u(x.params()), u(x.grads()), u(x.velocity()), u(x.guard()), x.lr(), x.momentum(),
                x.nesterov());
        op(() -> inner.sgdUpdate(a));
    }

    @Override
    public void optimizerUpdate(OptimizerArgs x) {
        OptimizerArgs a = new OptimizerArgs(x.kind(), x.n(), u(x.params()), u(x.grads()), u(x.s1()), u(x.s2()), u(x.s3()),
                u(x.step()), u(x.guard()), x.lr(), x.h1(), x.h2(), x.eps(), x.weightDecay());
        op(() -> inner.optimizerUpdate(a));
    }

    @Override
    public void finiteGuard(long n, Buf x, long xOff, float code, Buf guard, long guardOff) {
        Buf a = u(x), b = u(guard);
        op(() -> inner.finiteGuard(n, a, xOff, code, b, guardOff));
    }

    @Override
    public void copyIfGuard(long n, Buf guard, long guardOff, Buf src, long srcOff, Buf dst, long dstOff) {
        Buf a = u(guard), b = u(src), c = u(dst);
        op(() -> inner.copyIfGuard(n, a, guardOff, b, srcOff, c, dstOff));
    }

    @Override
    public GraphCapture capture(Runnable step) {
        if (step == null) throw new IllegalArgumentException("capture: step is null");
        refuseConcurrent("capture");
        if (recording != null) throw new IllegalStateException("capture: already capturing");
        if (!sideSegments.isEmpty()) throw new IllegalStateException("capture: a Backend.fork is not joined");
        recording = new ArrayList<>();
        List<Runnable> ops;
        try {
            step.run();
            if (!sideSegments.isEmpty()) {   // as CUDA: the second stream must rejoin before the capture ends
                sideSegments.clear();
                sideStarts.clear();
                mainPending.clear();
                deferredCloses.addAll(regionCloses);
                regionCloses.clear();
                throw new IllegalStateException("capture: the step left a Backend.fork not joined");
            }
        } catch (RuntimeException | Error e) {
            failedCaptures++;
            // as CUDA: forks the step left open are rejoined inside the capture and dropped with it
            sideSegments.clear();
            sideStarts.clear();
            mainPending.clear();
            deferredCloses.addAll(regionCloses);
            regionCloses.clear();
            recording = null;
            if (openGraphs == 0) releaseDeferred();   // nothing recorded survives
            throw e;
        }
        ops = recording;
        recording = null;
        captures++;
        openGraphs++;
        return new GraphCapture() {
            private boolean open = true;

            @Override
            public void replay() {
                if (!open) throw new IllegalStateException("replay of a closed graph");
                if (recording != null) throw new IllegalStateException("replay while capturing");
                replays++;
                for (Runnable r : ops) r.run();
            }

            @Override
            public void close() {
                if (!open) return;
                open = false;
                if (--openGraphs == 0) releaseDeferred();
            }
        };
    }

    private void releaseDeferred() {
        for (Buf b : deferredCloses) b.close();
        deferredCloses.clear();
    }

    /** Graphs not closed yet. */
    public int openGraphs() { return openGraphs; }
}
