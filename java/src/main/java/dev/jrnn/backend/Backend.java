package dev.jrnn.backend;

/**
 * Every numeric primitive the layers, losses and optimizers need. Two implementations, one contract:
 * {@code backend.cpu.CpuBackend} (Vector API) and {@code backend.cuda.CudaBackend} (fused CUDA
 * kernels + cuBLAS). Layers never branch on the backend; tests compare the two.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>All data is float32, row-major. Every buffer argument comes with an offset in floats
 *       ({@code xOff}); the operation touches only the span it describes.</li>
 *   <li>A nullable buffer argument (documented as such) may be passed as {@code null}.</li>
 *   <li>Operations with many arguments take a record of {@link Span}s ({@link AdamArgs}, {@link SgdArgs},
 *       {@link LossArgs}). Both backends check arguments through {@link Checks}, with the same messages.</li>
 *   <li>Sequences inside layers are time-major {@code [T, B, F]} so a timestep is one contiguous
 *       {@code [B, F]} slice; masks are {@code [T, B]} (1 = step is real, 0 = padded).</li>
 *   <li>Operations are asynchronous on CUDA (ordered on one stream); the method that returns Java values
 *       ({@link #download}) synchronizes. A training
 *       step needs none of them: {@link #lossAsync}, {@link #checkIds}, {@link #maskFromValues},
 *       {@link #dropoutMask}, {@link #clipNorm} and the counted {@code adamUpdate} keep everything on the
 *       device, so CUDA can capture the step into a graph ({@link #capture}).</li>
 *   <li>Recurrent "step" kernels fuse bias, activations and the state update for one timestep of a
 *       batch; the caller does the GEMMs around them (see each layer for the loop).</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** "cpu" or "cuda". */
    String name();

    // ---------------------------------------------------------------- memory

    /** A zero-filled buffer of {@code n} floats. */
    Buf alloc(long n);

    /**
     * A buffer of {@code n} floats whose contents are unspecified ({@code torch.empty}): anything, NaN included. For a
     * caller that writes every element before it reads any, never for a buffer that is accumulated into (a GEMM with
     * beta != 0, axpy): the CPU backend hands back a reused array without zeroing it (a train step's activations and
     * gradients, ~9 MB per step at LSTM B=32, T=50, H=128). This default is {@link #alloc}.
     *
     * <pre>{@code
     * Buf gates = be.empty((long) T * B * G);   // every element written by the input projection
     * }</pre>
     */
    default Buf empty(long n) { return alloc(n); }

    /** Copies {@code len} floats of {@code src} from {@code srcOff} into {@code dst} at {@code dstOff}. */
    void upload(float[] src, int srcOff, Buf dst, long dstOff, int len);

    /** Copies {@code len} floats of {@code src} at {@code srcOff} into {@code dst} at {@code dstOff}. */
    void download(Buf src, long srcOff, float[] dst, int dstOff, int len);

    /** {@code dst[dstOff + i] = src[srcOff + i]} for i in [0, n); regions may not overlap. */
    void copy(Buf src, long srcOff, Buf dst, long dstOff, long n);

    /** Sets {@code n} floats to {@code value}. */
    void fill(Buf dst, long off, long n, float value);

    /** Strided 2-D copy: {@code dst[r*dstLd + c] = src[r*srcLd + c]} for r &lt; rows, c &lt; cols (concat/split of last axis). */
    void copy2d(int rows, int cols, Buf src, long srcOff, int srcLd, Buf dst, long dstOff, int dstLd);

    /** Swaps the first two axes: {@code y[j, i, k] = x[i, j, k]} for x of shape [d0, d1, d2]. */
    void transpose01(int d0, int d1, int d2, Buf x, long xOff, Buf y, long yOff);

    /** Waits for all queued work. */
    void synchronize();

    /** Precision of matrix products (CPU ignores it: always FP32). */
    default void setPrecision(Precision p) {}

    /**
     * Records the backend calls {@code step} makes, without running them, into a graph that
     * {@link GraphCapture#replay()} runs (the first replay does the step's work). Returns null where the
     * backend cannot capture (the CPU backend): the caller then runs {@code step} itself. Inside
     * {@code step} only asynchronous calls are allowed: a call that synchronizes or copies from/to a Java
     * array ({@link #download}, {@link #upload}, {@link #synchronize}) throws, the capture is abandoned (nothing ran) and the exception propagates.
     * Buffers allocated inside {@code step} and the buffers it touches stay reserved for the graph until it
     * is closed, so they are never handed out to anyone else meanwhile.
     */
    default GraphCapture capture(Runnable step) {
        return null;
    }

    /**
     * Runs {@code task}, letting its work overlap the calls made after this returns, until
     * {@link Fork#join()}: CUDA (two streams) runs it now on the host and queues its calls on
     * a second stream; the CPU backend made with {@code CpuBackend.create(true)} runs it on a second thread
     * (its exceptions then come from {@code join}). The forked work starts after everything queued before the call. Until the join,
     * neither side may write what the other reads or writes, the task's calls must not synchronize, and
     * inside the task {@code gatherRows}, {@code scatterAddRows}, {@code checkIds}, {@code lossAsync} and
     * {@link #capture} may be refused (they share device flags). Join every fork (before a captured step
     * ends). The default runs the task and returns {@link Fork#DONE}.
     *
     * <pre>{@code
     * Fork grads = be.fork(() -> be.gemm(true, false, I, G, rows, 1f, x, 0, I, dG, 0, G, 1f, dW, 0, G));
     * ...                 // earlier timesteps of the backward loop, overlapped with the GEMM
     * grads.join();
     * }</pre>
     */
    default Fork fork(Runnable task) {
        if (task == null) throw new IllegalArgumentException("fork: task is null");
        task.run();
        return Fork.DONE;
    }

    /**
     * A new {@link CopyQueue} for host-to-device copies that overlap the compute (CUDA: a second stream and
     * page-locked host memory), or null where uploads cost no more than a host copy (the CPU backend); the
     * caller closes it.
     *
     * <pre>{@code
     * CopyQueue q = be.copyQueue();
     * if (q != null) try (q) { ... }
     * }</pre>
     */
    default CopyQueue copyQueue() {
        return null;
    }

    /** Whether {@link #fork} can overlap work (so that splitting work into forks may pay). */
    default boolean overlapsForks() {
        return false;
    }

    /**
     * The fewest rows (steps x batch) a forked chunk of a sequence's GEMMs should have, so that splitting a
     * sequence into forks keeps the GEMMs large enough to pay; only read when {@link #overlapsForks()}.
     */
    default int minForkRows() {
        return MIN_FORK_ROWS;
    }

    /** What {@link #minForkRows()} answers unless a backend says otherwise. */
    int MIN_FORK_ROWS = 512;

    /**
     * Runs {@code first} and {@code second}, which must be independent (neither reads what the other writes),
     * letting the backend overlap them: {@code second} is {@link #fork forked}, {@code first} runs, then the
     * fork is joined. Bidirectional runs its two directions this way.
     *
     * <pre>{@code
     * be.runConcurrently(() -> forward = fwdLayer.forward(in, mask, true),
     *                    () -> backward = bwdLayer.forward(in, mask, true));
     * }</pre>
     */
    default void runConcurrently(Runnable first, Runnable second) {
        if (first == null || second == null) throw new IllegalArgumentException("runConcurrently: a task is null");
        Fork f = fork(second);
        try {
            first.run();
        } finally {
            f.join();
        }
    }

    /** Releases backend-wide resources (handles, pools). Buffers should be closed before. */
    @Override
    default void close() {}

    /**
     * Gives back the memory this backend keeps for reuse between passes, without closing it: models and buffers stay
     * usable, and the next pass allocates afresh. {@code Jrnn.clearSession()} calls it. The CPU backend drops
     * its pool of closed buffers' arrays and the packing scratch of its products; CUDA's waits for its queued work and
     * gives the device pool's cached blocks back to the driver; a backend without one of its own does nothing. CUDA's
     * is refused inside a graph capture or a forked task, and, as any CUDA call, is for the thread that drives the
     * backend, not while a pass runs on another.
     *
     * <pre>{@code
     * model.predict(x);
     * Jrnn.backend().trim();   // or Jrnn.clearSession()
     * }</pre>
     */
    default void trim() {}

    /**
     * Whether {@link #close()} has run: a closed backend throws {@link BackendClosedException} where it is used. A
     * backend without a close of its own is never closed.
     */
    default boolean isClosed() { return false; }

    // ---------------------------------------------------------------- BLAS-like

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, row-major, with op(X) = X or X^T.
     * op(A) is [m, k], op(B) is [k, n], C is [m, n]; {@code lda/ldb/ldc} are row strides of the stored
     * matrices (A stored [m, k] when not transposed, [k, m] when transposed). With beta = 0, C's old
     * content is ignored (NaN in C must not leak).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              Buf a, long aOff, int lda, Buf b, long bOff, int ldb,
              float beta, Buf c, long cOff, int ldc);

    /**
     * {@link #gemm} over a strided batch ({@code cublasSgemmStridedBatched}): for i in [0, batch),
     * {@code C_i = alpha * op(A_i) * op(B_i) + beta * C_i} with {@code A_i} at {@code aOff + i * strideA}, {@code B_i}
     * at {@code bOff + i * strideB}, {@code C_i} at {@code cOff + i * strideC} (strides in floats). A stride of 0 for A
     * or B uses one matrix for the whole batch (a broadcast); the C matrices must not overlap
     * ({@code strideC} at least one C's span). Same precision as {@link #gemm}.
     *
     * <pre>{@code
     * // scores[b] = Q[b] (Tq x D) · K[b]^T for every sample b: one call, not B
     * be.gemmBatched(B, false, true, Tq, Tv, D, 1f, q, 0, D, (long) Tq * D, k, 0, D, (long) Tv * D,
     *         0f, scores, 0, Tv, (long) Tq * Tv);
     * }</pre>
     */
    void gemmBatched(int batch, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buf a, long aOff, int lda, long strideA, Buf b, long bOff, int ldb, long strideB,
                     float beta, Buf c, long cOff, int ldc, long strideC);

    /** {@code y += alpha * x} over n floats. */
    void axpy(long n, float alpha, Buf x, long xOff, Buf y, long yOff);

    /** {@code x *= s} over n floats. */
    void scale(long n, float s, Buf x, long xOff);

    /** {@code out = a * b} elementwise over n floats ({@code out} may alias a or b). */
    void mul(long n, Buf a, long aOff, Buf b, long bOff, Buf out, long outOff);

    /** {@code y[r, c] += bias[c]} for a [rows, cols] matrix. */
    void addRowVector(int rows, int cols, Buf bias, long biasOff, Buf y, long yOff);

    /** {@code out[c] (+)= sum_r x[r, c]}; accumulates when {@code accumulate}, else overwrites. */
    void sumRows(int rows, int cols, Buf x, long xOff, Buf out, long outOff, boolean accumulate);

    /**
     * A layer's weight gradients over {@code rows} rows, dense and row-major: {@code w1 += x1^T · dz} and
     * {@code w2 += x2^T · dz} (dz [rows, n], x1 [rows, k1], w1 [k1, n], x2 [rows, k2], w2 [k2, n]; the second
     * pair skipped when x2 is null) and {@code db += } the column sums of dz (skipped when db is null).
     * The default makes the two GEMMs and the {@link #sumRows} in that order; the CPU backend packs dz once
     * for all three (same sums, same order).
     *
     * <pre>{@code
     * be.weightGradients(T * B, G, BufAt.at(dGates, 0), H, BufAt.at(hs, 0), BufAt.at(dU, 0),
     *         I, BufAt.at(xT, 0), BufAt.at(dW, 0), BufAt.at(db, 0));
     * }</pre>
     */
    default void weightGradients(int rows, int n, BufAt dz, int k1, BufAt x1, BufAt w1, int k2, BufAt x2, BufAt w2,
                                 BufAt db) {
        String op = "weightGradients";
        Checks.notNull(op, "dz", dz);
        Checks.notNull(op, "x1", x1);
        Checks.notNull(op, "w1", w1);
        if (x2 != null) Checks.notNull(op, "w2", w2);
        gemm(true, false, k1, n, rows, 1f, x1.buf(), x1.offset(), k1, dz.buf(), dz.offset(), n, 1f, w1.buf(), w1.offset(), n);
        if (x2 != null) {
            gemm(true, false, k2, n, rows, 1f, x2.buf(), x2.offset(), k2, dz.buf(), dz.offset(), n, 1f, w2.buf(),
                    w2.offset(), n);
        }
        if (db != null) sumRows(rows, n, dz.buf(), dz.offset(), db.buf(), db.offset(), true);
    }

    // ---------------------------------------------------------------- activations

    /**
     * {@code y = act(x)} over n floats (x and y may alias). For SOFTMAX, {@code n} must be a multiple
     * of {@code cols} and the softmax runs over each row of {@code cols}; other activations ignore cols.
     */
    void activate(Activation act, long n, int cols, Buf x, long xOff, Buf y, long yOff);

    /**
     * {@code dx = dy * act'(x)} written through the output {@code y = act(x)} (dx may alias dy).
     * For SOFTMAX: {@code dx_r = y_r * (dy_r - <dy_r, y_r>)} per row of {@code cols}.
     */
    void activateBackward(Activation act, long n, int cols, Buf y, long yOff, Buf dy, long dyOff, Buf dx, long dxOff);

    // ---------------------------------------------------------------- recurrent cells, one timestep

    /**
     * One timestep of a recurrent cell of kind {@code cell.kind()}, fusing bias, activations and the state
     * update (the caller has added hPrev·U with a GEMM; see {@link CellStep.Forward} for the buffers):
     * <ul>
     *   <li>SIMPLE_RNN: {@code h = act(pre)}.
     *   <li>LSTM (Keras gate order i, f, c, o): gates hold x·W + b + hPrev·U on entry and the activated gates
     *       (i, f, g = act(.), o) on exit; {@code c = f*cPrev + i*g}, {@code h = o * act(c)}; i, f, o use the
     *       recurrent activation.
     *   <li>GRU (Keras v2, reset_after): adds {@code recurrentBias} (nullable) to rp = hPrev·U in place, then
     *       z = recAct(xz + rz), r = recAct(xr + rr), hh = act(xh + r * rh), h = z * hPrev + (1 - z) * hh;
     *       on exit xp holds (z, r, hh) and rp holds hPrev·U + bRec, both kept for backward.
     *   <li>GRU reset-before ({@code cell.resetBefore()}, Keras' reset_after=False; bias [3H] all in xp): the caller
     *       has added hPrev·U[:, :2H] to xp's z, r columns; z, r = recAct(.), resetState = r * hPrev,
     *       xh += resetState · U[:, 2H:] (a GEMM inside the operation: it needs r), hh = act(xh),
     *       h = z * hPrev + (1 - z) * hh; on exit xp holds (z, r, hh).
     * </ul>
     * Masked rows (mask[b] == 0; mask nullable) copy hPrev (and cPrev); their gates are ignored by backward.
     * What the gates keep for backward is the activated value, except for gelu, swish and
     * Keras 3's relu6, mish... ({@link Activation#needsInput()}), whose derivative needs the input: for those the gate keeps its
     * pre-activation (and backward applies the activation again where it needs the value).
     */
    void recurrentStepForward(CellConfig cell, CellStep.Forward step);

    /**
     * The backward of one timestep (see {@link CellStep.Backward}). With {@code g = dhNext + dy} (dy
     * nullable): SIMPLE_RNN {@code dpre = g * act'(h)} (gelu, swish, mish...: {@code h} holds the pre-activations),
     * {@code dhPrev = 0}; LSTM dgates, {@code dcPrev}
     * (dcNext the gradient into c from step t+1; dcPrev may alias dcNext) and {@code dhPrev = 0}; GRU dxp,
     * drp and {@code dhPrev = g * z}; GRU reset-before dxp, dResetState = dh · U[:, 2H:]^T (a GEMM inside) and
     * {@code dhPrev = g * z + dResetState * r}. Masked rows: no gate gradients, {@code dhPrev = g}, dcPrev = dcNext.
     * The caller then adds {@code dgates · U^T} (GRU: {@code drp · U^T}; reset-before: dxp[:, :2H] · U[:, :2H]^T)
     * into dhPrev with a GEMM.
     */
    void recurrentStepBackward(CellConfig cell, CellStep.Backward step);

    // ---------------------------------------------------------------- recurrent cells, whole sequence

    /**
     * Whether {@link #recurrentSequenceForward} may take this shape: false means it would surely return
     * false (so a layer can prepare for its per-step loop instead, e.g. by forking its input projection in
     * chunks). CPU: true unless its forks are on.
     */
    default boolean recurrentSequenceSupported(CellConfig cell, int steps) {
        return false;
    }

    /**
     * Optional fast path: runs the whole per-step forward loop of one recurrent layer call as one fused
     * launch (e.g. CUDA's persistent kernels, which keep U on chip across steps), with exactly the effect
     * of running {@code steps} times the per-step GEMM + fused step kernel in the layer's layout (see
     * {@link CellSequence.Forward}). Returns false, having done nothing, when this backend has no such path
     * for the shape (the caller then runs its per-step loop). CPU: U packed once, the batch split over the
     * cores once per sequence (not with forks on: those split the per-step loop).
     */
    default boolean recurrentSequenceForward(CellConfig cell, CellSequence.Forward seq) {
        return false;
    }

    /**
     * Optional fast path for the per-step backward loop (see {@link #recurrentSequenceForward} and
     * {@link CellSequence.Backward}). Returns false, having done nothing, when there is no such path.
     */
    default boolean recurrentSequenceBackward(CellConfig cell, CellSequence.Backward seq) {
        return false;
    }

    // ---------------------------------------------------------------- embedding

    /** {@code out[i, :] = table[idx[i], :]} for i &lt; n; idx holds integer ids as floats, each in [0, vocab). */
    void gatherRows(int n, int dim, Buf idx, long idxOff, Buf table, long tableOff, Buf out, long outOff);

    /** {@code dTable[idx[i], :] += dOut[i, :]} for i &lt; n. */
    void scatterAddRows(int n, int dim, Buf idx, long idxOff, Buf dOut, long dOutOff, Buf dTable, long dTableOff);

    // ---------------------------------------------------------------- clipping

    /** {@code x = min(max(x, lo), hi)} over n floats. */
    void clip(long n, float lo, float hi, Buf x, long xOff);

    // ---------------------------------------------------------------- device-side checks, masks, random numbers
    // What a training step needs without a host round trip: on CUDA none of these synchronizes, so a whole
    // step can be queued (and captured into a CUDA graph, see capture()).

    /**
     * Masking's mask: {@code mask[r] = 1} when some {@code x[r, c] != maskValue} (c &lt; cols), else 0,
     * for a row-major [rows, cols] matrix x (a NaN counts as different).
     * Example: rows = batch * timesteps, cols = features gives the [batch, timesteps] mask of Keras Masking;
     * cols = 1 and maskValue = 0 gives Embedding's mask_zero mask.
     */
    void maskFromValues(int rows, int cols, Buf x, long xOff, float maskValue, Buf mask, long maskOff);

    /** {@code y[r, c] = x[r, c] * s[r]} for a row-major [rows, cols] matrix ({@code y} may alias {@code x}). */
    void mulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff);

    /**
     * {@link #mulRows} where a zero scale zeroes its row whatever x holds: {@code y[r, c] = s[r] == 0 ? 0 : x[r, c] * s[r]}
     * (Keras' {@code where(mask, x, 0)}: an Inf or NaN at a masked step stays out; {@code y} may alias {@code x}).
     */
    void maskedMulRows(int rows, int cols, Buf x, long xOff, Buf s, long sOff, Buf y, long yOff);

    /**
     * Global max pooling over steps: {@code y[b, f] = max over t of x[b, t, f]} for a row-major [batch, steps, features]
     * x, steps &gt;= 1 (a NaN wins, as NumPy's max).
     */
    void maxOverSteps(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff);

    /**
     * The gradient of {@link #maxOverSteps}: {@code dx[b, t, f] = dy[b, f] / k} where {@code x[b, t, f] == y[b, f]}
     * (k such steps share it, as TensorFlow's and JAX's max), else 0.
     */
    void maxOverStepsBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff,
                              Buf dx, long dxOff);

    /**
     * {@link #maxOverStepsBackward} where ties do not share: {@code dx[b, t, f] = dy[b, f]} at the first t with
     * {@code x[b, t, f] == y[b, f]}, else 0 (TensorFlow's and JAX's max pooling windows give a tie's gradient to its earliest step).
     */
    void maxOverStepsFirstBackward(int batch, int steps, int features, Buf x, long xOff, Buf y, long yOff, Buf dy, long dyOff,
                                   Buf dx, long dxOff);

    /** {@code y[i] = 1 / sqrt(x[i] + eps)} over n floats (LayerNormalization's inverse deviation; y may alias x). */
    void rsqrt(long n, float eps, Buf x, long xOff, Buf y, long yOff);

    /**
     * {@code y[r, c] = x[r, c] * v[c]}: each row of a row-major [rows, cols] matrix times the row vector v
     * (BatchNormalization's per-feature scale; {@code y} may alias {@code x}).
     */
    void mulRowVector(int rows, int cols, Buf x, long xOff, Buf v, long vOff, Buf y, long yOff);

    /**
     * Dropout's keep mask: {@code out[i] = u_i >= rate ? 1f / (1f - rate) : 0f} with
     * {@code u_i = CounterRng.uniform(seed, c, i)} and c the call counter held in {@code counter} (two
     * floats at {@code counterOff}: lo, hi, see {@link CounterRng#counter}); then the counter is advanced by
     * one. The counter lives in the backend's memory and is advanced by the backend itself, so both backends
     * draw identical masks and a replayed {@link #capture} draws a fresh mask each time. Start a counter at
     * zero ({@link #alloc} does).
     */
    void dropoutMask(long n, float rate, long seed, Buf counter, long counterOff, Buf out, long outOff);

    /**
     * Gaussian noise (GaussianNoise, GaussianDropout): {@code out[i] = mean + stddev * z_i} with z_i standard normal
     * by Box-Muller from two numbers of the {@link #dropoutMask} stream, {@code z_i = CounterRng.normal(base, i)}
     * (see there; c the call counter at {@code counterOff}, advanced by one afterwards as dropoutMask's), so both
     * backends draw the same noise and a replayed {@link #capture} draws fresh noise.
     */
    void normalNoise(long n, float mean, float stddev, long seed, Buf counter, long counterOff, Buf out, long outOff);

    /**
     * Checks that every id is an integer in [0, vocab) and writes {@code out[i] = ids[i]} for good ids and
     * {@code -1} for bad ones (so a lookup through {@code out} never reaches past the table's {@code vocab}
     * rows). A bad id is reported as an IllegalArgumentException
     * {@code "<context>: id <value> at flat index <i> is not an integer in [0, <vocab>)"} naming the first bad
     * index: immediately on the CPU, at the next synchronizing call on CUDA (the check runs on the device).
     * {@code out} may alias {@code ids}.
     */
    void checkIds(long n, Buf ids, long idsOff, int vocab, String context, Buf out, long outOff);

    /**
     * The loss and its gradient as {@link LossArgs} describes, without waiting for it: the mean loss is
     * written as one float to {@code out} in the backend's memory. Bad sparse targets are reported by the next
     * synchronizing call on CUDA (immediately on the CPU). Read the values later, many at once, with
     * {@link #download}.
     */
    void lossAsync(LossArgs args);

    /**
     * {@code x *= (float) (total / sum(x))} over n floats, the sum taken in double; x is left as it is
     * when its sum is 0. E.g. masked sequence losses turn a 0/1 mask into row weights averaging over the
     * valid rows only.
     */
    void scaleToSum(long n, double total, Buf x, long xOff);

    /**
     * Keras' clipnorm on one span: with {@code norm = sqrt(sum x^2)} (double), when {@code norm > maxNorm},
     * {@code x *= (float) (maxNorm / norm)}; otherwise x is unchanged. Computed on the device (no sync).
     */
    void clipNorm(long n, float maxNorm, Buf x, long xOff);

    /**
     * Adam with the step count kept in the backend's memory, skipped on the device when the guard is set (see
     * {@link AdamArgs}). The update first advances t by one, then applies Adam with that t; a replayed
     * {@link #capture} thus uses the right t each time. A fresh zero buffer starts at t = 0, so the first
     * update runs with t = 1.
     */
    void adamUpdate(AdamArgs args);

    /** SGD, skipped on the device when the guard is set (see {@link SgdArgs}). */
    void sgdUpdate(SgdArgs args);

    /**
     * RMSprop, Adagrad, AdamW, Nadam, Adamax, Adadelta or Lion (see {@link OptimizerArgs}), skipped on the device when the guard is set;
     * the counted kinds advance their step count in the backend's memory first, as {@link #adamUpdate}.
     */
    void optimizerUpdate(OptimizerArgs args);

    /**
     * A NaN guard kept in the backend's memory: when {@code guard[guardOff] == 0} and some x[i] (i &lt; n)
     * is NaN or infinite, sets {@code guard[guardOff] = code} (a positive float naming what failed); the
     * first failure sticks. No sync: a training step checks its loss, gradients and weights on the device,
     * skips guarded updates ({@link #adamUpdate}, {@link #sgdUpdate}) and undoes them ({@link #copyIfGuard})
     * once the guard is set, and the host reads the guard with the losses.
     */
    void finiteGuard(long n, Buf x, long xOff, float code, Buf guard, long guardOff);

    /** {@code dst = src} over n floats when {@code guard[guardOff] != 0}, else nothing (e.g. undoing an update). */
    void copyIfGuard(long n, Buf guard, long guardOff, Buf src, long srcOff, Buf dst, long dstOff);
}
