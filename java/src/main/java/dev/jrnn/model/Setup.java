package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Loss;
import dev.jrnn.optim.Optimizer;

import java.util.List;

/**
 * What the training and inference classes read of their model: its name (for messages), its graph, its
 * parameters and what compile set. Read live, as the model holds them now, so a callback that compiles
 * again or freezes a layer in the middle of fit takes effect at the next step (the loop regroups the store first).
 */
final class Setup {
    private final Trainer model;
    private Penalties penalties;
    /** The model's guard: calls that change it run alone, readers together (see CallGuard). */
    final CallGuard guard;

    Setup(Trainer model) {
        this.model = model;
        this.guard = new CallGuard(model);
    }

    /** The regularizers and constraints of the model as it is now (a plan rebuilt only when its rules, graph or weights change). */
    Penalties penalties() { return penalties = Penalties.plan(this, penalties); }

    String name() { return model.name(); }

    Graph graph() { return model.graph(); }

    Parameters params() { return model.parameters(); }

    Backend backend() { return model.parameters().backend; }

    /** Whether the model itself is trainable (Keras' model.trainable; off: none of its weights train). */
    boolean modelTrains() { return ((Model) model).trainable(); }

    /** The loss of output {@code k}; null for an output compiled without one. */
    Loss loss(int k) { return model.loss(k); }

    /** What output {@code k}'s targets are read as: its loss, or its metrics' form; null when nothing reads them. */
    Loss targetLoss(int k) { return model.targetLoss(k); }

    /** {@link Model#targetLoss(int, int[], int[])}: for targets of batch shape {@code y} against the per-sample shape {@code out}. */
    Loss targetLoss(int k, int[] y, int[] out) { return model.targetLoss(k, y, out); }

    /** {@link Model#targetsByShape}. */
    boolean targetsByShape(int k) { return model.targetsByShape(k); }

    /** The outputs whose loss a batch with {@code targets} computes: those with a target and a loss. */
    boolean[] trained(boolean[] targets) {
        boolean[] t = targets.clone();
        for (int k = 0; k < t.length; k++) t[k] &= loss(k) != null;
        return t;
    }

    /** Output k's weight in the total loss (Keras' loss_weights; 1 without them). */
    double lossWeight(int k) { return model.lossWeight(k); }

    /** The loss of each output (empty before compile). */
    List<Loss> losses() { return model.losses(); }

    Optimizer optimizer() { return model.optimizer(); }

    /** Counts one train step in the model's LossScaleOptimizer; the wrapper before it (null: none). */
    LossScale lossScaleStep() { return model.lossScaleStep(); }

    /** The model's LossScaleOptimizer now (null: none). */
    LossScale lossScale() { return model.lossScale(); }

    /** Puts the wrapper back as {@link #lossScaleStep} returned it (a step that did not count). */
    void lossScaleUndo(LossScale before) { model.lossScaleUndo(before); }

    /** The metrics on each output, with the keys they are logged under. */
    CompileMetrics metrics() { return model.metrics(); }

    int outputs() { return model.graph().outputs.size(); }
}
