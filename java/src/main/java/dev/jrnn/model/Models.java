package dev.jrnn.model;

import dev.jrnn.layers.Layer;
import dev.jrnn.layers.OwnClasses;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loading whole models from files.
 *
 * <pre>{@code
 * Model m = Models.load(Path.of("model.h5"));   // saved by Keras: model.save("model.h5")
 * System.out.println(m.summaryString());
 * Tensor y = m.predict(x);
 * }</pre>
 */
public final class Models {
    private Models() {}

    /**
     * The model in {@code file}, ready to predict: Keras 1/2 and tf.keras HDF5 ({@code model.save("m.h5")}) or a
     * Keras 3 {@code .keras} zip, recognised by the file's first bytes, not its name, or a file {@link Model#save}
     * wrote (a Keras 3 zip that also holds the optimizer state, dropout streams and fit seed: training continues
     * where it stopped, see {@link FitOptions#initialEpoch}). The model is compiled when the
     * file's training config uses a loss jrnn has and Adam, SGD, RMSprop, Adagrad, AdamW, Nadam, Adamax, Adadelta or Lion; otherwise it is returned uncompiled with one
     * warning (call {@link Model#compile} before fit). An IOException names the file and what is wrong with it
     * (not a Keras file, corrupt, a layer or option jrnn does not support); a JVM that cannot make jrnn's backend gets
     * the backend's IllegalStateException before the file is read (the JVM flag it lacks, a CUDA backend without a GPU).
     */
    public static Model load(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException("Models.load: file is null");
        return ModelFiles.load(file);
    }

    /**
     * The model a Keras JSON architecture describes, as Keras' {@code model_from_json}: a {@link Model#toJson()}, or
     * Keras 2's or 3's {@code model.to_json()}. Its weights are freshly initialised and it is not compiled. An
     * IllegalArgumentException names what is wrong (not JSON, a layer or option jrnn does not support).
     */
    public static Model fromJson(String json) {
        return dev.jrnn.io.keras.KerasImport.fromJson(json);
    }

    /**
     * A layer's Keras config as JSON, as Keras 3's {@code layer.get_config()} gives it ({@code json.dumps} of that dict): the
     * {@code config} object {@link Model#toJson()} writes for the layer, which {@link #fromJson} reads back. Each key is
     * as Keras 3.15.1's get_config holds it, but the dtype policy is written as its name ({@code "float32"}, Keras 3.0's
     * form) and some keys Keras 3.15.1 writes at their defaults are left out (BatchNormalization's {@code renorm*},
     * Dropout's {@code noise_shape}, Dense's {@code quantization_config}, GlorotUniform's {@code input_axes} /
     * {@code output_axes}, a wrapped layer's {@code build_config}, InputLayer's {@code ragged} and {@code optional}); Keras
     * reads it either way. An {@link InputLayer} (a functional model's {@code layers()} starts with it) gives Keras'
     * {@code batch_shape}, {@code dtype}, {@code sparse} and {@code name}. A layer of your own (Keras rebuilds one from
     * its own get_config) is refused naming it.
     * <pre>{@code
     * String cfg = Models.layerConfig(model.getLayer("lstm"));   // {"name": "lstm", "trainable": true, ..., "units": 6, ...}
     * }</pre>
     */
    public static String layerConfig(Layer layer) {
        dev.jrnn.backend.Checks.notNull("Models.layerConfig", "layer", layer);
        refuseOwnLayer(layer, "Models.layerConfig", "jrnn has no config to give for it (in Keras, its own get_config gives it)");
        return dev.jrnn.io.keras.KerasExport.layerConfig(layer);
    }

