package dev.jrnn.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Running sums over an epoch (or an evaluation): the sample-weighted loss, per output and in total, and
 * each metric's state on its output; {@link #logs()} gives Keras' log names and means.
 */
final class EpochLogs {
    private final List<String> keys;
    private final List<CompileMetrics.Slot> metrics;
    double lossSum;
    long samples;
    final double[] outLoss;
    /** Each metric slot's state ({@link dev.jrnn.losses.EpochMetric#update} adds to it), as {@link CompileMetrics#slots}. */
    final double[][] metricState;
    /** Each output's columns, which size the metric states. */
    private final int[] cols;
    /** Which outputs have a target and a loss (their losses are logged). */
    final boolean[] trained;
    /** Which outputs have a target (their metrics are logged). */
    private final boolean[] targets;

    EpochLogs(Setup s, boolean[] targets) {
        int k = s.outputs();
        this.keys = s.graph().outputKeys();
        this.metrics = s.metrics().slots;
        this.outLoss = new double[k];
        this.cols = new int[k];
        this.metricState = new double[metrics.size()][];
        for (int o = 0; o < k; o++) {
            int[] shape = s.graph().outputs.get(o).shape();
            cols[o] = shape.length == 0 ? 1 : shape[shape.length - 1];
        }
        for (int j = 0; j < metrics.size(); j++) {
            CompileMetrics.Slot m = metrics.get(j);
            if (targets[m.output()]) m.metric().checkOutput(keys.get(m.output()), s.graph().outputs.get(m.output()).shape());
            metricState[j] = new double[m.metric().stateSize(cols[m.output()])];
        }
        this.trained = s.trained(targets);
        this.targets = targets.clone();
    }

    /** The sums as one array (loss, samples, per-output losses, metric states), to add them over ranks. */
    double[] sums() {
        int k = outLoss.length, n = 2 + k;
        for (double[] st : metricState) n += st.length;
        double[] v = new double[n];
        v[0] = lossSum;
        v[1] = samples;
        System.arraycopy(outLoss, 0, v, 2, k);
        int at = 2 + k;
        for (double[] st : metricState) {
            System.arraycopy(st, 0, v, at, st.length);
            at += st.length;
        }
        return v;
    }

    /** Sets the sums from an array laid out as {@link #sums()}. */
    void setSums(double[] v) {
        int k = outLoss.length;
        lossSum = v[0];
        samples = Math.round(v[1]);
        System.arraycopy(v, 2, outLoss, 0, k);
        int at = 2 + k;
        for (double[] st : metricState) {
            System.arraycopy(v, at, st, 0, st.length);
            at += st.length;
        }
    }

    /**
     * "loss", per-output "name_loss" when several outputs train (Keras 3 logs one per loss given, when it has two or more:
     * an output compiled without a loss logs none), and the metrics of the
     * outputs with a target under their keys ({@link CompileMetrics}: "out_mae" whenever the model has several outputs,
     * also when the other outputs have no target: the name does not change with the data), sorted as Keras 3 gives them;
     * each a float32 value, as Keras' ({@link #f32}).
     */
    Map<String, Double> logs() {
        Map<String, Double> m = new LinkedHashMap<>();
        double n = Math.max(1, samples);
        m.put("loss", f32(lossSum / n));
        int nTrained = 0;
        for (boolean b : trained) if (b) nTrained++;
        if (nTrained > 1) {
            for (int k = 0; k < trained.length; k++) if (trained[k]) m.put(keys.get(k) + "_loss", f32(outLoss[k] / n));
        }
        for (int j = 0; j < metrics.size(); j++) {
            CompileMetrics.Slot sl = metrics.get(j);
            if (!targets[sl.output()]) continue;
            double[] r = sl.metric().result(metricState[j], cols[sl.output()]);
            if (r.length == 1) put(m, sl.key(), f32(r[0]));
            else for (int c = 0; c < r.length; c++) put(m, sl.key() + "_" + c, f32(r[c]));   // one per class, where Keras logs an array
        }
        return sorted(m);
    }

    /**
     * A logged value as Keras 3 logs it: its metrics (the loss tracker too) hold their totals in float32 variables and
     * pythonify_logs makes a Python float of the float32 result, so History, CSVLogger and the callbacks see
     * 0.12345679104328156 where the sums here, kept in double, would give 0.1234567891.
     */
    private static double f32(double v) { return (float) v; }

    /**
     * The logs in Keras 3's order: its callbacks, progress bar, History and {@code evaluate(return_dict=True)} get them
     * through {@code pythonify_logs}, which sorts the keys ("accuracy", "loss", "val_accuracy", "val_loss").
     */
    static Map<String, Double> sorted(Map<String, Double> logs) {
        TreeMap<String, Double> t = new TreeMap<>(keyOrder(logs.keySet()));
        t.putAll(logs);
        return new LinkedHashMap<>(t);
    }

    /**
     * Python's sorted() of the keys Keras logs, where a metric that gives an array (F1 per class, precision per threshold)
     * is one key, its values in index order: jrnn's "f1_score_2" then "f1_score_10" sort as ("f1_score", 2), ("f1_score", 10).
     * An array is a base with "_0" and "_1" among {@code keys} (Keras numbers a repeated name from "_1", and "recall_at_5"
     * has no "_0"); every other key sorts as its string, as in Python.
     */
    static java.util.Comparator<String> keyOrder(java.util.Collection<String> keys) {
        java.util.Set<String> arrays = new java.util.HashSet<>();
        for (String k : keys) if (k.endsWith("_0") && keys.contains(k.substring(0, k.length() - 2) + "_1")) arrays.add(k.substring(0, k.length() - 2));
        return (a, b) -> {
            int ia = index(a, arrays), ib = index(b, arrays);
            String ba = ia < 0 ? a : a.substring(0, a.lastIndexOf('_')), bb = ib < 0 ? b : b.substring(0, b.lastIndexOf('_'));
            int c = ba.compareTo(bb);
            if (c == 0) c = Integer.compare(ia, ib);
            return c != 0 ? c : a.compareTo(b);   // distinct keys never compare equal ("a_01", "a_1"): a TreeMap keeps both
        };
    }

    /** The number after a key's last '_' when the rest is one of {@code arrays} ("f1_score_10": 10), else -1. */
    private static int index(String key, java.util.Set<String> arrays) {
        int u = key.lastIndexOf('_');
        if (u < 0 || u == key.length() - 1 || key.length() - u > 10 || !arrays.contains(key.substring(0, u))) return -1;
        for (int i = u + 1; i < key.length(); i++) if (key.charAt(i) < '0' || key.charAt(i) > '9') return -1;
        return Integer.parseInt(key.substring(u + 1));
    }

    /** A log value under a key no other value holds: a per-class key ("f1_score_1") may meet a renamed metric's. */
    private static void put(Map<String, Double> m, String key, double v) {
        if (m.putIfAbsent(key, v) != null) {
            throw new IllegalStateException("two metrics log under '" + key + "' (a per-class value and a repeated metric's name);"
                    + " give one of them another name");
        }
    }
}
