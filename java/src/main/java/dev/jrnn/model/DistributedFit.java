package dev.jrnn.model;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Communicator;
import dev.jrnn.backend.DistributedException;

import java.util.List;

/**
 * What {@link FitOptions#distributed} adds to fit on one rank: the shard of the data ({@link ShardedBatches}), the
 * parameters broadcast from rank 0 before the first step, the gradients averaged in buckets during the backward
 * pass ({@link GradientBuckets}), the epoch's sums added over the ranks (so every rank logs, and its callbacks see,
 * the global means), the callbacks that only rank 0 runs, and the abort that a failure on this rank sends to all.
 */
final class DistributedFit {
    private final Setup s;
    private final Communicator comm;
    private final long capFloats;
    private GradientBuckets buckets;

    DistributedFit(Setup s, Communicator comm, long bucketBytes) {
        if (comm.backend() != s.backend()) {
            throw new IllegalArgumentException(s.name() + ".fit: FitOptions.distributed's communicator works on backend "
                    + comm.backend().name() + ", the model's weights live on another " + s.backend().name() + " backend");
        }
        String aborted = comm.abortReason();
        if (aborted != null) throw new DistributedException(s.name() + ".fit: the communicator was aborted: " + aborted);
        this.s = s;
        this.comm = comm;
        this.capFloats = Math.max(1, bucketBytes / Float.BYTES);
    }

    int rank() { return comm.rank(); }

    int size() { return comm.size(); }

    /** This rank's share of the global batches of {@code global}. */
    BatchSource shard(BatchSource global) { return new ShardedBatches(global, comm.rank(), comm.size()); }

    /** The callbacks this rank runs: all on rank 0, those not {@link Callback#rankZeroOnly} on the others. */
    List<Callback> callbacks(List<Callback> all) {
        return comm.rank() == 0 ? all : all.stream().filter(c -> !c.rankZeroOnly()).toList();
    }

    /** Every parameter (trainable or not) as rank 0 has it, so all ranks start from the same weights. */
    void broadcastWeights() {
        Parameters ps = s.params();
        comm.broadcast(ps.store.values(), 0, ps.store.size(), 0);
        comm.join();
    }

    /**
     * Averages the weights each rank updates in its own forward pass (BatchNormalization's moving statistics, from its own
     * shard) over the ranks, as Keras keeps them (aggregated by their mean on read), so that every rank validates, saves
     * and goes on with the same values: at each epoch's end, before validation.
     */
    void averageState() {
        Parameters ps = s.params();
        if (ps.state.isEmpty()) return;
        for (dev.jrnn.layers.Param p : ps.state) comm.allReduce(ps.store.values(), p.offset(), p.size(), Communicator.Op.AVG);
        comm.join();
    }

    /**
     * The buckets of the current parameters for the training pass that runs {@code run} (cut again when a callback
     * changed which parameters are trainable, or a regularizer which calls the pass runs).
     */
    GradientBuckets buckets(Graph.Run run) {
        Parameters ps = s.params();
        if (buckets == null || !buckets.cutFor(ps, run)) buckets = new GradientBuckets(comm, run, ps, capFloats);
        return buckets;
    }

    /** After a step (outside any capture): a point the communicator's watchdog times out on. */
    void afterStep() { comm.fence(); }

    /** Whether any rank asked to stop ({@code mine}: this rank did), so that all stop after the same epoch. */
    boolean anyRankStops(boolean mine) {
        if (comm.size() == 1) return mine;
        float[] v = {mine ? 1f : 0f};
        sum(v);
        return v[0] > 0;
    }

    /**
     * Adds the epoch's sums over the ranks (a synchronizing read-back), so that {@code acc.logs()} gives global means.
     * Each sum travels as two floats, its float rounding and the rest, so the total keeps ~48 bits, not 24.
     */
    void sumOverRanks(EpochLogs acc) {
        if (comm.size() == 1) return;
        double[] v = acc.sums();
        float[] split = new float[2 * v.length];
        for (int i = 0; i < v.length; i++) {
            split[2 * i] = (float) v[i];
            split[2 * i + 1] = (float) (v[i] - split[2 * i]);
        }
        sum(split);
        for (int i = 0; i < v.length; i++) v[i] = (double) split[2 * i] + split[2 * i + 1];
        acc.setSums(v);
    }

    /** Replaces {@code v} by its sum over the ranks (one all-reduce through the device, waited for). */
    private void sum(float[] v) {
        Backend be = s.backend();
        try (Buf b = be.alloc(v.length)) {
            be.upload(v, 0, b, 0, v.length);
            comm.allReduce(b, 0, v.length, Communicator.Op.SUM);
            comm.join();
            be.download(b, 0, v, 0, v.length);
        }
    }

    /**
     * The exception fit throws after {@code e} on this rank: when another rank failed first (or a timeout aborted the
     * communicator), a DistributedException with that reason; else this rank aborts the others, naming itself, and
     * throws {@code e}.
     */
    RuntimeException failed(RuntimeException e) {
        String reason = comm.abortReason();
        if (reason != null) return e instanceof DistributedException ? e : new DistributedException(reason, e);
        comm.abort("rank " + comm.rank() + " failed: " + e);
        return e;
    }
}
