package dev.jrnn.io.keras;

import dev.jrnn.io.FileFaults;
import dev.jrnn.io.Json;

import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.model.Models;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.Group;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads Keras files into jrnn: whole models ({@link #load}) and weights into an existing model
 * ({@link #loadWeights}). A file that is not what Keras writes (corrupt, truncated, wrong layout, hostile sizes, a
 * zip missing a member) is an IOException naming the file and the problem; a model given to loadWeights is
 * unchanged by any failure. Public for {@link dev.jrnn.model.Models} and {@link Model#loadWeights}; users call those.
 */
public final class KerasImport {
    private KerasImport() {}

    /** Whether {@code file} starts like a Keras file (HDF5 or zip signature), whatever its extension. */
    public static boolean isKerasFile(Path file) throws IOException {
        return FileFaults.read(file, () -> KerasFile.isKerasFile(file));
    }

    /**
     * The model stored in {@code file}, with its weights, compiled when the file holds a training config jrnn
     * supports (see {@link KerasTraining}).
     */
    public static Model load(Path file) throws IOException {
        return load(file, null);
    }

    /**
     * Reads what a saver stored beside the weights (see {@link KerasExport#write}). Under {@link #load(Path, StateReader)}
     * it runs on the model being loaded, which is thrown away if the load fails, and may set that model's state. Under
     * {@link #loadWeights(Model, Path, StateReader)} it must set nothing (nor log what it would warn of): it runs before the
     * weights' checks and the .keras's CRC-32 check, on a file that may then be refused, and up to three times when the
     * file changes while being read; keep what it would set for after that call returns.
     */
    @FunctionalInterface
    public interface StateReader {
        /**
         * Reads (and under {@link #load(Path, StateReader)} restores) the extra state for {@code model} from {@code stored},
         * what the open file says about itself. IllegalArgumentException or IllegalStateException for state that does
         * not fit.
         */
        void restore(Model model, StoredState stored);
    }

    /**
     * What a file says about itself beside its weights, read once per load and handed to a {@link StateReader}.
     * {@code metadata}: the parsed metadata.json of a zip (null for HDF5 files); {@code trainingConfig}: its parsed
     * compile / training config (null: none); {@code optimizer}: the optimizer variables Keras' own layout holds (null:
     * none, or a model loaded uncompiled); {@code firstWriter}: whether the file is of jrnn's first {@code .keras} writer
     * (2026-12-04/05), whose compile config may lack settings its optimizer state was saved under (RMSprop's momentum
     * and centered, see {@code EarlyJrnnFiles}); {@code lossScaleVars}: a LossScaleOptimizer's own four variables as Keras 3
     * keeps them (null: none; see {@link #lossScale}); {@code keras3Layout}: whether the file is in Keras 3's saving_lib
     * layout (a {@code .keras}, or a {@code .weights.h5} as Keras 3's save_weights writes it), not tf.keras 2's. The arrays below {@link KerasExport#STATE_GROUP} are read with
     * {@link #array}, from the open file and only while the reader runs: after it returns the file is closed, and
     * {@code array} throws an {@link IllegalStateException}; keep the tensors, not the record. {@code arrays} is the
     * function behind {@code array}, there for the record's constructor: call {@code array}. {@link #equals} compares
     * that function by identity, so two records of one file are not equal; {@link #toString} names what the file holds,
     * not its configs.
     * <pre>{@code
     * KerasImport.loadWeights(model, path, (m, stored) -> {
     *     Tensor moment = stored.array("optimizer/m");   // below jrnn_state/; null in a file without it
     *     if (stored.firstWriter()) System.out.println("saved by a 2026-12-04/05 jrnn build");
     * });
     * }</pre>
     */
    public record StoredState(Object metadata, Object trainingConfig, java.util.function.Function<String, Tensor> arrays,
                              KerasOptimizerState.Saved optimizer, boolean firstWriter, List<KerasOptimizerState.Var> lossScaleVars,
                              boolean keras3Layout) {
        /** A file without a LossScaleOptimizer's variables, not in Keras 3's layout. */
        public StoredState(Object metadata, Object trainingConfig, java.util.function.Function<String, Tensor> arrays,
                           KerasOptimizerState.Saved optimizer, boolean firstWriter) {
            this(metadata, trainingConfig, arrays, optimizer, firstWriter, null, false);
        }

        /** A file not in Keras 3's layout. */
        public StoredState(Object metadata, Object trainingConfig, java.util.function.Function<String, Tensor> arrays,
                           KerasOptimizerState.Saved optimizer, boolean firstWriter, List<KerasOptimizerState.Var> lossScaleVars) {
            this(metadata, trainingConfig, arrays, optimizer, firstWriter, lossScaleVars, false);
        }

        /**
         * Refuses a null {@code arrays} (a file without the group gives a function returning null) and a
         * {@code lossScaleVars} that is not the wrapper's four; keeps a copy of it.
         */
        public StoredState {
            if (arrays == null) throw new IllegalArgumentException("StoredState: arrays is null (expected a function of a path below "
                    + KerasExport.STATE_GROUP + "/, which may return null)");
            lossScaleVars = KerasLossScale.ownCopy(lossScaleVars);
        }

        /**
         * The array at {@code path} below {@link KerasExport#STATE_GROUP} ("optimizer/m"), or null when the file has none;
         * while the reader runs (see the class).
         */
        public Tensor array(String path) {
            return arrays.apply(path);
        }

        /**
         * {@code compiled} (a model's {@link dev.jrnn.model.LossScale}) with the step counter and scale the file's wrapper
         * kept, checked; {@code compiled} where the file keeps none or it is null:
         * {@code m.lossScale(stored.lossScale(m.lossScale()))}.
         */
        public dev.jrnn.model.LossScale lossScale(dev.jrnn.model.LossScale compiled) {
            return compiled == null || lossScaleVars == null ? compiled : KerasLossScale.resumed(compiled, lossScaleVars);
        }

        /** What the file holds, in short: configs, optimizer variables' count, first-writer verdict, LossScaleOptimizer. */
        @Override
        public String toString() {
            return "StoredState[metadata " + (metadata == null ? "none" : "present") + ", trainingConfig "
                    + (trainingConfig == null ? "none" : "present") + ", optimizer " + (optimizer == null ? "none" : optimizer.vars().size()
                    + " variables") + ", firstWriter " + firstWriter
                    + (lossScaleVars == null ? "" : ", LossScaleOptimizer variables present") + "]";
        }
    }

    /**
     * As {@link #load(Path)}, then {@code state} (nullable) restores what the saver stored beside the weights; the
     * model is closed and an IOException naming the file thrown when that fails.
     */
    public static Model load(Path file, StateReader state) throws IOException {
        // the backend first, outside the file's try: a JVM that cannot make one (no --add-modules jdk.incubator.vector,
        // jrnn.backend=cuda without a GPU) gets its IllegalStateException naming the cause, not "not a readable Keras
        // file", which a caller rejecting bad uploads on IOException would take for a corrupt model
        dev.jrnn.Jrnn.backend();
        return FileFaults.readThroughChannel(file, () -> read(file, state));   // a .keras zip read through one open file
    }

    private static Model read(Path file, StateReader state) throws IOException {
        // the .keras's CRC-32 check runs from the reads that fill the weights (one pass over the file), so it ends after
        // the model is built: a damaged member closes the model, and any failure before says the damage first
        try (KerasFile kf = KerasFile.openDeferringCrc(file)) {
            Model model;
            try {
                model = read(kf, file, state);
            } catch (RuntimeException | Error e) {
                throw kf.crcFirst(e);
            }
            try {
                kf.checkCrc();
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
            return model;
        } catch (RuntimeException | StackOverflowError e) {
            KerasLoadFaults.rethrowBackendFailure(file, e);
            throw KerasLoadFaults.asFileFault(file, e, e instanceof KerasFormatException || e instanceof IllegalArgumentException);
        }
    }

    private static Model read(KerasFile kf, Path file, StateReader state) throws IOException {
        if (kf.modelConfig == null) {
            boolean weightsOnly = kf.hdf.getAttribute("layer_names") != null || kf.hdf.getAttribute("layer_names0") != null
                    || kf.hdf.getChild("layers") != null;
            throw new KerasFormatException(weightsOnly
                    ? "holds weights only (no model_config): build the model in jrnn and call loadWeights"
                    : "an HDF5 file without a model_config attribute: not a Keras model file");
        }
        kf.refuseLoneSurrogatesInConfig();   // the config builds the model here (loadWeights reads the weights only)
        KerasLayers layers = new KerasLayers(kf.kerasMajor(), file.toString());
        KerasGraph graph = new KerasGraph(layers, kf.kerasVersion);
        // every weight comes from the file: no initialiser runs only to be overwritten
        Model model = Layer.buildForLoading(() -> graph.build(kf.modelConfig));
        try {
            KerasDtypes.inputs(model, kf.modelConfig);
            KerasDtypes.refuseNonFloatWeights(layers.droppedDtypes);
            KerasDtypes.warn(model, file.toString(), layers.droppedDtypes);
            // the graph and the model's one store now (a Sequential sets them up on first use): the weights are
            // read straight into that store, the layers' own deferred stores never allocate
            Layer.buildForLoading(model::paramStore);
            fill(graph, kf, layers.loras, layers.wrapped);
        } catch (RuntimeException | Error e) {
            model.close();   // frees its buffers (device memory on CUDA) before the error goes up
            throw e;
        }
        KerasOptimizerState.Saved saved;
        EarlyJrnnFiles.Lost lost = EarlyJrnnFiles.lostSettings(kf.metadata, kf.trainingConfig);   // once: the warning and the reader's
        try {
            KerasTraining.compile(model, kf.trainingConfig, file.toString(), kf.kerasMajor() >= 3);
            saved = model.optimizer() == null ? null : optimizerVars(kf);
            EarlyJrnnFiles.warnLostSettings(model, lost, file.toString());
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
        // jrnn's own .keras keeps nested models as Keras does (KerasNesting), its slots in Keras' order; its .h5 nests none
        if (saved != null && graph.nestedModels) {
            if (saved.layout() == KerasOptimizerState.Layout.LEGACY_H5 && !KerasOptimizerState.keras3(saved.kerasVersion())) {
                // Keras 2's variable order over nested models is not checked against a Keras 2 run: not guessed
                FileFaults.warn(KerasImport.class.getName(), file + ": the optimizer state "
                        + "Keras " + (saved.kerasVersion() == null ? "2" : saved.kerasVersion()) + " saved is not restored (the model nests a model; jrnn reads a nested "
                        + "model's optimizer state from Keras 3 files): fit continues from fresh moments at update 0");
                saved = null;
            } else {   // Keras orders a nested model's variables at its place: the config's layer order, depth first
                saved = saved.inLayerOrder(List.copyOf(graph.byName.values()));
            }
        }
        if (saved != null && state == null) {
            FileFaults.warn(KerasImport.class.getName(), file + ": the optimizer state Keras "
                    + "saved is not restored (no reader given): fit continues from fresh moments at update 0");
        }
        try {
            // a LossScaleOptimizer's own step counter and scale (the reader restores them too, into a model it compiled)
            List<KerasOptimizerState.Var> own = model.optimizer() == null ? null : KerasLossScale.ownVars(kf);
            if (state != null) state.restore(model, storedState(kf, saved, lost, own));
            KerasLossScale.resume(model, own);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
        return model;
    }

    /**
     * The model a Keras JSON architecture describes (Keras' {@code model.to_json()}, Keras 2 or 3), as Keras'
     * {@code model_from_json}: its layers built with freshly initialised weights, uncompiled; a Sequential that declares
     * no input shape (an unbuilt one) comes back unbuilt, built by the first data it gets. An IllegalArgumentException
     * names what is wrong (not JSON, a layer or option jrnn does not support).
     */
    public static Model fromJson(String json) { return fromJson(json, true); }

    /**
     * {@link #fromJson(String)}; {@code warn} false for jrnn's own JSON (cloneModel), whose dtype policies the user set in
     * Java: no warning that jrnn computes them in float32.
     */
    public static Model fromJson(String json, boolean warn) {
        if (json == null) throw new IllegalArgumentException("fromJson: json is null");
        Object config;
        try {   // Keras' to_json writes NaN / Infinity for a float nan or inf (json.dumps), and model_from_json reads them
            config = Json.parsePython(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("fromJson: not JSON (" + e.getMessage() + ")", e);
        }
        String version = config instanceof Map<?, ?> m && m.get("keras_version") instanceof String v ? v : null;
        int major = version != null && (version.startsWith("1.") || version.startsWith("2.")) ? version.charAt(0) - '0' : 3;
        try {   // the version also numbers nested models' calls (Keras 2.3 and older count them from 1)
            KerasLayers layers = new KerasLayers(major, "the JSON architecture");
            KerasGraph graph = new KerasGraph(layers, version);
            graph.unbuiltAllowed = true;   // an architecture alone: an unbuilt Sequential is built by its first data
            Model m = graph.build(config);
            KerasDtypes.inputs(m, config);
            try {
                KerasDtypes.refuseNonFloatWeights(layers.droppedDtypes);
            } catch (KerasFormatException e) {
                m.close();
                throw e;
            }
            if (warn) KerasDtypes.warn(m, "the JSON architecture", layers.droppedDtypes);
            return m;
        } catch (KerasFormatException e) {
            throw new IllegalArgumentException("fromJson: " + e.getMessage(), e);
        }
    }

    /**
     * Compiles {@code target} from {@code source}'s compile config, as Keras' {@code clone_model} does for a compiled model
     * ({@code compile_from_config(model.get_compile_config())}): a new optimizer of {@code source}'s current config (its
     * rate as it stands, fresh state), the same losses, loss weights, metrics and weighted metrics. Where the config does
     * not name them again (a loss or metric of the user's own), {@code target} stays uncompiled with one warning saying why.
     * Nothing happens for an uncompiled {@code source}.
     */
    public static void compileFromConfigOf(Model target, Model source) {
        if (source.optimizer() == null || source.loss() == null) return;
        Object config;
        try {   // through JSON, as Keras' config goes: plain values, nothing shared with the source
            config = Json.parse(Json.write(KerasExport.compileConfig(source)));
        } catch (RuntimeException e) {
            FileFaults.warn(KerasImport.class.getName(), "Models.cloneModel: the clone is not "
                    + "compiled (" + e.getMessage() + "); call compile before fit");
            return;
        }
        KerasTraining.compile(target, config, "Models.cloneModel", true);
    }

    /**
     * As {@link #loadWeights(Model, Path)}, and {@code state} reads what a saver stored beside the weights, from the same
     * open file: each byte of it read once, a .keras's stored member checked against its CRC-32 from those reads before
     * anything is set. {@code state} only reads and checks (see {@link StateReader}: it runs before the weights are
     * checked and set, maybe more than once); an IOException naming the file when the state does not fit, thrown after
     * the weights' own refusals, and then no weight is set.
     */
    public static void loadWeights(Model model, Path file, StateReader state) throws IOException {
        if (state == null) throw new IllegalArgumentException(model.name() + ".loadWeights: state is null");
        Models.changing(model, "loadWeights", () -> loadWeights(model, file, false, state));   // alone, as Model.loadWeights
    }

    /**
     * The optimizer variables where Keras keeps them: a .keras file's {@code optimizer/vars/0..N} (a LossScaleOptimizer's
     * inner optimizer's at {@link KerasLossScale#INNER_VARS}), an HDF5 file's {@code optimizer_weights} in its
     * weight_names order, or jrnn's {@code jrnn_state/optimizer_weights} (Keras 3's order, the group naming the version), a
     * LossScaleOptimizer's own four left out of either; null when the file has none.
     */
    private static KerasOptimizerState.Saved optimizerVars(KerasFile kf) {
        List<KerasOptimizerState.Var> vars = new ArrayList<>();
        if (KerasWeightFit.keras3Layout(kf)) {
            // a LossScaleOptimizer's (only a wrapper has an inner one): jrnn compiles its inner optimizer, whose variables
            // these are (Keras restores both)
            String at = find(kf.hdf, KerasLossScale.INNER_VARS) instanceof Group ? KerasLossScale.INNER_VARS : "optimizer/vars";
            if (!(find(kf.hdf, at) instanceof Group g)) return null;
            for (int i = 0; ; i++) {
                io.jhdf.api.Node n = g.getChild(Integer.toString(i));
                if (n == null) break;
                vars.add(var(n, at + "/" + i, kf));
            }
            if (vars.size() != g.getChildren().size()) {
                throw new KerasFormatException(at + " holds " + g.getChildren().keySet() + ": not the datasets 0.."
                        + (g.getChildren().size() - 1) + " Keras writes");
            }
            return vars.isEmpty() ? null : new KerasOptimizerState.Saved(KerasOptimizerState.Layout.KERAS3, kf.kerasVersion, vars);
        }
        Group g = kf.hdf.getChild(KerasLegacyOptimizerWeights.GROUP) instanceof Group k ? k   // Keras'
                : kf.hdf.getChild(KerasExport.STATE_GROUP) instanceof Group j && j.getChild(KerasLegacyOptimizerWeights.GROUP) instanceof Group jg
                ? jg : null;   // jrnn's (see KerasLegacyOptimizerWeights)
        if (g == null) return null;
        List<String> names = Hdf5Arrays.stringList(g, "weight_names");
        if (names == null) throw new KerasFormatException("optimizer_weights has no 'weight_names' attribute");
        for (String name : names) {
            io.jhdf.api.Node n = find(g, name);
            if (n == null) throw new KerasFormatException("optimizer weight '" + name + "' named by optimizer_weights/weight_names is not in the file");
            vars.add(var(n, name, kf));
        }
        String order = KerasLegacyOptimizerWeights.order(g);   // jrnn's .h5: Keras 3's variables in a tf.keras 2 file
        vars = KerasLossScale.innerVars(names, vars);
        if (vars.isEmpty()) return null;
        return order != null ? new KerasOptimizerState.Saved(KerasOptimizerState.Layout.KERAS3, order, vars)
                : new KerasOptimizerState.Saved(KerasOptimizerState.Layout.LEGACY_H5, kf.kerasVersion, vars);
    }

    static KerasOptimizerState.Var var(io.jhdf.api.Node n, String name, KerasFile kf) {
        if (!(n instanceof io.jhdf.api.Dataset ds)) throw new KerasFormatException(n.getPath() + " is not a dataset");
        Hdf5Arrays.Stored stored = Hdf5Arrays.stored(ds, kf.fills);   // its dtype and size checked (a damaged header named) first
        boolean scalar;
        Long whole;
        try {   // jhdf's own exceptions (a damaged data address) name the dataset, as Hdf5Arrays.stored's do
            scalar = ds.getDimensionsAsLong().length == 0;
            // Keras' int64 iteration, exact (the tensor holds it as a float); only a number is read here, so a damaged
            // variable-length dataset reaches Hdf5Arrays.tensor's dtype check, not jhdf's whole-collection heap read
            io.jhdf.object.datatype.DataType dt = ds.getDataType();
            boolean number = dt instanceof io.jhdf.object.datatype.FixedPoint || dt instanceof io.jhdf.object.datatype.FloatingPoint;
            Object flat = scalar && number ? ds.getDataFlat() : null;
            whole = flat instanceof Long x ? x : flat instanceof Integer x ? Long.valueOf(x)
                    : flat instanceof long[] x && x.length == 1 ? x[0] : flat instanceof int[] x && x.length == 1 ? Long.valueOf(x[0]) : null;
        } catch (RuntimeException e) {
            throw Hdf5Arrays.damaged(ds, e);
        }
        // the integer scalar as read above, not read again; arrays by position, so the .keras's CRC-32 comes from the same reads
        Tensor t = whole != null ? Tensor.wrap(new float[] {whole}, stored.shape()) : stored.tensor(kf);
        return new KerasOptimizerState.Var(name, t, scalar, whole);
    }

    /** What the open {@code kf} says about itself: its configs, its arrays below jrnn_state/, {@code optimizer}, {@code lost}'s verdict. */
    private static StoredState storedState(KerasFile kf, KerasOptimizerState.Saved optimizer, EarlyJrnnFiles.Lost lost,
                                           List<KerasOptimizerState.Var> own) {
        return new StoredState(kf.metadata, kf.trainingConfig, p -> stored(kf, p), optimizer, lost != null, own, KerasWeightFit.keras3Layout(kf));
    }

    /** {@link #storedState(KerasFile, KerasOptimizerState.Saved, EarlyJrnnFiles.Lost, List)}, the verdict and the wrapper's variables read here. */
    private static StoredState storedState(KerasFile kf, KerasOptimizerState.Saved optimizer) {
        return storedState(kf, optimizer, EarlyJrnnFiles.lostSettings(kf.metadata, kf.trainingConfig), KerasLossScale.ownVars(kf));
    }

    private static Tensor stored(KerasFile kf, String path) {
        // the file is closed (unmapped) once the reader returns: say so rather than blame the file's bytes
        if (kf.closed) throw new IllegalStateException("StoredState.array called after the reader returned: the file is closed");
        if (!(kf.hdf.getChild(KerasExport.STATE_GROUP) instanceof Group g)) return null;   // getByPath throws on a missing path in memory
        io.jhdf.api.Node n = g.getChildren().isEmpty() ? null : find(g, path);
        if (n == null) return null;
        if (!(n instanceof io.jhdf.api.Dataset ds)) throw new KerasFormatException(n.getPath() + " is not a dataset");
        return Hdf5Arrays.stored(ds, kf.fills).tensor(kf);
    }

    static io.jhdf.api.Node find(Group g, String path) {
        io.jhdf.api.Node n = g;
        for (String part : path.split("/")) {
            if (!(n instanceof Group gg)) return null;
            n = gg.getChild(part);
            if (n == null) return null;
        }
        return n;
    }

    /**
     * Sets every layer's weights from the file, by config name, read straight into the model's store; a legacy .h5's
     * LoRA pairs merged into their kernels with {@code loras} ({@link KerasLora}).
     */
    private static void fill(KerasGraph graph, KerasFile kf, Map<Layer, KerasLora.Lora> loras, java.util.Set<String> wrapped) {
        Map<String, List<Hdf5Arrays.Stored>> stored;
        String doubt = null;   // what the order of a legacy group's arrays was guessed from, for a shape check that then fails
        if (kf.layout == KerasFile.Layout.KERAS3_ZIP) {
            stored = Keras3Weights.read(kf.hdf, graph.order, kf.fills);
        } else {
            stored = Keras2Weights.read(kf.keras2WeightsGroup(), kf.fills);
            KerasLora.merge(stored, loras, groupLayers(graph), wrapped);
            for (var e : stored.entrySet()) {   // a layer's own group (a nested model's is split below)
                Layer l = graph.nested.containsKey(e.getKey()) ? null : graph.byName.get(e.getKey());
                if (l != null) e.setValue(Keras2Weights.inParamOrder(l, e.getValue()));
            }
            Keras2Weights.Undecided undecided = Keras2Weights.splitNested(stored, graph.nested, kf.kerasMajor());
            if (!undecided.directions().isEmpty()) {
                dev.jrnn.io.FileFaults.warn(KerasImport.class.getName(), kf.path + ": Bidirectional layer(s) "
                        + undecided.directions() + " may have had one direction frozen when saved, which tf.keras 2 files do "
                        + "not say; with more than 10 unknown trainable flags in one nested model's group (each trainable "
                        + "Bidirectional counts 2, each nested model whose flag would change the order 1; the group's own model does "
                        + "not) jrnn tries the nested models' "
                        + "alone, and the group's weight_names agree with none of those orders: the directions are read as "
                        + "trainable, and if one was frozen some arrays may load into the wrong layers; check the predictions "
                        + "(GUIDE: Bringing a Keras model, Nested models)");
                doubt = "Bidirectional layer(s) " + undecided.directions() + " may have had one direction frozen when saved";
            }
            if (!undecided.models().isEmpty()) {
                dev.jrnn.io.FileFaults.warn(KerasImport.class.getName(), kf.path + ": nested model(s) " + undecided.models()
                        + " may have been frozen when saved, which the file's config does not say (Keras 2 and tf.keras 2 "
                        + "writers save no nested model's trainable flag) and its weight_names do not settle (they agree with "
                        + "no order of its arrays, as after a layer was renamed, or with orders that differ; with more than 10 such models in one "
                        + "group jrnn does not try them): their weights are "
                        + "read in the order of a trainable one, and if they were frozen some arrays may load into the wrong "
                        + "layers; check the predictions (GUIDE: Bringing a Keras model, Nested models)");
                doubt = (doubt == null ? "" : doubt + ", ") + "nested model(s) " + undecided.models() + " may have been frozen when saved";
            }
        }
        List<Layer> targets = new ArrayList<>();
        List<List<Hdf5Arrays.Stored>> values = new ArrayList<>();
        for (var e : graph.byName.entrySet()) {
            List<Hdf5Arrays.Stored> ws = stored.get(e.getKey());
            String shared = kf.layout == KerasFile.Layout.KERAS3_ZIP && (ws == null || ws.isEmpty()) && !e.getValue().params().isEmpty()
                    ? graph.sharedNote(e.getKey()) : null;
            if (shared != null) throw new KerasFormatException(shared);   // a shared layer's weights, saved once by Keras 3
            if (ws == null && !e.getValue().params().isEmpty()) {
                throw new KerasFormatException("no weights stored for layer '" + e.getKey() + "'");
            }
            if (ws != null) {
                targets.add(e.getValue());
                values.add(ws);
            }
        }
        try {
            KerasWeightFit.assign(targets, values, kf);
        } catch (KerasWeightFit.Misfit e) {   // the warning above is not logged when the load fails: the message says it too
            if (doubt == null || !e.shapes) throw e;
            KerasWeightFit.Misfit m = new KerasWeightFit.Misfit(e.getMessage() + " (" + doubt + ", which the file does not say: their arrays were read in "
                    + "the order of trainable ones, which may be why they do not fit; GUIDE: Bringing a Keras model, Nested models)", true);
            m.setStackTrace(e.getStackTrace());
            throw m;
        }
    }

    /**
     * Each legacy weights group's layers by their names in the file (a renamed copy's file name, as the group's weight
     * names say it): a top-level layer's group holds it alone, a nested model's its layers any depth down.
     */
    private static Map<String, Map<String, List<Layer>>> groupLayers(KerasGraph graph) {
        Map<Layer, String> fileNames = graph.fileNames();
        Map<String, Map<String, List<Layer>>> r = new java.util.HashMap<>();
        java.util.Set<Layer> nestedLeaves = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (var e : graph.nested.entrySet()) {
            List<Layer> leaves = new ArrayList<>();
            e.getValue().leaves(leaves);
            Map<String, List<Layer>> byFileName = new java.util.HashMap<>();
            for (Layer l : leaves) {
                byFileName.computeIfAbsent(fileNames.getOrDefault(l, l.name()), k -> new ArrayList<>()).add(l);
                nestedLeaves.add(l);
            }
            r.put(e.getKey(), byFileName);
        }
        for (var l : graph.byName.entrySet()) {   // a top-level layer keeps its file name
            if (!nestedLeaves.contains(l.getValue())) r.put(l.getKey(), Map.of(l.getKey(), List.of(l.getValue())));
        }
        return r;
    }

    /**
     * Loads the weights of a Keras file ({@code save_weights} .h5 of Keras 1/2, Keras 3 {@code .weights.h5}, or a
     * whole-model .h5 / .keras) into {@code model} by structure, as Keras' {@code load_weights}: the i-th layer with
     * weights in the model takes the i-th layer with weights in the file, whatever the names. An
     * IllegalArgumentException lists what does not match; nothing is set unless everything fits.
     */
    public static void loadWeights(Model model, Path file) throws IOException {
        loadWeights(model, file, false);
    }

    /**
     * As {@link #loadWeights(Model, Path)}; with {@code byName}, each layer with weights takes the stored layer of
     * its name (Keras 1/2 HDF5 files only: Keras 3 names its groups by layer class), every one must be there and the
     * file must hold no other layer with weights.
     */
    public static void loadWeights(Model model, Path file, boolean byName) throws IOException {
        Models.changing(model, "loadWeights", () -> loadWeights(model, file, byName, null));   // alone, as Model.loadWeights
    }

    /** What a read of a weights file gives: its setting of the model, once the read ended. */
    @FunctionalInterface
    public interface Loaded {
        /**
         * Sets the weights read: their count and shapes were checked against the model at the read, their values (no NaN
         * or Inf) are here, and a misfit sets none. Call it at once, with the model unchanged since the read.
         */
        void set() throws IOException;
    }

    /**
     * The read half of {@link #loadWeights(Model, Path, boolean)}, for a caller that holds {@code file} in a
     * {@link FileFaults#readThroughChannel} (where it decided the format): nothing is set until {@link Loaded#set}.
     * <pre>{@code
     * FileFaults.readThroughChannel(file, () -> KerasImport.readWeights(model, file, false)).set();
     * }</pre>
     */
    public static Loaded readWeights(Model model, Path file, boolean byName) throws IOException {
        if (model == null || file == null) {
            throw new IllegalArgumentException("KerasImport.readWeights: " + (model == null ? "model" : "file") + " is null");
        }
        Loaded read = readWeights(model, file, byName, null);
        return () -> Models.changing(model, "loadWeights", read::set);   // the setting alone, as Model.loadWeights
    }

    /**
     * As {@link #readWeights(Model, Path, boolean)} by structure, with {@code state} reading what the file holds beside
     * the weights (see {@link #loadWeights(Model, Path, StateReader)}): it must set nothing; its failure refuses the load
     * (an IOException naming the file, after the weights' own refusals). {@code model.loadWeights} of a {@code .weights.h5}
     * reads the optimizer's variables so.
     * <pre>{@code
     * FileFaults.readThroughChannel(file, () -> KerasImport.readWeights(model, file, (m, stored) -> seen.add(stored.optimizer()))).set();
     * }</pre>
     */
    public static Loaded readWeights(Model model, Path file, StateReader state) throws IOException {
        if (model == null || file == null || state == null) {
            throw new IllegalArgumentException("KerasImport.readWeights: " + (model == null ? "model" : file == null ? "file" : "state") + " is null");
        }
        Loaded read = readWeights(model, file, false, state);
        return () -> Models.changing(model, "loadWeights", read::set);
    }

    private static void loadWeights(Model model, Path file, boolean byName, StateReader state) throws IOException {
        readWeights(model, file, byName, state).set();
    }

    private static Loaded readWeights(Model model, Path file, boolean byName, StateReader state) throws IOException {
        List<Layer> weighted = new ArrayList<>();
        List<String[]> order = new ArrayList<>();
        for (Layer l : model.layers()) {
            order.add(new String[] {l.name(), l.kerasClass()});
            if (!l.params().isEmpty()) weighted.add(l);
        }
        // everything is read (and the file found unchanged) before any weight is set; the arrays once their shapes fit (each
        // read builds its own); a file nesting a functional model is read by its groups, its slots in Keras' order (KerasNesting)
        KerasNesting nesting = KerasNesting.of(model);   // once: the places and the state's order both follow it
        List<KerasNesting.Place> places = KerasNesting.nestedPlaces(model, nesting);
        List<String[]> nestedOrder = KerasNesting.loadOrder(places);
        java.util.function.Consumer<KerasFile> readState = state == null ? null : kf -> state.restore(model,
                storedState(kf, KerasNesting.inOrder(optimizerVars(kf), places != null && KerasWeightFit.nestedFile(kf), model, nesting)));
        List<Object> legacyUnits = KerasNesting.legacyUnits(nesting);   // a legacy .h5's groups: a nested model's one group at its place
        KerasWeightFit.FileWeights read = FileFaults.readThroughChannel(file, () -> KerasWeightFit.readWeights(file, order, nestedOrder,
                legacyUnits, weighted.size(), byName, readState, fw -> KerasWeightFit.fitted(model, file, byName, KerasWeightFit.targets(fw, places, weighted),
                        fw.nested() ? nestedOrder : order, fw)));
        List<Layer> targets = KerasWeightFit.targets(read, places, weighted);   // what the arrays were fitted to
        return () -> set(model, file, byName, targets, read);
    }

    /** {@link #readWeights}'s result checked (misfits, NaN / Inf, the state's failure) and set into {@code targets}. */
    private static void set(Model model, Path file, boolean byName, List<Layer> targets, KerasWeightFit.FileWeights read) throws IOException {
        if (read.misfit() != null) throw read.misfit();
        List<List<Hdf5Arrays.Stored>> values = read.fitted();
        try {
            KerasWeightFit.check(targets, values, null);   // the values now: NaN / Inf
        } catch (KerasFormatException e) {
            throw KerasWeightFit.misfit(model, file, byName, KerasWeightFit.advice(read.nestedGroups(), read.stackedGroups()), e);
        }
        if (read.stateFailure() != null) {   // after the weights' own refusals, as when the state was read by a second open
            RuntimeException e = read.stateFailure();
            KerasLoadFaults.rethrowBackendFailure(file, e);
            throw KerasLoadFaults.asFileFault(file, e, e instanceof KerasFormatException || e instanceof IllegalArgumentException || e instanceof IllegalStateException);
        }
        try {
            KerasWeightFit.set(targets, values);
        } catch (RuntimeException e) {   // a closed backend, a device error part way: named with the file, as above
            KerasLoadFaults.rethrowBackendFailure(file, e);
            throw e;
        }
    }
}