    /**
     * A new model of the same architecture with new layers and freshly initialised weights, as Keras'
     * {@code clone_model(model)}; compiled when {@code model} is, as Keras compiles the clone from the original's compile
     * config: a new optimizer of the same class and settings (its learning rate as it stands now, fresh moments, update 0),
     * the same losses, loss weights and metrics. A loss of your own (which no config names) leaves the clone uncompiled
     * with one warning; a metric of your own compiles it without its metrics, with a warning.
     * A model holding a layer of your own (a {@link Layer} subclass; Keras clones one from its get_config) is refused
     * naming it: build it again from your code. jrnn's own layer setting
     * that Keras' config has no place for, truncated BPTT ({@link dev.jrnn.layers.RecurrentLayer#tbptt(int)}) and an
     * Embedding's torch padding row ({@link dev.jrnn.layers.Embedding#paddingIdx(Integer)}), are copied.
     * The layers keep their trainable flags; the clone's own flag ({@link Model#trainable()}) is Keras 3's: a
     * {@link Sequential}'s clone keeps the model's, any other model's clone is trainable (Keras clones a functional model
     * into a new Functional), so the clone of a frozen functional model trains its unfrozen layers.
     * The clone is made from the model's JSON, which keeps a nested functional model nested (Keras 3's form) and holds
     * a nested Sequential or dict model flattened: a layer whose calls share state
     * ({@link Layer#callsShareState()}: a BatchNormalization in training, a stateful RNN) inside such a flattened nested
     * model called more than once runs its calls in the flattened graph's order (as Keras runs a file jrnn saved), which can differ
     * from the original's, where each call of the nested model runs as one step.
     * <pre>{@code
     * model.compile(new Adam(0.01), "mse", "mae");
     * Model fresh = Models.cloneModel(model);   // compiled: Adam(0.01) at update 0, mse, mae
     * fresh.fit(x, y, new FitOptions().epochs(5));
     * }</pre>
     */
    public static Model cloneModel(Model model) {
        if (model == null) throw new IllegalArgumentException("Models.cloneModel: model is null");
        refuseOwnLayers(model, "Models.cloneModel", "cannot be cloned: build the model again from your code and, for the"
                + " same weights, clone.setWeights(model.getWeights())");
        // Keras never reads it: no hard_sigmoid warning; the dtype policies are the user's: no float32 warning
        Model clone = dev.jrnn.io.keras.KerasImport.fromJson(model.toJson(false), false);
        ModelFiles.applyTbptt(clone, ModelFiles.readTbptt(clone, ModelFiles.tbpttOf(model)));   // jrnn's, not in Keras' config
        ModelFiles.readPaddingIdx(clone, ModelFiles.paddingIdxOf(model)).forEach((e, k) -> {
            e.paddingIdx(k);
            // fromJson drew the clone's fresh weights before the index was set: its row starts at zero, as a new layer's
            if (e.embeddings() != null) {
                var t = e.embeddings().get();
                int dim = t.shape()[1];
                java.util.Arrays.fill(t.data(), k * dim, (k + 1) * dim, 0f);
                e.embeddings().set(t);
            }
        });
        dev.jrnn.io.keras.KerasImport.compileFromConfigOf(clone, model);
        // Keras 3's clone_model: a Sequential's clone keeps the model's own flag (trainable=model.trainable), a functional
        // one is a new Functional, trainable; the layers keep their flags either way (fromJson read the model's as a load)
        boolean own = !(model instanceof Sequential) || model.trainable();
        if (clone.trainable() != own) {
            String flags = dev.jrnn.layers.TrainableFlags.of(clone.layers());
            clone.trainable(own);
            dev.jrnn.layers.TrainableFlags.restore(clone.layers(), flags);
        }
        return clone;
    }

    /**
     * Sets {@code model}'s weights from a PyTorch state_dict: a {@code torch.save(model.state_dict(), "m.pt")} file or a
     * safetensors file ({@code safetensors.torch.save_file}), each jrnn layer with weights from the torch module of its
     * own name (nn.LSTM, nn.GRU, nn.RNN and their cells, nn.Linear, nn.Embedding, nn.LayerNorm, nn.Conv1d, nn.BatchNorm1d;
     * see {@link dev.jrnn.io.torch.TorchWeights}). Strict: every layer finds a module and every torch key is read. Nothing
     * changes unless everything fits. The model then predicts as torch's; trained on, an LSTM's or SimpleRNN's bias is
     * one Keras weight where torch had two (see TorchWeights).
     *
     * <pre>{@code
     * // torch: self.gru = nn.GRU(3, 5, batch_first=True); self.fc = nn.Linear(5, 1); torch.save(model.state_dict(), "m.pt")
     * Model m = new Sequential(new GRU(5).name("gru").inputShape(-1, 3), new Dense(1).name("fc"));
     * Models.loadTorchWeights(m, Path.of("m.pt"));
     * }</pre>
     */
    public static void loadTorchWeights(Model model, Path file) throws IOException {
        dev.jrnn.io.torch.TorchWeights.load(model, file);
    }

