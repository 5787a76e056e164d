package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Backend;
import dev.jrnn.backend.Buf;
import dev.jrnn.backend.BufAt;
import dev.jrnn.backend.CellConfig;
import dev.jrnn.backend.CellStep;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static dev.jrnn.backend.cuda.KernelSim.down;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-step recurrent kernels (kernels/rnn.cu, lstm.cu, gru.cu) without a GPU: src/test/sim/recurrent_sim_main.cpp
 * launches them on the host CUDA model (cuda_sim.h) as CudaRecurrent does (the reset-before GRU's cuBLAS product
 * between its two kernels computed there), and every output - the kept gates, the states, every gradient - must equal
 * the CPU backend's recurrentStepForward / recurrentStepBackward (checked against float64 references by
 * {@link dev.jrnn.backend.BackendContractTest}) on the same random inputs: SimpleRNN with every elementwise activation,
 * LSTM and GRU (reset_after true and false) with every activation as the cell activation, as the gate activation, and
 * as both (so the Keras 3 activations whose kept gates are pre-activations, {@link Activation#needsInput()}, meet each
 * other), masked rows and the nullable inputs absent. With an exponential gate the GRU's candidate overflows to inf
 * (hh = exp(xh + r rh), r itself exp(.)): there too both sides follow Keras' h = z hPrev + (1 - z) hh (the CPU's
 * z (hPrev - hh) + hh gave NaN before). Skipped where g++ is missing.
 */
class CudaRecurrentKernelsSimTest {
    private static final Backend CPU = CpuBackend.create();
    private static final int BATCH = 3, UNITS = 13, N = BATCH * UNITS;
    private static Path exe;
    private final Random rnd = new Random(20261207);
    private final StringBuilder in = new StringBuilder();
    private final List<KernelSim.Case> cases = new ArrayList<>();

    @BeforeAll
    static void build() throws Exception {
        exe = KernelSim.build("recurrent_sim", "recurrent_sim_main.cpp");
    }

    @AfterAll
    static void close() {
        CPU.close();
    }

    private float[] rand(int n, double lo, double hi) { return KernelSim.uniform(rnd, n, lo, hi); }

    private static BufAt at(float[] v) {
        return v == null ? null : BufAt.at(KernelSim.up(CPU, v), 0);
    }

    private static float[] get(BufAt b, int n) {
        return down(CPU, b.buf(), n);
    }

    private void problem(String op, Activation act, Activation rec, float[]... arrays) {
        in.append(op).append(' ').append(act.code()).append(' ').append(rec.code()).append(' ').append(BATCH).append(' ')
                .append(UNITS).append('\n');
        for (float[] a : arrays) {
            if (a == null) {
                in.append("0\n");
            } else {
                in.append(a.length);
                KernelSim.append(in, a);
            }
        }
    }

    private void expect(String name, float[]... want) {
        cases.add(new KernelSim.Case(name, List.of(want), 2e-6));
    }

    private static List<Activation> elementwise() {
        List<Activation> r = new ArrayList<>();
        for (Activation a : Activation.values()) if (!a.rowwise()) r.add(a);
        return r;
    }

    /** Each activation as the cell's, as the gates', and as both; tanh / sigmoid among them. */
    private static List<Activation[]> pairs() {
        Set<List<Activation>> s = new LinkedHashSet<>();
        for (Activation a : elementwise()) {
            s.add(List.of(a, Activation.SIGMOID));
            s.add(List.of(Activation.TANH, a));
            s.add(List.of(a, a));
        }
        s.add(List.of(Activation.GELU, Activation.SWISH));
        s.add(List.of(Activation.MISH, Activation.HARD_SILU));
        List<Activation[]> r = new ArrayList<>();
        for (List<Activation> p : s) r.add(p.toArray(new Activation[0]));
        return r;
    }

    /** Variant i: every 4th with the nullable inputs absent, every other with masked rows (row 1 masked). */
    private static boolean nulls(int i) {
        return i % 4 == 0;
    }

    private static float[] mask(int i) {
        return i % 2 == 1 ? new float[] {1, 0, 1} : null;
    }

    private float[] opt(int i, int n, double lo, double hi) {
        return nulls(i) ? null : rand(n, lo, hi);
    }

    private static String name(String cell, Activation act, Activation rec, int i) {
        return cell + " " + act + "/" + rec + (nulls(i) ? " (nulls)" : "") + (mask(i) != null ? " masked" : "");
    }

    @Test
    void simpleRnnStepsMatchTheCpuBackend() throws Exception {
        int i = 0;
        for (Activation a : elementwise()) {
            CellConfig cell = new CellConfig(RecurrentCell.SIMPLE_RNN, a, a, BATCH, UNITS);
            float[] pre = rand(N, -4, 4), hp = rand(N, -1, 1), mask = mask(i);
            BufAt H = at(new float[N]);
            CPU.recurrentStepForward(cell, CellStep.Forward.rnn(at(pre), at(hp), at(mask), H));
            float[] h = get(H, N);
            problem("rnnf", a, a, pre, hp, mask);
            expect(name("rnn forward", a, a, i), h);
            float[] given = a.needsInput() ? pre : h, dhn = rand(N, -1, 1), dy = opt(i, N, -1, 1);
            BufAt DP = at(new float[N]), DH = at(new float[N]);
            CPU.recurrentStepBackward(cell, CellStep.Backward.rnn(at(given), at(dhn), at(dy), at(mask), DP, DH));
            problem("rnnb", a, a, given, dhn, dy, mask);
            expect(name("rnn backward", a, a, i), get(DP, N), get(DH, N));
            i++;
        }
        KernelSim.check(exe, in, cases);
    }

