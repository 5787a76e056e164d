package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.jrnn.backend.cpu.VMath.activatedFromKept;
import static dev.jrnn.backend.cpu.VMath.apply;
import static dev.jrnn.backend.cpu.VMath.deriv;
import static dev.jrnn.backend.cpu.VMath.keepActivated;

/**
 * The fused recurrent step kernels on arrays, for batch rows [b0, b1): vector loops over the units
 * with a scalar tail. Arguments (offsets already resolved, spans checked) come from {@link CpuBackend};
 * {@code ms == null} means no mask, {@code dys == null} no output gradient, {@code bs == null} no bias.
 * The gates are activated in place, except with gelu, swish, mish... ({@link Activation#needsInput()}): then the row's
 * activated gates go to a row buffer {@code v} and the gate buffer keeps those gates' pre-activations
 * ({@link VMath#keepActivated}), as the CUDA kernels do (cell_math.cuh); that row buffer is allocated per call (only
 * with those).
 */
final class Cells {
    private Cells() {}

    private static final VectorSpecies<Float> S = VMath.S;
    private static final int VL = VMath.VL;

    private static boolean masked(float[] ms, int mo, int b) { return ms != null && ms[mo + b] == 0f; }

    /** Whether a gate keeps its pre-activation (gelu, swish, mish...) rather than being activated in place. */
    private static boolean keepsInput(Activation act, Activation rec) { return act.needsInput() || rec.needsInput(); }

    private static FloatVector load(float[] a, int i) { return FloatVector.fromArray(S, a, i); }

    /**
     * The backward kernels' per-row scratch: {@code given} (at least n floats, kept by a caller that runs
     * many steps) or, when null, a new array.
     */
    static float[] scratch(float[] given, int n) { return given != null ? given : new float[n]; }

    /** Splits the batch over the cores when a step is big enough to pay for it. */
    interface Rows { void run(int b0, int b1); }

    static void forRows(int batch, long workPerRow, Rows body) {
        int parts = Parallel.partsFor(batch * workPerRow);
        parts = Math.min(parts, batch);
        if (parts <= 1) {
            body.run(0, batch);
            return;
        }
        int chunk = (batch + parts - 1) / parts;
        Parallel.run(parts, i -> body.run(Math.min(batch, i * chunk), Math.min(batch, (i + 1) * chunk)));
    }

    // ---------------------------------------------------------------- SimpleRNN

    static void rnnForward(Activation a, int b0, int b1, int H, float[] ps, int po, float[] hps, int hpo,
                           float[] ms, int mo, float[] hs, int ho) {
        if (ms == null && H % VL == 0) {   // one pass over the whole block of rows: every value in a vector lane, as per row
            apply(a, ps, po + b0 * H, hs, ho + b0 * H, (b1 - b0) * H);
            return;
        }
        // row by row otherwise: a row's tail is computed by the scalar function wherever the row sits, so a sample's
        // output does not depend on the batch it came in (a block pass would put other rows' values in the tail)
        for (int b = b0; b < b1; b++) {
            int r = b * H;
            if (masked(ms, mo, b)) System.arraycopy(hps, hpo + r, hs, ho + r, H);
            else apply(a, ps, po + r, hs, ho + r, H);
        }
    }

    static void rnnBackward(Activation a, int b0, int b1, int H, float[] hs, int ho, float[] dns, int dno,
                            float[] dys, int dyo, float[] ms, int mo, float[] dps, int dpo, float[] dhp, int dhpo,
                            float[] scratch) {
        int ub = S.loopBound(H);
        FloatVector zero = FloatVector.zero(S);
        float[] d = scratch(scratch, H);   // act'(h) of the current row
        boolean inline = VMath.derivFromOutput(a);   // act' from h in the loop below, not through d
        for (int b = b0; b < b1; b++) {
            int r = b * H;
            boolean m = masked(ms, mo, b);
            if (!m) {
                if (inline) {
                    for (int j = ub; j < H; j++) d[j] = VMath.deriv(a, hs[ho + r + j]);   // the tail only
                } else {
                    deriv(a, hs, ho + r, d, 0, H);
                }
            }
            int j = 0;
            for (; j < ub; j += VL) {
                FloatVector g = load(dns, dno + r + j);
                if (dys != null) g = g.add(load(dys, dyo + r + j));
                if (m) {
                    zero.intoArray(dps, dpo + r + j);
                    g.intoArray(dhp, dhpo + r + j);
                } else {
                    FloatVector dv = inline ? VMath.derivFromOutput(a, load(hs, ho + r + j)) : load(d, j);
                    g.mul(dv).intoArray(dps, dpo + r + j);
                    zero.intoArray(dhp, dhpo + r + j);
                }
            }
            for (; j < H; j++) {
                float g = dns[dno + r + j] + (dys == null ? 0f : dys[dyo + r + j]);
                dps[dpo + r + j] = m ? 0f : g * d[j];
                dhp[dhpo + r + j] = m ? g : 0f;
            }
        }
    }

