package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.PersistentHarness.Seq;
import dev.jrnn.backend.RecurrentCell;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The persistent kernels against the GEMM + fused-step path on the GPU, on random inputs with masks,
 * initial states, output gradients and truncated BPTT: relative error under 1e-5 in FP32; TF32 under
 * 5e-3 and BF16 under 2e-2 against the FP32 step path. Persistent outputs start as NaN, so an element
 * never written fails. Skipped without a CUDA device.
 */
@Tag("gpu")
class PersistentRnnGpuTest {
    static PersistentHarness hx;

    @BeforeAll
    static void open() {
        assumeTrue(CudaDriver.isAvailable(), "no CUDA device");
        hx = new PersistentHarness();
        assumeTrue(hx.d.computeCapability() >= 80, "persistent kernels need sm_80+");
    }

    @AfterAll
    static void shut() {
        if (hx != null) hx.close();
    }

    static double tol(Precision p) {
        return switch (p) {
            case FP32 -> 1e-5;
            case TF32 -> 5e-3;
            case BF16 -> 2e-2;
        };
    }

    /** Runs both paths in FP32 / the persistent one in {@code prec}; returns "name=err" failures. */
    static List<String> compare(Seq s, Precision prec) {
        List<String> bad = new ArrayList<>();
        hx.be.setPrecision(Precision.FP32);
        s.stepForward();
        s.poison();
        assertTrue(s.persistentForward(prec, true), "persistent forward did not fit: " + s.cell + " B=" + s.B + " H=" + s.H);
        long tbh = (long) s.T * s.bh, tbg = (long) s.T * s.bg;
        check(bad, "h", s.get(s.hs2, s.bh, tbh), s.get(s.hs, s.bh, tbh), prec);
        if (s.cell == RecurrentCell.LSTM) check(bad, "c", s.get(s.cs2, s.bh, tbh), s.get(s.cs, s.bh, tbh), prec);
        if (s.cell != RecurrentCell.SIMPLE_RNN) check(bad, "gates", s.get(s.p2, 0, tbg), s.get(s.p, 0, tbg), prec);
        if (s.cell == RecurrentCell.GRU) check(bad, "rp", s.get(s.rp2, 0, tbg), s.get(s.rp, 0, tbg), prec);

        s.stepBackward();
        assertTrue(s.persistentBackward(prec, true), "persistent backward did not fit: " + s.cell);
        check(bad, "dP", s.get(s.dP2, 0, tbg), s.get(s.dG, 0, tbg), prec);
        if (s.cell == RecurrentCell.GRU) check(bad, "dRP", s.get(s.dRP2, 0, tbg), s.get(s.dRP, 0, tbg), prec);
        if (s.init) {
            check(bad, "dh0", s.get(s.dh02, 0, s.bh), s.get(s.dhN, 0, s.bh), prec);
            if (s.cell == RecurrentCell.LSTM) check(bad, "dc0", s.get(s.dc02, 0, s.bh), s.get(s.dcN, 0, s.bh), prec);
        }
        return bad;
    }

    static void check(List<String> bad, String what, float[] got, float[] want, Precision prec) {
        double e = PersistentHarness.relErr(got, want);
        if (!(e <= tol(prec))) bad.add(what + "=" + e);
    }

    /** Every precision, with each kernel variant that has a plan for the shape (FFMA always must). */
    static void run(RecurrentCell cell, Activation act, Activation rec, int t, int b, int h, boolean init, boolean mask,
                    boolean dy, boolean dhT, int tbptt, long seed) {
        try {
            for (PersistentRnn.Variant v : new PersistentRnn.Variant[] {PersistentRnn.Variant.FFMA,
                    PersistentRnn.Variant.TENSOR_CORES}) {
                hx.pr.setVariant(v);
                for (Precision p : Precision.values()) {
                    PersistentRnn.Plan pf = hx.pr.planFor(cell, false, b, h, p, act, rec);
                    PersistentRnn.Plan pb = hx.pr.planFor(cell, true, b, h, p, act, rec);
                    if (pf == null || pb == null) {
                        assertTrue(v != PersistentRnn.Variant.FFMA, "no FFMA plan for " + cell + " B=" + b + " H=" + h);
                        continue;
                    }
                    try (Seq s = hx.new Seq(cell, act, rec, t, b, h, init, mask, dy, dhT, tbptt, seed)) {
                        List<String> bad = compare(s, p);
                        assertTrue(bad.isEmpty(), cell + " " + p + " " + v + " T=" + t + " B=" + b + " H=" + h + ": " + bad
                                + " plans " + pf + " / " + pb);
                    }
                }
            }
        } finally {
            hx.pr.setVariant(PersistentRnn.Variant.AUTO);
        }
    }