    /**
     * {@link #loadTorchWeights(Model, Path)} with {@code mapping} from jrnn layer name to torch module prefix for the layers
     * whose names differ: {@code Map.of("encoder", "lstm.l0", "encoder_2", "lstm.l1", "head", "fc")} (".l1": layer 1 of a
     * num_layers=2 nn.LSTM).
     */
    public static void loadTorchWeights(Model model, Path file, Map<String, String> mapping) throws IOException {
        dev.jrnn.io.torch.TorchWeights.load(model, file, mapping);
    }

    /**
     * {@link #loadTorchWeights(Model, Path, Map)}; with {@code strict} false (PyTorch's {@code load_state_dict(strict=False)})
     * layers without a torch module keep their weights and torch keys no layer reads are left.
     */
    public static void loadTorchWeights(Model model, Path file, Map<String, String> mapping, boolean strict) throws IOException {
        dev.jrnn.io.torch.TorchWeights.load(model, file, mapping, strict);
    }

    /** Work that changes a model, which may fail reading a file (see {@link #changing}). */
    @FunctionalInterface
    public interface Change {
        /** Makes the change; an exception leaves the model as the change left it, and the guard let go. */
        void run() throws IOException;
    }

    /**
     * Runs {@code change} as one call named {@code call} that changes {@code model}, as fit and setWeights run (the
     * GUIDE's Threads): refused, with an IllegalStateException naming the call in the way and nothing run, while
     * another thread's call runs on the model; while it runs, another thread's predict or setWeights is refused, and
     * this thread may call anything on the model. For a loader of one's own that sets several layers, so that no predict
     * on another thread reads half of them (KerasImport.loadWeights runs so):
     * <pre>{@code
     * Models.changing(model, "loadMyFormat", () -> {
     *     model.getLayer("encoder").setWeights(encoderWeights);
     *     model.getLayer("decoder").setWeights(decoderWeights);
     * });
     * }</pre>
     */
    public static void changing(Model model, String call, Change change) throws IOException {
        if (model == null) throw new IllegalArgumentException("Models.changing: model is null");
        if (call == null || call.isBlank()) {
            throw new IllegalArgumentException(model.name() + ": Models.changing: call must name the change (\"loadMyFormat\"), got "
                    + (call == null ? "null" : "\"" + call + "\""));
        }
        if (change == null) throw new IllegalArgumentException(model.name() + "." + call + ": Models.changing: change is null");
        model.setup.guard.writing(call, () -> {
            change.run();
            return null;
        });
    }

    /**
     * Refuses a model holding a layer of the user's own (a class of theirs on one of jrnn's abstract bases, Keras' custom
     * layer), which no Keras config describes, with {@code op}'s name and what to do ({@code then}). A subclass of a
     * concrete jrnn layer is written as that layer, so it passes here.
     */
    static void refuseOwnLayers(Model model, String op, String then) {
        for (Layer top : model.layers()) refuseOwnLayer(top, op, "the model " + then);
    }

    /** As {@link #refuseOwnLayers}, for {@code top} and the layers it wraps; {@code then} says what cannot be done. */
    private static void refuseOwnLayer(Layer top, String op, String then) {
        Layer l = OwnClasses.ownLayerIn(top);
        if (l == null) return;
        String where = l == top ? "" : " inside " + top.kerasClass() + " '" + top.name() + "'";
        throw new IllegalArgumentException(op + ": layer '" + l.name() + "' (" + l.kerasClass() + ")" + where + " is a"
                + " layer of your own (a subclass of " + OwnClasses.ownBase(l.getClass()).getSimpleName() + "), which a"
                + " Keras config cannot describe, so " + then);
    }

    /**
     * Refuses to save a model compiled with an optimizer of the user's own (an {@link dev.jrnn.optim.Optimizer}
     * subclass), for which a Keras file has no place, before any file is touched.
     */
    static void refuseOwnOptimizer(Model model) {
        var opt = model.optimizer();
        if (opt == null || OwnClasses.ownBase(opt.getClass()) == null) return;
        throw new IllegalArgumentException(model.name() + ".save: the optimizer " + opt.name() + " is a class of your own"
                + " (a subclass of " + OwnClasses.ownBase(opt.getClass()).getSimpleName() + "), which a Keras file has no layout for,"
                + " so the model cannot be saved whole while compiled with it: saveWeights(path) keeps its weights, or"
                + " compile it with one of jrnn's optimizers to save it whole");
    }
}
