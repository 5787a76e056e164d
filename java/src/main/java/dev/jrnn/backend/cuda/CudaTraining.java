package dev.jrnn.backend.cuda;

import dev.jrnn.backend.AdamArgs;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.GraphCapture;
import dev.jrnn.backend.Loss;
import dev.jrnn.backend.LossArgs;
import dev.jrnn.backend.OptimizerArgs;
import dev.jrnn.backend.SgdArgs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CUDA side of the Backend primitives that keep a training step on the device ({@code kernels/train.cu}),
 * the deferred error reports they need, and CUDA graph capture of a step. {@link CudaBackend} delegates to it.
 *
 * <p>Deferred errors: {@code checkIds} and {@code lossAsync} find bad input on the device. Each writes into a
 * small device block (one 64-bit slot per checkIds context, one for sparse loss targets: the first bad row and value); the next
 * synchronizing call of the backend reads the block when a check is pending and throws the
 * IllegalArgumentException the CPU backend would have thrown at once.
 *
 * <p>Capture: {@link #capture} drains the stream, starts a relaxed-mode stream capture, runs the step (its
 * launches are recorded, not run; every synchronizing call is refused), instantiates the graph and pins every
 * block of the pool the graph may use ({@link DevicePool#endCapture}) until the graph is closed.
 */
final class CudaTraining implements AutoCloseable {
    private static final int BLOCK = 256;
    /** Distinct checkIds contexts with their own error slot; later contexts share the last slot. */
    static final int ID_SLOTS = 63;
    /**
     * Device block layout (bytes): [0, 512) id slots (u64 each), 512 the loss-target key (u64: the first refused row and
     * its class index, as an id slot's), 520 double accumulator, 528 the hinge losses' flag (a target neither 0 nor 1).
     */
    private static final int LOSS_FLAG = 512, ACC = 520, HINGE_FLAG = 528, BLOCK_BYTES = 1024;

    private final CudaBackend be;
    private final CudaDriver driver;
    private final DevicePool pool;
    private final TrainKernels tk;
    private final CudaKernels k;
    /** The backend's main stream: captures, graph replays and the error block's reads run there; the ops
     * themselves are queued on {@code be.currentStream()} (the second stream inside a forked task). */
    private final long stream;
    private final int maxGrid;
    private final long block;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment host = arena.allocate(BLOCK_BYTES, 16);
    private final Map<String, Integer> contexts = new HashMap<>();
    private final List<String> contextNames = new ArrayList<>();
    private final List<Integer> contextVocab = new ArrayList<>();
    private final Set<Graph> graphs = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean idsPending;
    private String lossError;
    private boolean capturing;
    /** Graphs made and captures that failed (for tests and diagnostics). */
    private int captures, failedCaptures;

    CudaTraining(CudaBackend be, CudaDriver driver, DevicePool pool, CudaKernels k, long stream, int maxGrid) {
        this.be = be;
        this.driver = driver;
        this.pool = pool;
        this.tk = new TrainKernels(driver, k.module);
        this.k = k;
        this.stream = stream;
        this.maxGrid = maxGrid;
        this.block = pool.allocate(BLOCK_BYTES);
        driver.memsetD32(block, -1, 130, stream);                     // id slots and the loss key: all ones = none bad
        driver.memsetD32(block + ACC, 0, (BLOCK_BYTES - ACC) / 4, stream);
    }

    // ---------------------------------------------------------------- plumbing

    private int grid(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, maxGrid));
    }

    /** A grid-stride launch over {@code n} elements on the current stream. */
    private Grid g1(long n) {
        return Grid.of(grid(n), BLOCK, be.currentStream());
    }

    /** One thread on the current stream. */
    private Grid one() {
        return Grid.of(1, 1, be.currentStream());
    }

    private static void nonNegative(String op, String what, long v) {
        Checks.nonNegative(op, what, v);
    }

    private static void dims(String op, int rows, int cols) {
        Checks.dims(op, rows, cols);
    }

    /** Throws when a graph is being captured: {@code op} would synchronize or copy from/to the Java heap. */
    void refuseInCapture(String op) {
        if (capturing) {
            throw new CudaException(op, 900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
                    op + " synchronizes or copies from/to the Java heap, which a CUDA graph capture cannot contain");
        }
    }

    boolean capturing() { return capturing; }

    // ---------------------------------------------------------------- primitives

    void maskFromValues(int rows, int cols, Buf x, long xOff, float maskValue, Buf mask, long maskOff) {
        String op = "maskFromValues";
        dims(op, rows, cols);
        long xp = be.ptr(op, "x", x, xOff, (long) rows * cols), mp = be.ptr(op, "mask", mask, maskOff, rows);
        be.enter();
        if (rows > 0) tk.maskFromValues(g1(rows), rows, cols, xp, maskValue, mp);
    }

    void mulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        mulRows("mulRows", false, rows, cols, x, xOff, s, sOff, y, yOff);
    }

    void maskedMulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        mulRows("maskedMulRows", true, rows, cols, x, xOff, s, sOff, y, yOff);
    }

    private void mulRows(String op, boolean zeroed, int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff) {
        dims(op, rows, cols);
        long n = (long) rows * cols;
        long xp = be.ptr(op, "x", x, xOff, n), sp = be.ptr(op, "s", s, sOff, rows), yp = be.ptr(op, "y", y, yOff, n);
        be.enter();
        if (n > 0 && zeroed) tk.maskedMulRows(g1(n), rows, cols, xp, sp, yp);
        else if (n > 0) tk.mulRows(g1(n), rows, cols, xp, sp, yp);
    }

    void rsqrt(long n, float eps, Buf x, long xOff, Buf y, long yOff) {
        String op = "rsqrt";
        nonNegative(op, "n", n);
        long xp = be.ptr(op, "x", x, xOff, n), yp = be.ptr(op, "y", y, yOff, n);
        be.enter();
        if (n > 0) tk.rsqrt(g1(n), n, eps, xp, yp);
    }

    void dropoutMask(long n, float rate, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        String op = "dropoutMask";
        nonNegative(op, "n", n);
        Checks.dropoutRate(op, rate);
        long cp = be.ptr(op, "counter", counter, counterOff, 2), op2 = be.ptr(op, "out", out, outOff, n);
        be.enter();
        if (n > 0) tk.dropoutMask(g1(n), n, rate, seed, cp, op2);
        tk.counterAdd(one(), cp);
    }

    void normalNoise(long n, float mean, float stddev, long seed, Buf counter, long counterOff, Buf out, long outOff) {
        String op = "normalNoise";
        nonNegative(op, "n", n);
        Checks.noiseStddev(op, stddev);
        long cp = be.ptr(op, "counter", counter, counterOff, 2), op2 = be.ptr(op, "out", out, outOff, n);
        be.enter();
        if (n > 0) tk.normalNoise(g1(n), n, mean, stddev, seed, cp, op2);
        tk.counterAdd(one(), cp);
    }

    void checkIds(long n, Buf ids, long idsOff, int vocab, String context, Buf out, long outOff) {
        String op = "checkIds";
        nonNegative(op, "n", n);
        Checks.vocab(op, vocab);
        long ip = be.ptr(op, "ids", ids, idsOff, n), outp = be.ptr(op, "out", out, outOff, n);
        be.enter();
        if (n == 0) return;
        int slot = contextSlot(context == null ? op : context, vocab);
        if (n > 0) tk.checkIds(g1(n), n, ip, vocab, outp, block + 8L * slot);
        idsPending = true;
    }

    private int contextSlot(String context, int vocab) {
        Integer s = contexts.get(context);
        if (s != null) {
            contextVocab.set(s, vocab);
            return s;
        }
        if (contextNames.size() >= ID_SLOTS) return ID_SLOTS;   // the shared overflow slot
        int id = contextNames.size();
        contextNames.add(context);
        contextVocab.add(vocab);
        contexts.put(context, id);
        return id;
    }

    void lossAsync(LossArgs a) {
        String op = "lossAsync";
        long n = a.size();
        long pp = be.ptr(op, "pred", a.pred(), n);
        long tp = be.ptr(op, "target", a.target(), a.targetSize());
        long wp = be.ptrOrNull(op, "weights", a.weights(), a.rows());
        long gp = be.ptrOrNull(op, "grad", a.grad(), n);
        long outp = be.ptr(op, "out", a.out(), 1);
        be.enter();
        k.fill(g1(3), block + ACC, 3L, 0f);   // the accumulator and the hinge-label flag after it
        if (a.kind().hingeLabels() && n > 0) k.hingeLabels(g1(n), n, tp, block + HINGE_FLAG);
        int warps = BLOCK / 32;
        int g = (int) Math.max(1, Math.min((a.rows() + warps - 1) / warps, (long) maxGrid));
        Loss l = a.kind();
        k.loss(Grid.of(g, BLOCK, be.currentStream()), l.code(), a.rows(), a.cols(), pp, tp, wp, gp, block + ACC,
                block + LOSS_FLAG, block + HINGE_FLAG, (float) l.delta(), (float) l.gamma(), (float) l.alpha(),
                l.classBalancing() ? 1 : 0, (float) l.labelSmoothing());
        tk.lossFinish(one(), block + ACC, a.rows(), outp);
        if (a.kind().sparse()) lossError = lossTargetTemplate(l, a.cols());
    }

    void maxOverSteps(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff) {
        String op = "maxOverSteps";
        long n = dev.jrnn.backend.Checks.poolDims(op, batch, steps, features), m = (long) batch * features;
        long xp = be.ptr(op, "x", x, xOff, n), yp = be.ptr(op, "y", y, yOff, m);
        be.enter();
        if (m > 0) tk.maxOverSteps(g1(m), batch, steps, features, xp, yp);
    }

    /** Ties share dy, or with {@code first} it goes to the first of them (maxOverStepsFirstBackward). */
    void maxOverStepsBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff,
                              Buf dx, long dxOff, boolean first) {
        String op = first ? "maxOverStepsFirstBackward" : "maxOverStepsBackward";
        long n = dev.jrnn.backend.Checks.poolDims(op, batch, steps, features), m = (long) batch * features;
        long xp = be.ptr(op, "x", x, xOff, n), yp = be.ptr(op, "y", y, yOff, m), dyp = be.ptr(op, "dy", dy, dyOff, m);
        long dxp = be.ptr(op, "dx", dx, dxOff, n);
        be.enter();
        if (m > 0 && first) tk.maxOverStepsFirstBackward(g1(m), batch, steps, features, xp, yp, dyp, dxp);
        else if (m > 0) tk.maxOverStepsBackward(g1(m), batch, steps, features, xp, yp, dyp, dxp);
    }

    void scaleToSum(long n, double total, Buf x, long xOff) {
        nonNegative("scaleToSum", "n", n);
        long xp = be.ptr("scaleToSum", "x", x, xOff, n);
        be.enter();
        scaleBySum(n, xp, 0, total);
    }

    void clipNorm(long n, float maxNorm, Buf x, long xOff) {
        nonNegative("clipNorm", "n", n);
        Checks.maxNorm("clipNorm", maxNorm);
        long xp = be.ptr("clipNorm", "x", x, xOff, n);
        be.enter();
        scaleBySum(n, xp, 1, maxNorm);
    }

    /** Two launches, no atomics: per-block partial sums, then every block adds them in order and scales. */
    private void scaleBySum(long n, long xp, int mode, double param) {
        if (n == 0) return;
        int parts = Math.min(grid(n), 1024);
        long partial = be.workspace(8L * parts);
        tk.sumPartial(Grid.of(parts, BLOCK, be.currentStream()), n, xp, mode == 1 ? 1 : 0, partial);
        tk.scaleBySum(g1(n), parts, partial, mode, param, n, xp);
    }

    void adamUpdate(AdamArgs a) {
        String op = "adamUpdate";
        long n = a.n();
        long pp = be.ptr(op, "params", a.params(), n), gp = be.ptr(op, "grads", a.grads(), n);
        long mp = be.ptr(op, "m", a.m(), n), vp = be.ptr(op, "v", a.v(), n);
        long sp = be.ptr(op, "step", a.step(), 3);
        long gd = be.ptrOrNull(op, "guard", a.guard(), 1);
        be.enter();
        tk.adamStep(one(), sp, a.lr(), a.beta1(), a.beta2(), gd);
        if (n > 0) tk.adamT(g1(n), n, pp, gp, mp, vp, sp, 1f - a.beta1(), 1f - a.beta2(), a.eps(), gd);
    }

    void optimizerUpdate(OptimizerArgs a) {
        String op = "optimizerUpdate(" + a.kind().name().toLowerCase(java.util.Locale.ROOT) + ")";
        long n = a.n();
        long pp = be.ptr(op, "params", a.params(), n), gp = be.ptr(op, "grads", a.grads(), n);
        long s1 = be.ptr(op, "s1", a.s1(), n), s2 = be.ptrOrNull(op, "s2", a.s2(), n), s3 = be.ptrOrNull(op, "s3", a.s3(), n);
        long sp = be.ptrOrNull(op, "step", a.step(), OptimizerArgs.STEP_FLOATS);
        long gd = be.ptrOrNull(op, "guard", a.guard(), 1);
        int kind = a.kind().code();
        be.enter();
        if (a.kind().counted()) tk.optStep(one(), kind, sp, a.lr(), a.h1(), a.h2(), gd);
        if (n > 0) tk.optUpdate(g1(n), kind, n, pp, gp, s1, s2, s3, sp, a.lr(), a.h1(), a.h2(), a.eps(), a.weightDecay(), gd);
    }

    void sgdUpdate(SgdArgs a) {
        String op = "sgdUpdate";
        long n = a.n();
        long pp = be.ptr(op, "params", a.params(), n), gp = be.ptr(op, "grads", a.grads(), n);
        long vp = be.ptrOrNull(op, "velocity", a.velocity(), n);
        long gd = be.ptrOrNull(op, "guard", a.guard(), 1);
        be.enter();
        if (n > 0) tk.sgdGuarded(g1(n), n, pp, gp, vp, a.lr(), a.momentum(), a.nesterov() ? 1 : 0, gd);
    }

    void finiteGuard(long n, Buf x, long xOff, float code, Buf guard, long guardOff) {
        String op = "finiteGuard";
        nonNegative(op, "n", n);
        Checks.guardCode(op, code);
        long xp = be.ptr(op, "x", x, xOff, n), gd = be.ptr(op, "guard", guard, guardOff, 1);
        be.enter();
        if (n > 0) tk.finiteGuard(g1(n), n, xp, code, gd);
    }

    void copyIfGuard(long n, Buf guard, long guardOff, Buf src, long srcOff, Buf dst, long dstOff) {
        String op = "copyIfGuard";
        nonNegative(op, "n", n);
        long gd = be.ptr(op, "guard", guard, guardOff, 1);
        long sp = be.ptr(op, "src", src, srcOff, n), dp = be.ptr(op, "dst", dst, dstOff, n);
        be.enter();
        if (n > 0) tk.copyIf(g1(n), n, gd, sp, dp);
    }

    // ---------------------------------------------------------------- deferred errors

    /**
     * When a device check is pending: reads the error block (synchronizes), resets it, and returns the
     * error to throw (null when all was fine).
     */
    RuntimeException takeDeferredError() {
        if (!idsPending && lossError == null) return null;
        boolean ids = idsPending;
        String lossMsg = lossError;
        idsPending = false;
        lossError = null;
        driver.copyDtoH(host, block, ACC, stream);   // id slots and the loss flag
        RuntimeException err = null;
        if (ids) {
            for (int s = 0; s <= ID_SLOTS && err == null; s++) {
                long key = host.get(ValueLayout.JAVA_LONG, 8L * s);
                if (key == -1L) continue;
                long index = key >>> 32;
                float value = Float.intBitsToFloat((int) key);
                boolean named = s < contextNames.size();
                err = new IllegalArgumentException((named ? contextNames.get(s) : "checkIds") + ": id " + value
                        + " at flat index " + index + " is not an integer in [0, "
                        + (named ? contextVocab.get(s).toString() : "vocab") + ")");
            }
            driver.memsetD32(block, -1, 128, stream);
        }
        long lossKey = host.get(ValueLayout.JAVA_LONG, LOSS_FLAG);
        if (lossMsg != null && lossKey != -1L) {
            if (err == null) err = new IllegalArgumentException(lossTargetMessage(lossMsg, lossKey));
            driver.memsetD32(block + LOSS_FLAG, -1, 2, stream);
        }
        return err;
    }

    /**
     * The refusal of a sparse loss's class index: {@code template} (lossAsync's, with {@code %s} where the index goes)
     * filled from the kernel's key ({@code row << 32 | the index's float bits}), as the CPU backend says it.
     */
    static String lossTargetMessage(String template, long key) {
        return template.formatted("index " + Float.intBitsToFloat((int) key) + " at position " + (key >>> 32));
    }

    /** The CPU backend's refusal of a class index (CpuRows.index under lossAsync's name), {@code %s} for the index and row. */
    static String lossTargetTemplate(Loss loss, int cols) {
        return "lossAsync(" + loss.name().toLowerCase(java.util.Locale.ROOT) + "): %s is not an integer in [0, " + cols + ")";
    }

    // ---------------------------------------------------------------- capture

    GraphCapture capture(Runnable step) {
        if (step == null) throw new IllegalArgumentException("capture: step is null");
        if (capturing) throw new IllegalStateException("capture: a capture is already in progress on this backend");
        be.synchronize();   // earlier work and its deferred errors settle outside the graph
        be.idsPending = false;
        pool.beginCapture();
        driver.streamBeginCapture(stream);
        capturing = true;
        try {
            step.run();
            if (be.outstandingForks() > 0) {   // the second stream must rejoin before the capture ends
                int open = be.outstandingForks();
                be.joinOutstandingForks();
                throw new IllegalStateException("capture: the step left " + open + " Backend.fork(s) not joined");
            }
        } catch (RuntimeException | Error e) {
            capturing = false;
            failedCaptures++;
            if (be.outstandingForks() > 0) {
                // A fork the step left open (it threw before joining): rejoin the second stream while the capture
                // is still open, so that nothing of it outlives the capture and its deferred frees end (else the
                // pool would set every later free aside for good). Nothing captured runs, so reuse is safe.
                try {
                    be.joinOutstandingForks();
                } catch (RuntimeException j) {
                    e.addSuppressed(j);
                }
            }
            driver.abortCapture(stream);
            pool.abortCapture();
            clearPending();   // nothing of the step ran
            throw e;
        }
        capturing = false;
        boolean legacyIds = be.idsPending, ids = idsPending;
        String lossMsg = lossError;
        clearPending();       // set again by each replay
        long graph;
        try {
            graph = driver.streamEndCapture(stream);
        } catch (RuntimeException e) {
            failedCaptures++;
            pool.abortCapture();
            throw e;
        }
        long exec;
        try {
            exec = driver.graphInstantiate(graph);
        } catch (RuntimeException e) {
            failedCaptures++;
            pool.abortCapture();
            throw e;
        } finally {
            try {
                driver.graphDestroy(graph);   // the executable graph is independent of its template
            } catch (RuntimeException ignored) {
                // nothing more to free
            }
        }
        Graph g = new Graph(exec, pool.endCapture(), legacyIds, ids, lossMsg);
        graphs.add(g);
        captures++;
        return g;
    }

    private void clearPending() {
        be.idsPending = false;
        idsPending = false;
        lossError = null;
    }

    /** Number of graphs not closed yet (for tests). */
    int openGraphs() { return graphs.size(); }

    /** Graphs captured so far. */
    int captures() { return captures; }

    /** Captures that failed (a synchronizing call inside the step, or a driver error). */
    int failedCaptures() { return failedCaptures; }

    /** An instantiated CUDA graph of one step; replays on the backend's stream. */
    final class Graph implements GraphCapture {
        private long exec;
        private final long[] pins;
        private final boolean legacyIds, ids;
        private final String lossMsg;

        Graph(long exec, long[] pins, boolean legacyIds, boolean ids, String lossMsg) {
            this.exec = exec;
            this.pins = pins;
            this.legacyIds = legacyIds;
            this.ids = ids;
            this.lossMsg = lossMsg;
        }

        @Override
        public void replay() {
            be.enter();
            if (exec == 0) throw new IllegalStateException("GraphCapture.replay: the graph is closed");
            if (capturing) throw new IllegalStateException("GraphCapture.replay: not allowed while capturing");
            // The graph's second-stream branch uses that stream's cuBLAS handle and reduction workspace: work
            // still forked on the second stream must not run beside it (a join only orders, it does not wait)
            if (be.outstandingForks() > 0) be.joinOutstandingForks();
            driver.graphLaunch(exec, stream);
            if (legacyIds) be.idsPending = true;
            if (ids) idsPending = true;
            if (lossMsg != null) lossError = lossMsg;
        }

        @Override
        public void close() {
            if (exec == 0) return;
            long e = exec;
            exec = 0;
            graphs.remove(this);
            try {
                driver.streamSynchronize(stream);   // no replay still in flight
                driver.graphExecDestroy(e);
            } finally {
                pool.unpin(pins);
            }
        }
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Graph g : new ArrayList<>(graphs)) {
            try {
                g.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        pool.free(block);
        arena.close();
        if (first != null) throw first;
    }
}
