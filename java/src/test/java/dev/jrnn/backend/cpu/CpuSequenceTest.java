package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellSequence;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.RecurrentCell;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static dev.jrnn.backend.BufAt.at;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CpuSequence}, the CPU backend's whole-sequence path, against the per-step path it replaces (the
 * backend's GEMM and step operations called step by step, as RecurrentRun's loop calls them): the same bits
 * for every cell, with and without mask, initial state, output gradients and tbptt, on shapes that run on
 * one core, on shapes whose batch is split over the cores (ragged last block) and on a small batch whose
 * step products are split by columns. The per-step operations
 * themselves are checked against float64 references by the layer tests.
 */
class CpuSequenceTest {
    record Case(RecurrentCell kind, int b, int t, int h, boolean mask, boolean initial, boolean dy, int tbptt,
                Activation act, Activation rec) {
        Case(RecurrentCell kind, int b, int t, int h, boolean mask, boolean initial, boolean dy, int tbptt) {
            this(kind, b, t, h, mask, initial, dy, tbptt, Activation.TANH, Activation.SIGMOID);
        }

        /** SimpleRNN's backward takes act' from h, or for gelu and swish from the pre-activations in p. */
        boolean rnnFromH() { return kind == RecurrentCell.SIMPLE_RNN && !act.needsInput(); }

        @Override
        public String toString() {
            return kind + " B=" + b + " T=" + t + " H=" + h + (mask ? " mask" : "") + (initial ? " h0" : "")
                    + (dy ? " dy" : "") + (tbptt > 0 ? " tbptt=" + tbptt : "")
                    + (act == Activation.TANH && rec == Activation.SIGMOID ? "" : " " + act.kerasName() + "/" + rec.kerasName());
        }
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        for (RecurrentCell k : RecurrentCell.values()) {
            for (int v = 0; v < 8; v++) {
                boolean mask = (v & 1) != 0, initial = (v & 2) != 0, dy = (v & 4) != 0;
                c.add(new Case(k, 3, 5, 7, mask, initial, dy, v == 5 ? 2 : 0));    // small: one block, direct GEMM loops
                c.add(new Case(k, 20, 9, 96, mask, initial, dy, v == 6 ? 4 : 0));  // blocks of 8, 8, 4 rows, packed U
                // one block of 8 rows, each step's product split by columns (a ragged last strip)
                if (v == 0 || v == 7) c.add(new Case(k, 8, 4, 456, mask, initial, dy, v == 7 ? 3 : 0));
            }
            // gelu and swish: the gates keep their pre-activations
            c.add(new Case(k, 3, 5, 7, true, true, true, 2, Activation.GELU, Activation.SWISH));
            c.add(new Case(k, 20, 9, 96, true, false, true, 0, Activation.SWISH, Activation.GELU));
            c.add(new Case(k, 8, 4, 456, false, true, false, 0, Activation.TANH, Activation.SWISH));
        }
        return c.stream();
    }

    private final CpuBackend be = CpuBackend.create();
    private final SplittableRandom rnd = new SplittableRandom(7);

    private Buf random(long n, double scale) {
        float[] x = new float[(int) n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble(-1, 1) * scale);
        Buf b = be.alloc(n);
        be.upload(x, 0, b, 0, x.length);
        return b;
    }

    private float[] get(Buf b) {
        if (b == null) return new float[0];
        float[] x = new float[(int) b.size()];
        be.download(b, 0, x, 0, x.length);
        return x;
    }

    private Buf copy(Buf b) {
        if (b == null) return null;
        Buf c = be.alloc(b.size());
        be.copy(b, 0, c, 0, b.size());
        return c;
    }

