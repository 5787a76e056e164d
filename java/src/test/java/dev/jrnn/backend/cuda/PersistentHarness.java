package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.jrnn.backend.BufAt.at;

/**
 * One recurrent sequence on the GPU, run two ways over the same device buffers: the per-step path
 * (CudaBackend GEMM + fused step kernel per step, exactly RecurrentLayer's loop) and the persistent
 * kernels. Used by PersistentRnnGpuTest (parity) and PersistentRnnBench (timing).
 */
final class PersistentHarness implements AutoCloseable {
    final CudaBackend be;
    final CudaDriver d;
    final long module;
    final long stream;
    final PersistentRnn pr;

    PersistentHarness() {
        be = CudaBackend.create();
        d = CudaDriver.get();
        module = d.moduleLoadFatbin(CudaKernels.loadResource());
        stream = d.streamCreate();
        pr = new PersistentRnn(d, module);
    }

    static long ptr(Buf b) { return b == null ? 0 : ((CudaBuf) b).ptr(); }

    @Override
    public void close() {
        d.streamSynchronize(stream);
        d.streamDestroy(stream);
        d.moduleUnload(module);
        be.close();
    }

    /** Shape, options and every buffer of one sequence; step-path and persistent outputs side by side. */
    final class Seq implements AutoCloseable {
        final RecurrentCell cell;
        final Activation act, rec;
        final int T, B, H, G, tbptt;
        final boolean init, masked, withDy, withDhT;
        final long bh, bg;
        final List<Buf> owned = new ArrayList<>();
        // inputs
        final Buf u, p0, bRec, mask, dy, dhT, dcT;
        // per-step path
        final Buf p, rp, hs, cs, dG, dRP, dhN, dhP, dcN;
        // persistent path
        final Buf p2, rp2, hs2, cs2, dP2, dRP2, dh02, dc02;

        Seq(RecurrentCell cell, Activation act, Activation rec, int T, int B, int H, boolean init, boolean masked,
            boolean withDy, boolean withDhT, int tbptt, long seed) {
            this.cell = cell;
            this.act = act;
            this.rec = rec;
            this.T = T;
            this.B = B;
            this.H = H;
            this.G = cell.gates() * H;
            this.init = init;
            this.masked = masked;
            this.withDy = withDy;
            this.withDhT = withDhT;
            this.tbptt = tbptt;
            this.bh = (long) B * H;
            this.bg = (long) B * G;
            SplittableRandom r = new SplittableRandom(seed);
            float us = (float) (1.5 / Math.sqrt(H));
            u = up(rand(r, (long) H * G, us));
            p0 = up(rand(r, (long) T * bg, 1f));
            bRec = cell == RecurrentCell.GRU ? up(rand(r, G, 0.5f)) : null;
            float[] m = new float[T * B];
            for (int i = 0; i < m.length; i++) m[i] = r.nextDouble() < 0.25 ? 0f : 1f;
            if (masked) {
                m[0] = 0f;
                m[m.length - 1] = 0f;
            }
            mask = masked ? up(m) : null;
            dy = withDy ? up(rand(r, (long) T * bh, 1f)) : null;
            dhT = withDhT ? up(rand(r, bh, 1f)) : null;
            dcT = withDhT && cell == RecurrentCell.LSTM ? up(rand(r, bh, 1f)) : null;
            p = alloc((long) T * bg);
            rp = alloc((long) T * bg);
            hs = alloc((T + 1L) * bh);
            cs = alloc((T + 1L) * bh);
            dG = alloc((long) T * bg);
            dRP = alloc((long) T * bg);
            dhN = alloc(bh);
            dhP = alloc(bh);
            dcN = alloc(bh);
            p2 = alloc((long) T * bg);
            rp2 = alloc((long) T * bg);
            hs2 = alloc((T + 1L) * bh);
            cs2 = alloc((T + 1L) * bh);
            dP2 = alloc((long) T * bg);
            dRP2 = alloc((long) T * bg);
            dh02 = alloc(bh);
            dc02 = alloc(bh);
            if (init) {
                be.upload(rand(r, bh, 0.8f), 0, hs, 0, (int) bh);
                be.upload(rand(r, bh, 1f), 0, cs, 0, (int) bh);
                be.copy(hs, 0, hs2, 0, bh);
                be.copy(cs, 0, cs2, 0, bh);
            }
        }

