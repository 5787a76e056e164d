package dev.jrnn.model;

import dev.jrnn.io.FileFaults;
import dev.jrnn.io.keras.KerasImport;
import dev.jrnn.io.keras.KerasOptimizerState;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The optimizer's variables in a Keras 3 weights file ({@code .weights.h5}), kept as Keras 3's {@code save_weights} and
 * {@code load_weights} keep them (saving_lib's {@code save_weights_only} / {@code load_weights_only} walk the model's
 * optimizer as one more saveable): a compiled model's written at {@code optimizer/vars/0..N}, and read back by
 * {@code BaseOptimizer.load_own_variables}' rule: where the file holds as many variables as the model's optimizer has
 * (Keras counts an optimizer not built yet as its iteration and learning_rate), each is assigned, the update count and
 * learning rate included; otherwise none is, with one warning, and the optimizer stays as it was. An uncompiled model
 * has no optimizer to read. A file whose variables fit by count but not by shape is refused, as Keras raises there.
 * Keras' load_weights reads a {@code .keras} so too; a file in tf.keras 2's layout (under a {@code .weights.h5} name)
 * holds no optimizer, and nothing is said.
 */
final class WeightsFileOptimizer {
    private WeightsFileOptimizer() {}

    private static final Runnable NOTHING = () -> { };

    /** Whether {@code opt} is an optimizer class of the user's own (which {@code model.save} refuses). */
    private static boolean own(Optimizer opt) {
        return dev.jrnn.layers.OwnClasses.ownBase(opt.getClass()) != null;
    }

    /** What Keras' save_weights writes at optimizer/vars for {@code model}: its optimizer's variables (none when uncompiled). */
    static List<KerasOptimizerState.Var> toWrite(Model model) {
        Optimizer opt = model.optimizer();
        if (opt == null || model.loss() == null || own(opt)) return List.of();   // a class of the user's own: no Keras layout
        model.ensureGraph();
        return ModelFiles.kerasVars(model, model.parameters(), opt, dev.jrnn.io.keras.KerasOptimizerState.writesNested(model));
    }

    /**
     * Reads {@code file}'s weights and its optimizer's variables for {@code model} (Keras' rule, see the class), setting
     * nothing until the result's {@link KerasImport.Loaded#set}; its warnings are logged once that has set them.
     */
    static KerasImport.Loaded read(Model model, Path file) throws IOException {
        Runnable[] state = {NOTHING};
        List<String> warnings = new ArrayList<>();
        // the reader may run again when the file changes under the read: the last run's plan and warnings are kept
        KerasImport.Loaded weights = KerasImport.readWeights(model, file, (m, stored) -> {
            List<String> w = new ArrayList<>();
            Runnable s = plan(m, stored, w::add);
            state[0] = s;
            warnings.clear();
            warnings.addAll(w);
        });
        return () -> {
            Map<Param, Tensor> before = state[0] == NOTHING ? Map.of() : weightsNow(model);
            weights.set();
            try {
                state[0].run();   // fails only where the backend does (the state's upload): checked at the read
            } catch (RuntimeException e) {
                try {
                    before.forEach(Param::set);
                } catch (RuntimeException | Error r) {
                    e.addSuppressed(r);
                }
                throw e;
            }
            for (String w : warnings) FileFaults.warn(KerasImport.class.getName(), file + ": " + w);
        };
    }

    /** Every weight of the model now (a load may fail after setting them: put back). */
    private static Map<Param, Tensor> weightsNow(Model model) {
        Map<Param, Tensor> r = new IdentityHashMap<>();
        for (Layer l : model.layers()) for (Param p : l.params()) r.computeIfAbsent(p, Param::get);
        return r;
    }

