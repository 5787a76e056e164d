package dev.jrnn.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The jrnn kernels ({@code kernels/*.cu}, built by {@code native/build.sh} into the classpath resource
 * {@value #RESOURCE}): loads the fatbin as one module, resolves every function once, and launches each through
 * one typed {@link Kernel} method (train.cu's kernels: {@link TrainKernels}; the persistent ones: PersistentRnn).
 */
final class CudaKernels extends KernelModule {
    /** Where the build puts the fatbin (inside the jar / target/classes). */
    static final String RESOURCE = "/dev/jrnn/backend/cuda/jrnn_kernels.fatbin";
    /** First four bytes of a CUDA fatbin container, little-endian. */
    static final int FATBIN_MAGIC = 0xBA55ED50;

    /** Loads {@code fatbin} as one module; every launcher's kernel is resolved here, so a missing one fails now. */
    CudaKernels(CudaDriver d, byte[] fatbin) {
        super(d, d.moduleLoadFatbin(fatbin));
    }

    // One typed launcher per kernel of elementwise.cu, rnn.cu, lstm.cu, gru.cu, embedding.cu and loss.cu, the
    // kernel's handle below it; the kernel's comment in its .cu file gives the full contract.
    /** x[i] = v for i &lt; n. (elementwise.cu) */
    @Kernel("jrnn_fill")
    void fill(Grid grid, @Ptr long x, long n, float v) {
        launch(fill, grid, x, n, v);
    }
    private final long fill = fn("jrnn_fill");

    /** dst[i] = src[i] for i &lt; n (regions do not overlap). (elementwise.cu) */
    @Kernel("jrnn_copy")
    void copy(Grid grid, @Ptr long src, @Ptr long dst, long n) {
        launch(copy, grid, src, dst, n);
    }
    private final long copy = fn("jrnn_copy");

    /** dst[r*dstLd + c] = src[r*srcLd + c] for r &lt; rows, c &lt; cols. (elementwise.cu) */
    @Kernel("jrnn_copy2d")
    void copy2d(Grid grid, int rows, int cols, @Ptr long src, int srcLd, @Ptr long dst, int dstLd) {
        launch(copy2d, grid, rows, cols, src, srcLd, dst, dstLd);
    }
    private final long copy2d = fn("jrnn_copy2d");

    /** y[j, i, k] = x[i, j, k] for x of shape [d0, d1, d2]; indexed by the output so writes coalesce. (elementwise.cu) */
    @Kernel("jrnn_transpose01")
    void transpose01(Grid grid, int d0, int d1, int d2, @Ptr long x, @Ptr long y) {
        launch(transpose01, grid, d0, d1, d2, x, y);
    }
    private final long transpose01 = fn("jrnn_transpose01");

    /** y[i] += alpha * x[i]. (elementwise.cu) */
    @Kernel("jrnn_axpy")
    void axpy(Grid grid, long n, float alpha, @Ptr long x, @Ptr long y) {
        launch(axpy, grid, n, alpha, x, y);
    }
    private final long axpy = fn("jrnn_axpy");

    /** x[i] *= s. (elementwise.cu) */
    @Kernel("jrnn_scale")
    void scale(Grid grid, long n, float s, @Ptr long x) {
        launch(scale, grid, n, s, x);
    }
    private final long scale = fn("jrnn_scale");

    /** x[r*ld + c] = s * x[r*ld + c], or 0 when s == 0 (so old NaN does not survive; gemm with k == 0). (elementwise.cu) */
    @Kernel("jrnn_scale2d")
    void scale2d(Grid grid, int rows, int cols, float s, @Ptr long x, int ld) {
        launch(scale2d, grid, rows, cols, s, x, ld);
    }
    private final long scale2d = fn("jrnn_scale2d");

    /** out[i] = a[i] * b[i] (out may alias a or b). (elementwise.cu) */
    @Kernel("jrnn_mul")
    void mul(Grid grid, long n, @Ptr long a, @Ptr long b, @Ptr long out) {
        launch(mul, grid, n, a, b, out);
    }
    private final long mul = fn("jrnn_mul");

    /** y[r, c] += bias[c] for y [rows, cols]. (elementwise.cu) */
    @Kernel("jrnn_add_row_vector")
    void addRowVector(Grid grid, int rows, int cols, @Ptr long bias, @Ptr long y) {
        launch(addRowVector, grid, rows, cols, bias, y);
    }
    private final long addRowVector = fn("jrnn_add_row_vector");

    /** Column sums, pass 1: partial[chunk, c] = sum of x[r, c] over rows r of chunk blockIdx.y (elementwise.cu) */
    @Kernel("jrnn_sum_rows_partial")
    void sumRowsPartial(Grid grid, int rows, int cols, int rowsPerChunk, @Ptr long x, @Ptr long partial) {
        launch(sumRowsPartial, grid, rows, cols, rowsPerChunk, x, partial);
    }
    private final long sumRowsPartial = fn("jrnn_sum_rows_partial");

    /** Column sums, pass 2: out[c] (+)= sum over chunks of partial[chunk, c]. (elementwise.cu) */
    @Kernel("jrnn_sum_rows_finish")
    void sumRowsFinish(Grid grid, int cols, int chunks, @Ptr long partial, @Ptr long out, int accumulate) {
        launch(sumRowsFinish, grid, cols, chunks, partial, out, accumulate);
    }
    private final long sumRowsFinish = fn("jrnn_sum_rows_finish");

    /** y = act(x) elementwise (not softmax); x and y may alias. (elementwise.cu) */
    @Kernel("jrnn_activate")
    void activate(Grid grid, int act, long n, @Ptr long x, @Ptr long y) {
        launch(activate, grid, act, n, x, y);
    }
    private final long activate = fn("jrnn_activate");

    /** dx = dy * act'(x) through y = act(x) (not softmax); dx may alias dy. (elementwise.cu) */
    @Kernel("jrnn_activate_bwd")
    void activateBwd(Grid grid, int act, long n, @Ptr long y, @Ptr long dy, @Ptr long dx) {
        launch(activateBwd, grid, act, n, y, dy, dx);
    }
    private final long activateBwd = fn("jrnn_activate_bwd");

    /** Row softmax: y[r, :] = exp(x[r, :] - max) / sum. One block per row (grid-stride over rows), (elementwise.cu) */
    @Kernel("jrnn_softmax_rows")
    void softmaxRows(Grid grid, int rows, int cols, @Ptr long x, @Ptr long y) {
        launch(softmaxRows, grid, rows, cols, x, y);
    }
    private final long softmaxRows = fn("jrnn_softmax_rows");

    /** Row softmax backward: dx[r, :] = y[r, :] * (dy[r, :] - &lt;dy[r, :], y[r, :]&gt;). dx may alias dy. (elementwise.cu) */
    @Kernel("jrnn_softmax_rows_bwd")
    void softmaxRowsBwd(Grid grid, int rows, int cols, @Ptr long y, @Ptr long dy, @Ptr long dx) {
        launch(softmaxRowsBwd, grid, rows, cols, y, dy, dx);
    }
    private final long softmaxRowsBwd = fn("jrnn_softmax_rows_bwd");

    /** Row log-softmax: y[r, :] = (x[r, :] - max) - log(sum(exp(x[r, :] - max))); launched as softmaxRows. (elementwise.cu) */
    @Kernel("jrnn_log_softmax_rows")
    void logSoftmaxRows(Grid grid, int rows, int cols, @Ptr long x, @Ptr long y) {
        launch(logSoftmaxRows, grid, rows, cols, x, y);
    }
    private final long logSoftmaxRows = fn("jrnn_log_softmax_rows");

    /** Row log-softmax backward: dx[r, :] = dy[r, :] - exp(y[r, :]) sum(dy[r, :]). dx may alias dy. (elementwise.cu) */
    @Kernel("jrnn_log_softmax_rows_bwd")
    void logSoftmaxRowsBwd(Grid grid, int rows, int cols, @Ptr long y, @Ptr long dy, @Ptr long dx) {
        launch(logSoftmaxRowsBwd, grid, rows, cols, y, dy, dx);
    }
    private final long logSoftmaxRowsBwd = fn("jrnn_log_softmax_rows_bwd");

    /** x = min(max(x, lo), hi); NaN stays NaN. (elementwise.cu) */
    @Kernel("jrnn_clip")
    void clip(Grid grid, long n, float lo, float hi, @Ptr long x) {
        launch(clip, grid, n, lo, hi, x);
    }
    private final long clip = fn("jrnn_clip");

    /** out[i, :] = table[idx[i], :] for i &lt; n, rows of dim floats. table holds vocab rows (known from (embedding.cu) */
    @Kernel("jrnn_gather_rows")
    void gatherRows(Grid grid, int n, int dim, @Ptr long idx, @Ptr long table, long vocab, @Ptr long out, @Ptr long err) {
        launch(gatherRows, grid, n, dim, idx, table, vocab, out, err);
    }
    private final long gatherRows = fn("jrnn_gather_rows");

    /** dTable[idx[i], :] += dOut[i, :] for i &lt; n (atomicAdd: repeated ids accumulate). Invalid ids are (embedding.cu) */
    @Kernel("jrnn_scatter_add_rows")
    void scatterAddRows(Grid grid, int n, int dim, @Ptr long idx, @Ptr long dOut, long vocab, @Ptr long dTable, @Ptr long err) {
        launch(scatterAddRows, grid, n, dim, idx, dOut, vocab, dTable, err);
    }
    private final long scatterAddRows = fn("jrnn_scatter_add_rows");

    /** On entry xp [B, 3H] = x·W + b_in, rp [B, 3H] = hPrev·U. Adds bRec [3H] to rp in place, then (gru.cu) */
    @Kernel("jrnn_gru_step_fwd")
    void gruStepFwd(Grid grid, int act, int recAct, int batch, int units, @Ptr long xp, @Ptr long rp, @Ptr long bRec, @Ptr long hPrev, @Ptr long mask, @Ptr long h) {
        launch(gruStepFwd, grid, act, recAct, batch, units, xp, rp, bRec, hPrev, mask, h);
    }
    private final long gruStepFwd = fn("jrnn_gru_step_fwd");

    /** Backward of one step. g = dhNext + dy; with (z, r, hh) from xp and rh from rp: (gru.cu) */
    @Kernel("jrnn_gru_step_bwd")
    void gruStepBwd(Grid grid, int act, int recAct, int batch, int units, @Ptr long xp, @Ptr long rp, @Ptr long hPrev, @Ptr long dhNext, @Ptr long dy, @Ptr long mask, @Ptr long dxp, @Ptr long drp, @Ptr long dhPrev) {
        launch(gruStepBwd, grid, act, recAct, batch, units, xp, rp, hPrev, dhNext, dy, mask, dxp, drp, dhPrev);
    }
    private final long gruStepBwd = fn("jrnn_gru_step_bwd");

    /** First half of a reset-before step: z, r = recAct(xp[:, :2H]) in place, resetState = r * hPrev. (gru.cu) */
    @Kernel("jrnn_gru_rb_gates_fwd")
    void gruRbGatesFwd(Grid grid, int recAct, int batch, int units, @Ptr long xp, @Ptr long hPrev, @Ptr long resetState) {
        launch(gruRbGatesFwd, grid, recAct, batch, units, xp, hPrev, resetState);
    }
    private final long gruRbGatesFwd = fn("jrnn_gru_rb_gates_fwd");

    /** Second half: hh = act(xh) in place, h = z * hPrev + (1 - z) * hh; masked rows copy hPrev. (gru.cu) */
    @Kernel("jrnn_gru_rb_out_fwd")
    void gruRbOutFwd(Grid grid, int act, int recAct, int batch, int units, @Ptr long xp, @Ptr long hPrev, @Ptr long mask,
                     @Ptr long h) {
        launch(gruRbOutFwd, grid, act, recAct, batch, units, xp, hPrev, mask, h);
    }
    private final long gruRbOutFwd = fn("jrnn_gru_rb_out_fwd");

    /** Backward, first half: dxp = (dz, 0, dh), dhPrev = g * z. (gru.cu) */
    @Kernel("jrnn_gru_rb_out_bwd")
    void gruRbOutBwd(Grid grid, int act, int recAct, int batch, int units, @Ptr long xp, @Ptr long hPrev, @Ptr long dhNext, @Ptr long dy, @Ptr long mask, @Ptr long dxp, @Ptr long dhPrev) {
        launch(gruRbOutBwd, grid, act, recAct, batch, units, xp, hPrev, dhNext, dy, mask, dxp, dhPrev);
    }
    private final long gruRbOutBwd = fn("jrnn_gru_rb_out_bwd");

    /** Backward, second half: dr from dResetState, dhPrev += dResetState * r. (gru.cu) */
    @Kernel("jrnn_gru_rb_gate_bwd")
    void gruRbGateBwd(Grid grid, int recAct, int batch, int units, @Ptr long xp, @Ptr long hPrev, @Ptr long dResetState, @Ptr long mask, @Ptr long dxp, @Ptr long dhPrev) {
        launch(gruRbGateBwd, grid, recAct, batch, units, xp, hPrev, dResetState, mask, dxp, dhPrev);
    }
    private final long gruRbGateBwd = fn("jrnn_gru_rb_gate_bwd");

    /** One warp per row (grid-stride over rows), blockDim.x a multiple of 32 (&lt;= 1024). (loss.cu) */
    @Kernel("jrnn_loss")
    void loss(Grid grid, int kind, int rows, int cols, @Ptr long pred, @Ptr long target, @Ptr long weights, @Ptr long grad, @Ptr long acc, @Ptr long err, @Ptr long nonBinary, float delta, float gamma, float alpha, int balance, float smooth) {
        launch(loss, grid, kind, rows, cols, pred, target, weights, grad, acc, err, nonBinary, delta, gamma, alpha, balance, smooth);
    }
    private final long loss = fn("jrnn_loss");

    /** *nonBinary = 1 when some of the n targets is neither 0 nor 1 (zeroed by the caller): whether Keras' hinge losses keep (loss.cu) */
    @Kernel("jrnn_hinge_labels")
    void hingeLabels(Grid grid, long n, @Ptr long target, @Ptr long nonBinary) {
        launch(hingeLabels, grid, n, target, nonBinary);
    }
    private final long hingeLabels = fn("jrnn_hinge_labels");

    /** On entry gates [B, 4H] holds x·W + b + hPrev·U; on exit the activated gates (i, f, g, o) that (lstm.cu) */
    @Kernel("jrnn_lstm_step_fwd")
    void lstmStepFwd(Grid grid, int act, int recAct, int batch, int units, @Ptr long gates, @Ptr long cPrev, @Ptr long hPrev, @Ptr long mask, @Ptr long c, @Ptr long h) {
        launch(lstmStepFwd, grid, act, recAct, batch, units, gates, cPrev, hPrev, mask, c, h);
    }
    private final long lstmStepFwd = fn("jrnn_lstm_step_fwd");

    /** Backward of one step. gh = dhNext + dy; with a = act(c): (lstm.cu) */
    @Kernel("jrnn_lstm_step_bwd")
    void lstmStepBwd(Grid grid, int act, int recAct, int batch, int units, @Ptr long gates, @Ptr long cPrev, @Ptr long c, @Ptr long dhNext, @Ptr long dy, @Ptr long dcNext, @Ptr long mask, @Ptr long dgates, @Ptr long dcPrev, @Ptr long dhPrev) {
        launch(lstmStepBwd, grid, act, recAct, batch, units, gates, cPrev, c, dhNext, dy, dcNext, mask, dgates, dcPrev, dhPrev);
    }
    private final long lstmStepBwd = fn("jrnn_lstm_step_bwd");

    /** h[b, j] = act(pre[b, j]); masked rows (mask[b] == 0) copy hPrev instead. (rnn.cu) */
    @Kernel("jrnn_rnn_step_fwd")
    void rnnStepFwd(Grid grid, int act, int batch, int units, @Ptr long pre, @Ptr long hPrev, @Ptr long mask, @Ptr long h) {
        launch(rnnStepFwd, grid, act, batch, units, pre, hPrev, mask, h);
    }
    private final long rnnStepFwd = fn("jrnn_rnn_step_fwd");

    /** g = dhNext + dy; dpre = g * act'(h), dhPrev = 0; masked rows: dpre = 0, dhPrev = g. (rnn.cu) */
    @Kernel("jrnn_rnn_step_bwd")
    void rnnStepBwd(Grid grid, int act, int batch, int units, @Ptr long h, @Ptr long dhNext, @Ptr long dy, @Ptr long mask, @Ptr long dpre, @Ptr long dhPrev) {
        launch(rnnStepBwd, grid, act, batch, units, h, dhNext, dy, mask, dpre, dhPrev);
    }
    private final long rnnStepBwd = fn("jrnn_rnn_step_bwd");

    /** The fatbin bytes from the classpath, or null when the build had no nvcc. */
    static byte[] loadResource() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /** Whether {@code image} starts with the fatbin magic 0xBA55ED50 (stored little-endian). */
    static boolean isFatbin(byte[] image) {
        if (image == null || image.length < 16) return false;
        int m = (image[0] & 0xff) | (image[1] & 0xff) << 8 | (image[2] & 0xff) << 16 | (image[3] & 0xff) << 24;
        return m == FATBIN_MAGIC;
    }
}
