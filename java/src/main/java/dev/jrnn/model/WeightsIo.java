package dev.jrnn.model;

import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.Param;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's weights in and out: as tensors in Keras' get_weights order, by Keras variable name
 * ("lstm/kernel", "bidirectional/forward_lstm/bias", ...), and as safetensors files. Every write is
 * checked in full before anything changes, so a failed set or load leaves the model as it was.
 */
final class WeightsIo {
    private final String name;
    private final Parameters ps;
    /** The weights in Keras' model.get_weights() order ({@link Parameters#layerOrder}). */
    private final List<Param> order;

    WeightsIo(String name, Parameters ps) {
        this.name = name;
        this.ps = ps;
        this.order = ps.layerOrder;
    }

    /** All weights, layer by layer (Keras' get_weights order). */
    List<Tensor> get() {
        List<Tensor> w = new ArrayList<>();
        for (Param p : order) w.add(p.get());
        return w;
    }

    /** Sets all weights, in {@link #get()} order and shapes, after checking every one. */
    void set(List<Tensor> weights) {
        List<Param> params = order;
        if (weights == null || weights.size() != params.size()) {
            throw new IllegalArgumentException(name + ".setWeights: expected " + params.size() + " arrays, got "
                    + (weights == null ? "null" : weights.size()));
        }
        List<String> names = names();
        for (int i = 0; i < params.size(); i++) {
            Tensor t = weights.get(i);
            Param p = params.get(i);
            if (t == null || !Arrays.equals(t.shape(), p.shape())) {
                throw new IllegalArgumentException(name + ".setWeights: " + names.get(i) + " expected shape "
                        + Tensor.shapeString(p.shape()) + ", got " + (t == null ? "null" : Tensor.shapeString(t.shape())));
            }
            String bad = InputCheck.nonFiniteAt(t);
            if (bad != null) throw new IllegalArgumentException(name + ".setWeights: " + names.get(i) + " " + bad);
        }
        for (int i = 0; i < params.size(); i++) params.get(i).set(weights.get(i));
    }

    /**
     * By name ({@link #names()}), in {@link #get()} order, the weights that train ({@code trainable} true) or those that do
     * not, as Keras 3's {@code trainable_weights} / {@code non_trainable_weights} filter its {@code weights}: a weight
     * trains when its layer's flags say so and the model's own flag is on ({@code modelTrains}); BatchNormalization's
     * moving statistics never do. {@code trainable} null: all of them ({@code weights}). Each value is a copy.
     */
    Map<String, Tensor> named(Boolean trainable, boolean modelTrains) {
        List<String> names = names();
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            Param p = order.get(i);
            if (trainable == null || trainable == (modelTrains && ps.owners.get(p).trains(p))) m.put(names.get(i), p.get());
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Keras variable names in {@link #get()} order: the owning layer's variable scope plus the parameter name. */
    List<String> names() {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Param p : order) {
            String n = ps.owners.get(p).variableScope(p) + p.name();
            int c = seen.merge(n, 1, Integer::sum);
            names.add(c == 1 ? n : n + "_" + (c - 1));
        }
        return names;
    }

    /**
     * {@code names} with a given backward layer's weights under {@code backward_<name>}, as jrnn named that layer before it
     * kept the name Keras 3 keeps ({@code given/backward_g/kernel}, now {@code given/g/kernel}): a file saved so still loads
     * by name. A backward layer named {@code backward_...} (the copy) was named so then too.
     */
    private List<String> legacyBackwardNames(List<String> names) {
        List<String> legacy = new ArrayList<>(names);
        for (int i = 0; i < order.size(); i++) {
            if (!(ps.owners.get(order.get(i)) instanceof dev.jrnn.layers.Bidirectional b)) continue;
            String bw = b.backwardLayer().name(), scope = b.name() + "/" + bw + "/";
            if (!bw.startsWith("backward_") && names.get(i).startsWith(scope)) {
                legacy.set(i, b.name() + "/backward_" + bw + "/" + names.get(i).substring(scope.length()));
            }
        }
        return legacy;
    }

    /** Writes every weight by name to {@code file} (atomically: temp file + rename). */
    void save(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException(name + ".saveWeights: file is null");
        Map<String, Tensor> m = new LinkedHashMap<>();
        List<String> names = names();
        for (int i = 0; i < order.size(); i++) m.put(names.get(i), order.get(i).get());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "jrnn");
        meta.put("model", name);
        SafeTensors.write(file, m, meta);
    }

