package dev.jrnn.model;

import dev.jrnn.backend.Communicator;
import dev.jrnn.layers.Call;
import dev.jrnn.layers.Layer;
import dev.jrnn.layers.Param;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable gradients of a model cut into buckets for data-parallel training, as PyTorch's DDP does: contiguous
 * spans of the flat gradient buffer, from its end (the last layers, whose gradients the backward pass completes
 * first) to its start, each of about {@code capFloats} floats on parameter boundaries. During the backward pass
 * {@link #readyFrom} starts the average over the ranks of each bucket as soon as all its parameters' gradients are
 * complete, so on CUDA the all-reduce of the last layers runs on the NCCL stream while earlier layers still
 * back-propagate; {@link #finish} starts the rest and joins, so the optimizer's update sees the averages.
 * Buckets start in one fixed order on every rank (NCCL needs the same sequence of collectives everywhere). On the
 * CPU there is no overlap: the tests' in-process communicator reduces each bucket synchronously when it starts.
 */
final class GradientBuckets {
    /** A span of the gradient buffer and the lowest call index whose backward completes it. */
    private record Bucket(long off, long len, int readyAt) {}

    private final Communicator comm;
    private final Parameters params;
    private final Graph.Run run;
    private final List<Bucket> buckets;
    private int next;

    /**
     * Buckets of {@code ps} numbered by the calls of {@code run}, the training pass's ({@link Graph#run}): its backward
     * reports progress as indices into them (the graph's own calls also hold nested unused-branch calls it leaves out).
     */
    GradientBuckets(Communicator comm, Graph.Run run, Parameters ps, long capFloats) {
        this.comm = comm;
        this.params = ps;
        this.run = run;
        List<Call> calls = run.calls();
        Map<Layer, Integer> firstCall = new IdentityHashMap<>();
        for (int i = calls.size() - 1; i >= 0; i--) firstCall.put(calls.get(i).layer(), i);
        List<Bucket> bs = new ArrayList<>();
        long end = ps.trainableSize, off = end;
        int readyAt = Integer.MAX_VALUE;
        for (int k = ps.trainable.size() - 1; k >= 0; k--) {
            Param p = ps.trainable.get(k);
            off -= p.size();
            // A parameter of a layer no call of the run names directly (inside a wrapper) is complete only at the end. So
            // are the unlisted weights at the block's end (a nested call's unused-branch layer the run leaves out): the
            // bucket that holds them and the last listed ones waits for finish(), less overlap but the same sums.
            readyAt = Math.min(readyAt, firstCall.getOrDefault(ps.owners.get(p), 0));
            if (end - off >= capFloats || k == 0) {
                bs.add(new Bucket(off, end - off, readyAt));
                end = off;
                readyAt = Integer.MAX_VALUE;
            }
        }
        this.buckets = List.copyOf(bs);
    }

    /** The number of buckets (tests check the cut). */
    int count() { return buckets.size(); }

    /**
     * Whether these buckets were cut for {@code ps} and the calls of {@code run} (a new store after a trainable flag
     * changed, or a new run after a regularizer changed which calls the pass runs, needs new ones).
     */
    boolean cutFor(Parameters ps, Graph.Run run) { return ps == params && run == this.run; }

    /** A new backward pass begins. */
    void start() { next = 0; }

    /** The backward of every call from index {@code call} on is queued: starts the buckets that became complete, in order. */
    void readyFrom(int call) {
        while (next < buckets.size() && buckets.get(next).readyAt >= call) reduce(buckets.get(next++));
    }

    /** After the backward pass: starts the remaining buckets (as one group) and makes the update wait for all of them. */
    void finish() {
        if (next < buckets.size()) comm.group(() -> {
            while (next < buckets.size()) reduce(buckets.get(next++));
        });
        comm.join();
    }

    private void reduce(Bucket b) {
        comm.allReduce(params.store.grads(), b.off, b.len, Communicator.Op.AVG);
    }
}
