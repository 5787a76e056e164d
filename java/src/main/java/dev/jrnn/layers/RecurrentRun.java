package dev.jrnn.layers;

import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.BufAt;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellSequence;
import dev.jrnn.backend.Checks;
import dev.jrnn.backend.Cleanup;
import dev.jrnn.backend.DTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * One application of a {@link RecurrentLayer} on a batch: the loop over time (time-major layout, masks,
 * goBackwards, tbptt, a backend's whole-sequence path, a stack's chunks of steps), each
 * step run by the layer's {@link Cell}; keeps xT, the gate buffers and all states for backward.
 */
final class RecurrentRun implements Trace {
    final RecurrentLayer layer;
    final Cell cell;             // the layer's cell
    final Backend be;
    final int B, T, I, H, G;
    final int nInputs;
    final CellConfig config;     // the cell's kind and activations, B, H
    final boolean hasInitial;
    final DTensor x;
    final DTensor mask;          // caller's, passed on as outputMask
    final List<DTensor> initial;
    Buf xT;                      // [T, B, I] in processing order (at xOff; in a stack: the layer below's hs)
    long xOff;
    Buf maskT;                   // [T, B] in processing order, or null
    Buf p;                       // [T, B, G]: pre-activations / gates (GRU: xp)
    Buf recurrentProj;           // GRU only: [T, B, G] hPrev·U + bRec
    Buf resetState;              // GRU reset_after=false only: [T, B, H] r * hPrev (input of the candidate's product)
    Buf hs;                      // [T+1, B, H]
    Buf cs;                      // LSTM only: [T+1, B, H]
    Buf seen;                    // [T, B] processing order: 1 where the output is the state, 0 where it is 0:
                                 // with zeroOutputForMask the mask itself, else 1 from a sample's first real
                                 // step on (only with an initial state; else all outputs are states)
    // backward state (per call)
    Buf dGates;                  // [T, B, G]: gradient of the gate pre-activations (GRU: of x·W + b)
    Buf dRecurrent;              // GRU only: [T, B, G] gradient of hPrev·U + bRec
    Buf dResetState;             // GRU reset_after=false only: [B, H] gradient of this step's r * hPrev
    Buf dHiddenNext, dHiddenPrev; // [B, H]: gradient into h of the step being undone, and into its hPrev
    Buf dCellNext;               // LSTM only: [B, H] gradient into c (updated in place to that into cPrev)
    Buf dyT;                     // [T, B, H] output gradients, time-major (null: none per step)
    Buf tbpttKeep;               // [T, B] with tbptt and a mask: 0 where a sample's state gradient is cut
                                 // before undoing step s (its windows count real steps), else 1
    Buf dxT;                     // [T, B, I] input gradients, time-major (null when no one takes them)
    RecurrentDropout drop;       // a training call's dropout masks, or null (none, or inference)
    final List<Buf> temps = new ArrayList<>();
    final List<DTensor> outputs = new ArrayList<>();
    final List<AutoCloseable> owned = new ArrayList<>();

    /** A run inside a stack: its input is the layer below's states (no x, no initial states). */
    RecurrentRun(RecurrentLayer layer, Backend be, DTensor mask, int b, int t, int i) {
        this(layer, be, null, List.of(), mask, b, t, i);
    }

    RecurrentRun(RecurrentLayer layer, Backend be, List<DTensor> inputs, DTensor mask, int b, int t, int i) {
        this(layer, be, inputs.get(0), inputs.subList(1, inputs.size()), mask, b, t, i);
    }

    private RecurrentRun(RecurrentLayer layer, Backend be, DTensor x, List<DTensor> initial, DTensor mask, int b, int t,
                         int i) {
        this.layer = layer;
        this.cell = layer.cell;
        this.be = be;
        this.B = b;
        this.T = t;
        this.I = i;
        this.H = layer.units;
        this.G = cell.gates() * layer.units;
        this.config = cell.config(b, layer.units);
        this.nInputs = 1 + initial.size();
        this.hasInitial = !initial.isEmpty();
        this.x = x;
        this.mask = mask;
        this.initial = new ArrayList<>(initial);
    }

    Buf alloc(long n) {
        return own(be.alloc(n));
    }

    /** Keeps {@code b} until this trace closes (a buffer from {@code be.alloc}, or {@code be.empty} when written in full first). */
    private Buf own(Buf b) {
        owned.add(b);
        return b;
    }

