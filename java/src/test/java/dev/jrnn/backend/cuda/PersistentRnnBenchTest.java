package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.cuda.PersistentModelFit.Row;
import dev.jrnn.backend.RecurrentCell;
import dev.jrnn.backend.cuda.PersistentRnn.Device;
import dev.jrnn.backend.cuda.PersistentRnn.Plan;
import dev.jrnn.backend.cuda.PersistentRnn.Variant;
import dev.jrnn.backend.cuda.PersistentRnnBench.Pick;
import dev.jrnn.backend.cuda.PersistentRnnBench.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What PersistentRnnBench decides without a GPU: which plans it times (the planner's candidates, the selection per
 * shape), the warm-up rule and the device-time estimate. Its data lines: PersistentModelFitTest.
 */
class PersistentRnnBenchTest {
    static final Device H200 = Device.of(90, 132);
    static final Device A100 = Device.of(80, 108);
    static final Activation TANH = Activation.TANH;

    static Activation rec(RecurrentCell c) { return c == RecurrentCell.SIMPLE_RNN ? Activation.LINEAR : Activation.SIGMOID; }

    static Plan planner(RecurrentCell c, boolean bwd, int b, int h, Precision p, Device d, Variant v) {
        return PersistentRnn.plan(c, bwd, b, h, p, TANH, rec(c), d, PersistentRnn.THREADS, v);
    }

    static void assertSameSplit(Plan want, Plan got, String what) {
        assertNotNull(got, what);
        assertTrue(PersistentRnnBench.sameSplit(want, got), what + ": planner " + want + ", bench " + got);
        assertEquals(want.stepCycles(), got.stepCycles(), 0.0, what);
        assertEquals(want.sharedBytes(), got.sharedBytes(), what);
    }