    @Test
    void lstmMatchesTheStepPath() {
        run(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 9, 5, 36, true, true, true, true, 0, 1);
        run(RecurrentCell.LSTM, Activation.TANH, Activation.HARD_SIGMOID, 7, 3, 20, false, false, true, false, 3, 2);
        run(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 9, 20, 64, true, true, true, true, 0, 12);
    }

    @Test
    void gruMatchesTheStepPath() {
        run(RecurrentCell.GRU, Activation.TANH, Activation.SIGMOID, 9, 5, 36, true, true, true, true, 0, 3);
        run(RecurrentCell.GRU, Activation.RELU, Activation.HARD_SIGMOID, 6, 2, 12, false, true, true, false, 2, 4);
        run(RecurrentCell.GRU, Activation.TANH, Activation.SIGMOID, 9, 20, 64, true, true, true, true, 0, 13);
    }

    @Test
    void simpleRnnMatchesTheStepPath() {
        run(RecurrentCell.SIMPLE_RNN, Activation.TANH, Activation.LINEAR, 9, 5, 36, true, true, true, true, 0, 5);
        run(RecurrentCell.SIMPLE_RNN, Activation.RELU, Activation.LINEAR, 6, 7, 8, false, false, true, false, 0, 6);
        run(RecurrentCell.SIMPLE_RNN, Activation.TANH, Activation.LINEAR, 9, 20, 64, true, true, true, true, 0, 14);
    }

    @Test
    void targetShapesMatchTheStepPath() {
        // the two benchmark shapes, fewer steps: LSTM B=64 H=512 (grid over all SMs, chunked backward) and B=4 H=256
        run(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 12, 64, 512, true, true, true, true, 0, 7);
        run(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 12, 4, 256, false, false, true, true, 0, 8);
        run(RecurrentCell.GRU, Activation.TANH, Activation.SIGMOID, 8, 64, 512, true, false, true, true, 0, 9);
    }

    @Test
    void repeatedLaunchesGiveIdenticalResults() {
        for (PersistentRnn.Variant v : new PersistentRnn.Variant[] {PersistentRnn.Variant.FFMA,
                PersistentRnn.Variant.TENSOR_CORES}) {
            hx.pr.setVariant(v);
            try {
                repeatable();
            } finally {
                hx.pr.setVariant(PersistentRnn.Variant.AUTO);
            }
        }
    }

    static void repeatable() {
        // a race between CTAs shows up as results that change from run to run
        try (Seq s = hx.new Seq(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 20, 64, 512, true, true, true, true, 0, 10)) {
            hx.be.setPrecision(Precision.FP32);
            s.stepForward();
            assertTrue(s.persistentForward(Precision.FP32, true));
            float[] h1 = s.get(s.hs2, s.bh, (long) s.T * s.bh);
            assertTrue(s.persistentBackward(Precision.FP32, true));
            float[] d1 = s.get(s.dP2, 0, (long) s.T * s.bg);
            for (int rep = 0; rep < 3; rep++) {
                s.poison();
                assertTrue(s.persistentForward(Precision.FP32, true));
                assertTrue(s.persistentBackward(Precision.FP32, true));
                assertEquals(0.0, PersistentHarness.relErr(s.get(s.hs2, s.bh, (long) s.T * s.bh), h1), "forward run " + rep);
                assertEquals(0.0, PersistentHarness.relErr(s.get(s.dP2, 0, (long) s.T * s.bg), d1), "backward run " + rep);
            }
        }
    }