    long bh(int s) { return (long) s * B * H; }
    long bg(int s) { return (long) s * B * G; }

    /** GRU's recurrent bias (row 1 of the bias), or null (no bias, or another cell). */
    BufAt recurrentBias() {
        Param b = layer.bias;
        return recurrentProj != null && b != null ? BufAt.at(b.value(), b.offset() + G) : null;
    }

    /** Whether this call drops units of the previous state from the recurrent product (training only). */
    boolean recurrentDropout() { return drop != null && drop.recurrent != null; }

    /** The recurrent kernel U [H, G]. */
    BufAt recurrentKernel() { return BufAt.at(layer.recurrentKernel.value(), layer.recurrentKernel.offset()); }

    /** The mask rows of step s, or null without a mask. */
    BufAt maskAt(int s) { return BufAt.at(maskT, (long) s * B); }

    /**
     * {@code dst} rows of step s = h_s · U + beta * dst. At step 0 without an initial state h is 0: with beta 0 (a
     * separate projection, which then covers all G columns) the rows are zeroed, else left as they are.
     */
    void addRecurrentProjection(int s, Buf dst, float beta) {
        addRecurrentProjection(s, dst, beta, G);
    }

    /** As {@link #addRecurrentProjection(int, Buf, float)} for U's first {@code cols} columns (dst rows keep stride G). */
    void addRecurrentProjection(int s, Buf dst, float beta, int cols) {
        if (s == 0 && !hasInitial) {
            if (beta == 0f) be.fill(dst, bg(0), (long) B * G, 0f);
            return;
        }
        if (recurrentDropout()) {
            requireAllColumns(cols);
            drop.recurrentProjection(s, dst, beta);
            return;
        }
        Param u = layer.recurrentKernel;
        be.gemm(false, false, B, cols, H, 1f, hs, bh(s), H, u.value(), u.offset(), G, beta, dst, bg(s), G);
    }

    /** The masked recurrent products cover all G columns: a part of U (a reset-before GRU) with a recurrent dropout is refused. */
    private void requireAllColumns(int cols) {
        if (cols != G) {
            throw new IllegalStateException(layer.name() + ": a recurrent dropout over " + cols + " of " + G
                    + " recurrent columns is not supported (GRU resetAfter(false) with recurrentDropout)");
        }
    }

    /** {@code dHiddenPrev += d[step s] · U^T} (nothing at step 0 without an initial state). */
    void addRecurrentGradient(int s, Buf d) {
        addRecurrentGradient(s, d, G);
    }

    /** As {@link #addRecurrentGradient(int, Buf)} through U's first {@code cols} columns. */
    void addRecurrentGradient(int s, Buf d, int cols) {
        if (s == 0 && !hasInitial) return;
        if (recurrentDropout()) {
            requireAllColumns(cols);
            drop.recurrentGradient(s, d);
            return;
        }
        Param u = layer.recurrentKernel;
        be.gemm(false, true, B, H, cols, 1f, d, bg(s), G, u.value(), u.offset(), G, 1f, dHiddenPrev, 0, H);
    }

    void forward() {
        prepareForward(null, 0);
        project(0, T);
        // A backend's fused whole-sequence path (CUDA persistent kernels) when it has one for this shape.
        boolean fused = !recurrentDropout() && be.recurrentSequenceForward(config, new CellSequence.Forward(T, hasInitial,
                recurrentKernel(), recurrentBias(), BufAt.at(p, 0), BufAt.at(recurrentProj, 0), BufAt.at(hs, 0),
                BufAt.at(cs, 0), maskAt(0)));
        for (int s = 0; s < T && !fused; s++) cell.stepForward(this, s);
        finishForward(true);
    }

