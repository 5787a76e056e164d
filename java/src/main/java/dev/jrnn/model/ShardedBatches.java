package dev.jrnn.model;

import dev.jrnn.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One rank's share of a data-parallel epoch: every rank walks the same global batches (the same shuffle, drawn from
 * the same seed) and takes its contiguous part of each, the parts as even as the batch allows (sizes differ by at
 * most one). A part of {@code p} samples of a global batch of {@code m} gets the gradient weight {@code p * ranks / m},
 * so that the average over the ranks is the gradient of the mean loss over the global batch: N ranks with batch b
 * train as one process with batch N·b. A global batch with fewer samples than ranks (the last one, or a bucket's
 * short one) is skipped by every rank. In-memory data is gathered per part; other sources' batches are sliced.
 */
final class ShardedBatches implements BatchSource {
    private final BatchSource global;
    private final int rank, ranks;

    ShardedBatches(BatchSource global, int rank, int ranks) {
        this.global = global;
        this.rank = rank;
        this.ranks = ranks;
    }

    @Override
    public int batches() {
        if (global instanceof DataBatches d) {
            int g = d.batchSize(), n = d.samples();
            return n / g + (n % g >= ranks ? 1 : 0);
        }
        return global.batches();
    }

    @Override
    public boolean[] targets() { return global.targets(); }

    @Override
    public void skipEpoch(boolean shuffle, SplittableRandom rng) { global.skipEpoch(shuffle, rng); }

    @Override
    public Epoch epoch(int epoch, boolean shuffle, SplittableRandom rng) {
        if (global instanceof DataBatches d) {
            d.startEpoch(shuffle, rng);
            return new Parts() {
                int i;

                HostBatch nextGlobal(int[] bounds) {
                    int from = i * d.batchSize();
                    if (from >= d.samples()) return null;
                    int to = Math.min(d.samples(), from + d.batchSize());
                    i++;
                    if (!part(to - from, bounds)) return null;
                    return d.rows(from + bounds[0], from + bounds[1]);
                }
            };
        }
        Epoch all = global.epoch(epoch, shuffle, rng);
        return new Parts() {
            HostBatch nextGlobal(int[] bounds) {
                HostBatch b;
                do {
                    b = all.next();
                } while (b != null && !part(b.size(), bounds));   // a bucket's short batch: every rank skips it
                return b == null ? null : slice(b, bounds[0], bounds[1]);
            }

            @Override
            public void close() { all.close(); }
        };
    }

    /** An epoch of parts, remembering the last one's weight. */
    private abstract class Parts implements Epoch {
        private float weight = 1f;
        private final int[] bounds = new int[3];

        /** This rank's part of the next global batch, bounds = {from, to, global size}; null at the end. */
        abstract HostBatch nextGlobal(int[] bounds);

        @Override
        public HostBatch next() {
            HostBatch b = nextGlobal(bounds);
            if (b != null) weight = (float) ((double) (bounds[1] - bounds[0]) * ranks / bounds[2]);
            return b;
        }

        @Override
        public float gradientWeight() { return weight; }
    }

    /** This rank's rows [bounds[0], bounds[1]) of a global batch of {@code m}; false when m is below the number of ranks. */
    private boolean part(int m, int[] bounds) {
        if (m < ranks) return false;
        int base = m / ranks, extra = m % ranks;
        bounds[0] = rank * base + Math.min(rank, extra);
        bounds[1] = bounds[0] + base + (rank < extra ? 1 : 0);
        bounds[2] = m;
        return true;
    }

    private static HostBatch slice(HostBatch b, int from, int to) {
        List<Tensor> xs = new ArrayList<>(b.xs().size());
        for (Tensor x : b.xs()) xs.add(x.slice(from, to));
        List<Tensor> ys = new ArrayList<>(b.ys().size());
        for (Tensor y : b.ys()) ys.add(y == null ? null : y.slice(from, to));
        return new HostBatch(xs, b.mask() == null ? null : b.mask().slice(from, to), ys, null,
                b.weights() == null ? null : b.weights().stream().map(w -> w == null ? null : w.slice(from, to)).toList());
    }
}
