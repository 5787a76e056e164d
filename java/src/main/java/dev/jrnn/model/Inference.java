package dev.jrnn.model;

import dev.jrnn.backend.DTensor;
import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Evaluation and prediction in batches over checked {@link Data}: forward passes only, weights read, not changed. */
final class Inference {
    private final Setup s;

    Inference(Setup s) { this.s = s; }

    /** Loss and metrics ("loss", "accuracy", ...) over {@code d} in batches of {@code batchSize}. */
    Map<String, Double> evaluate(Data d, int batchSize) {
        EpochLogs acc = new EpochLogs(s, d.targets());
        TrainStep losses = new TrainStep(s);
        DataBatches batches = new DataBatches(d, batchSize, s.outputs());
        try (LossLog log = new LossLog(s, batches.batches(), d.targets())) {
            for (int i = 0; i < batches.batches(); i++) {
                HostBatch h = batches.batch(i);
                long off = log.nextOffset();
                try (Batch b = new Batch(s.backend(), h, true);
                     Pass p = Pass.forward(s.graph(), s.backend(), b.xs, b.mask, false, false)) {
                    losses.loss(p, h, b.ys, null, log.buf, off, acc, null);
                }
                log.commit(h.size(), null, 0);
            }
            log.fold(acc);
        }
        return acc.logs();
    }

    /** Every output for every sample of {@code d}, in batches of {@code batchSize}. */
    List<Tensor> predict(Data d, int batchSize) {
        int outputs = s.outputs();
        int n = d.n();
        float[][] out = new float[outputs][];
        int[][] shapes = new int[outputs][];
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Batch b = new Batch(s.backend(), d.batch(d.rows(), from, to, outputs), false);
            try (Pass p = Pass.forward(s.graph(), s.backend(), b.xs, b.mask, false, true)) {
                for (int k = 0; k < outputs; k++) {
                    DTensor v = p.value(s.graph().outputs.get(k));
                    int row = (int) (v.size() / v.dim(0));
                    if (out[k] == null) {
                        shapes[k] = v.shape();
                        shapes[k][0] = n;
                        out[k] = new float[Tensor.checkedSize(s.name() + ".predict: output " + k, shapes[k])];
                    }
                    s.backend().download(v.buf(), 0, out[k], from * row, (to - from) * row);
                }
            }
        }
        List<Tensor> r = new ArrayList<>();
        for (int k = 0; k < outputs; k++) r.add(Tensor.wrap(out[k], shapes[k]));
        return r;
    }
}