    /**
     * Allocates what the forward keeps: xT from x (time-major, in processing order), or {@code external}
     * at {@code offset} (a stack's layer below: its hs after slot 0), the mask, p, the states.
     */
    void prepareForward(Buf external, long offset) {
        long tb = (long) T * B;
        if (external == null) {
            xT = own(be.empty(tb * I));
            toTimeMajor(x.buf(), I, xT);
        } else {   // not owned: the layer below frees it
            xT = external;
            xOff = offset;
        }
        if (mask != null) {
            maskT = alloc(tb);
            toTimeMajor(mask.buf(), 1, maskT);
        }
        // written in full before they are read: p by the input projection, the states' slots 1..T by the steps and
        // slot 0 here, the GRU's recurrent projection and kept reset state by the steps
        p = own(be.empty(tb * G));
        hs = own(be.empty((T + 1L) * B * H));
        if (cell.states() == 2) cs = own(be.empty((T + 1L) * B * H));
        long bhn = (long) B * H;
        if (hasInitial) {
            be.copy(initial.get(0).buf(), 0, hs, 0, bhn);
            if (cs != null) be.copy(initial.get(1).buf(), 0, cs, 0, bhn);
        } else {
            be.fill(hs, 0, bhn, 0f);
            if (cs != null) be.fill(cs, 0, bhn, 0f);
        }
        if (cell.separateRecurrentProjection()) recurrentProj = own(be.empty(tb * G));
        if (cell.keepsResetState()) resetState = own(be.empty(tb * H));
    }

    /** The per-step forward of steps [from, to) (their projection must be in p). */
    void stepsForward(int from, int to) {
        for (int s = from; s < to; s++) cell.stepForward(this, s);
    }

    /** After the loop: frees what backward does not need and makes the outputs (none for a stack's inner layer). */
    void finishForward(boolean makeOutputs) {
        long tb = (long) T * B;
        if (!cell.backwardReadsGates()) p.close();
        if (!makeOutputs) return;
        // Keras' output before a sample's first real step is 0, not h0: only differs with an initial state
        if (maskT != null && T > 0 && layer.zeroOutputForMask) {   // every masked step outputs 0
            seen = alloc(tb);
            be.maskFromValues((int) tb, 1, maskT, 0, 0f, seen, 0);
        } else if (maskT != null && hasInitial && T > 0) {
            seen = seenSteps();
        }
        // outputs
        if (layer.returnSequences) {
            DTensor y = DTensor.zeros(be, B, T, H);
            owned.add(y);
            be.transpose01(T, B, H, hs, bh(1), y.buf(), 0);
            if (seen != null) {
                Buf seenBT = be.alloc((long) B * T);
                try {
                    be.transpose01(T, B, 1, seen, 0, seenBT, 0);
                    zeroUnseen(B * T, y.buf(), seenBT, 0);
                } finally {
                    seenBT.close();
                }
            }
            outputs.add(y);
        } else {
            DTensor y = lastState(hs);
            if (seen != null) zeroUnseen(B, y.buf(), seen, (long) (T - 1) * B);
            outputs.add(y);
        }
        if (layer.returnState) {
            outputs.add(lastState(hs));
            if (cs != null) outputs.add(lastState(cs));
        }
    }

    /**
     * [T, B]: 1 where the sample had a real step at or before processing step s, else 0. An inclusive
     * prefix sum over time of (mask != 0) in log2(T) doubling rounds, then clipped to 1; all on the
     * device (no host round trip, so it can be captured).
     */
    private Buf seenSteps() {
        Buf sn = realStepCounts(alloc((long) T * B));
        be.clip((long) T * B, 0f, 1f, sn, 0);
        return sn;
    }

    /**
     * {@code counts} [T, B] = the number of the sample's real steps at or before processing step s: an
     * inclusive prefix sum over time of (mask != 0) in log2(T) doubling rounds, all on the device.
     */
    private Buf realStepCounts(Buf counts) {
        long tb = (long) T * B;
        be.maskFromValues((int) tb, 1, maskT, 0, 0f, counts, 0);
        Buf prev = be.alloc(tb);
        try {
            for (long d = 1; d < T; d *= 2) {
                long shift = d * B;
                be.copy(counts, 0, prev, 0, tb - shift);
                be.axpy(tb - shift, 1f, prev, 0, counts, shift);
            }
        } finally {
            prev.close();
        }
        return counts;
    }