    @Test
    void capturedInACudaGraphReplaysCorrectly() {
        try (Seq s = hx.new Seq(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, 6, 8, 64, true, true, true, true, 0, 11)) {
            hx.be.setPrecision(Precision.FP32);
            s.stepForward();
            s.poison();
            hx.be.copy(s.p0, 0, s.p2, 0, (long) s.T * s.bg);
            hx.be.synchronize();
            PersistentRnn.Forward f = new PersistentRnn.Forward(PersistentHarness.ptr(s.u), PersistentHarness.ptr(s.p2), 0, 0,
                    PersistentHarness.ptr(s.hs2), PersistentHarness.ptr(s.cs2), PersistentHarness.ptr(s.mask),
                    PersistentHarness.ptr(s.hs2) + 4 * s.bh, PersistentHarness.ptr(s.cs2) + 4 * s.bh);
            // one launch outside the capture resolves the kernel and sets its shared-memory limit
            assertTrue(s.persistentForward(Precision.FP32, true));
            s.poison();
            hx.be.copy(s.p0, 0, s.p2, 0, (long) s.T * s.bg);
            hx.be.synchronize();
            hx.d.streamBeginCapture(hx.stream);
            boolean ran;
            try {
                ran = hx.pr.forward(RecurrentCell.LSTM, s.act, s.rec, Precision.FP32, s.T, s.B, s.H, f, hx.stream);
            } finally {
                long graph = hx.d.streamEndCapture(hx.stream);
                long exec = hx.d.graphInstantiate(graph);
                hx.d.graphLaunch(exec, hx.stream);
                hx.d.streamSynchronize(hx.stream);
                hx.d.graphExecDestroy(exec);
                hx.d.graphDestroy(graph);
            }
            assertTrue(ran);
            long tbh = (long) s.T * s.bh;
            double e = PersistentHarness.relErr(s.get(s.hs2, s.bh, tbh), s.get(s.hs, s.bh, tbh));
            assertTrue(e <= 1e-5, "graph replay h error " + e);
        }
    }

    /** A hand-made plan with gelu or swish is refused before anything launches (the planner makes none). */
    @Test
    void handMadePlansWithInputDerivativeActivationsAreRefused() {
        PersistentRnn.Plan fwd = PersistentRnn.plan(RecurrentCell.LSTM, false, 8, 64, Precision.FP32, Activation.TANH,
                Activation.SIGMOID, PersistentRnn.Device.of(hx.d));
        PersistentRnn.Plan bwd = PersistentRnn.plan(RecurrentCell.LSTM, true, 8, 64, Precision.FP32, Activation.TANH,
                Activation.SIGMOID, PersistentRnn.Device.of(hx.d));
        assertTrue(fwd != null && bwd != null, "plans for LSTM B=8 H=64");
        assertEquals(null, PersistentRnn.plan(RecurrentCell.LSTM, false, 8, 64, Precision.FP32, Activation.GELU,
                Activation.SIGMOID, PersistentRnn.Device.of(hx.d)), "the planner refuses gelu");
        PersistentRnn.Forward f = new PersistentRnn.Forward(0, 0, 0, 0, 0, 0, 0, 0, 0);
        PersistentRnn.Backward b = new PersistentRnn.Backward(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hx.pr.forward(fwd, Activation.GELU, Activation.SIGMOID, 4, f, 0));
        assertEquals("PersistentRnn.forward: activation and recurrentActivation must not be gelu, swish or another"
                + " activation whose derivative needs the input (the persistent kernels keep activated gates), got gelu / sigmoid", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> hx.pr.backward(bwd, Activation.TANH, Activation.SWISH, 4, 0, b, 0));
        assertEquals("PersistentRnn.backward: activation and recurrentActivation must not be gelu, swish or another"
                + " activation whose derivative needs the input (the persistent kernels keep activated gates), got tanh / swish", e.getMessage());
    }
}
