package dev.jrnn.io.keras;

import dev.jrnn.layers.Layer;
import dev.jrnn.model.Model;
import dev.jrnn.tensor.Tensor;
import io.jhdf.api.Group;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Keras file's weight arrays against a model's layers: read for {@code loadWeights} ({@link #readWeights}, one pass
 * over the file), checked (count, shapes, finite: {@link #check}, a {@link Misfit} naming every array that does not
 * fit, and what such a file should lead to: {@link #advice}) and set ({@link #set}). {@code Models.load} fills its new
 * model through {@link #assign}.
 */
final class KerasWeightFit {
    private KerasWeightFit() {}

    /** What a by-name load that does not fit says: jrnn's is strict, Keras' by_name=True leaves the layers it cannot match. */
    static final String PARTIAL = "loading by name is strict (every layer with weights found under its name, of the same "
            + "shapes, and no other layer in the file): loading part of a file (Keras' by_name=True leaves the layers it does not "
            + "find, and with skip_mismatch=True those of other shapes) is not supported; to reuse some layers' weights, load the saved model (Models.load(file); a weights-only file into "
            + "a model built as the one that saved it) and copy them layer by layer: "
            + "model.getLayer(name).setWeights(saved.getLayer(name).getWeights())";

    /** Whether {@code stored}, in file order, would load by structure: as many layers, each's arrays of its weights' shapes. */
    static boolean fitsByStructure(List<Layer> weighted, List<List<Hdf5Arrays.Stored>> stored) {
        if (stored.size() != weighted.size()) return false;
        for (int i = 0; i < weighted.size(); i++) {
            Layer l = weighted.get(i);
            List<Hdf5Arrays.Stored> ws;
            try {
                ws = KerasCuDnn.weights(l, Keras1Configs.weights(l, stored.get(i)));   // as assign reads them
            } catch (KerasFormatException e) {
                return false;
            }
            var params = l.params();
            if (params.size() != ws.size()) return false;
            for (int k = 0; k < ws.size(); k++) if (!Arrays.equals(params.get(k).shape(), ws.get(k).shape())) return false;
        }
        return true;
    }

    /**
     * What a weights file holds: the layers with weights in file order; a Keras 3 file's groups with weights and those
     * of nested models (for the messages); whether it is Keras 1/2's layout; {@code fitted}: the arrays the caller's fit
     * matched to its layers, in their order, their values read (empty where the fit refused the file: {@code misfit}).
     * Each read of the file (a file that changed during one is read again) builds its own. A legacy {@code .h5} whose
     * nested models' groups were split into their layers ({@code nested} and {@code keras2}) has them in
     * {@code legacyTargets}, {@code stored} then keyed by those layers' names in their order; {@code legacyNested}: the
     * file's nested groups and their layers, {@code splitFailure} why they were not split (null: they were, or were not tried).
     */
    record FileWeights(Map<String, List<Hdf5Arrays.Stored>> stored, List<String> fileGroups, List<String> nestedGroups,
            List<String> stackedGroups, boolean keras2, boolean nested, RuntimeException stateFailure, IllegalArgumentException misfit,
            List<List<Hdf5Arrays.Stored>> fitted, Map<String, List<String>> legacyNested, List<Layer> legacyTargets, String splitFailure) {}

    /**
     * Reads the arrays of every layer with weights of {@code file} ({@code order}: the model's layers' names and classes;
     * {@code nestedOrder}, nullable: its layers with weights and their groups as a Keras 3 file of it nests them, read
     * instead where the file holds nested models' groups: {@link FileWeights#nested}; {@code legacyUnits}, nullable: its
     * operations with weights as a legacy {@code .h5} lists them, {@link KerasNesting#legacyUnits}, whose nested models'
     * groups are read into their layers where the file lists as many) once {@code fit} has matched them
     * to the model by their shapes (the dataspaces: no value read yet) and returned them in its layers' order, and runs {@code state} (nullable) on the open file; {@code fit}'s
     * IllegalArgumentException (the file does not fit the model: no weight array's values are read; {@code state} still
     * runs) and {@code state}'s failure are kept
     * in {@link FileWeights#misfit} and {@link FileWeights#stateFailure} for the caller to throw after its own checks; a
     * .keras's CRC-32 is checked last, from the reads of both, and a failure before it says the damage first.
     */
    static FileWeights readWeights(Path file, List<String[]> order, List<String[]> nestedOrder, List<Object> legacyUnits, int weighted,
            boolean byName, java.util.function.Consumer<KerasFile> state,
            java.util.function.Function<FileWeights, List<List<Hdf5Arrays.Stored>>> fit) throws IOException {
        try (KerasFile kf = KerasFile.openDeferringCrc(file)) {
            FileWeights read;
            try {
                read = readWeights(kf, order, nestedOrder, legacyUnits, weighted, byName, state, fit);
            } catch (RuntimeException | Error e) {
                throw kf.crcFirst(e);
            }
            kf.checkCrc();
            return read;
        } catch (RuntimeException | StackOverflowError e) {
            KerasLoadFaults.rethrowBackendFailure(file, e);
            throw KerasLoadFaults.asFileFault(file, e, e instanceof KerasFormatException);
        }
    }

    private static FileWeights readWeights(KerasFile kf, List<String[]> order, List<String[]> nestedOrder, List<Object> legacyUnits,
            int weighted, boolean byName, java.util.function.Consumer<KerasFile> state, java.util.function.Function<FileWeights, List<List<Hdf5Arrays.Stored>>> fit) {
        Map<String, List<Hdf5Arrays.Stored>> stored = new LinkedHashMap<>();   // layers with weights, in file order
        List<String> fileGroups = List.of();   // a Keras 3 file's groups with weights, for the message when they do not fit
        List<String> nestedGroups = List.of();   // and those of nested models
        List<String> stackedGroups = new ArrayList<>();   // and those of an RNN over StackedRNNCells
        // tf.keras 2.12-2.14's save_weights(".weights.h5") writes saving_lib's layout below _layer_checkpoint_dependencies
        boolean keras2 = kf.layout == KerasFile.Layout.KERAS2_H5 && !(kf.hdf.getChild("layers") instanceof Group)
                && !(kf.hdf.getChild(Keras3Weights.TF2_LAYERS) instanceof Group);
        // a Keras 3 file that nests models (layers/functional/layers/...), read by the model's nested places
        boolean nested = !keras2 && !byName && nestedOrder != null && nestedFile(kf);
        if (nested) {
            order = nestedOrder;
            weighted = nestedOrder.size();
        }
        if (keras2 || !byName) {
            Map<String, List<Hdf5Arrays.Stored>> m = keras2 ? Keras2Weights.read(kf.keras2WeightsGroup(), kf.fills)
                    : Keras3Weights.read(kf.hdf, order, kf.fills);
            for (var e : m.entrySet()) {
                if (!e.getValue().isEmpty()) stored.put(e.getKey(), e.getValue());
            }
            if (!keras2 && stored.size() != weighted) fileGroups = Keras3Weights.groupsWithWeights(kf.hdf, kf.fills);   // for the message only
            if (!keras2 && !nested) nestedGroups = Keras3Weights.nestedModelGroups(kf.hdf);
            if (!keras2) stackedGroups.addAll(Keras3Weights.stackedCellGroups(kf.hdf));
            for (var e : keras2 ? stored.entrySet() : List.<Map.Entry<String, List<Hdf5Arrays.Stored>>>of()) {   // rnn_1/stacked_rnn_cells/...
                if (e.getValue().stream().anyMatch(w -> w.path() != null && w.path().contains("/stacked_rnn_cells"))) stackedGroups.add(e.getKey());
            }
        }
        Map<String, List<String>> legacyNested = keras2 ? Keras2Weights.nestedLayers(stored) : Map.of();
        List<Layer> legacyTargets = null;
        String splitFailure = null;
        // Keras' load_weights of a legacy .h5 matches its groups to the model's layers with weights by position, a nested
        // model's one group holding its layers' arrays (legacy_h5_format.load_weights_from_hdf5_group)
        if (keras2 && !byName && legacyUnits != null && stored.size() == legacyUnits.size()
                && legacyUnits.stream().anyMatch(u -> u instanceof Model) && nestedAtEachPlace(stored, legacyUnits, legacyNested)) {
            Map<String, List<Hdf5Arrays.Stored>> split = new LinkedHashMap<>();
            try {
                legacyTargets = splitLegacy(stored, legacyUnits, kf.kerasMajor(), split);
            } catch (KerasFormatException e) {
                splitFailure = e.getMessage();
            }
            if (legacyTargets != null) {
                stored = split;
                nested = true;
                weighted = legacyTargets.size();
            }
        }
        IllegalArgumentException misfit = null;
        List<List<Hdf5Arrays.Stored>> fitted = List.of();
        try {   // the shapes first: a file's array of another shape is not read (it may claim gigabytes)
            fitted = fit.apply(new FileWeights(stored, fileGroups, nestedGroups, stackedGroups, keras2, nested, null, null, List.of(),
                    legacyNested, legacyTargets, splitFailure));
        } catch (IllegalArgumentException e) {
            misfit = e;
        }
        for (List<Hdf5Arrays.Stored> ws : fitted) {
            for (Hdf5Arrays.Stored w : ws) if (!w.isEmpty()) w.tensor(kf);   // read while the file is open, by position where it can
        }
        RuntimeException stateFailure = null;
        if (state != null) {
            try {
                state.accept(kf);
            } catch (RuntimeException e) {   // thrown by the caller after its checks of the weights, which come first
                stateFailure = e;
            }
        }
        return new FileWeights(stored, fileGroups, nestedGroups, stackedGroups, keras2, nested, stateFailure, misfit, fitted,
                legacyNested, legacyTargets, splitFailure);
    }

    /**
     * Whether the file holds a nested model's group at each place of one of {@code units}: named as that model (Keras
     * names it so) or holding arrays of other layers ({@code legacyNested}). A flat file (jrnn's .h5 up to session 34 and
     * now) may list as many groups as the units while none is the nested model's: split by position, it loaded another
     * layer's arrays of the same shape silently.
     */
    private static boolean nestedAtEachPlace(Map<String, List<Hdf5Arrays.Stored>> stored, List<Object> units,
            Map<String, List<String>> legacyNested) {
        int i = 0;
        for (String g : stored.keySet()) {
            if (units.get(i++) instanceof Model m && !g.equals(m.name()) && !legacyNested.containsKey(g)) return false;
        }
        return true;
    }

    /**
     * A legacy file's groups with weights ({@code stored}, in file order, as many as {@code units}) put in {@code out} by
     * layer: a layer's group in its parameters' order, a nested model's split into its layers in the writer's order
     * ({@link Keras2Weights#splitNested}); returns those layers in order, or null where a name repeats among them (the
     * arrays are keyed by name). A nested group of another count is a KerasFormatException naming it.
     */
    private static List<Layer> splitLegacy(Map<String, List<Hdf5Arrays.Stored>> stored, List<Object> units, int kerasMajor,
            Map<String, List<Hdf5Arrays.Stored>> out) {
        List<Layer> targets = new ArrayList<>();
        int i = 0;
        for (var e : stored.entrySet()) {
            Object unit = units.get(i++);
            if (unit instanceof Layer l) {
                if (out.put(l.name(), Keras2Weights.inParamOrder(l, e.getValue())) != null) return null;
                targets.add(l);
                continue;
            }
            Keras2Weights.Nested n = KerasNesting.legacyNested((Model) unit);
            Map<String, List<Hdf5Arrays.Stored>> one = new LinkedHashMap<>();
            one.put(e.getKey(), e.getValue());
            try {
                Keras2Weights.splitNested(one, Map.of(e.getKey(), n), kerasMajor);
            } catch (KerasFormatException x) {
                throw new KerasFormatException("the file's group '" + e.getKey() + "' is at the place of nested model '"
                        + ((Model) unit).name() + "': " + x.getMessage());
            }
            List<Layer> leaves = new ArrayList<>();
            n.leaves(leaves);
            for (Layer l : leaves) {
                if (l.params().isEmpty()) continue;
                List<Hdf5Arrays.Stored> ws = one.get(l.name());
                if (ws == null || out.put(l.name(), ws) != null) return null;
                targets.add(l);
            }
        }
        return targets;
    }

    /** Whether {@code kf} is a Keras 3 weights file holding a nested model's group ({@code layers/functional/layers}). */
    static boolean nestedFile(KerasFile kf) {
        return !Keras3Weights.nestedModelGroups(kf.hdf).isEmpty();
    }

    /**
     * What a weights-only file that does not fit the model should lead to: a model with nested models or an RNN over
     * StackedRNNCells is read from its whole model file only (jrnn flattens both), else the same architecture.
     */
    static String advice(List<String> nestedGroups, List<String> stackedGroups) {
        if (!nestedGroups.isEmpty()) return nestedNote(nestedGroups);
        if (stackedGroups.isEmpty()) return "build the same architecture as the Keras model that saved it";
        return stackedGroups + (stackedGroups.size() == 1 ? " holds an RNN" : " hold RNNs") + " over StackedRNNCells, all cells in one group;"
                + " jrnn runs a stack of cells as a layer per cell and does not read the weights-only file of a model with one: load the"
                + " whole model file instead (Models.load of the .keras or .h5 Keras' model.save wrote)";
    }

    /** Why a weights-only file of a model with nested models does not load into this model. */
    private static String nestedNote(List<String> groups) {
        return groups + (groups.size() == 1 ? " holds a nested model" : " hold nested models") + "; jrnn reads such a file into a model "
                + "that calls the same nested functional models (Model.apply, or loaded from a file that nests them), and "
                + "does not read the weights-only file of a model with nested Sequential or dict models: load the whole model file instead "
                + "(Models.load of the .keras Keras' model.save wrote)";
    }

    /** A nested model as a misfit message lists it: its name and its layers with weights. */
    private static String nestedEntry(Model m) {
        List<String> names = new ArrayList<>();
        for (Layer l : KerasNesting.leaves(m)) if (!l.params().isEmpty()) names.add(l.name());
        return m.name() + " (nested model: " + String.join(", ", names) + ")";
    }

    /**
     * The layers of the model ({@code leaves}: its layers' names) whose arrays a legacy group {@code g} holds other than its
     * own, or null: each weight name's first segment that names one of them (Keras 3 writes a nested Sequential's as paths,
     * 'base/lstm/lstm_cell/kernel', a nested functional model's from its layer, 'd1/kernel').
     */
    private static List<String> heldLayers(String g, List<Hdf5Arrays.Stored> ws, java.util.Set<String> leaves) {
        java.util.LinkedHashSet<String> r = new java.util.LinkedHashSet<>();
        for (Hdf5Arrays.Stored w : ws) {
            if (w.name() == null) continue;
            for (String seg : w.name().split("/")) {
                String n = Keras2Weights.TENSOR_INDEX.matcher(seg).replaceFirst("");
                if (leaves.contains(n)) {
                    r.add(n);
                    break;
                }
            }
        }
        return r.isEmpty() || r.equals(java.util.Set.of(g)) ? null : List.copyOf(r);
    }

    /** Why a legacy file's nested models' groups do not load into a model that does not nest them. */
    private static String legacyNestedNote(java.util.Set<String> groups) {
        return "the file's " + new ArrayList<>(groups) + (groups.size() == 1 ? " holds a nested model" : " hold nested models")
                + "; jrnn reads such a group into a model that calls the same nested functional model at that place (Model.apply, "
                + "or Models.load of the file), as Keras' load_weights";
    }

    /** Why a legacy file's nested Sequential's group (weights named by path) does not load: jrnn runs it flattened. */
    private static String sequentialNote(java.util.Set<String> groups) {
        return "the file's " + new ArrayList<>(groups) + (groups.size() == 1 ? " holds a nested model" : " hold nested models")
                + " (weights named by path, as Keras writes a nested Sequential's); jrnn's loadWeights reads a legacy nested group only "
                + "into a model that calls the same nested functional model at that place (Model.apply); a nested Sequential or "
                + "dict model, which jrnn runs flattened (the model Models.load gives too), is not read so: use the weights "
                + "Models.load of the whole file gives, or Keras' .keras of the model";
    }

    /** Arrays that do not fit their layers; {@code shapes}: some count or shape differs (not only a NaN or Inf). */
    static final class Misfit extends KerasFormatException {
        final boolean shapes;

        Misfit(String message, boolean shapes) {
            super(message);
            this.shapes = shapes;
        }
    }

    /**
     * Checks every layer's arrays (count, shapes, finite) before setting any, so a failure changes nothing; given
     * the still open {@code direct} file (a model being loaded, closed when this fails), each array is read from it
     * straight into its parameter and checked there, and a failure leaves the weights part set.
     */
    static void assign(List<Layer> layers, List<List<Hdf5Arrays.Stored>> values, KerasFile direct) {
        check(layers, values, direct);
        if (direct == null) set(layers, values);
    }

    /**
     * {@link #assign}'s check: {@code values} put in each layer's layout (in place), a {@link Misfit} naming every array
     * that does not fit; without {@code direct} it sets nothing ({@link #set} does, once the caller's own checks passed).
     */
    static void check(List<Layer> layers, List<List<Hdf5Arrays.Stored>> values, KerasFile direct) {
        check(layers, values, direct, false);
    }

    /**
     * {@link #check}'s count and shape checks alone, before the values are read: an array of a shape that fits is not
     * read (a conversion of Keras 1's per-gate or cuDNN's arrays reads those it joins); converting again is a no-op.
     */
    static void checkShapes(List<Layer> layers, List<List<Hdf5Arrays.Stored>> values) {
        check(layers, values, null, true);
    }

    private static void check(List<Layer> layers, List<List<Hdf5Arrays.Stored>> values, KerasFile direct, boolean shapesOnly) {
        List<String> problems = new ArrayList<>();
        boolean shapes = false;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            // Keras 1's per-gate arrays (also in its save_weights files, which carry no keras_version), cuDNN's layout
            List<Hdf5Arrays.Stored> ws = KerasCuDnn.weights(l, Keras1Configs.weights(l, values.get(i)));
            values.set(i, ws);
            var params = l.params();
            if (params.size() != ws.size()) {
                problems.add("layer '" + l.name() + "' (" + l.kerasClass() + ") has " + params.size() + " weight arrays, the file "
                        + ws.size());
                shapes = true;
                continue;
            }
            for (int k = 0; k < ws.size(); k++) {
                int[] want = params.get(k).shape();
                Hdf5Arrays.Stored w = ws.get(k);
                if (!Arrays.equals(want, w.shape())) {
                    problems.add("layer '" + l.name() + "' weight " + l.weightName(params.get(k)) + " expected shape "
                            + Tensor.shapeString(want) + ", the file has " + w.fileShape());
                    shapes = true;
                } else if (!shapesOnly && (direct != null ? !w.readInto(params.get(k), direct) : !w.tensor().isFinite())) {
                    problems.add("layer '" + l.name() + "' weight " + l.weightName(params.get(k)) + " holds NaN or Inf");
                }
            }
        }
        if (!problems.isEmpty()) throw new Misfit(String.join("; ", problems), shapes);
    }

    /**
     * Sets the arrays {@link #check} found fitting, after checking that every layer's backend is open (a closed one
     * throws {@link dev.jrnn.backend.BackendClosedException} before any weight is set). A backend failure part way (a
     * device error) is thrown as it is and leaves the layers before it set, those after it as they were: no snapshot is
     * taken (it would double the load's time and memory); {@code ModelFiles.restoreInto} keeps its own.
     */
    static void set(List<Layer> layers, List<List<Hdf5Arrays.Stored>> values) {
        for (Layer l : layers) {
            if (l.backend().isClosed()) throw new dev.jrnn.backend.BackendClosedException(l.name() + ": its backend is closed");
        }
        for (int i = 0; i < layers.size(); i++) {
            List<Tensor> ts = new ArrayList<>();
            for (Hdf5Arrays.Stored w : values.get(i)) ts.add(w.tensor());
            layers.get(i).setWeights(ts);
        }
    }

    /**
     * {@code read}'s arrays matched to {@code weighted} (by name or by structure) and checked by count and shape, none
     * of their values read yet (a new list each call: a file that changed during a read is read again); an
     * IllegalArgumentException where they do not fit.
     */
    static List<List<Hdf5Arrays.Stored>> fitted(Model model, Path file, boolean byName, List<Layer> weighted, List<String[]> order,
            FileWeights read) {
        Map<String, List<Hdf5Arrays.Stored>> stored = read.stored();
        List<String> fileGroups = read.fileGroups();
        String advice = advice(read.nestedGroups(), read.stackedGroups());
        boolean keras2 = read.keras2();
        if (byName && !keras2) {
            throw new IllegalArgumentException(model.name() + ".loadWeights(" + file + ", byName): a Keras 3 file names its "
                    + "weight groups by layer class, not layer name; load it by structure: loadWeights(file)");
        }
        List<String> mine = new ArrayList<>();
        for (Layer l : weighted) mine.add(l.name());
        List<List<Hdf5Arrays.Stored>> values = new ArrayList<>();
        if (byName) {
            List<String> missing = new ArrayList<>(), extra = new ArrayList<>();
            for (String n : mine) if (!stored.containsKey(n)) missing.add(n);
            for (String n : stored.keySet()) if (!mine.contains(n)) extra.add(n);
            if (!missing.isEmpty() || !extra.isEmpty()) {
                throw new IllegalArgumentException(model.name() + ".loadWeights(" + file + ", byName): the file does not match the "
                        + "model by layer name: " + (missing.isEmpty() ? "" : "missing " + missing) + (missing.isEmpty() || extra.isEmpty() ? "" : "; ")
                        + (extra.isEmpty() ? "" : "unexpected " + extra) + (fitsByStructure(weighted, new ArrayList<>(stored.values()))
                        ? "; the file has as many layers with weights as the model, of the same shapes: call loadWeights(file) to load by structure"
                        : "; " + PARTIAL));
            }
            for (String n : mine) values.add(stored.get(n));
        } else {
            if (stored.size() != weighted.size() && !keras2) {
                List<String> want = new ArrayList<>(), groups = Keras3Weights.groups(order);
                for (int i = 0; i < order.size(); i++) {   // a nested order's own groups: its layers all hold weights
                    if (order.get(i).length > 2) want.add("layers/" + order.get(i)[2]);
                    else if (!model.layers().get(i).params().isEmpty()) want.add("layers/" + groups.get(i));
                }
                List<String> got = new ArrayList<>();
                for (String g : fileGroups) got.add("layers/" + g);
                // Keras' RNN(LSTMCell) keeps its weights under rnn/: a jrnn LSTM reads them as asKerasRnn(true)
                boolean rnn = got.stream().anyMatch(g -> g.matches("layers/rnn(_\\d+)?")) && want.stream().noneMatch(g -> g.matches("layers/rnn(_\\d+)?"));
                throw new IllegalArgumentException(model.name() + ".loadWeights(" + file + "): the file's weight groups " + got
                        + " are not the model's " + want + " (Keras 3 names them by layer class, numbered in model order); "
                        + advice + (rnn ? " (Keras' RNN(LSTMCell(n)) is new LSTM(n).asKerasRnn(true), and so for GRUCell, SimpleRNNCell)" : ""));
            }
            if (stored.size() != weighted.size()) {
                List<Object> units = KerasNesting.legacyUnits(model);
                String theirs = "";
                if (units != null) {   // the model's own nested models, as a legacy file would list them
                    List<String> names = new ArrayList<>();
                    for (Object u : units) names.add(u instanceof Layer l ? l.name() : nestedEntry((Model) u));
                    theirs = " (as Keras' legacy .h5 lists them, " + units.size() + ": " + names + ")";
                }
                List<String> held = new ArrayList<>();
                java.util.Set<String> leafNames = new java.util.HashSet<>(mine);
                java.util.Set<String> functional = new java.util.LinkedHashSet<>(), paths = new java.util.LinkedHashSet<>();
                for (String g : stored.keySet()) {
                    List<String> inner = read.legacyNested().get(g);
                    if (inner != null && !inner.contains(g)) functional.add(g);
                    else {   // a nested Sequential's paths (base/lstm/...): its layers as the model loaded from the file names them
                        // (a stack of cells' group names its cells' layers too, but it is no nested model: its own advice)
                        List<String> path = keras2 && !read.stackedGroups().contains(g) ? heldLayers(g, stored.get(g), leafNames) : null;
                        if (path != null) {
                            inner = path;
                            paths.add(g);
                        }
                    }
                    held.add(inner == null ? g : g + " (nested model: " + String.join(", ", inner) + ")");
                }
                if (read.splitFailure() != null) advice = read.splitFailure() + "; " + advice;
                else if (!paths.isEmpty() && units == null) advice = sequentialNote(paths);
                else if (!functional.isEmpty() && units == null) advice = legacyNestedNote(functional);
                throw new IllegalArgumentException(model.name() + ".loadWeights(" + file + "): the file holds weights for "
                        + stored.size() + " layers " + held + ", the model has " + weighted.size() + " layers with weights "
                        + mine + theirs + "; " + advice);
            }
            values.addAll(stored.values());
        }
        // Keras' load_weights reads a legacy group in the loading layer's _legacy_weights order
        for (int i = 0; keras2 && !read.nested() && i < values.size(); i++) values.set(i, Keras2Weights.inParamOrder(weighted.get(i), values.get(i)));
        try {
            checkShapes(weighted, values);
        } catch (Hdf5Arrays.Damaged e) {   // met by a conversion reading the arrays it joins: the file's damage, not a misfit
            throw e;
        } catch (KerasFormatException e) {
            throw misfit(model, file, byName, advice, e);
        }
        return values;
    }

    /** {@code e}, the weight check's refusal, as loadWeights' IllegalArgumentException naming the call. */
    static IllegalArgumentException misfit(Model model, Path file, boolean byName, String advice, KerasFormatException e) {
        String call = model.name() + ".loadWeights(" + file + (byName ? ", byName" : "") + "): ";
        if (e instanceof Misfit m && !m.shapes) return new IllegalArgumentException(call + e.getMessage(), e);   // NaN / Inf alone
        return new IllegalArgumentException(call + "the file does not match the model: " + e.getMessage() + "; " + (byName ? PARTIAL
                : advice), e);
    }

    /**
     * Whether {@code kf} keeps its variables in Keras 3's saving_lib layout, the optimizer's at {@code optimizer/vars}: a
     * {@code .keras}, or a bare {@code .weights.h5} (no model config, a root {@code layers} group), as
     * {@code save_weights} writes it.
     */
    static boolean keras3Layout(KerasFile kf) {
        return kf.layout == KerasFile.Layout.KERAS3_ZIP || (kf.modelConfig == null && kf.hdf.getChild("layers") instanceof Group);
    }

    /** The layers {@code read}'s arrays go to: a nested file's places (a legacy .h5's split groups), else {@code weighted}. */
    static List<Layer> targets(KerasWeightFit.FileWeights read, List<KerasNesting.Place> places, List<Layer> weighted) {
        if (!read.nested()) return weighted;
        return read.legacyTargets() != null ? read.legacyTargets() : KerasNesting.layers(places);
    }
}