    // ---------------------------------------------------------------- LSTM

    static void lstmForward(Activation act, Activation rec, int b0, int b1, int H, float[] gs, int go,
                            float[] cps, int cpo, float[] hps, int hpo, float[] ms, int mo,
                            float[] cs, int co, float[] hs, int ho) {
        int ub = S.loopBound(H);
        float[] v = keepsInput(act, rec) ? new float[4 * H] : null;   // the row's activated gates
        for (int b = b0; b < b1; b++) {
            int gr = go + b * 4 * H, r = b * H;
            // i and f are adjacent, then g, then o
            float[] va = v == null ? gs : v;
            int vo = v == null ? gr : 0;
            apply(rec, gs, gr, va, vo, 2 * H);
            apply(act, gs, gr + 2 * H, va, vo + 2 * H, H);
            apply(rec, gs, gr + 3 * H, va, vo + 3 * H, H);
            if (v != null) {
                keepActivated(rec, v, 0, gs, gr, 2 * H);
                keepActivated(act, v, 2 * H, gs, gr + 2 * H, H);
                keepActivated(rec, v, 3 * H, gs, gr + 3 * H, H);
            }
            if (masked(ms, mo, b)) {
                System.arraycopy(cps, cpo + r, cs, co + r, H);
                System.arraycopy(hps, hpo + r, hs, ho + r, H);
                continue;
            }
            int j = 0;
            for (; j < ub; j += VL) {
                FloatVector c = load(va, vo + H + j).mul(load(cps, cpo + r + j)).add(load(va, vo + j).mul(load(va, vo + 2 * H + j)));
                c.intoArray(cs, co + r + j);
            }
            for (; j < H; j++) cs[co + r + j] = va[vo + H + j] * cps[cpo + r + j] + va[vo + j] * va[vo + 2 * H + j];
            apply(act, cs, co + r, hs, ho + r, H);
            j = 0;
            for (; j < ub; j += VL) load(hs, ho + r + j).mul(load(va, vo + 3 * H + j)).intoArray(hs, ho + r + j);
            for (; j < H; j++) hs[ho + r + j] *= va[vo + 3 * H + j];
        }
    }