    /** The buffers of one run: forward's inputs and outputs, then backward's. */
    private record Run(Buf p, Buf rp, Buf hs, Buf cs, Buf dGates, Buf dRec, Buf dh, Buf dc) {
        List<Buf> all() { return java.util.Arrays.asList(p, rp, hs, cs, dGates, dRec, dh, dc); }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wholeSequenceGivesTheBitsOfThePerStepPath(Case c) {
        int B = c.b(), T = c.t(), H = c.h(), G = c.kind().gates() * H;
        long bh = (long) B * H, tbg = (long) T * B * G;
        boolean lstm = c.kind() == RecurrentCell.LSTM, gru = c.kind() == RecurrentCell.GRU;
        CellConfig cfg = new CellConfig(c.kind(), c.act(), c.rec(), B, H);
        Buf u = random((long) H * G, 0.3), bRec = gru ? random(G, 0.5) : null;
        Buf mask = null;
        if (c.mask()) {
            float[] m = new float[T * B];
            for (int i = 0; i < m.length; i++) m[i] = rnd.nextInt(4) == 0 ? 0f : 1f;
            mask = be.alloc(m.length);
            be.upload(m, 0, mask, 0, m.length);
        }
        Buf dy = c.dy() ? random((long) T * bh, 1) : null;
        Run want = new Run(random(tbg, 1), gru ? be.alloc(tbg) : null, random((T + 1) * bh, c.initial() ? 1 : 0),
                lstm ? random((T + 1) * bh, c.initial() ? 1 : 0) : null, be.alloc(tbg), gru ? be.alloc(tbg) : null,
                random(bh, 1), lstm ? random(bh, 1) : null);
        Run got = new Run(copy(want.p()), copy(want.rp()), copy(want.hs()), copy(want.cs()), be.alloc(tbg),
                gru ? be.alloc(tbg) : null, copy(want.dh()), copy(want.dc()));

        perStep(c, cfg, u, bRec, mask, dy, want);
        assertTrue(be.recurrentSequenceSupported(cfg, T));
        assertTrue(be.recurrentSequenceForward(cfg, new CellSequence.Forward(T, c.initial(), at(u, 0), at(bRec, 0),
                at(got.p(), 0), at(got.rp(), 0), at(got.hs(), 0), at(got.cs(), 0), at(mask, 0))));
        assertTrue(be.recurrentSequenceBackward(cfg, new CellSequence.Backward(T, c.tbptt(), c.initial(), at(u, 0),
                at(c.rnnFromH() ? null : got.p(), 0), at(got.rp(), 0), at(got.hs(), 0),
                at(got.cs(), 0), at(mask, 0), at(dy, 0), at(got.dh(), 0), at(got.dc(), 0), at(got.dGates(), 0),
                at(got.dRec(), 0))));
        String[] names = {"gates", "recurrent", "hs", "cs", "dGates", "dRecurrent", "dh", "dc"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(get(want.all().get(i)), get(got.all().get(i)), c + ": " + names[i]);
        }
    }

