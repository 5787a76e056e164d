package dev.jrnn.model;

import dev.jrnn.io.AtomicFiles;
import dev.jrnn.io.FileFaults;
import dev.jrnn.io.keras.KerasExport;
import dev.jrnn.io.keras.KerasImport;
import dev.jrnn.io.keras.KerasLegacyExport;
import dev.jrnn.io.keras.KerasLoadFaults;
import dev.jrnn.io.keras.KerasOptimizerState;
import dev.jrnn.layers.Bidirectional;
import dev.jrnn.layers.Embedding;
import dev.jrnn.layers.RandomDraws;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.RecurrentLayer;
import dev.jrnn.layers.TimeDistributed;
import dev.jrnn.optim.Optimizer;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Whole-model files ({@link Model#save}, {@link Models#load}) in Keras 3's {@code .keras} layout: the architecture
 * and compile config in config.json, the weights in model.weights.h5 at Keras 3's variable paths (written by
 * {@link KerasExport}), the optimizer's variables where Keras 3 reads them ({@code optimizer/vars}, laid out by
 * {@link KerasOptimizerState}), and what resuming a training run needs besides: the update count, the dropout layers'
 * mask streams and the fit seed ("jrnn" in metadata.json; files of earlier versions kept the optimizer's buffers below
 * {@code jrnn_state/}, still read). Keras ignores the "jrnn" part; jrnn's importer reads the rest as it reads any Keras
 * 3 file, and a file Keras wrote resumes with the optimizer state Keras saved.
 */
final class ModelFiles {
    /** Version of the "jrnn" part of metadata.json. */
    static final long FORMAT = 1;

    private ModelFiles() {}