    static void lstmBackward(Activation act, Activation rec, int b0, int b1, int H, float[] gs, int go,
                             float[] cps, int cpo, float[] cs, int co, float[] dns, int dno, float[] dys, int dyo,
                             float[] dcn, int dcno, float[] ms, int mo,
                             float[] dgs, int dgo, float[] dcp, int dcpo, float[] dhp, int dhpo, float[] scratch) {
        int ub = S.loopBound(H);
        FloatVector zero = FloatVector.zero(S);
        // scratch of the current row: [act(c) | act'(c) | i' | f' | g' | o']
        float[] w = scratch(scratch, 6 * H);
        int TC = 0, DTC = H, DI = 2 * H, DF = 3 * H, DG = 4 * H, DO = 5 * H;
        float[] v = keepsInput(act, rec) ? new float[4 * H] : null;   // the row's activated gates
        // tanh/sigmoid with whole vectors: the derivatives from the outputs inside the loop below, not through w
        boolean inline = H == ub && VMath.derivFromOutput(act) && VMath.derivFromOutput(rec);
        for (int b = b0; b < b1; b++) {
            boolean m = masked(ms, mo, b);
            int gr = go + b * 4 * H, dgr = dgo + b * 4 * H, r = b * H;
            float[] va = v == null ? gs : v;
            int vo = v == null ? gr : 0;
            if (!m) {
                if (v != null) {
                    activatedFromKept(rec, gs, gr, v, 0, 2 * H);
                    activatedFromKept(act, gs, gr + 2 * H, v, 2 * H, H);
                    activatedFromKept(rec, gs, gr + 3 * H, v, 3 * H, H);
                }
                apply(act, cs, co + r, w, TC, H);
                if (!inline) {
                    if (act.needsInput()) deriv(act, cs, co + r, w, DTC, H);
                    else deriv(act, w, TC, w, DTC, H);
                    deriv(rec, gs, gr, w, DI, 2 * H);          // i', f'
                    deriv(act, gs, gr + 2 * H, w, DG, H);
                    deriv(rec, gs, gr + 3 * H, w, DO, H);
                }
            }
            int j = 0;
            for (; j < ub; j += VL) {
                FloatVector gh = load(dns, dno + r + j);
                if (dys != null) gh = gh.add(load(dys, dyo + r + j));
                FloatVector dcNext = load(dcn, dcno + r + j);
                if (m) {
                    zero.intoArray(dgs, dgr + j);
                    zero.intoArray(dgs, dgr + H + j);
                    zero.intoArray(dgs, dgr + 2 * H + j);
                    zero.intoArray(dgs, dgr + 3 * H + j);
                    dcNext.intoArray(dcp, dcpo + r + j);
                    gh.intoArray(dhp, dhpo + r + j);
                    continue;
                }
                FloatVector i = load(va, vo + j), f = load(va, vo + H + j);
                FloatVector g = load(va, vo + 2 * H + j), o = load(va, vo + 3 * H + j);
                FloatVector tc = load(w, TC + j);
                FloatVector dtc = inline ? VMath.derivFromOutput(act, tc) : load(w, DTC + j);
                FloatVector di = inline ? VMath.derivFromOutput(rec, i) : load(w, DI + j);
                FloatVector df = inline ? VMath.derivFromOutput(rec, f) : load(w, DF + j);
                FloatVector dg = inline ? VMath.derivFromOutput(act, g) : load(w, DG + j);
                FloatVector dO = inline ? VMath.derivFromOutput(rec, o) : load(w, DO + j);
                FloatVector dc = gh.mul(o).mul(dtc).add(dcNext);
                dc.mul(g).mul(di).intoArray(dgs, dgr + j);
                dc.mul(load(cps, cpo + r + j)).mul(df).intoArray(dgs, dgr + H + j);
                dc.mul(i).mul(dg).intoArray(dgs, dgr + 2 * H + j);
                gh.mul(tc).mul(dO).intoArray(dgs, dgr + 3 * H + j);
                dc.mul(f).intoArray(dcp, dcpo + r + j);
                zero.intoArray(dhp, dhpo + r + j);
            }
            for (; j < H; j++) {
                float gh = dns[dno + r + j] + (dys == null ? 0f : dys[dyo + r + j]);
                float dcNext = dcn[dcno + r + j];
                if (m) {
                    dgs[dgr + j] = 0f;
                    dgs[dgr + H + j] = 0f;
                    dgs[dgr + 2 * H + j] = 0f;
                    dgs[dgr + 3 * H + j] = 0f;
                    dcp[dcpo + r + j] = dcNext;
                    dhp[dhpo + r + j] = gh;
                    continue;
                }
                float i = va[vo + j], f = va[vo + H + j], g = va[vo + 2 * H + j], o = va[vo + 3 * H + j];
                float dc = dcNext + gh * o * w[DTC + j];
                dgs[dgr + j] = dc * g * w[DI + j];
                dgs[dgr + H + j] = dc * cps[cpo + r + j] * w[DF + j];
                dgs[dgr + 2 * H + j] = dc * i * w[DG + j];
                dgs[dgr + 3 * H + j] = gh * w[TC + j] * w[DO + j];
                dcp[dcpo + r + j] = dc * f;
                dhp[dhpo + r + j] = 0f;
            }
        }
    }

    // ---------------------------------------------------------------- GRU (reset_after)

