package dev.jrnn.model;

import dev.jrnn.optim.Optimizer;

import java.util.Map;

/**
 * Keras 3's {@code SwapEMAWeights}: with an optimizer's {@link Optimizer#useEma(boolean) useEma}, the weights and their
 * moving average trade places for each evaluation (fit's validation, a standalone evaluate or predict given it) and
 * back after it, so {@code val_loss} is the averaged weights' loss while training goes on from its own. With
 * {@code swapOnEpoch(true)} they also trade places at each epoch's end and back at the next epoch's start, so the
 * callbacks after it (a {@link ModelCheckpoint}) see the averaged weights; at the last epoch's end the average stays in.
 * A model whose optimizer has no {@code useEma} is refused when fit starts (before any update; Keras 3.15.1 refuses it
 * at the first validation). The swaps copy in place on the device, as Keras' ({@code swap_on_epoch}: its argument).
 *
 * <pre>{@code
 * model.compile(new SGD(0.01).useEma(true), "mse");
 * model.fit(x, y, new FitOptions().epochs(10).validationData(xv, yv).callbacks(new SwapEMAWeights()));
 * }</pre>
 *
 * One difference: Keras 3.15.1's {@code on_predict_end} does not swap back (its test is inverted), so a predict given
 * the callback leaves the averaged weights in the model; here predict swaps back as evaluate does.
 */
public final class SwapEMAWeights implements Callback {
    private boolean swapOnEpoch;
    private boolean emaInModel;
    private int epochs;

    /** Keras' {@code swap_on_epoch} (default false): also swap at each epoch's end, back at the next one's start. */
    public SwapEMAWeights swapOnEpoch(boolean on) {
        swapOnEpoch = on;
        return this;
    }

    public boolean swapOnEpoch() { return swapOnEpoch; }

    /** Whether the averaged weights are in the model now (Keras' {@code _ema_weights_in_model}). */
    public boolean emaWeightsInModel() { return emaInModel; }

    @Override
    public void setParams(FitParams params) { epochs = params.epochs(); }

    @Override
    public void onTrainBegin(Model model) { useEma(model); }

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
        if (!emaInModel) swap(model, true);
    }

    @Override
    public void onTestEnd(Map<String, Double> logs, Model model) {
        if (emaInModel) swap(model, false);
    }

    @Override
    public void onPredictBegin(Model model) {
        if (!emaInModel) swap(model, true);
    }

    @Override
    public void onPredictEnd(Model model) {
        if (emaInModel) swap(model, false);
    }

    private void swap(Model model, boolean in) {
        Parameters ps = averaged(model);
        model.optimizer().swapEmaWeights(ps.store, ps.trainableSize);
        emaInModel = in;
    }

    /** The model's weights, refused unless its optimizer keeps an average of them. */
    private static Parameters averaged(Model model) {
        Optimizer opt = useEma(model);
        Parameters ps = model.parameters();
        if (ps == null || !opt.boundTo(ps.store, ps.trainableSize)) {
            throw new IllegalStateException(model.name() + ": SwapEMAWeights: the optimizer has no moving average of these weights"
                    + " yet (it starts at the first training step): fit the model before an evaluate or predict given this callback");
        }
        return ps;
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
