package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;

/**
 * The per-batch losses of an epoch (or an evaluation), left on the device by {@link Backend#lossAsync}
 * as rows of [one loss per output, the step's NaN guard, the regularizers' penalty ({@link Penalties})], read back in blocks (one synchronizing
 * download each) and added to {@link EpochLogs} in batch order, exactly as if each had been read at once.
 * A training row whose guard is set (a non-finite loss, gradient or update, whose update the device skipped or
 * undid) becomes the {@link NonFiniteException} of its batch; an evaluation's non-finite loss is logged as it came, as
 * Keras' evaluate returns it.
 */
final class LossLog implements AutoCloseable {
    /** Guard codes (see {@link Backend#finiteGuard}): what became non-finite first in a train step. */
    static final float GUARD_LOSS = 1f, GUARD_GRADIENTS = 2f, GUARD_WEIGHTS = 3f;
    /** Rows kept for a source whose batch count is unknown (a generator, bucketing): read back when full. */
    static final int UNKNOWN_CAPACITY = 1024;

    /** Where a training step runs (epoch and batch from 0, -1 in trainOnBatch), for NonFiniteException. */
    record At(String model, int epoch, int epochs, int batch, int batches, History history) {
        String text() {
            return epoch < 0 ? "in trainOnBatch" : "at epoch " + (epoch + 1) + "/" + epochs + ", batch " + (batch + 1)
                    + (batches >= 0 ? "/" + batches : "");
        }

        NonFiniteException failure(String what, String quantity) {
            return new NonFiniteException(model + ": " + what + "; the update was not applied, weights kept from the last finite step."
                    + " Lower the learning rate, clip gradients (Optimizer.clipnorm) or check the data", quantity, epoch, batch, history);
        }
    }

    private final Setup s;
    private final int k;
    private final int width;
    private final int capacity;
    /** The rows: each batch's losses, its guard, its penalty. */
    final Buf buf;
    /** The NaN guard of the train steps logged here (one float, 0 = fine). */
    final Buf guard;
    private final int[] rows;
    private final At[] at;
    private final long[] iterationsBefore;
    /** The model's LossScaleOptimizer before each training row's step (null: none), put back as the count is. */
    private final LossScale[] lossScaleBefore;
    /** The wrapper each training row's step left on the model: a later step's before that is not it was set in between. */
    private final LossScale[] lossScaleAfter;
    /** Which outputs have targets (the others log no loss). */
    private final boolean[] targets;
    private int first, next;
    /** Whether a row's penalty may have been written since the buffer was last zeroed (a step without regularizers leaves it). */
    private boolean penaltyWritten;

    LossLog(Setup s, int batches, boolean[] targets) {
        this.s = s;
        this.k = s.outputs();
        this.width = width(s);
        this.capacity = Math.max(1, batches);
        this.rows = new int[capacity];
        this.at = new At[capacity];
        this.iterationsBefore = new long[capacity];
        this.lossScaleBefore = new LossScale[capacity];
        this.lossScaleAfter = new LossScale[capacity];
        this.targets = s.trained(targets);   // an output without a loss writes none
        Backend backend = s.backend();
        Buf b = backend.alloc((long) capacity * width);
        try {
            backend.fill(b, 0, (long) capacity * width, 0f);   // once: a model without regularizers never writes its penalty column
            this.guard = backend.alloc(1);
        } catch (RuntimeException | Error e) {
            b.close();
            throw e;
        }
        this.buf = b;
    }

    /** The floats of one batch's row: each output's loss, the guard, the penalty. */
    static int width(Setup s) { return s.outputs() + 2; }

    /** Where the next batch's row goes in {@code buf}: its losses, its guard, then its penalty (see {@link #width}). */
    long nextOffset() {
        if (next >= capacity) throw new IllegalStateException(s.name() + ": more batches than the loss log holds (" + capacity + ")");
        if (!penaltyWritten && s.penalties().penalises()) penaltyWritten = true;
        return (long) next * width;
    }

    /** Records that the batch at {@link #nextOffset()} ran on {@code b} samples ({@code where}: null when evaluating). */
    void commit(int b, At where, long iterations) {
        rows[next] = b;
        at[next] = where;
        iterationsBefore[next] = iterations;
        // the step ran: the wrapper counts it here, once per train step (a captured one's replay too), as Keras' apply does
        lossScaleBefore[next] = where == null ? null : s.lossScaleStep();
        lossScaleAfter[next] = where == null ? null : s.lossScale();
        next++;
    }

    boolean pending() { return next > first; }

    /** When every row is used, reads them back into {@code acc} and starts over, so the next batch has a row. */
    void makeRoom(EpochLogs acc) {
        if (next < capacity) return;
        fold(acc);
        reset();
    }