    static void gruForward(Activation act, Activation rec, int b0, int b1, int H, float[] xs, int xo,
                           float[] rs, int ro, float[] bs, int bo, float[] hps, int hpo, float[] ms, int mo,
                           float[] hs, int ho) {
        int ub = S.loopBound(H), ub2 = S.loopBound(2 * H);
        float[] v = keepsInput(act, rec) ? new float[3 * H] : null;   // the row's activated z, r, hh
        for (int b = b0; b < b1; b++) {
            int xr = xo + b * 3 * H, rr = ro + b * 3 * H;
            float[] va = v == null ? xs : v;
            int vo = v == null ? xr : 0;
            if (bs != null) {   // rp += bRec, kept for backward
                int j = 0;
                for (int ub3 = S.loopBound(3 * H); j < ub3; j += VL) load(rs, rr + j).add(load(bs, bo + j)).intoArray(rs, rr + j);
                for (; j < 3 * H; j++) rs[rr + j] += bs[bo + j];
            }
            // z, r (adjacent): xp += rp, then the recurrent activation
            int j = 0;
            for (; j < ub2; j += VL) load(xs, xr + j).add(load(rs, rr + j)).intoArray(xs, xr + j);
            for (; j < 2 * H; j++) xs[xr + j] += rs[rr + j];
            apply(rec, xs, xr, va, vo, 2 * H);
            if (v != null) keepActivated(rec, v, 0, xs, xr, 2 * H);
            // hh = act(xh + r * rh)
            j = 0;
            for (; j < ub; j += VL) {
                Fma.fma(load(va, vo + H + j), load(rs, rr + 2 * H + j), load(xs, xr + 2 * H + j)).intoArray(xs, xr + 2 * H + j);
            }
            for (; j < H; j++) xs[xr + 2 * H + j] += va[vo + H + j] * rs[rr + 2 * H + j];
            gruOutput(act, b, H, xs, xr, va, vo, hps, hpo, ms, mo, hs, ho);
        }
    }

    /**
     * Row b of a GRU step from its activated z at va[vo..] and the candidate's pre-activation at xs[xr + 2H..]:
     * hh = act(.) into va[vo + 2H..] (kept in xs), then h = z * hPrev + (1 - z) * hh, or hPrev for a masked row.
     * {@code va, vo} is {@code xs, xr} itself when no gate keeps its input.
     */
    private static void gruOutput(Activation act, int b, int H, float[] xs, int xr, float[] va, int vo, float[] hps,
                                  int hpo, float[] ms, int mo, float[] hs, int ho) {
        int r = b * H, ub = S.loopBound(H);
        apply(act, xs, xr + 2 * H, va, vo + 2 * H, H);
        if (va != xs) keepActivated(act, va, vo + 2 * H, xs, xr + 2 * H, H);
        if (masked(ms, mo, b)) {
            System.arraycopy(hps, hpo + r, hs, ho + r, H);
            return;
        }
        // h = z * hPrev + (1 - z) * hh as Keras writes it: z * (hPrev - hh) + hh is NaN for an infinite hh
        int j = 0;
        for (; j < ub; j += VL) {
            FloatVector z = load(va, vo + j);
            z.neg().add(1f).mul(load(va, vo + 2 * H + j)).add(z.mul(load(hps, hpo + r + j))).intoArray(hs, ho + r + j);
        }
        for (; j < H; j++) {
            float z = va[vo + j];
            hs[ho + r + j] = z * hps[hpo + r + j] + (1f - z) * va[vo + 2 * H + j];
        }
    }

    // ---------------------------------------------------------------- GRU reset-before (Keras reset_after=False)
    // One step in two halves around the GEMM resetState · U_h (CpuRecurrent runs it): the gates, then the output.

    /** z, r = recAct(xp[:, :2H]) kept in place (hPrev·U_zr already added); resetState = r * hPrev. */
    static void gruResetGates(Activation rec, int b0, int b1, int H, float[] xs, int xo, float[] hps, int hpo,
                              float[] rss, int rso) {
        int ub = S.loopBound(H);
        float[] v = rec.needsInput() ? new float[2 * H] : null;   // the row's activated z, r
        for (int b = b0; b < b1; b++) {
            int xr = xo + b * 3 * H, r = b * H;
            float[] va = v == null ? xs : v;
            int vo = v == null ? xr : 0;
            apply(rec, xs, xr, va, vo, 2 * H);
            if (v != null) keepActivated(rec, v, 0, xs, xr, 2 * H);
            int j = 0;
            for (; j < ub; j += VL) load(va, vo + H + j).mul(load(hps, hpo + r + j)).intoArray(rss, rso + r + j);
            for (; j < H; j++) rss[rso + r + j] = va[vo + H + j] * hps[hpo + r + j];
        }
    }

