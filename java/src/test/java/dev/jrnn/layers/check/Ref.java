package dev.jrnn.layers.check;

import java.util.ArrayList;
import java.util.List;

/**
 * Float64 reference implementations of the layers, written as plain loops from the Keras equations
 * and sharing no code with jrnn. All arrays are flat, row-major, batch first:
 * x [B, T, I], kernels [I, G], recurrent kernels [H, G], masks [B, T] (1 = real step, 0 = padded).
 *
 * <p>Recurrent cells (gate order as Keras):
 * <ul>
 *   <li>SimpleRNN: h = act(x W + h' U + b)</li>
 *   <li>LSTM (i, f, c, o): i = s(.), f = s(.), g = act(.), o = s(.); c = f c' + i g; h = o act(c)</li>
 *   <li>GRU reset_after (z, r, h): z = s(xW_z + b_z + h'U_z + br_z), r likewise,
 *       hh = act(xW_h + b_h + r (h'U_h + br_h)), h = z h' + (1 - z) hh</li>
 *   <li>GRU reset-before (Keras reset_after=False, one bias): z, r as above without br,
 *       hh = act(xW_h + b_h + (r h')U_h)</li>
 * </ul>
 * A masked step carries the state unchanged and repeats the previous output, where the output before a
 * sample's first real step is zero (Keras' RNN loop starts its previous output at zeros, its states at
 * the initial state): with an initial state, leading masked steps output 0, not h0. goBackwards walks
 * t = T-1 .. 0 and returns the sequence in processing order. Truncated BPTT (k) detaches the state
 * entering processing steps k, 2k, ... through {@link Tape#cut}, so central differences of a
 * replayed forward give exactly the truncated gradient; {@link #rnnBackward} is the hand-derived
 * analytic (truncated) BPTT in float64.
 */
final class Ref {
    private Ref() {}

    // ------------------------------------------------------------------ activations

    static double act(String a, double x) {
        return switch (a) {
            case "tanh" -> Math.tanh(x);
            case "sigmoid" -> 1.0 / (1.0 + Math.exp(-x));
            case "relu" -> x > 0 ? x : 0.0;
            case "linear" -> x;
            case "hard_sigmoid_keras2" -> Math.max(0, Math.min(1, 0.2 * x + 0.5));   // Keras 2 definition
            // values checked against tables in backend/ActivationTest; the derivatives here against central differences
            case "gelu", "swish" -> dev.jrnn.backend.Activation.of(a).apply(x);
            // Keras 3's, from keras/src/ops/nn.py with its default arguments
            case "relu6" -> Math.min(Math.max(x, 0), 6);
            case "mish" -> x * Math.tanh(Math.log1p(Math.exp(x)));
            case "hard_silu" -> x * Math.min(Math.max(x + 3, 0), 6) / 6;
            case "celu" -> x >= 0 ? x : Math.exp(x) - 1;
            case "log_sigmoid" -> -Math.log1p(Math.exp(-x));
            case "hard_tanh" -> Math.min(Math.max(x, -1), 1);
            case "tanh_shrink" -> x - Math.tanh(x);
            case "soft_shrink" -> x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0;
            case "hard_shrink" -> Math.abs(x) > 0.5 ? x : 0;
            case "squareplus" -> (x + Math.sqrt(x * x + 4)) / 2;
            case "sparse_plus" -> x <= -1 ? 0 : x >= 1 ? x : (x + 1) * (x + 1) / 4;
            case "sparse_sigmoid" -> x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
            default -> throw new IllegalArgumentException("Ref: activation " + a);
        };
    }

