package dev.jrnn.model;

import dev.jrnn.io.SafeTensors;
import dev.jrnn.layers.Param;
import dev.jrnn.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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

    WeightsIo(String name, Parameters ps) {
        this.name = name;
        this.ps = ps;
    }

    /** All weights: trainable ones in layer order, then non-trainable ones. */
    List<Tensor> get() {
        List<Tensor> w = new ArrayList<>();
        for (Param p : ps.all) w.add(p.get());
        return w;
    }

    /** Sets all weights, in {@link #get()} order and shapes, after checking every one. */
    void set(List<Tensor> weights) {
        List<Param> params = ps.all;
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

    /** Keras variable names in {@link #get()} order: the owning layer's variable scope plus the parameter name. */
    List<String> names() {
        List<String> names = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Param p : ps.all) {
            String n = ps.owners.get(p).variableScope(p) + p.name();
            int c = seen.merge(n, 1, Integer::sum);
            names.add(c == 1 ? n : n + "_" + (c - 1));
        }
        return names;
    }

    /** Writes every weight by name to {@code file} (atomically: temp file + rename). */
    void save(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException(name + ".saveWeights: file is null");
        Map<String, Tensor> m = new LinkedHashMap<>();
        List<String> names = names();
        for (int i = 0; i < ps.all.size(); i++) m.put(names.get(i), ps.all.get(i).get());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "jrnn");
        meta.put("model", name);
        SafeTensors.write(file, m, meta);
    }

    /**
     * Reads every weight by name from {@code file}: the header is compared with the model before any data
     * is read, and one IllegalArgumentException lists every difference; non-finite values are refused.
     */
    void load(Path file) throws IOException {
        if (file == null) throw new IllegalArgumentException(name + ".loadWeights: file is null");
        List<String> names = names();
        Map<String, int[]> header = SafeTensors.shapes(file);
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) if (!header.containsKey(n)) missing.add(n);
        List<String> extra = new ArrayList<>();
        for (String n : header.keySet()) if (!names.contains(n)) extra.add(n);
        if (!missing.isEmpty()) problems.add("missing " + missing);
        if (!extra.isEmpty()) problems.add("unexpected " + extra);
        for (int i = 0; i < names.size(); i++) {
            int[] got = header.get(names.get(i));
            int[] want = ps.all.get(i).shape();
            if (got != null && !Arrays.equals(got, want)) {
                problems.add(names.get(i) + " expected shape " + Tensor.shapeString(want) + ", got "
                        + (got.length == 0 ? "() (a scalar)" : Tensor.shapeString(got)));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name + ".loadWeights(" + file + "): the file does not match the model: "
                    + String.join("; ", problems));
        }
        Map<String, Tensor> m = SafeTensors.read(file);
        List<Tensor> ws = new ArrayList<>();
        for (String n : names) {
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
        set(ws);
    }
}