    /**
     * tbptt with a mask: a sample's truncation windows count its real steps (as if its padding were cut
     * out), so the gradient into the incoming state of step s is cut only when s is real and the sample's
     * real steps before s are a positive multiple of tbptt. Counting processing steps instead cut the
     * gradient inside the padding: samples shorter than T - tbptt learned nothing through U.
     * Returns keep [T, B] = 1 - cut, built on the device in T / tbptt passes over [T, B].
     */
    private Buf tbpttKeep() {
        long tb = (long) T * B;
        Buf keep = temp(tb);
        Buf counts = realStepCounts(temp(tb));   // temps: freed with the backward's, also on a failure
        Buf work = temp(tb);
        // keep = [counts - 1 is j·tbptt for a j >= 1] (hits = multiples - misses)
        int multiples = (T - 1) / layer.tbptt;
        be.fill(keep, 0, tb, multiples);
        for (int j = 1; j <= multiples; j++) {
            be.maskFromValues((int) tb, 1, counts, 0, (float) j * layer.tbptt + 1, work, 0);
            be.axpy(tb, -1f, work, 0, keep, 0);
        }
        be.maskFromValues((int) tb, 1, maskT, 0, 0f, work, 0);   // and step s is real
        be.mulRows((int) tb, 1, keep, 0, work, 0, keep, 0);
        be.scale(tb, -1f, keep, 0);                               // keep = 1 - cut
        be.fill(work, 0, tb, 1f);
        be.axpy(tb, 1f, work, 0, keep, 0);
        return keep;
    }

    /**
     * {@code y[r, :] *= seen[r]} for [rows, H], then {@code += 0}: a masked-out row becomes +0 as Keras'
     * where() gives, not the -0 that a negative h0 times 0 leaves (x + 0 = x for every non-zero x).
     */
    private void zeroUnseen(int rows, Buf y, Buf seenRows, long seenOff) {
        be.mulRows(rows, H, y, 0, seenRows, seenOff, y, 0);
        Buf zeros = be.alloc(H);
        try {
            be.addRowVector(rows, H, zeros, 0, y, 0);
        } finally {
            zeros.close();
        }
    }

    private DTensor lastState(Buf states) {
        DTensor d = DTensor.zeros(be, B, H);
        owned.add(d);
        be.copy(states, bh(T), d.buf(), 0, (long) B * H);
        return d;
    }

    /**
     * Gradients from steps [from, to) (processing order, rows from*B ..): accumulated into dU, dW and the
     * bias (when trainable), and dx of those rows written into dxT ([T, B, I]; null: no dx).
     */
    void stepGradients(int from, int to, Buf dxT) {
        if (to <= from) return;
        int rows = (to - from) * B;
        Buf dRec = recurrentProj != null ? dRecurrent : dGates;
        boolean inputDropout = drop != null && drop.input != null;
        if (layer.trainable() && !recurrentDropout() && resetState == null && !inputDropout) {
            Param u = layer.recurrentKernel, w = layer.kernel, b = layer.bias;
            BufAt h = BufAt.at(hs, bh(from)), x = BufAt.at(xT, xOff + (long) from * B * I), dG = BufAt.at(dGates, bg(from));
            BufAt du = BufAt.at(u.grad(), u.offset()), dw = BufAt.at(w.grad(), w.offset());
            if (recurrentProj == null) {   // LSTM, SimpleRNN: dU, dW and the bias from one read of dGates
                be.weightGradients(rows, G, dG, H, h, du, I, x, dw, b == null ? null : BufAt.at(b.grad(), b.offset()));
            } else {   // GRU (reset_after): dU and the recurrent bias from dRecurrent, dW and the input bias from dGates
                be.weightGradients(rows, G, BufAt.at(dRecurrent, bg(from)), H, h, du, 0, null, null,
                        b == null ? null : BufAt.at(b.grad(), b.offset() + G));
                be.weightGradients(rows, G, dG, I, x, dw, 0, null, null, b == null ? null : BufAt.at(b.grad(), b.offset()));
            }
        } else if (layer.trainable()) {
            Param u = layer.recurrentKernel;
            if (recurrentDropout()) {
                drop.kernelGradient(hs, bh(from), H, drop.recurrent, dRec, from, to, u);
            } else if (resetState == null) {
                be.gemm(true, false, H, G, rows, 1f, hs, bh(from), H, dRec, bg(from), G, 1f, u.grad(), u.offset(), G);
            } else {   // z, r columns from hPrev, h columns from r * hPrev
                int zr = 2 * H;
                be.gemm(true, false, H, zr, rows, 1f, hs, bh(from), H, dGates, bg(from), G, 1f, u.grad(), u.offset(), G);
                be.gemm(true, false, H, H, rows, 1f, resetState, bh(from), H, dGates, bg(from) + zr, G, 1f, u.grad(),
                        u.offset() + zr, G);
            }
            if (inputDropout) {
                drop.kernelGradient(xT, xOff + (long) from * B * I, I, drop.input, dGates, from, to, layer.kernel);
            } else {
                be.gemm(true, false, I, G, rows, 1f, xT, xOff + (long) from * B * I, I, dGates, bg(from), G, 1f,
                        layer.kernel.grad(), layer.kernel.offset(), G);
            }
            if (layer.bias != null) {
                be.sumRows(rows, G, dGates, bg(from), layer.bias.grad(), layer.bias.offset(), true);
                if (recurrentProj != null) {
                    be.sumRows(rows, G, dRecurrent, bg(from), layer.bias.grad(), layer.bias.offset() + G, true);
                }
            }
        }
        if (dxT == null) return;
        if (inputDropout) {
            drop.inputGradient(from, to, dxT);
        } else {
            be.gemm(false, true, rows, I, G, 1f, dGates, bg(from), G, layer.kernel.value(), layer.kernel.offset(), G, 0f,
                    dxT, (long) from * B * I, I);
        }
    }

