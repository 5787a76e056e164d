package dev.jrnn.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Running sums over an epoch (or an evaluation): the sample-weighted loss, per output and in total, and
 * each metric's sum and count per output; {@link #logs()} gives Keras' log names and means.
 */
final class EpochLogs {
    private final List<String> keys;
    private final List<dev.jrnn.losses.Metric> metrics;
    private final List<String> metricNames;
    double lossSum;
    long samples;
    final double[] outLoss;
    final double[][] metricSum;
    final double[][] metricCount;
    /** Which outputs have a target. */
    final boolean[] trained;

    EpochLogs(Setup s, boolean[] targets) {
        int k = s.outputs();
        this.keys = s.graph().outputKeys();
        this.metrics = s.metrics();
        this.metricNames = s.metricNames();
        this.outLoss = new double[k];
        this.metricSum = new double[k][metrics.size()];
        this.metricCount = new double[k][metrics.size()];
        this.trained = targets.clone();
    }

    /** The sums as one array (loss, samples, per-output losses, metric sums and counts), to add them over ranks. */
    double[] sums() {
        int k = outLoss.length, j = metrics.size();
        double[] v = new double[2 + k + 2 * k * j];
        v[0] = lossSum;
        v[1] = samples;
        for (int o = 0; o < k; o++) {
            v[2 + o] = outLoss[o];
            for (int m = 0; m < j; m++) {
                v[2 + k + o * j + m] = metricSum[o][m];
                v[2 + k + k * j + o * j + m] = metricCount[o][m];
            }
        }
        return v;
    }

    /** Sets the sums from an array laid out as {@link #sums()}. */
    void setSums(double[] v) {
        int k = outLoss.length, j = metrics.size();
        lossSum = v[0];
        samples = Math.round(v[1]);
        for (int o = 0; o < k; o++) {
            outLoss[o] = v[2 + o];
            for (int m = 0; m < j; m++) {
                metricSum[o][m] = v[2 + k + o * j + m];
                metricCount[o][m] = v[2 + k + k * j + o * j + m];
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
                m.put(key, metrics.get(j).value(metricSum[k][j], metricCount[k][j]));
            }
        }
        return m;
    }
}
