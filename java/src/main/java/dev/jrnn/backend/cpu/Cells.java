package dev.jrnn.backend.cpu;

import dev.jrnn.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static dev.jrnn.backend.cpu.VMath.act;
import static dev.jrnn.backend.cpu.VMath.deriv;

/**
 * The fused recurrent step kernels on arrays, for batch rows [b0, b1): vector loops over the units
 * with a scalar tail. Arguments (offsets already resolved, spans checked) come from {@link CpuBackend};
 * {@code ms == null} means no mask, {@code dys == null} no output gradient, {@code bs == null} no bias.
 */
final class Cells {
    private Cells() {}

    private static final VectorSpecies<Float> S = VMath.S;
    private static final int VL = VMath.VL;

    private static boolean masked(float[] ms, int mo, int b) { return ms != null && ms[mo + b] == 0f; }

    private static FloatVector load(float[] a, int i) { return FloatVector.fromArray(S, a, i); }

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
        int ub = S.loopBound(H);
        for (int b = b0; b < b1; b++) {
            int r = b * H;
            if (masked(ms, mo, b)) {
                System.arraycopy(hps, hpo + r, hs, ho + r, H);
                continue;
            }
            int j = 0;
            for (; j < ub; j += VL) act(a, load(ps, po + r + j)).intoArray(hs, ho + r + j);
            for (; j < H; j++) hs[ho + r + j] = act(a, ps[po + r + j]);
        }
    }

    static void rnnBackward(Activation a, int b0, int b1, int H, float[] hs, int ho, float[] dns, int dno,
                            float[] dys, int dyo, float[] ms, int mo, float[] dps, int dpo, float[] dhp, int dhpo) {
        int ub = S.loopBound(H);
        FloatVector zero = FloatVector.zero(S);
        for (int b = b0; b < b1; b++) {
            int r = b * H;
            boolean m = masked(ms, mo, b);
            int j = 0;
            for (; j < ub; j += VL) {
                FloatVector g = load(dns, dno + r + j);
                if (dys != null) g = g.add(load(dys, dyo + r + j));
                if (m) {
                    zero.intoArray(dps, dpo + r + j);
                    g.intoArray(dhp, dhpo + r + j);
                } else {
                    g.mul(deriv(a, load(hs, ho + r + j))).intoArray(dps, dpo + r + j);
                    zero.intoArray(dhp, dhpo + r + j);
                }
            }
            for (; j < H; j++) {
                float g = dns[dno + r + j] + (dys == null ? 0f : dys[dyo + r + j]);
                dps[dpo + r + j] = m ? 0f : g * deriv(a, hs[ho + r + j]);
                dhp[dhpo + r + j] = m ? g : 0f;
            }
        }
    }

    // ---------------------------------------------------------------- LSTM

    static void lstmForward(Activation act, Activation rec, int b0, int b1, int H, float[] gs, int go,
                            float[] cps, int cpo, float[] hps, int hpo, float[] ms, int mo,
                            float[] cs, int co, float[] hs, int ho) {
        int ub = S.loopBound(H);
        for (int b = b0; b < b1; b++) {
            boolean m = masked(ms, mo, b);
            int gr = go + b * 4 * H, r = b * H;
            int j = 0;
            for (; j < ub; j += VL) {
                FloatVector i = act(rec, load(gs, gr + j));
                FloatVector f = act(rec, load(gs, gr + H + j));
                FloatVector g = act(act, load(gs, gr + 2 * H + j));
                FloatVector o = act(rec, load(gs, gr + 3 * H + j));
                i.intoArray(gs, gr + j);
                f.intoArray(gs, gr + H + j);
                g.intoArray(gs, gr + 2 * H + j);
                o.intoArray(gs, gr + 3 * H + j);
                if (m) {
                    load(cps, cpo + r + j).intoArray(cs, co + r + j);
                    load(hps, hpo + r + j).intoArray(hs, ho + r + j);
                } else {
                    FloatVector c = f.mul(load(cps, cpo + r + j)).add(i.mul(g));
                    c.intoArray(cs, co + r + j);
                    o.mul(act(act, c)).intoArray(hs, ho + r + j);
                }
            }
            for (; j < H; j++) {
                float i = act(rec, gs[gr + j]), f = act(rec, gs[gr + H + j]);
                float g = act(act, gs[gr + 2 * H + j]), o = act(rec, gs[gr + 3 * H + j]);
                gs[gr + j] = i;
                gs[gr + H + j] = f;
                gs[gr + 2 * H + j] = g;
                gs[gr + 3 * H + j] = o;
                if (m) {
                    cs[co + r + j] = cps[cpo + r + j];
                    hs[ho + r + j] = hps[hpo + r + j];
                } else {
                    float c = f * cps[cpo + r + j] + i * g;
                    cs[co + r + j] = c;
                    hs[ho + r + j] = o * act(act, c);
                }
            }
        }
    }

    static void lstmBackward(Activation act, Activation rec, int b0, int b1, int H, float[] gs, int go,
                             float[] cps, int cpo, float[] cs, int co, float[] dns, int dno, float[] dys, int dyo,
                             float[] dcn, int dcno, float[] ms, int mo,
                             float[] dgs, int dgo, float[] dcp, int dcpo, float[] dhp, int dhpo) {
        int ub = S.loopBound(H);
        FloatVector zero = FloatVector.zero(S);
        for (int b = b0; b < b1; b++) {
            boolean m = masked(ms, mo, b);
            int gr = go + b * 4 * H, dgr = dgo + b * 4 * H, r = b * H;
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
                FloatVector i = load(gs, gr + j), f = load(gs, gr + H + j);
                FloatVector g = load(gs, gr + 2 * H + j), o = load(gs, gr + 3 * H + j);
                FloatVector tc = act(act, load(cs, co + r + j));
                FloatVector dc = gh.mul(o).mul(deriv(act, tc)).add(dcNext);
                dc.mul(g).mul(deriv(rec, i)).intoArray(dgs, dgr + j);
                dc.mul(load(cps, cpo + r + j)).mul(deriv(rec, f)).intoArray(dgs, dgr + H + j);
                dc.mul(i).mul(deriv(act, g)).intoArray(dgs, dgr + 2 * H + j);
                gh.mul(tc).mul(deriv(rec, o)).intoArray(dgs, dgr + 3 * H + j);
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
                float i = gs[gr + j], f = gs[gr + H + j], g = gs[gr + 2 * H + j], o = gs[gr + 3 * H + j];
                float tc = act(act, cs[co + r + j]);
                float dc = dcNext + gh * o * deriv(act, tc);
                dgs[dgr + j] = dc * g * deriv(rec, i);
                dgs[dgr + H + j] = dc * cps[cpo + r + j] * deriv(rec, f);
                dgs[dgr + 2 * H + j] = dc * i * deriv(act, g);
                dgs[dgr + 3 * H + j] = gh * tc * deriv(rec, o);
                dcp[dcpo + r + j] = dc * f;
                dhp[dhpo + r + j] = 0f;
            }
        }
    }

    // ---------------------------------------------------------------- GRU (reset_after)

    static void gruForward(Activation act, Activation rec, int b0, int b1, int H, float[] xs, int xo,
                           float[] rs, int ro, float[] bs, int bo, float[] hps, int hpo, float[] ms, int mo,
                           float[] hs, int ho) {
        int ub = S.loopBound(H);
        for (int b = b0; b < b1; b++) {
            boolean m = masked(ms, mo, b);
            int xr = xo + b * 3 * H, rr = ro + b * 3 * H, r = b * H;
            int j = 0;
            for (; j < ub; j += VL) {
                FloatVector rz = load(rs, rr + j), rrv = load(rs, rr + H + j), rh = load(rs, rr + 2 * H + j);
                if (bs != null) {
                    rz = rz.add(load(bs, bo + j));
                    rrv = rrv.add(load(bs, bo + H + j));
                    rh = rh.add(load(bs, bo + 2 * H + j));
                    rz.intoArray(rs, rr + j);
                    rrv.intoArray(rs, rr + H + j);
                    rh.intoArray(rs, rr + 2 * H + j);
                }
                FloatVector z = act(rec, load(xs, xr + j).add(rz));
                FloatVector rg = act(rec, load(xs, xr + H + j).add(rrv));
                FloatVector hh = act(act, rg.mul(rh).add(load(xs, xr + 2 * H + j)));
                z.intoArray(xs, xr + j);
                rg.intoArray(xs, xr + H + j);
                hh.intoArray(xs, xr + 2 * H + j);
                FloatVector hp = load(hps, hpo + r + j);
                (m ? hp : z.mul(hp.sub(hh)).add(hh)).intoArray(hs, ho + r + j);
            }
            for (; j < H; j++) {
                float rz = rs[rr + j], rrv = rs[rr + H + j], rh = rs[rr + 2 * H + j];
                if (bs != null) {
                    rz += bs[bo + j];
                    rrv += bs[bo + H + j];
                    rh += bs[bo + 2 * H + j];
                    rs[rr + j] = rz;
                    rs[rr + H + j] = rrv;
                    rs[rr + 2 * H + j] = rh;
                }
                float z = act(rec, xs[xr + j] + rz);
                float rg = act(rec, xs[xr + H + j] + rrv);
                float hh = act(act, xs[xr + 2 * H + j] + rg * rh);
                xs[xr + j] = z;
                xs[xr + H + j] = rg;
                xs[xr + 2 * H + j] = hh;
                float hp = hps[hpo + r + j];
                hs[ho + r + j] = m ? hp : z * (hp - hh) + hh;
            }
        }
    }

    static void gruBackward(Activation act, Activation rec, int b0, int b1, int H, float[] xs, int xo,
                            float[] rs, int ro, float[] hps, int hpo, float[] dns, int dno, float[] dys, int dyo,
                            float[] ms, int mo, float[] dxs, int dxo, float[] drs, int dro, float[] dhp, int dhpo) {
        int ub = S.loopBound(H);
        FloatVector zero = FloatVector.zero(S);
        for (int b = b0; b < b1; b++) {
            boolean m = masked(ms, mo, b);
            int xr = xo + b * 3 * H, rr = ro + b * 3 * H, dxr = dxo + b * 3 * H, drr = dro + b * 3 * H, r = b * H;
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
                FloatVector z = load(xs, xr + j), rg = load(xs, xr + H + j), hh = load(xs, xr + 2 * H + j);
                FloatVector rh = load(rs, rr + 2 * H + j), hp = load(hps, hpo + r + j);
                FloatVector dz = gh.mul(hp.sub(hh)).mul(deriv(rec, z));
                FloatVector dah = gh.mul(z.neg().add(1f)).mul(deriv(act, hh));
                FloatVector dr = dah.mul(rh).mul(deriv(rec, rg));
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
                float z = xs[xr + j], rg = xs[xr + H + j], hh = xs[xr + 2 * H + j];
                float rh = rs[rr + 2 * H + j], hp = hps[hpo + r + j];
                float dz = gh * (hp - hh) * deriv(rec, z);
                float dah = gh * (1f - z) * deriv(act, hh);
                float dr = dah * rh * deriv(rec, rg);
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