    /** {@code p} rows of steps [from, to) (processing order) = x·W + b. */
    void project(int from, int to) {
        if (to <= from) return;
        int rows = (to - from) * B;
        Param w = layer.kernel;
        if (drop != null && drop.input != null) {
            drop.project(from, to);
        } else {
            be.gemm(false, false, rows, G, I, 1f, xT, xOff + (long) from * B * I, I, w.value(), w.offset(), G, 0f, p,
                    bg(from), G);
        }
        if (layer.bias != null) be.addRowVector(rows, G, layer.bias.value(), layer.bias.offset(), p, bg(from));
    }


    /** src [B, T, f] -> dst [T, B, f] in processing order. */
    private void toTimeMajor(Buf src, int f, Buf dst) {
        if (!layer.goBackwards) {
            be.transpose01(B, T, f, src, 0, dst, 0);
        } else {
            for (int s = 0; s < T; s++) {
                int t = T - 1 - s;
                be.copy2d(B, f, src, (long) t * f, T * f, dst, (long) s * B * f, f);
            }
        }
    }

    /** src [T, B, f] in processing order -> dst [B, T, f]. */
    private void fromTimeMajor(Buf src, int f, Buf dst) {
        if (!layer.goBackwards) {
            be.transpose01(T, B, f, src, 0, dst, 0);
        } else {
            for (int s = 0; s < T; s++) {
                int t = T - 1 - s;
                be.copy2d(B, f, src, (long) s * B * f, f, dst, (long) t * f, T * f);
            }
        }
    }

    @Override
    public List<DTensor> outputs() { return List.copyOf(outputs); }

    @Override
    public DTensor outputMask() { return layer.returnSequences ? mask : null; }

    @Override
    public List<DTensor> backward(List<DTensor> dOut) { return backward(dOut, k -> true); }

    @Override
    public List<DTensor> backward(List<DTensor> dOut, IntPredicate inputGradient) {
        Layers.checkGradients(layer, dOut, outputs);
        Checks.notNull(layer.name() + ": backward", "inputGradient", inputGradient);
        try {
            prepareBackward(dOut, null, inputGradient.test(0));
            // the fused path cuts by processing step: not with a mask (tbpttKeep), so both backends agree
            boolean fused = tbpttKeep == null && !recurrentDropout() && be.recurrentSequenceBackward(config, new CellSequence.Backward(T, layer.tbptt, hasInitial,
                    recurrentKernel(), BufAt.at(cell.backwardReadsGates() ? p : null, 0), BufAt.at(recurrentProj, 0),
                    BufAt.at(hs, 0), BufAt.at(cs, 0), maskAt(0), BufAt.at(dyT, 0), BufAt.at(dHiddenNext, 0), BufAt.at(dCellNext, 0),
                    BufAt.at(dGates, 0), BufAt.at(dRecurrent, 0)));
            for (int s = T - 1; s >= 0 && !fused; s--) stepsBackward(s, s + 1);
            stepGradients(0, T, dxT);
            return finishBackward(dxT != null);
        } finally {
            releaseBackward();
        }
    }

