package dev.jrnn.model;

import java.util.SplittableRandom;

/** Batches of {@code batchSize} samples of checked in-memory {@link Data} (the last one may be smaller). */
final class DataBatches implements BatchSource {
    private final Data data;
    private final int batchSize;
    private final int outputs;
    private int[] order;

    DataBatches(Data data, int batchSize, int outputs) {
        this.data = data;
        this.batchSize = Math.max(1, Math.min(batchSize, data.n()));
        this.outputs = outputs;
        this.order = data.rows();
    }

    int batchSize() { return batchSize; }

    @Override
    public int batches() { return (data.n() + batchSize - 1) / batchSize; }

    @Override
    public boolean[] targets() { return data.targets(); }

    @Override
    public Epoch epoch(int epoch, boolean shuffle, SplittableRandom rng) {
        startEpoch(shuffle, rng);
        return new Epoch() {
            int i;

            public HostBatch next() { return i < batches() ? batch(i++) : null; }

            @Override
            public boolean skip() {
                if (i >= batches()) return false;
                i++;
                return true;
            }
        };
    }

    @Override
    public void skipEpoch(boolean shuffle, SplittableRandom rng) { startEpoch(shuffle, rng); }

    /** Fisher-Yates, drawing from {@code rng} as fit always has (so seeded runs repeat). */
    void startEpoch(boolean shuffle, SplittableRandom rng) {
        order = data.rows().clone();
        if (!shuffle) return;
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Samples {@code [from, to)} of the current epoch's order (a data-parallel rank's part of a global batch). */
    HostBatch rows(int from, int to) { return data.batch(order, from, to, outputs); }

    /** The number of samples. */
    int samples() { return data.n(); }

    /** Batch {@code i} of the current epoch. */
    HostBatch batch(int i) {
        int from = i * batchSize;
        return data.batch(order, from, Math.min(data.n(), from + batchSize), outputs);
    }
}
