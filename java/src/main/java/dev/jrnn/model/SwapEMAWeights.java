package dev.jrnn.model;

import dev.jrnn.optim.Optimizer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keras 3's {@code SwapEMAWeights}: with an optimizer's {@link Optimizer#useEma(boolean) useEma}, the weights and their
 * moving average trade places for each evaluation (fit's validation, a standalone evaluate or predict given it) and
 * back after it, so {@code val_loss} is the averaged weights' loss while training goes on from its own. With
 * {@code swapOnEpoch(true)} they also trade places at each epoch's end and back at the next epoch's start, so the
 * callbacks after it (a {@link ModelCheckpoint}) see the averaged weights; at the last epoch's end the average stays in.
 * A model whose optimizer has no {@code useEma} is refused when fit starts, before anything changes (Keras 3.15.1 refuses
 * it at the first swap, so never in a fit without validation or {@code swap_on_epoch}). The swaps copy in place on the
 * device, as Keras' ({@code swap_on_epoch}: its argument); a fit, evaluate or predict that fails while the average is
 * swapped in swaps it back first. So a call given this callback changes the model: one such call at a time (a second
 * one, on another thread, is refused with an IllegalStateException and changes nothing).
 * <p>
 * With {@code swapOnEpoch(true)}, as in Keras: a fit stopped early ends on the raw weights, the average lost; a
 * {@link BackupAndRestore} or {@link ModelCheckpoint} listed after this callback saves the averaged weights with the raw
 * ones as the optimizer's average (a fit resumed from it trains on from the average): list those before it.
 *
 * <pre>{@code
 * model.compile(new SGD(0.01).useEma(true), "mse");
 * model.fit(x, y, new FitOptions().epochs(10).validationData(xv, yv).callbacks(new SwapEMAWeights()));
 * }</pre>
 *
 * One difference: Keras 3.15.1's {@code on_predict_end} does not swap back (its test is inverted), so a predict given
 * the callback leaves the averaged weights in the model; here predict swaps back as evaluate does.
 */
public final class SwapEMAWeights extends FailureAwareCallback {
    private boolean swapOnEpoch;
    private boolean emaInModel;
    private int epochs;
    /** The thread whose call (a fit, an evaluate, a predict) uses this callback now: one at a time. */
    private final AtomicReference<Thread> user = new AtomicReference<>();
    /** That call's model (its {@link Model#emaSwap} names this callback) and how deep its calls nest (a fit's validations). */
    private Model claimed;
    private int depth;

    /** Keras' {@code SwapEMAWeights()} (swapOnEpoch false). */
    public SwapEMAWeights() {}

    /** Keras' {@code swap_on_epoch} (default false): also swap at each epoch's end, back at the next one's start. */
    public SwapEMAWeights swapOnEpoch(boolean on) {
        swapOnEpoch = on;
        return this;
    }

    /** Keras' {@code swap_on_epoch}; default false. */
    public boolean swapOnEpoch() { return swapOnEpoch; }

    /** Whether the averaged weights are in the model now (Keras' {@code _ema_weights_in_model}). */
    public boolean emaWeightsInModel() { return emaInModel; }

    @Override
    public void setParams(FitParams params) { epochs = params.epochs(); }

    @Override
    public void onTrainBegin(Model model) { begin(model); }

    @Override
    public void onTrainEnd(Model model) { end(); }

    @Override
    public void onEpochBegin(int epoch, Model model) {
        if (swapOnEpoch && emaInModel) swap(model, false);
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs, Model model) {
        if (!swapOnEpoch || emaInModel) return;
        if (epoch != epochs - 1) {
            swap(model, true);
            return;
        }
        // the last epoch: Keras swaps, then sets the average to the weights swapped in (its _finalize_ema_values), so
        // fit's final overwrite keeps them: both hold the average, as when the weights take it
        Parameters ps = averaged(model);
        model.optimizer().finalizeVariableValues(ps.store, ps.trainableSize);
        emaInModel = true;
    }

    @Override
    public void onTestBegin(Model model) {
        begin(model);
        if (!emaInModel) swap(model, true);
    }

    @Override
    public void onTestEnd(Map<String, Double> logs, Model model) {
        if (emaInModel) swap(model, false);
        end();
    }

    @Override
    public void onPredictBegin(Model model) {
        begin(model);
        if (!emaInModel) swap(model, true);
    }

    @Override
    public void onPredictEnd(Model model) {
        if (emaInModel) swap(model, false);
        end();
    }

    /**
     * A fit, evaluate or predict failed between this callback's begin and end hooks (a later callback threw, the data's
     * file failed, the thread was interrupted): the raw weights go back into the model and the average into the
     * optimizer, so the failed call leaves both as they were. A failure of the swap back is added to {@code failure}.
     * Only the outermost call on {@code model} swaps back and lets go: a nested call (a fit's validation, an evaluate in a
     * callback) that fails or was refused leaves the outer call's swap and claim alone; the outer call is told in turn
     * if the failure goes on through it.
     */
    @Override
    void callFailed(Throwable failure, Model model) {
        if (user.get() != Thread.currentThread() || claimed != model) return;   // not this thread's call on this model
        if (depth > 1) {
            depth--;   // a nested call of this model's: the outer one still runs on the swapped weights
            return;
        }
        try {
            if (emaInModel && !claimed.closed()) swap(claimed, false);
        } catch (RuntimeException | Error e) {
            if (e != failure) failure.addSuppressed(e);
        } finally {
            release();
        }
    }

    /** Fit's check before anything changes: a SwapEMAWeights among {@code callbacks} needs an optimizer with useEma. */
    static void check(List<Callback> callbacks, Model model) {
        for (Callback cb : callbacks) if (cb instanceof SwapEMAWeights) useEma(model);
    }

    /**
     * Claims this callback and {@code model} for the calling thread's call (nested calls of the same thread, a fit's
     * validations, go deeper): the swaps write the weights in place, so a second call at the same time, on another
     * thread or with another SwapEMAWeights on the same model, would swap them under the first one's feet.
     */
    private void begin(Model model) {
        Thread t = Thread.currentThread();
        if (user.get() == t) {
            if (model != claimed) {
                throw new IllegalStateException(model.name() + ": this SwapEMAWeights is in use by a call on model "
                        + claimed.name() + " on this thread; give each model its own SwapEMAWeights");
            }
            depth++;
            return;
        }
        if (!user.compareAndSet(null, t)) {
            throw new IllegalStateException(model.name() + ": this SwapEMAWeights is in use by another thread's call (it swaps"
                    + " the weights in place): one call at a time; a swapped evaluate or predict changes the model: one thread");
        }
        SwapEMAWeights other = model.emaSwap.compareAndExchange(null, this);
        if (other != null) {
            user.set(null);
            throw new IllegalStateException(model.name() + ": another SwapEMAWeights holds this model (a swapped call on"
                    + " another thread, or a fit given another SwapEMAWeights that is running, its callbacks included): one"
                    + " swapped call at a time on a model");
        }
        claimed = model;
        depth = 1;
    }

    private void end() {
        if (user.get() == Thread.currentThread() && --depth == 0) release();
    }

    private void release() {
        if (claimed != null) claimed.emaSwap.compareAndSet(this, null);
        claimed = null;
        depth = 0;
        user.set(null);
    }

    private void swap(Model model, boolean in) {
        // as a writer: re-entered in the call that was entered as one; a callback that delegates to this one made its
        // predict a reader, and then the swap is refused while another thread reads (it would read the EMA weights)
        model.setup.guard.writing("SwapEMAWeights", () -> {
            Optimizer opt = useEma(model);
            if (model.isBuilt()) model.ensureStore();   // a layer frozen since: the store the optimizer's average follows
            Parameters ps = model.parameters();
            if (ps == null || !opt.swapEmaWeights(ps.store, ps.trainableSize)) throw noAverage(model);
            emaInModel = in;
            return null;
        });
    }

    /** The model's weights, refused unless its optimizer keeps an average of them. */
    private static Parameters averaged(Model model) {
        Optimizer opt = useEma(model);
        if (model.isBuilt()) model.ensureStore();
        Parameters ps = model.parameters();
        if (ps == null || !opt.boundTo(ps.store, ps.trainableSize)) throw noAverage(model);
        return ps;
    }

    private static IllegalStateException noAverage(Model model) {
        return new IllegalStateException(model.name() + ": SwapEMAWeights: the optimizer has no moving average of these weights"
                + " yet (it starts at the first training step): fit the model before an evaluate or predict given this callback");
    }

    private static Optimizer useEma(Model model) {
        Optimizer opt = model.optimizer();
        if (opt == null || !opt.useEma()) {
            throw new IllegalArgumentException(model.name() + ": SwapEMAWeights needs an optimizer with useEma(true) (Keras' use_ema=True), got "
                    + (opt == null ? "no optimizer (compile the model)" : opt.getClass().getSimpleName() + " with useEma false"));
        }
        return opt;
    }

    @Override
    public String toString() { return "SwapEMAWeights(swapOnEpoch=" + swapOnEpoch + ")"; }
}