    /**
     * The weights {@link Model#loadWeights} sets, in model order: read from {@code file} by structure (as Keras'
     * load_weights: the i-th weight of the file goes to the i-th weight of the model, whatever the layer names; a file
     * whose names are exactly the model's loads by name) or, with {@code byName}, by Keras variable name. The header is
     * compared with the model before any data is read, and one IllegalArgumentException lists every difference and
     * suggests the fix; non-finite values are refused.
     */
    List<Tensor> read(Path file, boolean byName) throws IOException {
        List<String> names = names();
        Map<String, int[]> header = SafeTensors.shapes(file);
        List<String> legacy = legacyBackwardNames(names);
        // the old names only where each names one weight, so no array of the file loads into both directions
        if (!header.keySet().containsAll(names) && new HashSet<>(legacy).size() == legacy.size()
                && new HashSet<>(legacy).equals(header.keySet())) names = legacy;
        List<String> fileNames = new ArrayList<>(header.keySet());
        boolean sameNames = new HashSet<>(names).equals(header.keySet());
        List<String> structure = structureProblems(names, fileNames, header);
        List<String> stored;   // the file's name of each model weight, in model order
        if (byName || sameNames) {
            List<String> problems = nameProblems(names, header);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(name + ".loadWeights(" + file + "): the file does not match the model by name: "
                        + String.join("; ", problems) + (structure.isEmpty()
                        ? "; the file fits this model by structure (the same weights in the same order): call loadWeights(file) to load by structure"
                        : "; build the model with the same layer names (Keras' names, e.g. Jrnn.clearSession() before building) and sizes"));
            }
            stored = names;
        } else {
            if (!structure.isEmpty()) {   // neither fits: both diagnoses
                throw new IllegalArgumentException(name + ".loadWeights(" + file + "): the file does not match the model, "
                        + "by structure (weights matched in order, whatever their names): " + String.join("; ", structure)
                        + "; nor by name: " + String.join("; ", nameProblems(names, header))
                        + "; build the same layers in the same order with the same sizes as the model that saved it "
                        + "(by structure), or with the same layer names (loadWeights(file, true))");
            }
            stored = fileNames;
        }
        Map<String, Tensor> m = SafeTensors.read(file);
        List<Tensor> ws = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String n : stored) {
            Tensor t = m.get(n);
            if (t == null) throw new IOException(file + ": tensor '" + n + "' disappeared while reading (the file changed)");
            String bad = InputCheck.nonFiniteAt(t);
            if (bad != null) problems.add(n + " " + bad);
            ws.add(t);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name + ".loadWeights(" + file + "): the file holds non-finite weights: "
                    + String.join("; ", problems));
        }
        return ws;
    }

    /** Missing and unexpected names, and shapes that differ, of the file's weights against the model's. */
    private List<String> nameProblems(List<String> names, Map<String, int[]> header) {
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) if (!header.containsKey(n)) missing.add(n);
        List<String> extra = new ArrayList<>();
        for (String n : header.keySet()) if (!names.contains(n)) extra.add(n);
        if (!missing.isEmpty()) problems.add("missing " + missing);
        if (!extra.isEmpty()) problems.add("unexpected " + extra);
        for (int i = 0; i < names.size(); i++) {
            int[] got = header.get(names.get(i));
            int[] want = order.get(i).shape();
            if (got != null && !Arrays.equals(got, want)) {
                problems.add(names.get(i) + " expected shape " + Tensor.shapeString(want) + ", got " + shapeOf(got));
            }
        }
        return problems;
    }

    /** How the file's weights, in file order, differ from the model's in model order (count, then each shape). */
    private List<String> structureProblems(List<String> names, List<String> fileNames, Map<String, int[]> header) {
        List<String> problems = new ArrayList<>();
        if (fileNames.size() != names.size()) {
            problems.add("the file holds " + fileNames.size() + " weights " + fileNames + ", the model " + names.size() + " " + names);
        }
        for (int i = 0; i < Math.min(names.size(), fileNames.size()); i++) {
            int[] got = header.get(fileNames.get(i));
            int[] want = order.get(i).shape();
            if (!Arrays.equals(got, want)) {
                problems.add("weight " + i + ": the model's " + names.get(i) + " is " + Tensor.shapeString(want) + ", the file's "
                        + fileNames.get(i) + " " + shapeOf(got));
            }
        }
        return problems;
    }

    private static String shapeOf(int[] s) {
        return s.length == 0 ? "() (a scalar)" : Tensor.shapeString(s);
    }
}