        private Buf alloc(long n) {
            Buf b = be.alloc(n);
            owned.add(b);
            return b;
        }

        private Buf up(float[] v) {
            Buf b = alloc(v.length);
            be.upload(v, 0, b, 0, v.length);
            return b;
        }

        private float[] rand(SplittableRandom r, long n, float scale) {
            float[] v = new float[(int) n];
            for (int i = 0; i < v.length; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
            return v;
        }

        /** RecurrentLayer's forward loop (the GEMM in the backend's current precision). */
        void stepForward() {
            be.copy(p0, 0, p, 0, (long) T * bg);
            be.fill(rp, 0, (long) T * bg, 0f);
            for (int s = 0; s < T; s++) {
                boolean gemm = s > 0 || init;
                switch (cell) {
                    case LSTM -> {
                        if (gemm) be.gemm(false, false, B, G, H, 1f, hs, s * bh, H, u, 0, G, 1f, p, s * bg, G);
                        be.recurrentStepForward(new CellConfig(RecurrentCell.LSTM, act, rec, B, H),
                                CellStep.Forward.lstm(at(p, s * bg), at(cs, s * bh), at(hs, s * bh),
                                        at(mask, (long) s * B), at(cs, (s + 1) * bh), at(hs, (s + 1) * bh)));
                    }
                    case GRU -> {
                        if (gemm) be.gemm(false, false, B, G, H, 1f, hs, s * bh, H, u, 0, G, 0f, rp, s * bg, G);
                        be.recurrentStepForward(new CellConfig(RecurrentCell.GRU, act, rec, B, H),
                                CellStep.Forward.gru(at(p, s * bg), at(rp, s * bg), at(bRec, 0), at(hs, s * bh),
                                        at(mask, (long) s * B), at(hs, (s + 1) * bh)));
                    }
                    case SIMPLE_RNN -> {
                        if (gemm) be.gemm(false, false, B, H, H, 1f, hs, s * bh, H, u, 0, H, 1f, p, s * bh, H);
                        be.recurrentStepForward(new CellConfig(RecurrentCell.SIMPLE_RNN, act, act, B, H),
                                CellStep.Forward.rnn(at(p, s * bh), at(hs, s * bh), at(mask, (long) s * B),
                                        at(hs, (s + 1) * bh)));
                    }
                }
            }
        }

        /** RecurrentLayer's backward loop over the step path's forward buffers. */
        void stepBackward() {
            if (dhT != null) be.copy(dhT, 0, dhN, 0, bh); else be.fill(dhN, 0, bh, 0f);
            if (dcT != null) be.copy(dcT, 0, dcN, 0, bh); else be.fill(dcN, 0, bh, 0f);
            Buf n = dhN, pv = dhP;
            for (int s = T - 1; s >= 0; s--) {
                if (tbptt > 0 && (s + 1) % tbptt == 0 && s + 1 < T) {
                    be.fill(n, 0, bh, 0f);
                    be.fill(dcN, 0, bh, 0f);
                }
                boolean gemm = s > 0 || init;
                long dyOff = dy == null ? 0 : s * bh;
                switch (cell) {
                    case LSTM -> {
                        be.recurrentStepBackward(new CellConfig(RecurrentCell.LSTM, act, rec, B, H),
                                CellStep.Backward.lstm(at(p, s * bg), at(cs, s * bh), at(cs, (s + 1) * bh), at(n, 0),
                                        at(dy, dyOff), at(dcN, 0), at(mask, (long) s * B), at(dG, s * bg), at(dcN, 0),
                                        at(pv, 0)));
                        if (gemm) be.gemm(false, true, B, H, G, 1f, dG, s * bg, G, u, 0, G, 1f, pv, 0, H);
                    }
                    case GRU -> {
                        be.recurrentStepBackward(new CellConfig(RecurrentCell.GRU, act, rec, B, H),
                                CellStep.Backward.gru(at(p, s * bg), at(rp, s * bg), at(hs, s * bh), at(n, 0),
                                        at(dy, dyOff), at(mask, (long) s * B), at(dG, s * bg), at(dRP, s * bg),
                                        at(pv, 0)));
                        if (gemm) be.gemm(false, true, B, H, G, 1f, dRP, s * bg, G, u, 0, G, 1f, pv, 0, H);
                    }
                    case SIMPLE_RNN -> {
                        be.recurrentStepBackward(new CellConfig(RecurrentCell.SIMPLE_RNN, act, act, B, H),
                                CellStep.Backward.rnn(at(hs, (s + 1) * bh), at(n, 0), at(dy, dyOff),
                                        at(mask, (long) s * B), at(dG, s * bh), at(pv, 0)));
                        if (gemm) be.gemm(false, true, B, H, H, 1f, dG, s * bh, H, u, 0, H, 1f, pv, 0, H);
                    }
                }
                Buf t = n;
                n = pv;
                pv = t;
            }
            // dh0 ends in n: make it dhN for the comparison
            if (n != dhN) be.copy(n, 0, dhN, 0, bh);
        }

        /** Poisons the persistent outputs with NaN, so an element never written cannot pass. */
        void poison() {
            for (Buf b : List.of(rp2, dP2, dRP2, dh02, dc02)) be.fill(b, 0, b.size(), Float.NaN);
            be.fill(hs2, bh, T * bh, Float.NaN);
            be.fill(cs2, bh, T * bh, Float.NaN);
        }

        /** The persistent forward on the harness stream (synchronous); false if the path does not fit. */
        boolean persistentForward(Precision prec, boolean sync) {
            be.copy(p0, 0, p2, 0, (long) T * bg);
            be.synchronize();
            boolean ran = launchForward(prec);
            if (sync) d.streamSynchronize(stream);
            return ran;
        }

        /** Only the persistent forward launch, through the RecurrentLayer-layout entry (P is whatever p2 holds). */
        boolean launchForward(Precision prec) {
            return pr.layerForward(cell, act, rec, prec, T, B, H, init, ptr(u), ptr(bRec), ptr(p2), ptr(rp2), ptr(hs2),
                    ptr(cs2), ptr(mask), stream);
        }

        /** The persistent backward over the step path's forward buffers (so only backward differs). */
        boolean persistentBackward(Precision prec, boolean sync) {
            // dh / dc are in-out in the layer layout: the gradient into the last state goes in, dh0 / dc0 come out
            if (dhT != null) be.copy(dhT, 0, dh02, 0, bh); else be.fill(dh02, 0, bh, 0f);
            if (dcT != null) be.copy(dcT, 0, dc02, 0, bh); else be.fill(dc02, 0, bh, 0f);
            be.synchronize();
            boolean ran = launchBackward(prec);
            if (sync) d.streamSynchronize(stream);
            return ran;
        }

        /** The forward with a given plan (benchmarks of hand-made splits). */
        boolean launchForward(PersistentRnn.Plan plan) {
            return pr.forward(plan, act, rec, T, PersistentRnn.layerForwardArgs(cell, B, H, init, ptr(u), ptr(bRec),
                    ptr(p2), ptr(rp2), ptr(hs2), ptr(cs2), ptr(mask)), stream);
        }

        /** The backward with a given plan (benchmarks of hand-made splits). */
        boolean launchBackward(PersistentRnn.Plan plan) {
            return pr.backward(plan, act, rec, T, tbptt, PersistentRnn.layerBackwardArgs(cell, B, H, init, ptr(u),
                    ptr(p), ptr(rp), ptr(hs), ptr(cs), ptr(mask), ptr(dy), ptr(dh02), ptr(dc02), ptr(dP2), ptr(dRP2)),
                    stream);
        }

        /** Only the persistent backward launch, through the RecurrentLayer-layout entry. */
        boolean launchBackward(Precision prec) {
            return pr.layerBackward(cell, act, rec, prec, T, B, H, tbptt, init, ptr(u), ptr(p), ptr(rp), ptr(hs),
                    ptr(cs), ptr(mask), ptr(dy), ptr(dh02), ptr(dc02), ptr(dP2), ptr(dRP2), stream);
        }

        float[] get(Buf b, long off, long n) {
            be.synchronize();
            float[] v = new float[(int) n];
            be.download(b, off, v, 0, (int) n);
            return v;
        }

        @Override
        public void close() {
            be.synchronize();
            for (Buf b : owned) b.close();
        }
    }

    /** ||a - b|| / ||b|| in double; NaN anywhere in a gives NaN. */
    static double relErr(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < b.length; i++) {
            double e = (double) a[i] - b[i];
            num += e * e;
            den += (double) b[i] * b[i];
        }
        if (den == 0) return num == 0 ? 0 : Double.POSITIVE_INFINITY;
        return Math.sqrt(num / den);
    }
}