    /** RecurrentRun's per-step loops (forward, then backward with its tbptt cut) on the backend's step operations. */
    private void perStep(Case c, CellConfig cfg, Buf u, Buf bRec, Buf mask, Buf dy, Run r) {
        int B = c.b(), T = c.t(), H = c.h(), G = c.kind().gates() * H;
        long bh = (long) B * H, bg = (long) B * G;
        for (int s = 0; s < T; s++) {
            boolean product = s > 0 || c.initial();
            switch (c.kind()) {
                case SIMPLE_RNN -> {
                    if (product) be.gemm(false, false, B, G, H, 1f, r.hs(), s * bh, H, u, 0, G, 1f, r.p(), s * bg, G);
                    be.recurrentStepForward(cfg, CellStep.Forward.rnn(at(r.p(), s * bg), at(r.hs(), s * bh),
                            at(mask, (long) s * B), at(r.hs(), (s + 1) * bh)));
                }
                case LSTM -> {
                    if (product) be.gemm(false, false, B, G, H, 1f, r.hs(), s * bh, H, u, 0, G, 1f, r.p(), s * bg, G);
                    be.recurrentStepForward(cfg, CellStep.Forward.lstm(at(r.p(), s * bg), at(r.cs(), s * bh),
                            at(r.hs(), s * bh), at(mask, (long) s * B), at(r.cs(), (s + 1) * bh), at(r.hs(), (s + 1) * bh)));
                }
                case GRU -> {
                    if (product) be.gemm(false, false, B, G, H, 1f, r.hs(), s * bh, H, u, 0, G, 0f, r.rp(), s * bg, G);
                    be.recurrentStepForward(cfg, CellStep.Forward.gru(at(r.p(), s * bg), at(r.rp(), s * bg), at(bRec, 0),
                            at(r.hs(), s * bh), at(mask, (long) s * B), at(r.hs(), (s + 1) * bh)));
                }
            }
        }
        Buf next = r.dh(), prev = be.alloc(bh);
        for (int s = T - 1; s >= 0; s--) {
            if (c.tbptt() > 0 && (s + 1) % c.tbptt() == 0 && s + 1 < T) {
                be.fill(next, 0, bh, 0f);
                if (r.dc() != null) be.fill(r.dc(), 0, bh, 0f);
            }
            Buf d = r.dGates();
            switch (c.kind()) {
                case SIMPLE_RNN -> be.recurrentStepBackward(cfg, CellStep.Backward.rnn(
                        c.rnnFromH() ? at(r.hs(), (s + 1) * bh) : at(r.p(), s * bg),
                        at(next, 0), at(dy, s * bh), at(mask, (long) s * B), at(r.dGates(), s * bg), at(prev, 0)));
                case LSTM -> be.recurrentStepBackward(cfg, CellStep.Backward.lstm(at(r.p(), s * bg), at(r.cs(), s * bh),
                        at(r.cs(), (s + 1) * bh), at(next, 0), at(dy, s * bh), at(r.dc(), 0), at(mask, (long) s * B),
                        at(r.dGates(), s * bg), at(r.dc(), 0), at(prev, 0)));
                case GRU -> {
                    d = r.dRec();
                    be.recurrentStepBackward(cfg, CellStep.Backward.gru(at(r.p(), s * bg), at(r.rp(), s * bg),
                            at(r.hs(), s * bh), at(next, 0), at(dy, s * bh), at(mask, (long) s * B),
                            at(r.dGates(), s * bg), at(r.dRec(), s * bg), at(prev, 0)));
                }
            }
            if (s > 0 || c.initial()) be.gemm(false, true, B, H, G, 1f, d, s * bg, G, u, 0, G, 1f, prev, 0, H);
            Buf t = next;
            next = prev;
            prev = t;
        }
        if (next != r.dh()) be.copy(next, 0, r.dh(), 0, bh);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RecurrentCell.class)
    void badBuffersAreRefusedByName(RecurrentCell kind) {
        int B = 2, T = 3, H = 4, G = kind.gates() * H;
        CellConfig cfg = new CellConfig(kind, Activation.TANH, Activation.SIGMOID, B, H);
        Buf u = be.alloc((long) H * G), p = be.alloc((long) T * B * G), hs = be.alloc((T + 1L) * B * H - 1);
        Buf cs = be.alloc((T + 1L) * B * H), rp = be.alloc((long) T * B * G);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.recurrentSequenceForward(cfg,
                new CellSequence.Forward(T, false, at(u, 0), null, at(p, 0), at(rp, 0), at(hs, 0), at(cs, 0), null)));
        assertTrue(e.getMessage().startsWith("recurrentSequenceForward: hs span"), e.getMessage());
        assertFalse(CpuBackend.create(true).recurrentSequenceSupported(cfg, T), "forks split the per-step loop instead");
        if (kind == RecurrentCell.GRU) {
            CellConfig before = new CellConfig(kind, Activation.TANH, Activation.SIGMOID, B, H, true);
            assertFalse(be.recurrentSequenceSupported(before, T), "the reset-before GRU keeps the per-step path");
            assertFalse(be.recurrentSequenceForward(before, new CellSequence.Forward(T, false, at(u, 0), null, at(p, 0),
                    at(rp, 0), at(cs, 0), null, null)));
        }
    }
}