    /**
     * The settings (truncated BPTT, paddingIdx) each model's .h5 save has said it loses, by kind: once per model and
     * kind, not per checkpoint, so one set after the first warning is still reported; weak, so models can be collected.
     */
    private static final Map<Model, java.util.Set<String>> WARNED_H5_LOST = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** Writes {@code model} to {@code file} atomically (temp file + rename): a failure leaves the old file. */
    static void save(Model model, Parameters ps, Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException(model.name() + ".save: file is null");
        checkKerasName(model.name() + ".save", file);
        dev.jrnn.io.keras.KerasPortability.warn(model, model.name() + ".save");
        if (hdf5Name(file)) {   // tf.keras 2's legacy layout: the model, its compile config, the optimizer variables (jrnn_state/)
            Optimizer o = model.optimizer();
            List<KerasOptimizerState.Var> vars = o == null || model.loss() == null ? List.of() : kerasVars(model, ps, o, false);
            KerasLegacyExport.check(model);   // a model the layout cannot hold is refused before a directory is made
            // a resumed run would train otherwise: say so (.keras keeps them in jrnn's metadata)
            List<String> lost = new ArrayList<>(), instead = new ArrayList<>();
            Map<String, Object> tbptt = tbpttOf(model), padding = paddingIdxOf(model);
            java.util.Set<String> warned = tbptt.isEmpty() && padding.isEmpty() ? java.util.Set.of()
                    : WARNED_H5_LOST.computeIfAbsent(model, k -> java.util.concurrent.ConcurrentHashMap.newKeySet());
            if (!tbptt.isEmpty() && warned.add("tbptt")) {
                lost.add("truncated BPTT " + tbptt);
                instead.add("trains with full BPTT");
            }
            if (!padding.isEmpty() && warned.add("padding_idx")) {
                lost.add("Embedding paddingIdx " + padding);
                instead.add("trains every embedding row");
            }
            if (!lost.isEmpty()) {
                System.getLogger(ModelFiles.class.getName()).log(System.Logger.Level.WARNING, model.name() + ".save: "
                        + String.join(" and ", lost) + " is not kept in an .h5 (tf.keras 2's layout has no place for it); a model loaded from "
                        + file.getFileName() + " " + String.join(" and ", instead) + ": save .keras to keep it");
            }
            FileFaults.save(model.name() + ".save", file, () -> {
                // as Keras 3's legacy HDF5 save (legacy_h5_format.save_model_to_hdf5 makes the directories); .keras does not
                Path dir = file.toAbsolutePath().getParent();
                if (dir != null && !java.nio.file.Files.isDirectory(dir)) java.nio.file.Files.createDirectories(dir);
                AtomicFiles.write(file, out -> KerasLegacyExport.write(model, out, ps.listedTrainable, vars));
            });
            return;
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        Map<String, Tensor> state = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        Optimizer opt = model.optimizer();
        List<KerasOptimizerState.Var> optimizerVars = List.of();
        // a flat file holds the listed layers alone (the model it loads as trains those): the slots of the listed weights,
        // the start of the block, else the load finds the sizes differ and starts every moment afresh
        boolean nested = KerasOptimizerState.writesNested(model);
        long slotsSize = nested ? ps.trainableSize : ps.listedTrainableSize;
        if (opt != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("class_name", opt.name());
            o.put("iterations", opt.iterations());
            // the rate a callback may have set since compile (the compile config holds it too, but a restore into a
            // compiled model reads only this part)
            if (opt.schedule() == null) o.put("learning_rate", (double) opt.learningRate());
            // state of another store (a new optimizer not stepped yet) is saved as a fresh build's: the file resumes as this model would
            boolean bound = opt.boundTo(ps.store, ps.trainableSize);
            Map<String, float[]> current = bound ? opt.state() : Map.of();
            // below jrnn_state/, as before: Keras 3.0-3.9 would misread them; not a never-trained optimizer's iteration and
            // learning_rate, first in every Keras 3's order (Keras writes those two for Nadam too)
            if (bound && KerasOptimizerState.orderChangedIn310(opt)) {
                Map<String, float[]> slots = settingsSlots(opt, current);
                for (var e : slots.entrySet()) {
                    float[] v = e.getValue().length == slotsSize ? e.getValue() : java.util.Arrays.copyOf(e.getValue(), Math.toIntExact(slotsSize));
                    state.put("optimizer/" + e.getKey(), Tensor.wrap(v, v.length));
                }
                o.put("state", List.copyOf(slots.keySet()));
            } else {
                optimizerVars = kerasVars(model, ps, opt, nested);
                o.put("state", List.of());   // nothing below jrnn_state/optimizer: Keras has a variable for every buffer
                o.put("keras_vars", (long) optimizerVars.size());
            }
            o.put("trainable_size", slotsSize);
            meta.put("optimizer", o);
        }
        Map<String, Object> dropout = new LinkedHashMap<>();
        for (var e : maskedLayers(model).entrySet()) {
            Layer l = e.getValue();
            long[] s = ((RandomDraws) l).maskStream();
            dropout.put(e.getKey(), List.of(Long.toString(s[0]), Long.toString(s[1])));
        }
        meta.put("dropout", dropout);
        meta.put("fit_seed", model.fitSeed() == null ? null : Long.toString(model.fitSeed()));
        meta.put("fit_epochs", (long) model.fitEpochs());
        Map<String, Object> tbptt = tbpttOf(model);   // jrnn's own layer settings: not in Keras' config
        if (!tbptt.isEmpty()) meta.put("tbptt", tbptt);
        Map<String, Object> padding = paddingIdxOf(model);
        if (!padding.isEmpty()) meta.put("padding_idx", padding);
        List<KerasOptimizerState.Var> vars = optimizerVars;
        FileFaults.save(model.name() + ".save", file, () -> AtomicFiles.write(file, out -> KerasExport.write(model, out, meta, state, vars)));
    }

    /**
     * {@code current} (a bound optimizer's state) as the slots {@code opt}'s settings keep, which a load holds the file
     * to: a slot a setting switched on since the last step at its start value (as the next step starts it), one switched
     * off left out (no step reads it again); the accumulator and the average as they are.
     */
    private static Map<String, float[]> settingsSlots(Optimizer opt, Map<String, float[]> current) {
        if (current.isEmpty()) return current;
        int n = current.values().iterator().next().length;
        Map<String, float[]> r = new LinkedHashMap<>();
        for (String slot : opt.stateSlots()) {
            float[] v = current.get(slot);
            if (v == null) {
                v = new float[n];
                java.util.Arrays.fill(v, opt.stateStart(slot));
            }
            r.put(slot, v);
        }
        for (var e : current.entrySet()) if (NOT_SETTINGS_SLOTS.contains(e.getKey())) r.put(e.getKey(), e.getValue());
        return r;
    }

    /** Gradient accumulation's and use_ema's buffers, which a restore may find missing or left over (see {@link #restoreOptimizer}). */
    private static final java.util.Set<String> NOT_SETTINGS_SLOTS = java.util.Set.of("gradient_accumulator", "average");

    /**
     * {@code opt}'s variables in Keras 3's order: its state over the model's trainable weights; where it is not bound to
     * them (compiled, never stepped), those Keras 3 writes before its optimizer is built at the first step: iteration,
     * and learning_rate where no schedule sets it (slots of zeros made a never-trained Adam model's file 3x Keras'; a
     * load builds the slots fresh from either). Attention's scalars as Keras' shape (); {@code nested}: for a .keras,
     * whose nested form ({@link KerasOptimizerState#writesNested}) Keras orders at their place.
     */
    static List<KerasOptimizerState.Var> kerasVars(Model model, Parameters ps, Optimizer opt, boolean nested) {
        if (!opt.boundTo(ps.store, ps.trainableSize)) {
            return KerasOptimizerState.keras3Vars(opt, List.of(), Map.of()).stream()
                    .filter(v -> v.name().equals("iteration") || v.name().equals("learning_rate")).toList();
        }
        java.util.Set<dev.jrnn.layers.Param> scalars = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        // the run layers: one only a nested call's unused branch runs has slots in a nested file too
        for (Layer l : model.graph().runLayers) if (l instanceof dev.jrnn.layers.Attention a) scalars.addAll(a.params());
        // in the order Keras builds them for the model the file loads as: a .keras keeps nested models (at their place), an .h5 is
        // flat (without the layers only a nested call's unused branch runs, so without their slots)
        List<dev.jrnn.layers.Param> order = nested ? KerasOptimizerState.kerasTrainableOrder(model, ps.trainable) : ps.listedTrainable;
        java.util.Set<dev.jrnn.layers.Param> stated = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        stated.addAll(ps.trainable);
        return KerasOptimizerState.keras3Vars(opt, order, opt.state(), scalars::contains, p -> !stated.contains(p));
    }

    /**
     * A whole model is written as Keras 3's zip, which Keras reads only under a {@code .keras} name, or as tf.keras 2's
     * legacy HDF5 layout under an {@code .h5} / {@code .hdf5} name, as Keras takes those names; Keras refuses others.
     */
    static void checkKerasName(String who, Path file) {
        checkKerasName(who, file.getFileName() == null ? "" : file.getFileName().toString());
    }

    /** As above for a file name (a ModelCheckpoint pattern's, which may hold ':' no Path takes on Windows). */
    static void checkKerasName(String who, String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".keras") || (hdf5Name(n) && !n.endsWith(".weights.h5"))) return;
        throw new IllegalArgumentException(who + ": the file name must end in .keras (Keras 3's format) or .h5 / .hdf5 (tf.keras 2's"
                + " legacy HDF5 layout), got '" + baseName(name) + "'"
                + (n.endsWith(".weights.h5") ? "; Keras reads a .weights.h5 name as a weights file only (saveWeights writes it)" : ""));
    }

    /** The last part of a path or pattern (which may hold ':' no Path takes on Windows). */
    private static String baseName(String name) {
        return name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    }

    /**
     * Writes {@code model}'s weights atomically (temp file + rename) in the layout Keras reads under that name: Keras 3's
     * under a {@code .weights.h5} name (as Keras compares the suffix, as spelt), tf.keras 2's legacy one under another
     * {@code .h5} / {@code .hdf5} name (Keras 3's load_weights reads that as legacy; tf.keras 2 writes it so).
     */
    static void saveWeightsHdf5(Model model, Path file) throws IOException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (name.endsWith(".weights.h5")) {
            List<KerasOptimizerState.Var> vars = WeightsFileOptimizer.toWrite(model);   // as Keras 3's save_weights: a compiled model's
            AtomicFiles.write(file, out -> KerasExport.writeWeights(model, out, vars));
        }
        else AtomicFiles.write(file, out -> KerasLegacyExport.writeWeights(model, out));
    }

    /**
     * Whether {@code file} starts as a safetensors file: an 8-byte little-endian header length that the file holds, then
     * the header's '{'. jrnn's saveWeights wrote safetensors under any name before it wrote HDF5 under an HDF5 one.
     */
    static boolean safetensorsHead(Path file) throws IOException {
        byte[] b;
        try (java.io.InputStream in = FileFaults.input(file)) {
            b = in.readNBytes(9);
        }
        if (b.length < 9) return false;
        long n = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 0 && n <= java.nio.file.Files.size(file) - 8 && b[8] == '{';
    }

    /**
     * The refusal of a file under an HDF5 name ({@code .h5}, {@code .hdf5}, {@code .weights.h5}) that does not start with
     * HDF5's signature: what it should be and the bytes it starts with.
     */
    static IOException notHdf5(Path file) throws IOException {
        byte[] head;
        try (java.io.InputStream in = FileFaults.input(file)) {
            head = in.readNBytes(8);
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : head) hex.append(hex.isEmpty() ? "" : " ").append(String.format("%02x", b & 0xff));
        return new IOException(file + ": not an HDF5 file: a " + (file.getFileName().toString().endsWith(".weights.h5")
                ? "Keras 3 weights file (.weights.h5)" : "Keras HDF5 file (.h5 / .hdf5)") + " starts with HDF5's signature"
                + " (89 48 44 46 0d 0a 1a 0a), this one with " + (head.length == 0 ? "nothing (it is empty)" : hex + " (\""
                + new String(head, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".") + "\")")
                + "; it is not a .keras zip nor a safetensors file either");
    }

    /** Whether {@code file}'s name asks for HDF5 ({@code .h5}, {@code .hdf5}, any case), as Keras' weight files are named. */
    static boolean hdf5Name(Path file) {
        return hdf5Name(file.getFileName() == null ? "" : file.getFileName().toString());
    }

    /** As above for a name or a ModelCheckpoint pattern. */
    static boolean hdf5Name(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".h5") || n.endsWith(".hdf5");
    }

    /** The model in {@code file} (any Keras file), with the training state a jrnn file holds. */
    static Model load(Path file) throws IOException {
        return KerasImport.load(file, (m, stored) -> restore(m, stored, false, ModelFiles::warn).run());
    }

    /**
     * Puts the model and training state of a file {@link #save} wrote for this same model back into {@code model}
     * (its weights by structure, the optimizer's moments and update count, the dropout streams, the fit seed); on
     * failure the model is left as it was: the weights are put back, and the training state is set only once the whole
     * file has been read and checked (a try read again, or refused, sets none of it); the weights of layers only a nested
     * call's unused outputs need, which a nested file sets too, are put back with them. Where putting the weights back fails
     * too (the backend that failed the restore), the restore's failure is thrown, that one suppressed in it.
     */
    static void restoreInto(Model model, Path file) throws IOException {
        List<Tensor> before = model.getWeights();
        // a nested file sets the weights of layers only a nested call's unused outputs need too (not listed): kept aside as well
        Map<dev.jrnn.layers.Param, Tensor> unlisted = new java.util.IdentityHashMap<>();
        if (model.isBuilt()) nestedWeights(model, unlisted, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        try {
            Runnable[] state = {() -> { }};
            // one read of the file: the weights, and the state read and checked before they are set. The reader runs before
            // the weights' checks and the CRC's, and again if the file changes under it: its warnings wait with what it sets
            KerasImport.loadWeights(model, file, (m, stored) -> {
                List<String> warnings = new ArrayList<>();
                Runnable set = restore(m, stored, true, warnings::add);
                state[0] = () -> {
                    set.run();
                    warnings.forEach(ModelFiles::warn);
                };
            });
            try {
                state[0].run();
            } catch (RuntimeException e) {
                // a backend failure (an upload of the optimizer state) as it is, named with the file, as KerasImport's
                KerasLoadFaults.rethrowBackendFailure(file, e);
                if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {   // a backstop: the read checked what this sets
                    throw new IOException(file + ": " + e.getMessage(), e);
                }
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            try {
                model.setWeights(before);
                unlisted.forEach(dev.jrnn.layers.Param::set);
            } catch (RuntimeException | Error r) {   // the backend that failed the restore may fail this too: the first failure is the one thrown
                e.addSuppressed(new IllegalStateException(model.name() + ": the weights held before the restore from " + file
                        + " could not be put back (the model may hold some of the file's): " + r, r));
            }
            throw e;
        }
    }

    /** Into {@code into}, the weights now of every layer of the models {@code model} calls nested, at any depth. */
    private static void nestedWeights(Model model, Map<dev.jrnn.layers.Param, Tensor> into, java.util.Set<Model> seen) {
        for (dev.jrnn.layers.Call c : model.graph().calls) {
            for (dev.jrnn.layers.CallGroup g = c.group(); g != null; g = g.parent()) {
                if (g.operation() instanceof Model m && m.isBuilt() && seen.add(m)) {
                    for (Layer l : m.layers()) for (dev.jrnn.layers.Param p : l.params()) into.computeIfAbsent(p, dev.jrnn.layers.Param::get);
                    nestedWeights(m, into, seen);
                }
            }
        }
    }

    /**
     * The training state of a jrnn file for {@code model}, read and checked, as what sets it (which fails on nothing the
     * reading did not check); the dropout streams by layer name (a loaded model has the
     * file's names) or, {@code byStructure}, the i-th layer that draws masks takes the i-th stream (a model built
     * again, whose default names were numbered on). Its warnings (state it leaves, as Keras does) go to {@code warn}.
     */
    private static Runnable restore(Model model, KerasImport.StoredState stored, boolean byStructure, Consumer<String> warn) {
        if (!byStructure) return restoreState(model, stored, false, false, warn);   // a load: KerasImport resumes the wrapper it compiled
        boolean wrapped = model.lossScale() != null && model.lossScale().isDynamic();
        boolean storedWrapped = stored.lossScaleVars() != null;
        if (wrapped != storedWrapped) {   // Keras 3.15.1: "Skipping variable loading for optimizer ...": none of its variables loaded
            warn.accept("Skipping the optimizer's state: the backup's optimizer has " + backupVars(stored)
                    + " variables" + (storedWrapped ? " (with a LossScaleOptimizer's " + stored.lossScaleVars().size() + ")" : "")
                    + ", the model's " + modelVars(model, wrapped) + (wrapped ? " (with a LossScaleOptimizer's " + LOSS_SCALE_VARS + ")" : "")
                    + ", as Keras 3.15.1 skips it: the optimizer (its update count, moments and loss scale) stays as it is");
            return restoreState(model, stored, true, true, warn);
        }
        Runnable state = restoreState(model, stored, true, false, warn);
        if (model.lossScale() == null) return state;
        // a backup's LossScaleOptimizer counter and scale (Keras' BackupAndRestore loads them with the other optimizer variables)
        LossScale resumed = stored.lossScale(model.lossScale());
        return () -> {
            state.run();
            model.lossScale(resumed);
        };
    }

    /** A Keras LossScaleOptimizer's own variables: its iterations, learning_rate, step_counter and dynamic_scale. */
    private static final int LOSS_SCALE_VARS = 4;

    /** The optimizer variables a backup holds as Keras counts them: the inner optimizer's at optimizer/vars and the wrapper's own. */
    private static int backupVars(KerasImport.StoredState stored) {
        return (stored.optimizer() == null ? 0 : stored.optimizer().vars().size())
                + (stored.lossScaleVars() == null ? 0 : stored.lossScaleVars().size());
    }

    /** The variables Keras would give the model's compiled optimizer (and its wrapper's four, {@code wrapped}). */
    private static int modelVars(Model model, boolean wrapped) {
        if (model.optimizer() == null) return 0;
        model.ensureGraph();
        return KerasOptimizerState.keras3VarWeights(model.optimizer(), model.parameters().trainable.size()).length
                + (wrapped ? LOSS_SCALE_VARS : 0);
    }

    /** {@code skipOptimizer}: the optimizer's state is not read, the rest (dropout streams, fit's seed and epoch) is. */
    private static Runnable restoreState(Model model, KerasImport.StoredState stored, boolean byStructure, boolean skipOptimizer,
                                         Consumer<String> warn) {
        KerasOptimizerState.Saved saved = skipOptimizer ? null : stored.optimizer();
        if (!(stored.metadata() instanceof Map<?, ?> m) || !(m.get("jrnn") instanceof Map<?, ?> j)) {   // a file Keras wrote
            return saved != null && model.optimizer() != null ? restoreKeras(model, saved, warn) : () -> { };
        }
        if (!(j.get("format") instanceof Long f) || f != FORMAT) {
            throw new IllegalArgumentException("metadata.json: jrnn format " + j.get("format") + " is not " + FORMAT + " (saved by another jrnn version)");
        }
        // everything read and checked before anything changes: a file that does not fit leaves the model as it was
        Map<Layer, long[]> streams = new LinkedHashMap<>();
        if (j.get("dropout") instanceof Map<?, ?> d) {
            Map<String, Layer> masked = maskedLayers(model);
            if (byStructure && masked.size() != d.size()) {
                throw new IllegalArgumentException("metadata.json: dropout streams for " + d.keySet() + ", the model draws masks in "
                        + masked.keySet());
            }
            List<?> fileKeys = new ArrayList<>(d.keySet());
            int i = 0;
            for (var e : masked.entrySet()) {
                Object key = byStructure ? fileKeys.get(i++) : e.getKey();
                if (!d.containsKey(key)) continue;
                if (!(d.get(key) instanceof List<?> s) || s.size() != 2) {
                    throw new IllegalArgumentException("metadata.json: dropout stream of '" + key + "' should be [seed, drawn], got " + d.get(key));
                }
                long drawn = parseLong(s.get(1), "dropout masks drawn");
                if (drawn < 0) throw new IllegalArgumentException("metadata.json: dropout masks drawn of '" + key + "' must be >= 0, got " + drawn);
                streams.put(e.getValue(), new long[] {parseLong(s.get(0), "dropout seed"), drawn});
            }
        }
        Object seed = j.get("fit_seed");
        Long fitSeed = seed == null ? null : parseLong(seed, "fit_seed");
        Object epochs = j.get("fit_epochs");   // absent in files before session 31: the model's own count stays
        long fitEpochs = epochs == null ? -1 : parseLong(epochs, "fit_epochs");
        if (epochs != null && (fitEpochs < 0 || fitEpochs > Trainer.MAX_FIT_EPOCHS)) {
            throw new IllegalArgumentException("metadata.json: jrnn.fit_epochs (the next data epoch) must be in [0, "
                    + Trainer.MAX_FIT_EPOCHS + "], got " + fitEpochs);
        }
        // a restore into the model that saved it keeps the model's own settings; a loaded model takes the file's
        Map<RecurrentLayer, Integer> tbptt = byStructure ? Map.of() : readTbptt(model, j.get("tbptt"));
        Map<Embedding, Integer> padding = byStructure ? Map.of() : readPaddingIdx(model, j.get("padding_idx"));
        Runnable optimizer = () -> { };
        if (!skipOptimizer && j.get("optimizer") instanceof Map<?, ?> o) {
            if (model.optimizer() != null) {
                optimizer = restoreOptimizer(model, o, stored, byStructure, warn);
            } else {   // its compile config was not taken (a custom loss, say): uncompiled, as the warning before said
                warn.accept(model.name() + ": the file's optimizer state is not restored: the model loads uncompiled");
            }
        }
        Runnable setOptimizer = optimizer;
        return () -> {
            setOptimizer.run();
            streams.forEach((l, s) -> ((RandomDraws) l).maskStream(s[0], s[1]));
            if (fitSeed != null) model.fitSeed(fitSeed);
            if (fitEpochs >= 0) model.fitEpochs((int) fitEpochs);
            applyTbptt(model, tbptt);
            padding.forEach(Embedding::paddingIdx);
        };
    }

    /** Logs a warning of the state read from a file, as the importer's (held by a read in progress, see FileFaults.warn). */
    private static void warn(String message) {
        FileFaults.warn(KerasImport.class.getName(), message);
    }

    /** The recurrent layers' truncated-BPTT lengths other than 0, by their key in the file (as the dropout streams'). */
    static Map<String, Object> tbpttOf(Model model) {
        Map<String, Object> r = new LinkedHashMap<>();
        recurrentLayers(model).forEach((key, l) -> { if (l.tbptt() > 0) r.put(key, (long) l.tbptt()); });
        return r;
    }

    /**
     * The lengths {@link #tbpttOf} wrote, for {@code model}'s layers of those keys, checked before anything changes; a
     * file without them (Keras', an earlier jrnn's) gives none.
     */
    static Map<RecurrentLayer, Integer> readTbptt(Model model, Object saved) {
        if (saved == null) return Map.of();
        if (!(saved instanceof Map<?, ?> t)) throw new IllegalArgumentException("metadata.json: tbptt should be a map of layer to length, got " + saved);
        Map<RecurrentLayer, Integer> r = new LinkedHashMap<>();
        recurrentLayers(model).forEach((key, l) -> {
            if (!t.containsKey(key)) return;
            long k = parseLong(t.get(key), "tbptt of '" + key + "'");
            if (k < 0 || k > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("metadata.json: tbptt of '" + key + "' should be in [0, " + Integer.MAX_VALUE + "], got " + k);
            }
            r.put(l, (int) k);
        });
        return r;
    }

    /** The embeddings' torch padding rows ({@link Embedding#paddingIdx(Integer)}), by their key in the file. */
    static Map<String, Object> paddingIdxOf(Model model) {
        Map<String, Object> r = new LinkedHashMap<>();
        keyedLayers(model).forEach((key, l) -> {
            if (l instanceof Embedding e && e.paddingIdx() != null) r.put(key, (long) e.paddingIdx());
        });
        return r;
    }

    /** The rows {@link #paddingIdxOf} wrote, for {@code model}'s embeddings of those keys, checked before anything changes. */
    static Map<Embedding, Integer> readPaddingIdx(Model model, Object saved) {
        if (saved == null) return Map.of();
        if (!(saved instanceof Map<?, ?> t)) throw new IllegalArgumentException("metadata.json: padding_idx should be a map of layer to row, got " + saved);
        Map<Embedding, Integer> r = new LinkedHashMap<>();
        keyedLayers(model).forEach((key, l) -> {
            if (!(l instanceof Embedding e) || !t.containsKey(key)) return;
            long k = parseLong(t.get(key), "padding_idx of '" + key + "'");
            if (k < 0 || k >= e.vocabularySize()) {
                throw new IllegalArgumentException("metadata.json: padding_idx of '" + key + "' should be in [0, " + e.vocabularySize() + "), got " + k);
            }
            r.put(e, (int) k);
        });
        return r;
    }

    /** Sets the lengths {@link #readTbptt} gave (both directions of a Bidirectional at once: a wrapped layer takes none alone). */
    static void applyTbptt(Model model, Map<RecurrentLayer, Integer> tbptt) {
        if (!tbptt.isEmpty()) for (Layer l : model.layers()) applyTbptt(l, tbptt);
    }

    /** Down the wrappers as {@link #putKeyed} walks them, so every length read is set. */
    private static void applyTbptt(Layer l, Map<RecurrentLayer, Integer> tbptt) {
        switch (l) {
            case Bidirectional b -> b.tbptt(tbptt.getOrDefault(b.forwardLayer(), b.forwardLayer().tbptt()),
                    tbptt.getOrDefault(b.backwardLayer(), b.backwardLayer().tbptt()));
            case TimeDistributed t -> applyTbptt(t.layer(), tbptt);
            case RecurrentLayer r -> { if (tbptt.containsKey(r)) r.tbptt(tbptt.get(r)); }
            default -> { }
        }
    }

    /** The recurrent layers by their key in the file: a layer's name, "outer/inner" inside a Bidirectional or a TimeDistributed. */
    private static Map<String, RecurrentLayer> recurrentLayers(Model model) {
        Map<String, RecurrentLayer> r = new LinkedHashMap<>();
        for (var e : keyedLayers(model).entrySet()) if (e.getValue() instanceof RecurrentLayer l) r.put(e.getKey(), l);
        return r;
    }

    /**
     * The layers that draw dropout masks, by their key in the file: a layer's name, "outer/inner" inside a
     * Bidirectional or a TimeDistributed.
     */
    private static Map<String, Layer> maskedLayers(Model model) {
        Map<String, Layer> r = new LinkedHashMap<>();
        for (var e : keyedLayers(model).entrySet()) if (e.getValue() instanceof RandomDraws) r.put(e.getKey(), e.getValue());
        return r;
    }

    /** The layers that are not wrappers, by their key in the file: a layer's name, "outer/inner" inside a wrapper. */
    private static Map<String, Layer> keyedLayers(Model model) {
        Map<String, Layer> r = new LinkedHashMap<>();
        for (Layer l : model.layers()) putKeyed(r, l.name(), l);
        return r;
    }

    private static void putKeyed(Map<String, Layer> r, String key, Layer l) {
        switch (l) {
            case Bidirectional b -> {
                putKeyed(r, key + "/" + b.forwardLayer().name(), b.forwardLayer());
                putKeyed(r, key + "/" + b.backwardLayer().name(), b.backwardLayer());
            }
            case TimeDistributed t -> putKeyed(r, key + "/" + t.layer().name(), t.layer());
            default -> r.put(key, l);
        }
    }

    /**
     * The optimizer state of a jrnn file. State that does not fit the compiled optimizer is not restored, as Keras skips
     * it: one warning, and fit starts from fresh moments at update 0 (the file's learning rate kept); restored into a
     * model ({@code byStructure}: the user's compiled optimizer), it is refused. In the layout below {@code jrnn_state/}
     * (files of builds before 2026-12-06, and Nadam's and use_ema with accumulation's still), the slots are named: those
     * a setting adds or drops (amsgrad, momentum, centered) may be missing or left over, a setting switched between steps
     * as in memory (those builds saved the slots as before such a switch), except in a file of the first .keras writer
     * ({@link KerasImport.StoredState#firstWriter}) loaded: its compile config, which compiled the model, may have lost the
     * setting its state was saved under (RMSprop's momentum and centered), so its slots must be those the settings keep.
     * Restored into a model its user compiled ({@code byStructure}), that config plays no part and such a file's slots
     * fit as any other's, with one warning naming the slots dropped and started afresh where they are not those the
     * compiled settings keep (Keras restores nothing there, with a warning). At Keras' optimizer/vars, the variables'
     * count and shapes must be the compiled optimizer's.
     */
    private static Runnable restoreOptimizer(Model model, Map<?, ?> o, KerasImport.StoredState stored, boolean byStructure,
                                             Consumer<String> warn) {
        Optimizer opt = model.optimizer();
        if (!opt.name().equals(o.get("class_name"))) {
            throw new IllegalArgumentException("metadata.json: optimizer state of " + o.get("class_name") + " for a model compiled with " + opt.name());
        }
        if (!(o.get("iterations") instanceof Long it)) throw new IllegalArgumentException("metadata.json: optimizer iterations missing or not an integer");
        if (it < 0 || it > Optimizer.MAX_ITERATIONS) {
            throw new IllegalArgumentException("metadata.json: optimizer iterations must be in [0, " + Optimizer.MAX_ITERATIONS + "], got " + it);
        }
        Float rate = o.get("learning_rate") instanceof Number lr && opt.schedule() == null
                ? dev.jrnn.tensor.Float32.check("metadata.json: optimizer learning_rate", lr.doubleValue(), x -> x >= 0 && Double.isFinite(x), "a finite number >= 0")
                : null;
        if (o.containsKey("keras_vars")) {   // at Keras 3's optimizer/vars, as jrnn writes it now
            return restoreKerasVars(model, o, it, rate, stored.optimizer(), byStructure, warn);
        }
        if (!(o.get("state") instanceof List<?> names)) throw new IllegalArgumentException("metadata.json: optimizer state names missing");
        if (names.isEmpty()) {   // before the first step, or an optimizer without buffers (SGD without momentum)
            model.ensureGraph();
            return () -> apply(opt, model.parameters(), it, rate, Map.of());
        }
        Map<String, float[]> read = new LinkedHashMap<>();
        for (Object n : names) {
            Tensor t = stored.array("optimizer/" + n);
            if (t == null) throw new IllegalArgumentException("model.weights.h5: optimizer state '" + n + "' is missing");
            read.put(String.valueOf(n), t.data());
        }
        model.ensureGraph();
        Parameters ps = model.parameters();
        // an earlier jrnn's file: the slots of the listed weights alone (those only a nested call's unused branch runs did not train)
        Map<String, float[]> state = read.values().stream().allMatch(s -> s.length == ps.listedTrainableSize) ? UnlistedSlots.padded(opt, ps, read) : read;
        for (float[] s : state.values()) {
            if (s.length != ps.trainableSize) {   // a file whose model trained another set of weights (edited, or not jrnn's)
                warn.accept("the saved optimizer state is for "
                        + s.length + " trainable weights, the model trains " + ps.trainableSize + ": its moments start afresh");
                return () -> countAndRate(opt, it, rate);
            }
        }
        java.util.Set<String> slots = new java.util.LinkedHashSet<>(state.keySet());
        slots.removeAll(NOT_SETTINGS_SLOTS);   // these two start as when switched on, or are dropped, as in memory
        if (!(stored.firstWriter() && !byStructure ? slots.equals(opt.stateSlots()) : slotsFit(opt, ps, it, state))) {
            return notFitting(model, rate, byStructure, warn, opt.name() + " as compiled keeps the slots " + opt.stateSlots()
                    + ", the file's state holds " + slots);
        }
        check(opt, ps, it, state);
        if (byStructure && !slots.equals(opt.stateSlots())) {   // Keras skips the whole state here; jrnn keeps what fits, and says so
            java.util.Set<String> dropped = new java.util.LinkedHashSet<>(slots), fresh = new java.util.LinkedHashSet<>(opt.stateSlots());
            dropped.removeAll(opt.stateSlots());
            fresh.removeAll(slots);
            warn.accept(model.name() + ": the file's optimizer state holds the slots " + slots + ", " + opt.name()
                    + " as compiled keeps " + opt.stateSlots() + ": restored as those settings switched between steps in memory"
                    + (dropped.isEmpty() ? "" : ", " + dropped + " dropped") + (fresh.isEmpty() ? "" : ", " + fresh + " starting at zero")
                    + " (Keras restores none of a state whose variables differ from the compiled optimizer's; compile the model "
                    + "with the settings of the run that saved it to resume exactly)");
        }
        return () -> {
            opt.restoreState(ps.store, ps.trainableSize, it, state);
            if (rate != null) opt.learningRate(rate);   // after the last check that can fail
        };
    }

    /** Whether {@code state}'s slots fit {@code opt}'s leniently (the slots a setting adds or drops may differ): its lengths and count were checked. */
    private static boolean slotsFit(Optimizer opt, Parameters ps, long it, Map<String, float[]> state) {
        try {
            check(opt, ps, it, state);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A jrnn file's optimizer state that does not fit the compiled optimizer ({@code differs} says how): loaded, not
     * restored with one warning to {@code warn} (fresh moments at update 0, the file's learning rate kept); restored into
     * a model compiled by its user, refused.
     */
    private static Runnable notFitting(Model model, Float rate, boolean byStructure, Consumer<String> warn, String differs) {
        if (byStructure) {
            throw new IllegalArgumentException("the model's optimizer (as compiled) does not fit the file's optimizer state: " + differs
                    + ": compile the model with the settings of the run that saved it");
        }
        warn.accept(model.name() + ": the optimizer state in the file is not restored ("
                + differs + ": saved under other settings than its compile config holds): fit continues from fresh moments at update 0");
        Optimizer opt = model.optimizer();
        return () -> { if (rate != null) opt.learningRate(rate); };
    }

    private static void countAndRate(Optimizer opt, long it, Float rate) {
        opt.iterations(it);
        if (rate != null) opt.learningRate(rate);
    }

    /**
     * The optimizer state a file Keras wrote holds. State that does not fit the compiled optimizer (another layout, count or
     * shape) is not restored, as Keras skips it: one warning names what differs, and fit starts from fresh moments.
     */
    private static Runnable restoreKeras(Model model, KerasOptimizerState.Saved saved, Consumer<String> warn) {
        Optimizer opt = model.optimizer();
        model.ensureGraph();
        Parameters ps = model.parameters();
        try {
            KerasOptimizerState.Restored r = UnlistedSlots.read(opt, ps, saved);
            check(opt, ps, r.iterations(), r.state());
            return () -> {
                try {
                    apply(opt, ps, r.iterations(), r.learningRate(), r.state());   // restoreState checks before it sets anything
                } catch (IllegalArgumentException e) {
                    notRestored(model, e, warn);
                }
            };
        } catch (IllegalArgumentException e) {
            notRestored(model, e, warn);
            return () -> { };
        }
    }

    private static void notRestored(Model model, IllegalArgumentException e, Consumer<String> warn) {
        warn.accept(model.name() + ": the optimizer state Keras saved "
                + "is not restored (" + e.getMessage() + "): fit continues from fresh moments at update 0");
    }

    /**
     * A jrnn file's optimizer state at Keras' optimizer/vars (current Keras 3 order, whatever keras_version the file
     * names). A model that trains another set of weights than the saved one starts its moments afresh, as before; state
     * of another count or shape (other settings) does not fit: {@link #notFitting}.
     */
    private static Runnable restoreKerasVars(Model model, Map<?, ?> o, long it, Float rate, KerasOptimizerState.Saved saved,
                                             boolean byStructure, Consumer<String> warn) {
        Optimizer opt = model.optimizer();
        model.ensureGraph();
        Parameters ps = model.parameters();
        if (o.get("trainable_size") instanceof Long n && !UnlistedSlots.fits(ps, n)) {
            warn.accept("the saved optimizer state is for "
                    + n + " trainable weights, the model trains " + ps.trainableSize + ": its moments start afresh");
            return () -> countAndRate(opt, it, rate);
        }
        if (saved == null) throw new IllegalArgumentException("model.weights.h5: the optimizer state at optimizer/vars is missing");
        KerasOptimizerState.Saved current = new KerasOptimizerState.Saved(KerasOptimizerState.Layout.KERAS3, KerasOptimizerState.WRITTEN_AS, saved.vars(),
                saved.kerasLayerOrder());   // a nested model's slots at its place, as Keras orders them
        KerasOptimizerState.Restored r;
        try {
            r = UnlistedSlots.read(opt, ps, current);
        } catch (IllegalArgumentException e) {   // another count or shape: the compiled settings are not those it was saved under
            return notFitting(model, rate, byStructure, warn, e.getMessage());
        }
        check(opt, ps, it, r.state());
        return () -> apply(opt, ps, it, rate, r.state());
    }

    /** What {@link #apply} would refuse, refused while the file is read: nothing is set until all of it was checked. */
    static void check(Optimizer opt, Parameters ps, long it, Map<String, float[]> state) {
        if (ps.trainableSize > 0 && !state.isEmpty()) opt.checkState(ps.trainableSize, it, state);
        else if (it < 0 || it > Optimizer.MAX_ITERATIONS) {
            throw new IllegalArgumentException(opt.name() + ": iterations must be in [0, " + Optimizer.MAX_ITERATIONS + "], got " + it);
        }
    }

    /** Binds {@code opt} to the model's trainable weights with {@code state} and the call count; the rate last (nothing fails after). */
    static void apply(Optimizer opt, Parameters ps, long it, Float rate, Map<String, float[]> state) {
        // no slots saved (an optimizer never stepped, or plain SGD's): built fresh, as Keras' load of a compiled model
        // builds its optimizer (summary() then counts its variables as Keras' does)
        if (ps.trainableSize > 0 && !state.isEmpty()) {
            opt.restoreState(ps.store, ps.trainableSize, it, state);   // sets the count too
        } else {
            if (ps.trainableSize > 0) opt.build(ps.store, ps.trainableSize);
            opt.iterations(it);
        }
        if (rate != null && opt.schedule() == null) opt.learningRate(rate);
    }

    private static long parseLong(Object v, String what) {
        try {
            return Long.parseLong(String.valueOf(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata.json: " + what + " should be an integer, got " + v);
        }
    }
}
