package dev.jrnn.distributed;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.Communicator;
import dev.jrnn.backend.DistributedException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Test-only ranks in one JVM: threads stand for the ranks, each with its own backend, and a collective is a
 * meeting of all of them under one lock (the product's collectives are NCCL's; this one exists to test data-parallel
 * training on machines without a GPU). A collective blocks its caller until every rank has brought its part, so there
 * is nothing to join; a rank that does not come within the timeout aborts the group naming it, and an abort from any
 * rank fails every waiting and later collective. Sums run in rank order, so results repeat bit for bit.
 */
public final class InProcessGroup {
    private final int size;
    private final long timeoutMs;
    private final List<Rank> ranks = new ArrayList<>();
    private final Object lock = new Object();
    private String aborted;
    private long generation;
    private int arrivedCount;
    private boolean[] arrived;
    private float[][] parts;
    private String what;
    private float[] result;

    /** One rank per backend (rank i works on {@code backends.get(i)}). */
    public InProcessGroup(List<Backend> backends, long timeoutMs) {
        this.size = backends.size();
        this.timeoutMs = timeoutMs;
        this.arrived = new boolean[size];
        for (int r = 0; r < size; r++) ranks.add(new Rank(r, backends.get(r)));
    }

    /** The communicator of {@code rank}. */
    public Communicator rank(int rank) { return ranks.get(rank); }

    /** Rank {@code rank} brings {@code part} to collective {@code op}; returns what {@code combine} makes of all parts. */
    private float[] meet(int rank, String op, float[] part, java.util.function.Function<float[][], float[]> combine) {
        synchronized (lock) {
            if (aborted != null) throw new DistributedException(aborted);
            if (arrivedCount == 0) {
                what = op;
                parts = new float[size][];
            } else if (!what.equals(op)) {
                abortLocked("rank " + rank + " started " + op + " while the others are in " + what);
                throw new DistributedException(aborted);
            }
            parts[rank] = part;
            arrived[rank] = true;
            if (++arrivedCount == size) {
                result = combine.apply(parts);
                arrivedCount = 0;
                arrived = new boolean[size];
                generation++;
                lock.notifyAll();
                return result;
            }
            long gen = generation, deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (generation == gen && aborted == null) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    List<Integer> missing = new ArrayList<>();
                    for (int r = 0; r < size; r++) if (!arrived[r]) missing.add(r);
                    abortLocked("rank(s) " + missing + " did not reach " + op + " within " + timeoutMs + " ms");
                    break;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    abortLocked("rank " + rank + " was interrupted in " + op);
                }
            }
            if (generation == gen) throw new DistributedException(aborted);
            return result;
        }
    }

    private void abortLocked(String reason) {
        if (aborted == null) {
            aborted = reason;
            lock.notifyAll();
            for (Rank r : ranks) r.listener.accept(reason);
        }
    }

    private final class Rank implements Communicator {
        private final int rank;
        private final Backend backend;
        private volatile Consumer<String> listener = r -> {};

        Rank(int rank, Backend backend) {
            this.rank = rank;
            this.backend = backend;
        }

        @Override
        public int rank() { return rank; }

        @Override
        public int size() { return size; }

        @Override
        public Backend backend() { return backend; }

        @Override
        public void allReduce(Buf buf, long off, long count, Op op) {
            float[] mine = new float[Math.toIntExact(count)];
            backend.download(buf, off, mine, 0, mine.length);
            float[] sum = meet(rank, "allReduce(" + count + ", " + op + ")", mine, all -> {
                float[] s = all[0].clone();
                for (int r = 1; r < all.length; r++) for (int i = 0; i < s.length; i++) s[i] += all[r][i];
                if (op == Op.AVG) for (int i = 0; i < s.length; i++) s[i] /= all.length;
                return s;
            });
            backend.upload(sum, 0, buf, off, sum.length);
        }

        @Override
        public void broadcast(Buf buf, long off, long count, int root) {
            float[] mine = new float[Math.toIntExact(count)];
            backend.download(buf, off, mine, 0, mine.length);
            float[] got = meet(rank, "broadcast(" + count + ", root " + root + ")", mine, all -> all[root]);
            backend.upload(got, 0, buf, off, got.length);
        }

        @Override
        public void join() {}

        @Override
        public void abort(String reason) {
            synchronized (lock) {
                abortLocked(reason);
            }
        }

        @Override
        public void onAbort(Consumer<String> l) { this.listener = l == null ? r -> {} : l; }

        @Override
        public String abortReason() {
            synchronized (lock) {
                return aborted;
            }
        }

        @Override
        public void close() {}
    }
}