    /** hh = act(xp[:, 2H:]) kept in place (resetState · U_h already added), h = z * hPrev + (1 - z) * hh; masked: hPrev. */
    static void gruResetOutput(Activation act, Activation rec, int b0, int b1, int H, float[] xs, int xo, float[] hps,
                               int hpo, float[] ms, int mo, float[] hs, int ho) {
        float[] v = keepsInput(act, rec) ? new float[3 * H] : null;   // the row's activated z, (r unused), hh
        for (int b = b0; b < b1; b++) {
            int xr = xo + b * 3 * H;
            if (v != null) activatedFromKept(rec, xs, xr, v, 0, H);
            gruOutput(act, b, H, xs, xr, v == null ? xs : v, v == null ? xr : 0, hps, hpo, ms, mo, hs, ho);
        }
    }

    /**
     * First half of the backward: g = dhNext + dy, dz = g * (hPrev - hh) * recAct'(z), dh = g * (1 - z) * act'(hh)
     * into dxp's z and h columns (r: 0 for now), dhPrev = g * z. Masked rows: dxp = 0, dhPrev = g.
     */
    static void gruResetBackwardOutput(Activation act, Activation rec, int b0, int b1, int H, float[] xs, int xo,
                                       float[] hps, int hpo, float[] dns, int dno, float[] dys, int dyo, float[] ms,
                                       int mo, float[] dxs, int dxo, float[] dhp, int dhpo) {
        float[] w = new float[3 * H];   // z' | (unused) | hh' of the current row
        float[] v = keepsInput(act, rec) ? new float[3 * H] : null;   // the row's activated z, (unused), hh
        for (int b = b0; b < b1; b++) {
            int xr = xo + b * 3 * H, dxr = dxo + b * 3 * H, r = b * H;
            boolean m = masked(ms, mo, b);
            float[] va = v == null ? xs : v;
            int vo = v == null ? xr : 0;
            if (!m) {
                deriv(rec, xs, xr, w, 0, H);
                deriv(act, xs, xr + 2 * H, w, 2 * H, H);
                if (v != null) {
                    activatedFromKept(rec, xs, xr, v, 0, H);
                    activatedFromKept(act, xs, xr + 2 * H, v, 2 * H, H);
                }
            }
            for (int j = 0; j < H; j++) {
                float g = dns[dno + r + j] + (dys == null ? 0f : dys[dyo + r + j]);
                dxs[dxr + H + j] = 0f;
                if (m) {
                    dxs[dxr + j] = 0f;
                    dxs[dxr + 2 * H + j] = 0f;
                    dhp[dhpo + r + j] = g;
                    continue;
                }
                float z = va[vo + j], hh = va[vo + 2 * H + j];
                dxs[dxr + j] = g * (hps[hpo + r + j] - hh) * w[j];
                dxs[dxr + 2 * H + j] = g * (1f - z) * w[2 * H + j];
                dhp[dhpo + r + j] = g * z;
            }
        }
    }

    /**
     * Second half, from dResetState = dh · U_h^T: dr = dResetState * hPrev * recAct'(r) into dxp's r column,
     * dhPrev += dResetState * r. Masked rows are left as the first half wrote them.
     */
    static void gruResetBackwardGate(Activation rec, int b0, int b1, int H, float[] xs, int xo, float[] hps, int hpo,
                                     float[] drs, int dro, float[] ms, int mo, float[] dxs, int dxo, float[] dhp,
                                     int dhpo) {
        float[] w = new float[H];   // r' of the current row
        float[] v = rec.needsInput() ? new float[H] : null;   // the row's activated r
        for (int b = b0; b < b1; b++) {
            if (masked(ms, mo, b)) continue;
            int xr = xo + b * 3 * H, dxr = dxo + b * 3 * H, r = b * H;
            deriv(rec, xs, xr + H, w, 0, H);
            if (v != null) activatedFromKept(rec, xs, xr + H, v, 0, H);
            float[] va = v == null ? xs : v;
            int vo = v == null ? xr + H : 0;
            for (int j = 0; j < H; j++) {
                float d = drs[dro + r + j];
                dxs[dxr + H + j] = d * hps[hpo + r + j] * w[j];
                dhp[dhpo + r + j] += d * va[vo + j];
            }
        }
    }

