package dev.jrnn.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Running sums over an epoch (or an evaluation): the sample-weighted loss, per output and in total, and
 * each metric's state per output; {@link #logs()} gives Keras' log names and means.
 */
final class EpochLogs {
    private final List<String> keys;
    private final List<dev.jrnn.losses.EpochMetric> metrics;
    private final List<String> metricNames;
    double lossSum;
    long samples;
    final double[] outLoss;
    /** Each output's and metric's state ({@link dev.jrnn.losses.EpochMetric#update} adds to it). */
    final double[][][] metricState;
    /** Each output's columns, which size the metric states. */
    private final int[] cols;
    /** Which outputs have a target. */
    final boolean[] trained;

    EpochLogs(Setup s, boolean[] targets) {
        int k = s.outputs();
        this.keys = s.graph().outputKeys();
        this.metrics = s.metrics();
        this.metricNames = s.metricNames();
        this.outLoss = new double[k];
        this.cols = new int[k];
        this.metricState = new double[k][metrics.size()][];
        for (int o = 0; o < k; o++) {
            int[] shape = s.graph().outputs.get(o).shape();
            cols[o] = shape.length == 0 ? 1 : shape[shape.length - 1];
            if (targets[o]) for (dev.jrnn.losses.EpochMetric m : metrics) m.checkOutput(keys.get(o), shape);
            for (int j = 0; j < metrics.size(); j++) metricState[o][j] = new double[metrics.get(j).stateSize(cols[o])];
        }
        this.trained = targets.clone();
    }

    /** The sums as one array (loss, samples, per-output losses, metric states), to add them over ranks. */
    double[] sums() {
        int k = outLoss.length, n = 2 + k;
        for (double[][] o : metricState) for (double[] st : o) n += st.length;
        double[] v = new double[n];
        v[0] = lossSum;
        v[1] = samples;
        System.arraycopy(outLoss, 0, v, 2, k);
        int at = 2 + k;
        for (double[][] o : metricState) {
            for (double[] st : o) {
                System.arraycopy(st, 0, v, at, st.length);
                at += st.length;
            }
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
        for (double[][] o : metricState) {
            for (double[] st : o) {
                System.arraycopy(v, at, st, 0, st.length);
                at += st.length;
            }
        }
    }

    /**
     * "loss", per-output "name_loss" when several outputs train (Keras 3 logs one per loss given), and the metrics,
     * named by their output whenever the model has several outputs, as Keras names them ("out_mae" also when the other
     * outputs have no target: the name does not change with the data).
     */
    Map<String, Double> logs() {
        Map<String, Double> m = new LinkedHashMap<>();
        double n = Math.max(1, samples);
        m.put("loss", lossSum / n);
        int nTrained = 0;
        for (boolean b : trained) if (b) nTrained++;
        if (nTrained > 1) {
            for (int k = 0; k < trained.length; k++) if (trained[k]) m.put(keys.get(k) + "_loss", outLoss[k] / n);
        }
        for (int k = 0; k < trained.length; k++) {
            if (!trained[k]) continue;
            for (int j = 0; j < metrics.size(); j++) {
                String key = trained.length > 1 ? keys.get(k) + "_" + metricNames.get(j) : metricNames.get(j);
                double[] r = metrics.get(j).result(metricState[k][j], cols[k]);
                if (r.length == 1) put(m, key, r[0]);
                else for (int c = 0; c < r.length; c++) put(m, key + "_" + c, r[c]);   // one per class, where Keras logs an array
            }
        }
        return m;
    }

    /** A log value under a key no other value holds: a per-class key ("f1_score_1") may meet a renamed metric's. */
    private static void put(Map<String, Double> m, String key, double v) {
        if (m.putIfAbsent(key, v) != null) {
            throw new IllegalStateException("two metrics log under '" + key + "' (a per-class value and a repeated metric's name);"
                    + " give one of them another name");
        }
    }
}
