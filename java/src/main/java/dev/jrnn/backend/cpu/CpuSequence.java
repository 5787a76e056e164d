package dev.jrnn.backend.cpu;

import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellSequence;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cpu.CpuRecurrent.Span;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The CPU backend's whole-sequence path ({@link CpuBackend#recurrentSequenceForward} and {@code Backward}):
 * a layer's loop over time in one call, with the effect of its per-step GEMM + {@link Cells} step, but
 * <ul>
 *   <li>U (forward) and U^T (backward) packed once per sequence ({@link PackedB}), not once per step;</li>
 *   <li>each step's recurrent product for a block of batch rows runs right before the cell on those rows,
 *       so the rows go through cache once;</li>
 *   <li>the batch split over the cores once per sequence: a sample's recurrence never reads another
 *       sample's rows, so each core runs blocks of rows through all steps with no wait between steps (the
 *       per-step path handed each step's GEMM to the pool and waited for it, T times per layer call); a
 *       batch too small for two blocks of rows has each step's product split by columns instead;</li>
 *   <li>no allocation per step (the backward kernels' scratch and the state-gradient buffer are made once).</li>
 * </ul>
 * Every float is computed by the same kernels in the same order as the per-step path, so both give the same bits
 * ({@code CpuSequenceTest}).
 */
final class CpuSequence {
    private final CpuRecurrent args;

    CpuSequence(CpuRecurrent args) {
        this.args = args;
    }

    /** A core's block of rows gets at least this many (the GEMM's micro-tile height). */
    private static final int MIN_ROWS = Gemm.MR;
    private static final Span NONE = new Span(null, 0);

    /**
     * Rows per block of the batch: about two blocks per core (each a multiple of MIN_ROWS but the last) when the
     * sequence is big enough to pay for the pool, else the whole batch. Two per core, not one, so that a core
     * that the OS gives less time (a shared machine) hands its second block to the other core.
     */
    private static int blockRows(int batch, long flops) {
        if (flops < Gemm.PARALLEL_FLOPS || Parallel.THREADS == 1 || batch < 2 * MIN_ROWS) return batch;
        return Gemm.roundUp((batch + 2 * Parallel.THREADS - 1) / (2 * Parallel.THREADS), MIN_ROWS);
    }

    /**
     * With the batch in one block (a small batch), each step's product is split over the cores by columns when
     * it is big enough, as {@link Gemm#gemm} splits it; else 1.
     */
    private static int columnParts(int blockRows, int batch, int n, int k) {
        return blockRows == batch && 2L * batch * n * k >= Gemm.PARALLEL_FLOPS ? Parallel.THREADS : 1;
    }

    /** Runs {@code body} over the blocks of {@code chunk} rows, each core taking the next block when it is free. */
    private static void rows(int batch, int chunk, Cells.Rows body) {
        int blocks = (batch + chunk - 1) / chunk;
        if (blocks <= 1) {
            body.run(0, batch);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Parallel.run(Math.min(Parallel.THREADS, blocks), part -> {
            for (int i; (i = next.getAndIncrement()) < blocks; ) body.run(i * chunk, Math.min(batch, (i + 1) * chunk));
        });
    }

    private static void checkSteps(String op, int steps) {
        Checks.nonNegative(op, "steps", steps);
    }

    void forward(CellConfig cell, CellSequence.Forward seq) {
        String op = "recurrentSequenceForward";
        long n = CpuRecurrent.cells(op, cell);
        checkSteps(op, seq.steps());
        RecurrentCell kind = cell.kind();
        int B = cell.batch(), H = cell.units(), G = kind.gates() * H, T = seq.steps();
        long tbg = (long) T * B * G, states = (T + 1L) * n;
        Span u = args.checked(op, "u", seq.u(), (long) H * G), g = args.checked(op, "gates", seq.gates(), tbg);
        Span hs = args.checked(op, "hs", seq.hs(), states);
        Span cs = kind == RecurrentCell.LSTM ? args.checked(op, "cs", seq.cs(), states) : NONE;
        Span rp = kind == RecurrentCell.GRU ? args.checked(op, "recurrent", seq.recurrent(), tbg) : NONE;
        Span rb = kind == RecurrentCell.GRU ? args.optional(op, "recurrentBias", seq.recurrentBias(), G) : NONE;
        Span m = args.optional(op, "mask", seq.mask(), (long) T * B);
        if (T == 0 || B == 0 || H == 0) return;
        PackedB pu = PackedB.pack(false, u.a(), u.off(), G, H, G, B);
        boolean initial = seq.hasInitial();
        int chunk = blockRows(B, 2L * T * B * G * H), cols = columnParts(chunk, B, G, H);
        rows(B, chunk, (b0, b1) -> {
            int rows = b1 - b0;
            for (int s = 0; s < T; s++) {
                int go = g.off() + s * B * G, ho = hs.off() + s * B * H, hn = ho + B * H, mo = m.off() + s * B;
                boolean product = s > 0 || initial;   // without an initial state h_0 = 0: no product at step 0
                switch (kind) {
                    case SIMPLE_RNN -> {
                        if (product) pu.multiply(rows, hs.a(), ho + b0 * H, H, 1f, g.a(), go + b0 * G, G, cols);
                        Cells.rnnForward(cell.activation(), b0, b1, H, g.a(), go, hs.a(), ho, m.a(), mo, hs.a(), hn);
                    }
                    case LSTM -> {
                        if (product) pu.multiply(rows, hs.a(), ho + b0 * H, H, 1f, g.a(), go + b0 * G, G, cols);
                        int co = cs.off() + s * B * H;
                        Cells.lstmForward(cell.activation(), cell.recurrentActivation(), b0, b1, H, g.a(), go, cs.a(), co,
                                hs.a(), ho, m.a(), mo, cs.a(), co + B * H, hs.a(), hn);
                    }
                    case GRU -> {
                        int ro = rp.off() + s * B * G;
                        if (product) pu.multiply(rows, hs.a(), ho + b0 * H, H, 0f, rp.a(), ro + b0 * G, G, cols);
                        else Arrays.fill(rp.a(), ro + b0 * G, ro + b1 * G, 0f);
                        Cells.gruForward(cell.activation(), cell.recurrentActivation(), b0, b1, H, g.a(), go, rp.a(), ro,
                                rb.a(), rb.off(), hs.a(), ho, m.a(), mo, hs.a(), hn);
                    }
                }
            }
        });
    }

    void backward(CellConfig cell, CellSequence.Backward seq) {
        String op = "recurrentSequenceBackward";
        long n = CpuRecurrent.cells(op, cell);
        checkSteps(op, seq.steps());
        Checks.nonNegative(op, "tbptt", seq.tbptt());
        RecurrentCell kind = cell.kind();
        int B = cell.batch(), H = cell.units(), G = kind.gates() * H, T = seq.steps(), tbptt = seq.tbptt();
        long tbg = (long) T * B * G, states = (T + 1L) * n;
        boolean lstm = kind == RecurrentCell.LSTM, gru = kind == RecurrentCell.GRU;
        Span u = args.checked(op, "u", seq.u(), (long) H * G), hs = args.checked(op, "hs", seq.hs(), states);
        // SimpleRNN takes act' from h, or for gelu, swish, mish... from the pre-activations in gates
        boolean rnnFromH = kind == RecurrentCell.SIMPLE_RNN && !cell.activation().needsInput();
        Span g = rnnFromH ? NONE : args.checked(op, "gates", seq.gates(), tbg);
        Span cs = lstm ? args.checked(op, "cs", seq.cs(), states) : NONE;
        Span rp = gru ? args.checked(op, "recurrent", seq.recurrent(), tbg) : NONE;
        Span m = args.optional(op, "mask", seq.mask(), (long) T * B);
        Span dy = args.optional(op, "dy", seq.dy(), (long) T * n), dh = args.checked(op, "dh", seq.dh(), n);
        Span dc = lstm ? args.checked(op, "dc", seq.dc(), n) : NONE;
        Span dg = args.checked(op, "dGates", seq.dGates(), tbg);
        Span dr = gru ? args.checked(op, "dRecurrent", seq.dRecurrent(), tbg) : NONE;
        if (T == 0 || B == 0 || H == 0) return;
        // op(B) = U^T [G, H]: U is stored [H, G], i.e. [n, k] with row stride G
        PackedB put = PackedB.pack(true, u.a(), u.off(), G, G, H, B);
        float[] other = new float[(int) n];   // dh's partner: the two swap roles every step
        boolean initial = seq.hasInitial();
        int chunk = blockRows(B, 2L * T * B * G * H), cols = columnParts(chunk, B, H, G);
        rows(B, chunk, (b0, b1) -> {
            int rows = b1 - b0;
            float[] scratch = new float[6 * H];
            float[] cur = dh.a(), next = other;
            int curOff = dh.off(), nextOff = 0;
            for (int s = T - 1; s >= 0; s--) {
                if (tbptt > 0 && (s + 1) % tbptt == 0 && s + 1 < T) {   // truncated BPTT: no gradient into h_s, c_s
                    Arrays.fill(cur, curOff + b0 * H, curOff + b1 * H, 0f);
                    if (lstm) Arrays.fill(dc.a(), dc.off() + b0 * H, dc.off() + b1 * H, 0f);
                }
                int go = g.off() + s * B * G, dgo = dg.off() + s * B * G, ho = hs.off() + s * B * H;
                int mo = m.off() + s * B, dyo = dy.off() + s * B * H;
                float[] d = dg.a();   // the gradient that goes back through U
                int dOff = dgo;
                switch (kind) {
                    case SIMPLE_RNN -> Cells.rnnBackward(cell.activation(), b0, b1, H, rnnFromH ? hs.a() : g.a(),
                            rnnFromH ? ho + B * H : go, cur, curOff, dy.a(), dyo, m.a(), mo, dg.a(), dgo, next, nextOff,
                            scratch);
                    case LSTM -> {
                        int co = cs.off() + s * B * H;
                        Cells.lstmBackward(cell.activation(), cell.recurrentActivation(), b0, b1, H, g.a(), go, cs.a(), co,
                                cs.a(), co + B * H, cur, curOff, dy.a(), dyo, dc.a(), dc.off(), m.a(), mo, dg.a(), dgo,
                                dc.a(), dc.off(), next, nextOff, scratch);
                    }
                    case GRU -> {
                        int ro = rp.off() + s * B * G;
                        d = dr.a();
                        dOff = dr.off() + s * B * G;
                        Cells.gruBackward(cell.activation(), cell.recurrentActivation(), b0, b1, H, g.a(), go, rp.a(), ro,
                                hs.a(), ho, cur, curOff, dy.a(), dyo, m.a(), mo, dg.a(), dgo, d, dOff, next, nextOff,
                                scratch);
                    }
                }
                if (s > 0 || initial) put.multiply(rows, d, dOff + b0 * G, G, 1f, next, nextOff + b0 * H, H, cols);
                float[] t = cur;
                cur = next;
                next = t;
                int to = curOff;
                curOff = nextOff;
                nextOff = to;
            }
            if (cur != dh.a()) System.arraycopy(cur, curOff + b0 * H, dh.a(), dh.off() + b0 * H, rows * H);
        });
    }
}