    /** Derivative at the pre-activation x. */
    static double dact(String a, double x) {
        return switch (a) {
            case "tanh" -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
            case "sigmoid" -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1 - s);
            }
            case "relu" -> x > 0 ? 1.0 : 0.0;
            case "linear" -> 1.0;
            case "hard_sigmoid_keras2" -> (x > -2.5 && x < 2.5) ? 0.2 : 0.0;
            case "gelu", "swish" -> dev.jrnn.backend.Activation.of(a).derivFromInput(x);
            case "relu6" -> x > 0 && x < 6 ? 1 : 0;
            case "mish" -> {
                double sp = Math.log1p(Math.exp(x)), t = Math.tanh(sp);
                yield t + x * (1 - t * t) / (1 + Math.exp(-x));
            }
            case "hard_silu" -> x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5;
            case "celu" -> x >= 0 ? 1 : Math.exp(x);
            case "log_sigmoid" -> 1 / (1 + Math.exp(x));
            case "hard_tanh" -> Math.abs(x) < 1 ? 1 : 0;
            case "tanh_shrink" -> Math.tanh(x) * Math.tanh(x);
            case "soft_shrink", "hard_shrink" -> Math.abs(x) > 0.5 ? 1 : 0;
            case "squareplus" -> 0.5 + x / (2 * Math.sqrt(x * x + 4));
            case "sparse_plus" -> x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
            case "sparse_sigmoid" -> Math.abs(x) < 1 ? 0.5 : 0;
            default -> throw new IllegalArgumentException("Ref: activation " + a);
        };
    }

    // ------------------------------------------------------------------ stop-gradient tape

    /**
     * Stop-gradient for central differences: a recording run stores the values passed to {@link #cut};
     * a replay run returns the stored values instead, so they act as constants under perturbation.
     * At the unperturbed point both runs are identical.
     */
    static final class Tape {
        private final List<double[]> saved;
        private final boolean replay;
        private int cursor;

        private Tape(List<double[]> saved, boolean replay) {
            this.saved = saved;
            this.replay = replay;
        }

        static Tape recording() { return new Tape(new ArrayList<>(), false); }

        /** A replay of what this (recording) tape stored. */
        Tape replay() { return new Tape(saved, true); }

        double[] cut(double[] v) {
            if (!replay) {
                saved.add(v.clone());
                return v;
            }
            if (cursor >= saved.size()) throw new IllegalStateException("Tape: replay ran past the recording");
            return saved.get(cursor++).clone();
        }

        int size() { return saved.size(); }
    }

    // ------------------------------------------------------------------ recurrent layers

    enum Cell {
        SIMPLE_RNN(1), LSTM(4), GRU(3), GRU_RESET_BEFORE(3);

        final int gates;

        Cell(int g) { this.gates = g; }
    }

    /** Options of a recurrent layer, as the jrnn/Keras layer has them. */
    record Rnn(Cell cell, int units, String act, String recAct, boolean useBias, boolean returnSequences,
               boolean returnState, boolean goBackwards, int tbptt) {
        Rnn withGoBackwards(boolean g) {
            return new Rnn(cell, units, act, recAct, useBias, returnSequences, returnState, g, tbptt);
        }

        int nStates() { return cell == Cell.LSTM ? 2 : 1; }

        /** Bias length: G, or 2G for GRU (input row then recurrent row). */
        int biasSize() { return cell == Cell.GRU ? 2 * cell.gates * units : cell.gates * units; }
    }

    /** Everything one recurrent forward computed, kept for {@link #rnnBackward}. */
    static final class RnnRun {
        Rnn s;
        int b, t, in;
        double[] x, w, u, bias, mask;
        int[][] before;   // [T][B]: the sample's real steps before processing step j
        double[][] hPrev, cPrev;   // [j] state entering processing step j, [B*H]
        boolean[][] live;          // [b][j]: the output at processing step j is the state (else the constant 0)
        List<double[]> outputs;    // y, then h (and c) when returnState
        double[][] dropIn, dropRec; // dropout masks [k][B*I] / recurrent [k][B*H] (k: one per gate block, or one), or null
    }

    /**
     * Recurrent forward. {@code h0}/{@code c0} (nullable: zeros), {@code bias} null without bias,
     * {@code mask} nullable, {@code tape} nullable (no truncation bookkeeping needed when tbptt = 0).
     */
    static RnnRun rnn(Rnn s, int B, int T, int I, double[] x, double[] W, double[] U, double[] bias,
                      double[] h0, double[] c0, double[] mask, Tape tape) {
        return rnn(s, B, T, I, x, W, U, bias, h0, c0, mask, tape, false);
    }

    /**
     * Where outputs are the state: Keras' loop starts the previous output at 0, so before a sample's first
     * real step (processing order) its output is 0; with zero_output_for_mask every masked step outputs 0.
     */
    static boolean[][] liveOutputs(Rnn s, double[] mask, int B, int T, boolean zeroOutputForMask) {
        boolean[][] live = new boolean[B][T];
        for (int b = 0; b < B; b++) {
            boolean any = false;
            for (int j = 0; j < T; j++) {
                int t = s.goBackwards() ? T - 1 - j : j;
                boolean real = mask == null || mask[b * T + t] != 0;
                any |= real;
                live[b][j] = zeroOutputForMask ? real : any;
            }
        }
        return live;
    }

    /** [T][B]: how many real steps sample b had before processing step j. */
    static int[][] realBefore(Rnn s, double[] mask, int B, int T) {
        int[][] n = new int[T][B];
        for (int j = 1; j < T; j++) {
            int t = s.goBackwards() ? T - j : j - 1;   // step j - 1 in input time
            for (int b = 0; b < B; b++) n[j][b] = n[j - 1][b] + (mask == null || mask[b * T + t] != 0 ? 1 : 0);
        }
        return n;
    }

    /**
     * tbptt = k: sample b's incoming state is cut before processing step j when j is one of its real steps
     * and its real steps before j are a positive multiple of k (windows count real steps, so padding never
     * moves a cut).
     */
    static boolean cutBefore(Rnn s, double[] mask, int[][] before, int B, int T, int b, int j) {
        if (s.tbptt() <= 0) return false;
        int t = s.goBackwards() ? T - 1 - j : j;
        boolean real = mask == null || mask[b * T + t] != 0;
        return real && before[j][b] > 0 && before[j][b] % s.tbptt() == 0;
    }

    /** {@code live} with the rows of the samples cut before step j taken from {@code cut} (the tape's constants). */
    private static double[] cutRows(Rnn s, double[] mask, int[][] before, int B, int T, int j, double[] live, double[] cut) {
        double[] r = live.clone();
        int H = s.units();
        for (int b = 0; b < B; b++) {
            if (cutBefore(s, mask, before, B, T, b, j)) System.arraycopy(cut, b * H, r, b * H, H);
        }
        return r;
    }

    /** {@link #rnn} with Keras' zero_output_for_mask. */
    static RnnRun rnn(Rnn s, int B, int T, int I, double[] x, double[] W, double[] U, double[] bias,
                      double[] h0, double[] c0, double[] mask, Tape tape, boolean zeroOutputForMask) {
        return rnn(s, B, T, I, x, W, U, bias, h0, c0, mask, tape, zeroOutputForMask, null, null);
    }

    /**
     * {@link #rnn} with Keras' dropout masks: {@code dropIn[k]} [B, I] multiplies the input and {@code dropRec[k]}
     * [B, H] the previous state in the products with the kernels' gate block k (of {@code G / masks} columns),
     * the same at every step (either nullable).
     */
    static RnnRun rnn(Rnn s, int B, int T, int I, double[] x, double[] W, double[] U, double[] bias,
                      double[] h0, double[] c0, double[] mask, Tape tape, boolean zeroOutputForMask,
                      double[][] dropIn, double[][] dropRec) {
        int H = s.units(), G = s.cell().gates * H;
        check(x, B * T * I, "x");
        check(W, I * G, "kernel");
        check(U, H * G, "recurrent_kernel");
        if (s.useBias()) check(bias, s.biasSize(), "bias");
        double[] h = h0 != null ? check(h0, B * H, "h0").clone() : new double[B * H];
        double[] c = s.cell() == Cell.LSTM ? (c0 != null ? check(c0, B * H, "c0").clone() : new double[B * H]) : null;
        RnnRun run = new RnnRun();
        run.s = s;
        run.b = B;
        run.t = T;
        run.in = I;
        run.x = x;
        run.w = W;
        run.u = U;
        run.bias = s.useBias() ? bias : null;
        run.mask = mask;
        run.dropIn = dropIn;
        run.dropRec = dropRec;
        run.before = realBefore(s, mask, B, T);
        run.hPrev = new double[T][];
        run.cPrev = new double[T][];
        double[] ySeq = s.returnSequences() ? new double[B * T * H] : null;
        // The previous output starts at zeros: a sample outputs 0 until its first real step, then the carried
        // state h (equal to Keras' carried output; with tbptt the state is the detached one, as in jrnn)
        run.live = liveOutputs(s, mask, B, T, zeroOutputForMask);
        int[][] before = realBefore(s, mask, B, T);
        for (int j = 0; j < T; j++) {
            int t = s.goBackwards() ? T - 1 - j : j;
            boolean anyCut = false;
            for (int b = 0; b < B; b++) anyCut |= cutBefore(s, mask, before, B, T, b, j);
            if (anyCut && tape != null) {   // the cut samples' states become constants
                h = cutRows(s, mask, before, B, T, j, h, tape.cut(h));
                if (c != null) c = cutRows(s, mask, before, B, T, j, c, tape.cut(c));
            }
            run.hPrev[j] = h.clone();
            if (c != null) run.cPrev[j] = c.clone();
            double[] hN = new double[B * H];
            double[] cN = c != null ? new double[B * H] : null;
            for (int b = 0; b < B; b++) {
                boolean real = mask == null || mask[b * T + t] != 0;
                if (!real) {
                    for (int k = 0; k < H; k++) {
                        hN[b * H + k] = h[b * H + k];
                        if (c != null) cN[b * H + k] = c[b * H + k];
                    }
                    continue;
                }
                double[] xp = new double[G], rp = new double[G];
                project(s, run, b, t, h, xp, rp);
                for (int k = 0; k < H; k++) {
                    switch (s.cell()) {
                        case SIMPLE_RNN -> hN[b * H + k] = act(s.act(), xp[k] + rp[k]);
                        case LSTM -> {
                            double ig = act(s.recAct(), xp[k] + rp[k]);
                            double fg = act(s.recAct(), xp[H + k] + rp[H + k]);
                            double gg = act(s.act(), xp[2 * H + k] + rp[2 * H + k]);
                            double og = act(s.recAct(), xp[3 * H + k] + rp[3 * H + k]);
                            double cn = fg * c[b * H + k] + ig * gg;
                            cN[b * H + k] = cn;
                            hN[b * H + k] = og * act(s.act(), cn);
                        }
                        case GRU -> {
                            double z = act(s.recAct(), xp[k] + rp[k]);
                            double r = act(s.recAct(), xp[H + k] + rp[H + k]);
                            double hh = act(s.act(), xp[2 * H + k] + r * rp[2 * H + k]);
                            hN[b * H + k] = z * h[b * H + k] + (1 - z) * hh;
                        }
                        case GRU_RESET_BEFORE -> {
                            double z = act(s.recAct(), xp[k] + rp[k]);
                            double ah = xp[2 * H + k];
                            for (int q = 0; q < H; q++) {
                                ah += act(s.recAct(), xp[H + q] + rp[H + q]) * h[b * H + q] * run.u[q * G + 2 * H + k];
                            }
                            hN[b * H + k] = z * h[b * H + k] + (1 - z) * act(s.act(), ah);
                        }
                    }
                }
            }
            h = hN;
            c = cN;
            for (int b = 0; b < B; b++) {
                if (ySeq != null && run.live[b][j]) System.arraycopy(h, b * H, ySeq, (b * T + j) * H, H);
            }
        }
        double[] y = new double[B * H];
        for (int b = 0; b < B; b++) if (T > 0 && run.live[b][T - 1]) System.arraycopy(h, b * H, y, b * H, H);
        List<double[]> out = new ArrayList<>();
        out.add(ySeq != null ? ySeq : y);
        if (s.returnState()) {
            out.add(h.clone());
            if (c != null) out.add(c.clone());
        }
        run.outputs = out;
        return run;
    }

    /**
     * Row b of the input projection xp = x_t W (+ input bias) and the recurrent projection
     * rp = h' U (+ recurrent bias for GRU). SimpleRNN/LSTM put their single bias into xp.
     */
    private static void project(Rnn s, RnnRun run, int b, int t, double[] h, double[] xp, double[] rp) {
        int H = s.units(), G = s.cell().gates * H, I = run.in, T = run.t;
        int masks = run.dropIn != null ? run.dropIn.length : run.dropRec != null ? run.dropRec.length : 1;
        for (int g = 0; g < G; g++) {
            int m = g / (G / masks);
            double a = run.bias != null ? run.bias[g] : 0.0;
            for (int i = 0; i < I; i++) {
                a += run.x[(b * T + t) * I + i] * (run.dropIn == null ? 1 : run.dropIn[m][b * I + i]) * run.w[i * G + g];
            }
            double r = (run.bias != null && s.cell() == Cell.GRU) ? run.bias[G + g] : 0.0;
            for (int k = 0; k < H; k++) r += h[b * H + k] * (run.dropRec == null ? 1 : run.dropRec[m][b * H + k]) * run.u[k * G + g];
            xp[g] = a;
            rp[g] = r;
        }
    }

    /** Analytic float64 gradients of a recurrent forward. */
    static final class RnnGrads {
        double[] dx, dw, du, dbias, dh0, dc0;
    }

    /**
     * Hand-derived backpropagation through time in float64 for d(sum_k <dOut_k, out_k>), with the
     * state gradient cut as {@link #cutBefore} says when tbptt = k. {@code dOut} entries
     * follow {@link RnnRun#outputs} (null = zero).
     */
    static RnnGrads rnnBackward(RnnRun run, List<double[]> dOut) {
        Rnn s = run.s;
        int B = run.b, T = run.t, I = run.in, H = s.units(), G = s.cell().gates * H;
        boolean lstm = s.cell() == Cell.LSTM;
        RnnGrads gr = new RnnGrads();
        gr.dx = new double[B * T * I];
        gr.dw = new double[I * G];
        gr.du = new double[H * G];
        gr.dbias = s.useBias() ? new double[s.biasSize()] : null;
        double[] dy = dOut.get(0);
        double[] dh = new double[B * H];
        double[] dc = new double[B * H];
        if (s.returnState()) {
            addInto(dh, dOut.size() > 1 ? dOut.get(1) : null);
            if (lstm) addInto(dc, dOut.size() > 2 ? dOut.get(2) : null);
        }
        // seen[b][j] (run.live): the output at step j is the carried state h_j; else the constant 0 (no gradient)
        boolean[][] seen = run.live;
        if (!s.returnSequences() && dy != null) {
            for (int b = 0; b < B; b++) {
                if (T > 0 && seen[b][T - 1]) for (int k = 0; k < H; k++) dh[b * H + k] += dy[b * H + k];
            }
        }
        for (int j = T - 1; j >= 0; j--) {
            int t = s.goBackwards() ? T - 1 - j : j;
            if (s.returnSequences() && dy != null) {
                for (int b = 0; b < B; b++) {
                    if (seen[b][j]) for (int k = 0; k < H; k++) dh[b * H + k] += dy[(b * T + j) * H + k];
                }
            }
            double[] hp = run.hPrev[j], cp = run.cPrev[j];
            double[] dhP = new double[B * H], dcP = new double[B * H];
            for (int b = 0; b < B; b++) {
                boolean real = run.mask == null || run.mask[b * T + t] != 0;
                if (!real) {
                    for (int k = 0; k < H; k++) {
                        dhP[b * H + k] = dh[b * H + k];
                        dcP[b * H + k] = dc[b * H + k];
                    }
                    continue;
                }
                double[] xp = new double[G], rp = new double[G];
                project(s, run, b, t, hp, xp, rp);
                double[] dxp = new double[G], drp = new double[G];   // grads of x-projection and h-projection
                for (int k = 0; k < H; k++) {
                    double g = dh[b * H + k];
                    switch (s.cell()) {
                        case SIMPLE_RNN -> {
                            double d = g * dact(s.act(), xp[k] + rp[k]);
                            dxp[k] = d;
                            drp[k] = d;
                        }
                        case LSTM -> {
                            double zi = xp[k] + rp[k], zf = xp[H + k] + rp[H + k];
                            double zg = xp[2 * H + k] + rp[2 * H + k], zo = xp[3 * H + k] + rp[3 * H + k];
                            double ig = act(s.recAct(), zi), fg = act(s.recAct(), zf);
                            double gg = act(s.act(), zg), og = act(s.recAct(), zo);
                            double cn = fg * cp[b * H + k] + ig * gg;
                            double dog = g * act(s.act(), cn);
                            double dcn = dc[b * H + k] + g * og * dact(s.act(), cn);
                            dcP[b * H + k] = dcn * fg;
                            double[] dz = {dcn * gg * dact(s.recAct(), zi), dcn * cp[b * H + k] * dact(s.recAct(), zf),
                                dcn * ig * dact(s.act(), zg), dog * dact(s.recAct(), zo)};
                            for (int q = 0; q < 4; q++) {
                                dxp[q * H + k] = dz[q];
                                drp[q * H + k] = dz[q];
                            }
                        }
                        case GRU -> {
                            double az = xp[k] + rp[k], ar = xp[H + k] + rp[H + k];
                            double z = act(s.recAct(), az), r = act(s.recAct(), ar);
                            double ah = xp[2 * H + k] + r * rp[2 * H + k];
                            double hh = act(s.act(), ah);
                            dhP[b * H + k] += g * z;
                            double dah = g * (1 - z) * dact(s.act(), ah);
                            double daz = g * (hp[b * H + k] - hh) * dact(s.recAct(), az);
                            double dar = dah * rp[2 * H + k] * dact(s.recAct(), ar);
                            dxp[k] = daz;
                            drp[k] = daz;
                            dxp[H + k] = dar;
                            drp[H + k] = dar;
                            dxp[2 * H + k] = dah;
                            drp[2 * H + k] = dah * r;
                        }
                        case GRU_RESET_BEFORE -> {   // z and hh here; r below (it needs every unit's dh)
                            double az = xp[k] + rp[k], z = act(s.recAct(), az);
                            double ah = xp[2 * H + k];
                            for (int q = 0; q < H; q++) {
                                ah += act(s.recAct(), xp[H + q] + rp[H + q]) * hp[b * H + q] * run.u[q * G + 2 * H + k];
                            }
                            double hh = act(s.act(), ah);
                            dhP[b * H + k] += g * z;
                            dxp[k] = g * (hp[b * H + k] - hh) * dact(s.recAct(), az);
                            drp[k] = dxp[k];
                            dxp[2 * H + k] = g * (1 - z) * dact(s.act(), ah);
                        }
                    }
                }
                if (s.cell() == Cell.GRU_RESET_BEFORE) {
                    // hh's input (r * h')·U_h: d(r_q h'_q) = sum_k dah_k U[q, 2H+k]
                    for (int q = 0; q < H; q++) {
                        double ar = xp[H + q] + rp[H + q], r = act(s.recAct(), ar), drh = 0;
                        for (int k = 0; k < H; k++) {
                            drh += dxp[2 * H + k] * run.u[q * G + 2 * H + k];
                            gr.du[q * G + 2 * H + k] += r * hp[b * H + q] * dxp[2 * H + k];
                        }
                        dhP[b * H + q] += drh * r;
                        dxp[H + q] = drh * hp[b * H + q] * dact(s.recAct(), ar);
                        drp[H + q] = dxp[H + q];
                    }
                }
                for (int g = 0; g < G; g++) {
                    for (int i = 0; i < I; i++) {
                        gr.dw[i * G + g] += run.x[(b * T + t) * I + i] * dxp[g];
                        gr.dx[(b * T + t) * I + i] += dxp[g] * run.w[i * G + g];
                    }
                    for (int k = 0; k < H; k++) {
                        gr.du[k * G + g] += hp[b * H + k] * drp[g];
                        dhP[b * H + k] += drp[g] * run.u[k * G + g];
                    }
                    if (gr.dbias != null) {
                        gr.dbias[g] += dxp[g];
                        if (s.cell() == Cell.GRU) gr.dbias[G + g] += drp[g];
                    }
                }
            }
            for (int b = 0; b < B; b++) {
                if (!cutBefore(s, run.mask, run.before, B, T, b, j)) continue;
                java.util.Arrays.fill(dhP, b * H, (b + 1) * H, 0);
                java.util.Arrays.fill(dcP, b * H, (b + 1) * H, 0);
            }
            dh = dhP;
            dc = dcP;
        }
        gr.dh0 = dh;
        gr.dc0 = lstm ? dc : null;
        return gr;
    }

    // ------------------------------------------------------------------ Bidirectional

    /** The per-step sequence [B, T, H] reversed along time. */
    static double[] reverseTime(double[] y, int B, int T, int H) {
        double[] r = new double[y.length];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) System.arraycopy(y, (b * T + t) * H, r, (b * T + (T - 1 - t)) * H, H);
        return r;
    }

    /**
     * Merges the forward and (already re-reversed) backward outputs, both [rows, H]:
     * concat -> [rows, 2H], sum, mul, ave -> [rows, H]; "none" returns both.
     */
    static List<double[]> merge(String mode, double[] f, double[] b, int rows, int H) {
        List<double[]> out = new ArrayList<>();
        switch (mode) {
            case "concat" -> {
                double[] y = new double[rows * 2 * H];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(f, r * H, y, r * 2 * H, H);
                    System.arraycopy(b, r * H, y, r * 2 * H + H, H);
                }
                out.add(y);
            }
            case "sum", "mul", "ave" -> {
                double[] y = new double[rows * H];
                for (int i = 0; i < y.length; i++) {
                    y[i] = switch (mode) {
                        case "sum" -> f[i] + b[i];
                        case "mul" -> f[i] * b[i];
                        default -> 0.5 * (f[i] + b[i]);
                    };
                }
                out.add(y);
            }
            case "none" -> {
                out.add(f.clone());
                out.add(b.clone());
            }
            default -> throw new IllegalArgumentException("Ref: merge mode " + mode);
        }
        return out;
    }

    /** Both directions of a Bidirectional forward and its outputs. */
    static final class BidiRun {
        Rnn s;
        String mode;
        int b, t;
        RnnRun f, bk;
        double[] yf, yb;          // final or per-step outputs; yb re-reversed to input order
        List<double[]> outputs;   // merged y (two for "none"), then h_fw (c_fw), h_bw (c_bw) with returnState
    }

    /**
     * Bidirectional forward: the forward layer, the same options with goBackwards flipped for the
     * backward layer, the backward layer's sequence reversed (always, as Keras), merged. {@code wf}/{@code wb}: kernel, recurrent kernel (, bias).
     * {@code sf}/{@code sb}: initial states or null.
     */
    static BidiRun bidi(Rnn s, String mode, int B, int T, int I, double[] x,
                        List<double[]> wf, List<double[]> wb, List<double[]> sf, List<double[]> sb,
                        double[] mask, Tape tape) {
        return bidi(s, s.withGoBackwards(!s.goBackwards()), mode, B, T, I, x, wf, wb, sf, sb, mask, tape);
    }

    /** Bidirectional with a given backward layer {@code sbw} (its own cell; units and state count as the forward's). */
    static BidiRun bidi(Rnn s, Rnn sbw, String mode, int B, int T, int I, double[] x,
                        List<double[]> wf, List<double[]> wb, List<double[]> sf, List<double[]> sb,
                        double[] mask, Tape tape) {
        BidiRun run = new BidiRun();
        run.s = s;
        run.mode = mode;
        run.b = B;
        run.t = T;
        // Keras' Bidirectional sets zero_output_for_mask = return_sequences on both layers
        run.f = rnn(s, B, T, I, x, wf.get(0), wf.get(1), s.useBias() ? wf.get(2) : null,
                state(sf, 0), state(sf, 1), mask, tape, s.returnSequences());
        run.bk = rnn(sbw, B, T, I, x, wb.get(0), wb.get(1), sbw.useBias() ? wb.get(2) : null,
                state(sb, 0), state(sb, 1), mask, tape, sbw.returnSequences());
        int H = s.units();
        run.yf = run.f.outputs.get(0);
        run.yb = run.bk.outputs.get(0);
        if (s.returnSequences()) run.yb = reverseTime(run.yb, B, T, H);
        int rows = s.returnSequences() ? B * T : B;
        List<double[]> out = merge(mode, run.yf, run.yb, rows, H);
        if (s.returnState()) {
            out.addAll(run.f.outputs.subList(1, run.f.outputs.size()));
            out.addAll(run.bk.outputs.subList(1, run.bk.outputs.size()));
        }
        run.outputs = out;
        return run;
    }

    static List<double[]> bidirectional(Rnn s, String mode, int B, int T, int I, double[] x,
                                        List<double[]> wf, List<double[]> wb, List<double[]> sf, List<double[]> sb,
                                        double[] mask, Tape tape) {
        return bidi(s, mode, B, T, I, x, wf, wb, sf, sb, mask, tape).outputs;
    }

    /** Analytic gradients of a Bidirectional forward: {forward layer's, backward layer's}; dx = sum of both. */
    static RnnGrads[] bidiBackward(BidiRun run, List<double[]> r) {
        Rnn s = run.s;
        int H = s.units(), B = run.b, T = run.t, rows = s.returnSequences() ? B * T : B;
        double[] dyf = new double[rows * H], dyb = new double[rows * H];
        int next;
        if (run.mode.equals("none")) {
            dyf = r.get(0).clone();
            dyb = r.get(1).clone();
            next = 2;
        } else {
            double[] dy = r.get(0);
            for (int q = 0; q < rows; q++) {
                for (int k = 0; k < H; k++) {
                    int i = q * H + k;
                    switch (run.mode) {
                        case "concat" -> {
                            dyf[i] = dy[q * 2 * H + k];
                            dyb[i] = dy[q * 2 * H + H + k];
                        }
                        case "sum" -> {
                            dyf[i] = dy[i];
                            dyb[i] = dy[i];
                        }
                        case "mul" -> {
                            dyf[i] = dy[i] * run.yb[i];
                            dyb[i] = dy[i] * run.yf[i];
                        }
                        default -> {
                            dyf[i] = 0.5 * dy[i];
                            dyb[i] = 0.5 * dy[i];
                        }
                    }
                }
            }
            next = 1;
        }
        if (s.returnSequences()) dyb = reverseTime(dyb, B, T, H);
        List<double[]> rf = new ArrayList<>(List.of(dyf)), rb = new ArrayList<>(List.of(dyb));
        if (s.returnState()) {
            for (int i = 0; i < s.nStates(); i++) rf.add(r.get(next + i));
            for (int i = 0; i < s.nStates(); i++) rb.add(r.get(next + s.nStates() + i));
        }
        return new RnnGrads[] {rnnBackward(run.f, rf), rnnBackward(run.bk, rb)};
    }

    private static double[] state(List<double[]> st, int i) {
        return st == null || st.size() <= i ? null : st.get(i);
    }

    // ------------------------------------------------------------------ Dense, Embedding

    /** y = act(x W + b) over the last axis; x is [rows, I], W [I, O], b [O] or null; act may be "softmax". */
    static double[] dense(double[] x, int rows, int I, int O, double[] W, double[] b, String act) {
        check(x, rows * I, "x");
        check(W, I * O, "kernel");
        double[] y = new double[rows * O];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < O; o++) {
                double a = b != null ? b[o] : 0.0;
                for (int i = 0; i < I; i++) a += x[r * I + i] * W[i * O + o];
                y[r * O + o] = a;
            }
            if (act.equals("softmax")) {
                double m = Double.NEGATIVE_INFINITY, z = 0;
                for (int o = 0; o < O; o++) m = Math.max(m, y[r * O + o]);
                for (int o = 0; o < O; o++) z += Math.exp(y[r * O + o] - m);
                for (int o = 0; o < O; o++) y[r * O + o] = Math.exp(y[r * O + o] - m) / z;
            } else if (act.equals("log_softmax")) {   // Keras: x - max - log(sum(exp(x - max)))
                double m = Double.NEGATIVE_INFINITY, z = 0;
                for (int o = 0; o < O; o++) m = Math.max(m, y[r * O + o]);
                for (int o = 0; o < O; o++) z += Math.exp(y[r * O + o] - m);
                for (int o = 0; o < O; o++) y[r * O + o] = y[r * O + o] - m - Math.log(z);
            } else {
                for (int o = 0; o < O; o++) y[r * O + o] = act(act, y[r * O + o]);
            }
        }
        return y;
    }

    /** Analytic float64 gradients of Dense: {dx, dW, db (null without bias)}. */
    static double[][] denseBackward(double[] x, int rows, int I, int O, double[] W, double[] b, String act, double[] dy) {
        double[] y = dense(x, rows, I, O, W, b, act);
        double[] dx = new double[rows * I], dw = new double[I * O], db = b != null ? new double[O] : null;
        for (int r = 0; r < rows; r++) {
            double[] dp = new double[O];
            if (act.equals("softmax")) {
                double dot = 0;
                for (int o = 0; o < O; o++) dot += dy[r * O + o] * y[r * O + o];
                for (int o = 0; o < O; o++) dp[o] = y[r * O + o] * (dy[r * O + o] - dot);
            } else if (act.equals("log_softmax")) {   // d/dz_o sum_k dy_k (z_k - lse) = dy_o - softmax_o sum_k dy_k
                double sum = 0;
                for (int o = 0; o < O; o++) sum += dy[r * O + o];
                for (int o = 0; o < O; o++) dp[o] = dy[r * O + o] - Math.exp(y[r * O + o]) * sum;
            } else {
                for (int o = 0; o < O; o++) {
                    double a = b != null ? b[o] : 0.0;
                    for (int i = 0; i < I; i++) a += x[r * I + i] * W[i * O + o];
                    dp[o] = dy[r * O + o] * dact(act, a);
                }
            }
            for (int o = 0; o < O; o++) {
                if (db != null) db[o] += dp[o];
                for (int i = 0; i < I; i++) {
                    dw[i * O + o] += x[r * I + i] * dp[o];
                    dx[r * I + i] += dp[o] * W[i * O + o];
                }
            }
        }
        return new double[][] {dx, dw, db};
    }

    /** y[n, :] = E[ids[n], :]. */
    static double[] embedding(double[] ids, double[] E, int vocab, int D) {
        check(E, vocab * D, "embeddings");
        double[] y = new double[ids.length * D];
        for (int n = 0; n < ids.length; n++) {
            int id = (int) ids[n];
            if (id != ids[n] || id < 0 || id >= vocab) throw new IllegalArgumentException("Ref: bad id " + ids[n]);
            System.arraycopy(E, id * D, y, n * D, D);
        }
        return y;
    }

    /** Mask [B, T] = ids != 0 (Embedding maskZero). */
    static double[] maskZero(double[] ids) {
        double[] m = new double[ids.length];
        for (int i = 0; i < ids.length; i++) m[i] = ids[i] != 0 ? 1 : 0;
        return m;
    }

    // ------------------------------------------------------------------ helpers

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void addInto(double[] acc, double[] v) {
        if (v == null) return;
        for (int i = 0; i < acc.length; i++) acc[i] += v[i];
    }

    private static double[] check(double[] a, int n, String what) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException("Ref: " + what + " expected " + n + " values, got "
                    + (a == null ? "null" : a.length));
        }
        return a;
    }
}