    static void gruBackward(Activation act, Activation rec, int b0, int b1, int H, float[] xs, int xo,
                            float[] rs, int ro, float[] hps, int hpo, float[] dns, int dno, float[] dys, int dyo,
                            float[] ms, int mo, float[] dxs, int dxo, float[] drs, int dro, float[] dhp, int dhpo,
                            float[] scratch) {
        int ub = S.loopBound(H);
        FloatVector zero = FloatVector.zero(S);
        float[] w = scratch(scratch, 3 * H);   // z', r', hh' of the current row
        float[] v = keepsInput(act, rec) ? new float[3 * H] : null;   // the row's activated z, r, hh
        // tanh/sigmoid with whole vectors: the derivatives from the outputs inside the loop below, not through w
        boolean inline = H == ub && VMath.derivFromOutput(act) && VMath.derivFromOutput(rec);
        for (int b = b0; b < b1; b++) {
            boolean m = masked(ms, mo, b);
            int xr = xo + b * 3 * H, rr = ro + b * 3 * H, dxr = dxo + b * 3 * H, drr = dro + b * 3 * H, r = b * H;
            float[] va = v == null ? xs : v;
            int vo = v == null ? xr : 0;
            if (!m && !inline) {
                deriv(rec, xs, xr, w, 0, 2 * H);
                deriv(act, xs, xr + 2 * H, w, 2 * H, H);
                if (v != null) {
                    activatedFromKept(rec, xs, xr, v, 0, 2 * H);
                    activatedFromKept(act, xs, xr + 2 * H, v, 2 * H, H);
                }
            }
            int j = 0;
            for (; j < ub; j += VL) {
                FloatVector gh = load(dns, dno + r + j);
                if (dys != null) gh = gh.add(load(dys, dyo + r + j));
                if (m) {
                    zero.intoArray(dxs, dxr + j);
                    zero.intoArray(dxs, dxr + H + j);
                    zero.intoArray(dxs, dxr + 2 * H + j);
                    zero.intoArray(drs, drr + j);
                    zero.intoArray(drs, drr + H + j);
                    zero.intoArray(drs, drr + 2 * H + j);
                    gh.intoArray(dhp, dhpo + r + j);
                    continue;
                }
                FloatVector z = load(va, vo + j), rg = load(va, vo + H + j), hh = load(va, vo + 2 * H + j);
                FloatVector rh = load(rs, rr + 2 * H + j), hp = load(hps, hpo + r + j);
                FloatVector dzs = inline ? VMath.derivFromOutput(rec, z) : load(w, j);
                FloatVector drs0 = inline ? VMath.derivFromOutput(rec, rg) : load(w, H + j);
                FloatVector dhs = inline ? VMath.derivFromOutput(act, hh) : load(w, 2 * H + j);
                FloatVector dz = gh.mul(hp.sub(hh)).mul(dzs);
                FloatVector dah = gh.mul(z.neg().add(1f)).mul(dhs);
                FloatVector dr = dah.mul(rh).mul(drs0);
                dz.intoArray(dxs, dxr + j);
                dr.intoArray(dxs, dxr + H + j);
                dah.intoArray(dxs, dxr + 2 * H + j);
                dz.intoArray(drs, drr + j);
                dr.intoArray(drs, drr + H + j);
                dah.mul(rg).intoArray(drs, drr + 2 * H + j);
                gh.mul(z).intoArray(dhp, dhpo + r + j);
            }
            for (; j < H; j++) {
                float gh = dns[dno + r + j] + (dys == null ? 0f : dys[dyo + r + j]);
                if (m) {
                    dxs[dxr + j] = 0f; dxs[dxr + H + j] = 0f; dxs[dxr + 2 * H + j] = 0f;
                    drs[drr + j] = 0f; drs[drr + H + j] = 0f; drs[drr + 2 * H + j] = 0f;
                    dhp[dhpo + r + j] = gh;
                    continue;
                }
                float z = va[vo + j], rg = va[vo + H + j], hh = va[vo + 2 * H + j];
                float rh = rs[rr + 2 * H + j], hp = hps[hpo + r + j];
                float dz = gh * (hp - hh) * w[j];
                float dah = gh * (1f - z) * w[2 * H + j];
                float dr = dah * rh * w[H + j];
                dxs[dxr + j] = dz;
                dxs[dxr + H + j] = dr;
                dxs[dxr + 2 * H + j] = dah;
                drs[drr + j] = dz;
                drs[drr + H + j] = dr;
                drs[drr + 2 * H + j] = dah * rg;
                dhp[dhpo + r + j] = gh * z;
            }
        }
    }
}