    /**
     * Reads the pending rows, checks them and adds them to {@code acc}; returns the summed loss of the
     * last batch (NaN when nothing was pending). Throws the NonFiniteException of the first failed training batch.
     */
    double fold(EpochLogs acc) {
        if (next == first) return Double.NaN;
        float[] v = new float[(next - first) * width];
        s.backend().download(buf, (long) first * width, v, 0, v.length);
        double last = Double.NaN;
        for (int r = first; r < next; r++) {
            int b = rows[r], base = (r - first) * width;
            float status = v[base + k];
            double total = 0;
            for (int kk = 0; kk < k; kk++) {
                if (!targets[kk]) continue;
                float l = v[base + kk];
                if (!Float.isFinite(l) && at[r] != null) {   // in training; evaluate returns it, as Keras'
                    first = next;
                    dev.jrnn.backend.Loss loss = s.losses().get(kk);
                    boolean logs = loss != null && loss.name().equals("POISSON");   // log(y_pred): undefined below 0
                    // a dict-output model's by its key, as its logs name it (the layer beside it)
                    String layer = s.graph().outputs.get(kk).layer().name();
                    throw lossFailure(r, l, (s.graph().outputDictKeys == null ? "output " + layer
                            : "output '" + s.graph().outputDictKeys.get(kk) + "' (layer " + layer + ")")
                            + (logs ? "; poisson takes log(y_pred), NaN for a negative prediction: give the output a non-negative activation" : ""));
                }
                total += s.lossWeight(kk) * l;   // each output's own loss is logged unweighted, as Keras 3
            }
            float penalty = v[base + k + 1];
            if (!Float.isFinite(penalty) && at[r] != null) {   // training's guard would say only "the loss"
                first = next;
                throw lossFailure(r, penalty, "the regularizers' penalty");
            }
            total += penalty;   // Keras' compute_loss adds model.losses to the loss it logs
            if (status != 0f) {
                first = next;
                throw stepFailure(r, status, total);
            }
            for (int kk = 0; kk < k; kk++) if (targets[kk]) acc.outLoss[kk] += (double) v[base + kk] * b;
            acc.lossSum += total * b;
            acc.samples += b;
            last = total;
        }
        first = next;
        return last;
    }

    /** Row {@code r}'s loss term {@code source} ("output d", "the regularizers' penalty") became {@code l} in training. */
    private NonFiniteException lossFailure(int r, float l, String source) {
        s.optimizer().iterations(iterationsBefore[r]);   // the device skipped this update and every later one
        undoLossScale(r, false);
        return at[r].failure("the loss became " + l + " " + at[r].text() + " (" + source + ")", "loss");
    }

    private NonFiniteException stepFailure(int r, float status, double loss) {
        At where = at[r];
        if (status == GUARD_WEIGHTS) {
            s.optimizer().iterations(iterationsBefore[r] + 1);   // it ran; the device undid its result
            // its gradients were finite: Keras' wrapper counted the step; the later ones did not run
            undoLossScale(r, true);
            return where.failure("the weights became NaN or infinite in the update " + where.text(), "weights");
        }
        s.optimizer().iterations(iterationsBefore[r]);
        undoLossScale(r, false);
        if (status == GUARD_GRADIENTS) {
            return where.failure("the gradients became NaN or infinite " + where.text() + " (loss " + loss + ")", "gradients");
        }
        return where.failure("the loss became non-finite " + where.text(), "loss");
    }

    /**
     * Puts the wrapper back as before row {@code r}'s step ({@code counted}: as after it), the later pending steps, which the
     * device skipped, not counted. A wrapper the user set since (a callback's {@code lossScale} or compile, between the
     * steps and this read) is kept: set after the last pending step, as it is; set before a later step j, as before j.
     */
    private void undoLossScale(int r, boolean counted) {
        int last = next - 1;
        // identity, not equals: a wrapper set since, equal or not, is the user's and is kept
        if (s.lossScale() != lossScaleAfter[last]) return;
        int j = last;
        while (j > r && lossScaleBefore[j] == lossScaleAfter[j - 1]) j--;
        LossScale back = lossScaleBefore[j];
        if (back != null) s.lossScaleUndo(j == r && counted ? back.advanced(1) : back);
    }

    /** Starts over (next epoch); unread rows are dropped. */
    void reset() {
        first = next = 0;
        if (penaltyWritten) {   // the rows are reused: a later step without regularizers must find 0 there
            s.backend().fill(buf, 0, (long) capacity * width, 0f);
            penaltyWritten = false;
        }
    }

    @Override
    public void close() {
        buf.close();
        guard.close();
    }
}