    /**
     * The bench's copy of the planner's loop ranks first exactly what the planner picks, under AUTO, FFMA and
     * TENSOR_CORES, over every cell and precision, batches 1-128 and units 64-1024, on the H200 and an A100.
     */
    @Test
    void candidatesStartWithThePlannersPicks() {
        int shapes = 0;
        for (Device d : new Device[] {H200, A100}) {
            for (RecurrentCell c : RecurrentCell.values()) {
                for (Precision p : Precision.values()) {
                    for (int b : new int[] {1, 3, 4, 16, 32, 64, 128}) {
                        for (int h : new int[] {64, 128, 200, 256, 384, 512, 1024}) {
                            for (boolean bwd : new boolean[] {false, true}) {
                                String what = String.format(Locale.ROOT, "%s %s B=%d H=%d %s on %s", c, p, b, h,
                                        bwd ? "bwd" : "fwd", d);
                                List<Plan> ranked = PersistentRnnBench.candidates(c, bwd, b, h, p, d);
                                Plan auto = planner(c, bwd, b, h, p, d, Variant.AUTO);
                                if (auto == null) {
                                    assertTrue(ranked.isEmpty(), what);
                                    continue;
                                }
                                shapes++;
                                assertSameSplit(auto, ranked.get(0), what + " AUTO");
                                for (Variant v : new Variant[] {Variant.FFMA, Variant.TENSOR_CORES}) {
                                    boolean tc = v == Variant.TENSOR_CORES;
                                    Plan want = planner(c, bwd, b, h, p, d, v);
                                    Plan got = ranked.stream().filter(x -> x.tensorCores() == tc).findFirst().orElse(null);
                                    if (want == null) assertNull(got, what + " " + v);
                                    else assertSameSplit(want, got, what + " " + v);
                                }
                                for (int i = 1; i < ranked.size(); i++) {
                                    assertTrue(ranked.get(i - 1).stepCycles() <= ranked.get(i).stepCycles(), what);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(shapes > 1000, "shapes that fit: " + shapes);
    }

    /** Every candidate is a plan the kernels accept on the device (the bench launches any of them). */
    @Test
    void everyCandidateIsLaunchable() {
        for (Shape s : PersistentRnnBench.SHAPES) {
            for (boolean bwd : new boolean[] {false, true}) {
                List<Plan> ranked = PersistentRnnBench.candidates(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200);
                assertFalse(ranked.isEmpty(), s.label());
                Set<String> keys = new HashSet<>();
                for (Plan p : ranked) {
                    PersistentRnnPlanTest.checkPlan(p, H200);
                    assertEquals(s.batch(), p.batch());
                    assertEquals(bwd, p.backward());
                    assertTrue(keys.add(key(p)), "duplicate candidate " + p);
                }
            }
        }
    }

    static String key(Plan p) {
        return (p.tensorCores() ? "tc" : "ffma") + " " + p.slice() + "/" + p.batchGroup() + "/" + p.chunk();
    }

    /**
     * Per shape and direction: the AUTO pick first, the best plan of the other variant, then two runners-up of new
     * grids in model order; nothing twice; every role and rank as documented.
     */
    @Test
    void selectionIsThePickTheOtherVariantAndTwoRunnersUp() {
        for (Shape s : PersistentRnnBench.SHAPES) {
            for (boolean bwd : new boolean[] {false, true}) {
                String what = s.label() + (bwd ? " bwd" : " fwd");
                List<Plan> ranked = PersistentRnnBench.candidates(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200);
                List<Pick> sel = PersistentRnnBench.selection(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200);
                Plan auto = planner(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200, Variant.AUTO);
                assertEquals("auto", sel.get(0).role(), what);
                assertEquals(1, sel.get(0).rank(), what);
                assertSameSplit(auto, sel.get(0).plan(), what);
                // the other variant's best, when it fits at all
                Variant other = auto.tensorCores() ? Variant.FFMA : Variant.TENSOR_CORES;
                Plan best = planner(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200, other);
                if (best != null) {
                    assertEquals(auto.tensorCores() ? "ffma" : "tc", sel.get(1).role(), what);
                    assertSameSplit(best, sel.get(1).plan(), what);
                }
                long next = sel.stream().filter(x -> x.role().equals("next")).count();
                assertEquals(Math.min(PersistentRnnBench.RUNNERS_UP, distinctGrids(ranked) - (best != null ? 2 : 1)), next,
                        what);
                assertTrue(sel.size() <= 2 + PersistentRnnBench.RUNNERS_UP, what);
                Set<String> grids = new HashSet<>();
                int lastNext = 0;
                for (Pick pk : sel) {
                    assertTrue(grids.add(key(pk.plan()).replaceAll("/\\d+$", "")), what + ": grid twice " + pk);
                    assertSameSplit(ranked.get(pk.rank() - 1), pk.plan(), what + " rank " + pk.rank());
                    if (pk.role().equals("next")) {
                        assertTrue(pk.rank() > lastNext, what);
                        // no cheaper candidate of a grid not yet timed was skipped
                        for (int i = lastNext; i < pk.rank() - 1; i++) {
                            Plan skipped = ranked.get(i);
                            assertTrue(sel.stream().anyMatch(o -> PersistentRnnBench.sameGrid(o.plan(), skipped)),
                                    what + ": skipped " + skipped);
                        }
                        lastNext = pk.rank();
                    }
                }
            }
        }
    }

    static int distinctGrids(List<Plan> ranked) {
        Set<String> g = new HashSet<>();
        for (Plan p : ranked) g.add(key(p).replaceAll("/\\d+$", ""));
        return g.size();
    }

    /**
     * The coverage the fit asked for: every v2.1 AUTO pick of the old table's 20 rows (17 of them never measured)
     * is timed, in both directions, and so is the other variant's best.
     */
    @Test
    void everyTablePickIsTimed() {
        List<Row> csv = PersistentModelFit.load();
        int unmeasured = 0;
        for (Shape s : PersistentRnnBench.SHAPES.subList(0, 20)) {
            for (boolean bwd : new boolean[] {false, true}) {
                Plan auto = planner(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200, Variant.AUTO);
                List<Pick> sel = PersistentRnnBench.selection(s.cell(), bwd, s.batch(), s.units(), s.precision(), H200);
                assertTrue(sel.stream().anyMatch(p -> PersistentRnnBench.sameSplit(p.plan(), auto)), s.label());
                boolean measured = csv.stream().anyMatch(r -> r.source().endsWith(":table") && r.persistent()
                        && r.cell() == s.cell() && r.precision() == s.precision() && r.batch() == s.batch()
                        && r.units() == s.units() && r.backward() == bwd && r.split().equals(PersistentModelFit.split(auto)));
                if (!measured) unmeasured++;
            }
        }
        assertEquals(17, unmeasured, "table picks the old runs never timed");
    }

    // ------------------------------------------------------------------------------- warm-up and budget

    static List<Double> list(double... v) {
        List<Double> l = new ArrayList<>();
        for (double x : v) l.add(x);
        return l;
    }

    @Test
    void warmUpWaitsForTwoWindowsThatAgree() {
        // flat from the start: warm once there are two windows and the minimum time has passed
        assertFalse(PersistentRnnBench.warm(list(1, 1, 1, 1, 1, 1, 1), 7));
        assertFalse(PersistentRnnBench.warm(list(1, 1, 1, 1, 1, 1, 1, 1), PersistentRnnBench.WARM_MIN_MS - 1));
        assertTrue(PersistentRnnBench.warm(list(1, 1, 1, 1, 1, 1, 1, 1), PersistentRnnBench.WARM_MIN_MS));
        // a clock still ramping: each window 5% faster than the one before
        List<Double> ramp = new ArrayList<>();
        for (int i = 0; i < 16; i++) ramp.add(1.2 * Math.pow(0.95, i / 4));
        assertFalse(PersistentRnnBench.warm(ramp, 20));
        // ... until it settles: the last two windows agree within 2% (one outlier per window does not matter)
        List<Double> settled = new ArrayList<>(ramp);
        settled.addAll(list(0.90, 0.91, 0.90, 1.30, 0.905, 0.90, 0.50, 0.91));
        assertTrue(PersistentRnnBench.warm(settled, 30));
        // and never longer than the cap
        assertTrue(PersistentRnnBench.warm(ramp, PersistentRnnBench.WARM_MAX_MS));
        assertEquals(1.0, PersistentRnnBench.median(list(3, 1, 0.5, 1)), 0.0);
    }

    /**
     * The bench's device time at ci/gpu-all.sh's reps = 10 on the H200, by the cost model: about 7 s typical, and
     * even if no warm-up settles, under 25 s, which leaves ~10 s of the script's 35 s (T_PERSIST) for start-up
     * (JVM, CUDA context, module load) and the host-side set-up of the 30 sequences.
     */
    @Test
    void deviceTimeFitsTheCiBudget() {
        double[] est = PersistentRnnBench.estimateSeconds(10, H200);
        assertTrue(est[0] > 3 && est[0] < 12, "typical " + est[0] + " s");
        assertTrue(est[1] >= est[0] && est[1] < 25, "worst " + est[1] + " s");
    }

    /** The 20 table rows come first, in the old table's order, then the 8 shapes the v2.1 notes only predicted. */
    @Test
    void shapesAreTheOldTableThenThePredictions() {
        List<Shape> s = PersistentRnnBench.SHAPES;
        assertEquals(28, s.size());
        assertEquals(new Shape(RecurrentCell.LSTM, Precision.FP32, 64, 100, 512), s.get(0));
        assertEquals(new Shape(RecurrentCell.LSTM, Precision.BF16, 128, 50, 128), s.get(11));
        assertEquals(new Shape(RecurrentCell.SIMPLE_RNN, Precision.FP32, 128, 50, 128), s.get(19));
        assertEquals(28, new HashSet<>(s).size());
        for (Shape x : s) {
            for (boolean bwd : new boolean[] {false, true}) {
                assertNotNull(planner(x.cell(), bwd, x.batch(), x.units(), x.precision(), H200, Variant.AUTO), x.label());
            }
        }
    }
}