    /**
     * Allocates the backward's buffers and takes the output gradients: dy into dyT (time-major) or, in
     * a stack, {@code externalDyT} (the layer above's dxT, already time-major), plus the state gradients.
     */
    void prepareBackward(List<DTensor> dOut, Buf externalDyT, boolean makeDx) {
        long tb = (long) T * B;
        long bhn = (long) B * H;
        // dGates, dRecurrent, dxT and dyT are written in full before they are read (by the steps, dx's product, dy's
        // transpose); the state gradients are accumulated into
        dGates = temp(be.empty(tb * G));
        if (recurrentProj != null) dRecurrent = temp(be.empty(tb * G));
        if (resetState != null) dResetState = temp(bhn);
        dHiddenNext = temp(bhn);
        dHiddenPrev = temp(bhn);
        if (cs != null) dCellNext = temp(bhn);
        dxT = makeDx ? temp(be.empty(tb * I)) : null;
        if (layer.tbptt > 0 && maskT != null && T > 1) tbpttKeep = tbpttKeep();
        if (externalDyT != null) {
            dyT = externalDyT;
            return;
        }
        DTensor dy = dOut.get(0);
        if (dy != null) {
            if (layer.returnSequences) {
                dyT = temp(be.empty(tb * H));
                be.transpose01(B, T, H, dy.buf(), 0, dyT, 0);
                // outputs before a sample's first real step are constant zeros
                if (seen != null) be.mulRows((int) tb, H, dyT, 0, seen, 0, dyT, 0);
            } else {
                be.axpy(bhn, 1f, dy.buf(), 0, dHiddenNext, 0);
                if (seen != null) be.mulRows(B, H, dHiddenNext, 0, seen, (long) (T - 1) * B, dHiddenNext, 0);
            }
        }
        if (layer.returnState) {
            if (dOut.get(1) != null) be.axpy(bhn, 1f, dOut.get(1).buf(), 0, dHiddenNext, 0);
            if (cs != null && dOut.get(2) != null) be.axpy(bhn, 1f, dOut.get(2).buf(), 0, dCellNext, 0);
        }
    }

    private Buf temp(long n) {
        return temp(be.alloc(n));
    }

    /** Frees {@code b} with the backward's other buffers. */
    private Buf temp(Buf b) {
        temps.add(b);
        return b;
    }

    /** The per-step backward of steps to-1 down to from (dGates rows and the state gradients). */
    void stepsBackward(int from, int to) {
        long bhn = (long) B * H;
        for (int s = to - 1; s >= from; s--) {
            if (tbpttKeep == null && layer.tbptt > 0 && (s + 1) % layer.tbptt == 0 && s + 1 < T) {
                be.fill(dHiddenNext, 0, bhn, 0f);
                if (dCellNext != null) be.fill(dCellNext, 0, bhn, 0f);
            }
            cell.stepBackward(this, s, dyT, dyT == null ? 0 : bh(s));
            if (tbpttKeep != null && s >= layer.tbptt) {   // per sample, windows of real steps
                be.mulRows(B, H, dHiddenPrev, 0, tbpttKeep, (long) s * B, dHiddenPrev, 0);
                if (dCellNext != null) be.mulRows(B, H, dCellNext, 0, tbpttKeep, (long) s * B, dCellNext, 0);
            }
            Buf tmp = dHiddenNext;   // this step's hPrev is the next one's h
            dHiddenNext = dHiddenPrev;
            dHiddenPrev = tmp;
        }
    }

    /** The input gradients after the loop: dx (batch-major; null when not asked), then dh0 (, dc0). */
    List<DTensor> finishBackward(boolean makeDx) {
        long bhn = (long) B * H;
        List<DTensor> grads = new ArrayList<>();
        if (makeDx) {
            DTensor dx = DTensor.zeros(be, B, T, I);
            owned.add(dx);
            fromTimeMajor(dxT, I, dx.buf());
            grads.add(dx);
        } else {
            grads.add(null);
        }
        if (hasInitial) {
            DTensor dh0 = DTensor.zeros(be, B, H);
            owned.add(dh0);
            be.copy(dHiddenNext, 0, dh0.buf(), 0, bhn);
            grads.add(dh0);
            if (cs != null) {
                DTensor dc0 = DTensor.zeros(be, B, H);
                owned.add(dc0);
                be.copy(dCellNext, 0, dc0.buf(), 0, bhn);
                grads.add(dc0);
            }
        }
        return grads;
    }

    /** Frees the backward's buffers. */
    void releaseBackward() {
        for (Buf b : temps) b.close();
        temps.clear();
        dGates = dRecurrent = dResetState = dHiddenNext = dHiddenPrev = dCellNext = dyT = dxT = tbpttKeep = null;
    }

    @Override
    public void close() {
        try {
            Cleanup.each(owned.reversed(), c -> {
                try {
                    c.close();
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(layer.name() + ": freeing a buffer failed: " + e, e);
                }
            });
        } finally {
            owned.clear();
        }
    }
}