    /** What sets the file's optimizer variables into {@code model}'s optimizer, checked; its warnings to {@code warn}. */
    private static Runnable plan(Model model, KerasImport.StoredState stored, Consumer<String> warn) {
        Optimizer opt = model.optimizer();
        if (opt == null) return NOTHING;   // Keras: an uncompiled model has no optimizer among its saveables
        // tf.keras 2's layout under a .weights.h5 name (tf.keras <= 2.12 wrote those): no optimizer, as its legacy .h5
        if (!stored.keras3Layout()) return NOTHING;
        if (own(opt)) {
            if (stored.optimizer() != null) {
                warn.accept("skipping the optimizer's variables: " + opt.name() + " is a class of your own, which a Keras file has"
                        + " no layout for; the optimizer stays as it was");
            }
            return NOTHING;
        }
        model.ensureGraph();
        Parameters ps = model.parameters();
        boolean wrapped = model.lossScale() != null && model.lossScale().isDynamic();
        boolean storedWrapped = stored.lossScaleVars() != null;
        List<KerasOptimizerState.Var> saved = stored.optimizer() == null ? List.of() : stored.optimizer().vars();
        int has = ModelFiles.kerasVars(model, ps, opt, dev.jrnn.io.keras.KerasOptimizerState.writesNested(model)).size();
        String keeps = "; the optimizer (its update count, moments and learning rate) stays as it was";
        if (saved.isEmpty() && !storedWrapped) {   // Keras 3.15.1 warns here too ("... whereas the saved optimizer has 0 variables")
            warn.accept("skipping the optimizer's variables, as Keras 3 does: " + opt.name() + " has " + has
                    + " variables whereas the file's optimizer has 0 (saved without an optimizer: an uncompiled model, or an older jrnn)" + keeps);
            return NOTHING;
        }
        if (wrapped != storedWrapped) {
            warn.accept("skipping the optimizer's variables, as Keras 3 does: " + (storedWrapped ? "the file's" : "the model's")
                    + " optimizer is a LossScaleOptimizer, the " + (storedWrapped ? "model's" : "file's") + " is not" + keeps);
            return NOTHING;
        }
        boolean built = opt.boundTo(ps.store, ps.trainableSize);
        // the hint is for a trained model's file (more than an unbuilt one's two), not for an unbuilt file into a schedule's one
        if (has != saved.size()) {   // Keras 3.15.1: "Skipping variable loading for optimizer 'adam', because it has 12 variables whereas ..."
            warn.accept("skipping the optimizer's variables, as Keras 3 does: " + opt.name() + " has " + has
                    + " variables whereas the file's optimizer has " + saved.size()
                    + (!built && saved.size() > Math.max(has, 2) ? " (this optimizer is not built yet: until its first step Keras counts only its update"
                    + " count and, without a schedule, its learning rate; a model loaded with Models.load has it built)" : "") + keeps);
            return NOTHING;
        }
        KerasOptimizerState.Saved current = new KerasOptimizerState.Saved(KerasOptimizerState.Layout.KERAS3,
                KerasOptimizerState.WRITTEN_AS, saved, stored.optimizer().kerasLayerOrder());   // as Keras 3.15.1 reads it
        dev.jrnn.model.LossScale resumed = wrapped ? stored.lossScale(model.lossScale()) : null;
        // equal counts, other shapes: Keras' assign raises (a ValueError after the layers' weights were set); refused here.
        // Not built: the file's iteration and learning_rate only (read's unbuilt case), as Keras assigns them
        KerasOptimizerState.Restored r = UnlistedSlots.read(opt, ps, current);   // a flat file: the listed weights' slots
        if (!built) {
            ModelFiles.check(opt, ps, r.iterations(), Map.of());
            return () -> {
                opt.iterations(r.iterations());
                if (r.learningRate() != null && opt.schedule() == null) opt.learningRate(r.learningRate());
                if (resumed != null) model.lossScale(resumed);
            };
        }
        ModelFiles.check(opt, ps, r.iterations(), r.state());
        return () -> {
            ModelFiles.apply(opt, ps, r.iterations(), r.learningRate(), r.state());
            if (resumed != null) model.lossScale(resumed);
        };
    }
}