    @Test
    void lstmStepsMatchTheCpuBackend() throws Exception {
        int i = 0;
        for (Activation[] p : pairs()) {
            Activation a = p[0], r = p[1];
            CellConfig cell = new CellConfig(RecurrentCell.LSTM, a, r, BATCH, UNITS);
            float[] gates = rand(4 * N, -3, 3), cp = rand(N, -2, 2), hp = rand(N, -1, 1), mask = mask(i);
            BufAt G = at(gates), C = at(new float[N]), H = at(new float[N]);
            CPU.recurrentStepForward(cell, CellStep.Forward.lstm(G, at(cp), at(hp), at(mask), C, H));
            float[] kept = get(G, 4 * N), c = get(C, N);
            problem("lstmf", a, r, gates, cp, hp, mask);
            expect(name("lstm forward", a, r, i), kept, c, get(H, N));
            float[] dhn = rand(N, -1, 1), dy = opt(i, N, -1, 1), dcn = rand(N, -1, 1);
            BufAt DG = at(new float[4 * N]), DC = at(new float[N]), DH = at(new float[N]);
            CPU.recurrentStepBackward(cell, CellStep.Backward.lstm(at(kept), at(cp), at(c), at(dhn), at(dy), at(dcn), at(mask),
                    DG, DC, DH));
            problem("lstmb", a, r, kept, cp, c, dhn, dy, dcn, mask);
            expect(name("lstm backward", a, r, i), get(DG, 4 * N), get(DC, N), get(DH, N));
            i++;
        }
        assertTrue(i > 2 * elementwise().size());
        KernelSim.check(exe, in, cases);
    }

    @Test
    void gruResetAfterStepsMatchTheCpuBackend() throws Exception {
        int i = 0;
        for (Activation[] p : pairs()) {
            Activation a = p[0], r = p[1];
            CellConfig cell = new CellConfig(RecurrentCell.GRU, a, r, BATCH, UNITS);
            float[] xp = rand(3 * N, -3, 3), rp = rand(3 * N, -3, 3), bRec = opt(i, 3 * UNITS, -1, 1), hp = rand(N, -1, 1);
            float[] mask = mask(i);
            BufAt XP = at(xp), RP = at(rp), H = at(new float[N]);
            CPU.recurrentStepForward(cell, CellStep.Forward.gru(XP, RP, at(bRec), at(hp), at(mask), H));
            float[] keptX = get(XP, 3 * N), keptR = get(RP, 3 * N);
            problem("gruf", a, r, xp, rp, bRec, hp, mask);
            expect(name("gru forward", a, r, i), keptX, keptR, get(H, N));
            float[] dhn = rand(N, -1, 1), dy = opt(i, N, -1, 1);
            BufAt DX = at(new float[3 * N]), DR = at(new float[3 * N]), DH = at(new float[N]);
            CPU.recurrentStepBackward(cell, CellStep.Backward.gru(at(keptX), at(keptR), at(hp), at(dhn), at(dy), at(mask), DX, DR, DH));
            problem("grub", a, r, keptX, keptR, hp, dhn, dy, mask);
            expect(name("gru backward", a, r, i), get(DX, 3 * N), get(DR, 3 * N), get(DH, N));
            i++;
        }
        KernelSim.check(exe, in, cases);
    }

    @Test
    void gruResetBeforeStepsMatchTheCpuBackend() throws Exception {
        int i = 0;
        for (Activation[] p : pairs()) {
            Activation a = p[0], r = p[1];
            CellConfig cell = new CellConfig(RecurrentCell.GRU, a, r, BATCH, UNITS, true);
            float[] xp = rand(3 * N, -3, 3), u = rand(3 * UNITS * UNITS, -0.4, 0.4), hp = rand(N, -1, 1), mask = mask(i);
            BufAt XP = at(xp), RS = at(new float[N]), H = at(new float[N]);
            CPU.recurrentStepForward(cell, CellStep.Forward.gruResetBefore(XP, at(u), at(hp), at(mask), RS, H));
            float[] kept = get(XP, 3 * N);
            problem("rbf", a, r, xp, u, hp, mask);
            expect(name("gru reset-before forward", a, r, i), kept, get(RS, N), get(H, N));
            float[] dhn = rand(N, -1, 1), dy = opt(i, N, -1, 1);
            BufAt DX = at(new float[3 * N]), DRS = at(new float[N]), DH = at(new float[N]);
            CPU.recurrentStepBackward(cell, CellStep.Backward.gruResetBefore(at(kept), at(u), at(hp), at(dhn), at(dy), at(mask),
                    DX, DRS, DH));
            problem("rbb", a, r, kept, u, hp, dhn, dy, mask);
            expect(name("gru reset-before backward", a, r, i), get(DX, 3 * N), get(DRS, N), get(DH, N));
            i++;
        }
        KernelSim.check(exe, in, cases);
    }
}
