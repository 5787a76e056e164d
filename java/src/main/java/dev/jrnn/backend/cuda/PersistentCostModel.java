package dev.jrnn.backend.cuda;

import static dev.jrnn.backend.cuda.PersistentRnn.gemmCols;
import static dev.jrnn.backend.cuda.PersistentRnn.gemmK;
import static dev.jrnn.backend.cuda.PersistentRnn.gemmRows;
import static dev.jrnn.backend.cuda.PersistentRnn.kSplit;
import static dev.jrnn.backend.cuda.PersistentRnn.mmaK;
import static dev.jrnn.backend.cuda.PersistentRnn.ownFields;
import static dev.jrnn.backend.cuda.PersistentRnn.tiles;

import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;

/**
 * The cost model {@link PersistentRnn}'s planner ranks splits by: predicted SM cycles of one persistent-kernel
 * step, with constants fitted to H200 measurements.
 */
final class PersistentCostModel {
    private PersistentCostModel() {}

    /**
     * Constants of the cost model {@link #stepCycles}, in cycles of one SM at {@code clockGHz} unless stated.
     *
     * @param ffmaPerCycle      FFMA: FMAs per cycle per SM when every thread has work (the 4x4 register tiles with
     *                          8 warps reach about half of the 128-lane peak)
     * @param threadFmaCycles   FFMA: cycles per FMA of one thread (issue limit), when few threads share K
     * @param bf16FfmaFactor    FFMA in BF16: extra cost of unpacking the bf16 U operand (multiplies the compute)
     * @param tcRateFp32        tensor cores, MACs per cycle per SM (ceiling), 3xTF32
     * @param tcRateTf32        ... one TF32 mma
     * @param tcRateBf16        ... one BF16 mma
     * @param tcStepFp32        tensor cores: cycles one warp spends per K step of one 16x8 warp tile, 3xTF32
     *                          (operand split + three dependent-ish mma + fragment loads)
     * @param tcStepTf32        ... TF32 (m16n8k8)
     * @param tcStepBf16        ... BF16 (m16n8k16)
     * @param stageBytesPerCycle bytes of A (h or dgates) staged from L2 per cycle per SM, cp.async
     * @param chunkCycles       per staged K chunk: the wait for its copy and its two block barriers
     * @param stepBase          per step: grid barrier base and the dependent L2 round trip of h (not separable here)
     * @param barrierPerCta     per step and CTA in the grid: the grid barrier's arrival term
     * @param foldCycles        per output round (outputs / threads) and 4 K-split partials: folding the partial sums
     * @param cellFieldCycles   per pass over the CTA's (row, unit) elements and per global field the cell update
     *                          stages or writes (see {@link #cellFields})
     * @param roundCycles       TF32/BF16: per 4-float group per thread of the staged A, the in-place operand rounding
     * @param clockGHz          SM clock that turns cycles into time
     */
    record CostModel(double ffmaPerCycle, double threadFmaCycles, double bf16FfmaFactor, double tcRateFp32,
                     double tcRateTf32, double tcRateBf16, double tcStepFp32, double tcStepTf32, double tcStepBf16,
                     double stageBytesPerCycle, double chunkCycles, double stepBase, double barrierPerCta,
                     double foldCycles, double cellFieldCycles, double roundCycles, double clockGHz) {
        /** Microseconds of {@code cycles} at this model's clock. */
        double micros(double cycles) { return cycles / (clockGHz * 1000.0); }
    }

    /**
     * The cost model's constants, fitted (PersistentModelFit: least squares on ln(predicted / measured)) to 226
     * of the 228 persistent-kernel rows measured on an NVIDIA H200 in runs 3 and 4 of 2026-11-26 (test resource
     * persist-h200.csv, from benchmarks/results/gpu-2026-11-26-h200-run{3,4}/persist-bench.log; the two left out
     * contradict a same-kernel measurement); see benchmarks/NOTES.md, "Version 2.1". Set, not fitted:
     * threadFmaCycles (issue limit), the tensor-core rate ceilings (A100 per-SM dense rates; they bind at none of
     * the measured shapes) and the clock (H200 boost, 1.98 GHz; it only scales the rest).
     */
    static final CostModel H200_FIT = new CostModel(
            71.02, 1.0, 1.504, 512.0 / 3, 512.0, 1024.0, 302.3, 116.7, 170.4,
            12.65, 1288.0, 4435.0, 12.65, 80.27, 133.3, 311.8, 1.98);

    /**
     * Global fields per (row, unit) element the cell update stages or writes in one step (mirror of
     * own_fields plus the stores of persistent_rnn.cu): forward LSTM 4 + 6 (gates, h, c), GRU 3 + 7 (gates, rp,
     * h), RNN 1 + 1; backward LSTM 7 + 4, GRU 6 + 6, RNN 2 + 1.
     */
    static int cellFields(RecurrentCell cell, boolean bwd) {
        int out = switch (cell) {
            case LSTM -> bwd ? 4 : 6;
            case GRU -> bwd ? 6 : 7;
            case SIMPLE_RNN -> 1;
        };
        return ownFields(cell, bwd) + out;
    }

    /** {@link #stepCycles(RecurrentCell, boolean, Precision, int, int, int, int, int, int, boolean, CostModel)} with {@link #H200_FIT}. */
    static double stepCycles(RecurrentCell cell, boolean bwd, Precision p, int units, int slice, int bg, int chunk, int ctas,
                             int threads, boolean tc) {
        return stepCycles(cell, bwd, p, units, slice, bg, chunk, ctas, threads, tc, H200_FIT);
    }

    /**
     * Cost model of one step in SM cycles: what the planner ranks splits by, fitted to H200 measurements
     * ({@link #H200_FIT}; |ln(predicted / measured)| median 0.05, at most 0.38 on the fitted rows; see
     * benchmarks/NOTES.md, "Version 2.1").
     * Multiply: FFMA at {@code ffmaPerCycle} FMAs per cycle per SM, or {@code threadFmaCycles} per FMA of the
     * busiest thread when few threads share the work (BF16 times {@code bf16FfmaFactor}); tensor cores: the
     * busiest warp's tiles x K steps x {@code tcStep*} (with 8 warps, mma.sync is bound by each warp's chain of
     * fragment loads, operand splitting and mma, not by the tensor units), at least the MACs at {@code tcRate*}.
     * Staging A from L2 at {@code stageBytesPerCycle}, pipelined with the multiply over the chunks (the first
     * chunk's copy is not hidden), plus {@code chunkCycles} per chunk; TF32/BF16 round each staged chunk in place
     * ({@code roundCycles} per 4 floats per thread). Then folding the K-split partial sums, the cell update
     * ({@code cellFieldCycles} per pass and global field), and per step {@code stepBase} plus the grid barrier's
     * {@code barrierPerCta} per CTA. The rounding pass and the per-field cell cost were added when fitting:
     * TF32 FFMA backward at B=64 H=512 measured 19% slower than FP32 with the same split (the rounding pass is
     * the only per-step difference), and a cell-independent update cost left RNN 10% over and LSTM backward 5-10%
     * under.
     */
    static double stepCycles(RecurrentCell cell, boolean bwd, Precision p, int units, int slice, int bg, int chunk, int ctas,
                             int threads, boolean tc, CostModel m) {
        int k = gemmK(cell, bwd, units);
        int cp = gemmCols(cell, bwd, slice);
        int bgp = gemmRows(bg, tc);
        int nTiles = tiles(cell, bwd, slice, bg, tc);
        int ks = kSplit(nTiles, threads, tc);
        double fmas = (double) bgp * cp * k;
        double compute;
        if (!tc) {
            double perThread = (double) k / ks * 16 * m.threadFmaCycles();
            compute = Math.max(fmas / m.ffmaPerCycle(), perThread) * (p == Precision.BF16 ? m.bf16FfmaFactor() : 1.0);
        } else {
            int warps = threads / 32;
            int tpw = ks > 1 ? 1 : (nTiles + warps - 1) / warps;
            double rate = switch (p) { case FP32 -> m.tcRateFp32(); case TF32 -> m.tcRateTf32(); case BF16 -> m.tcRateBf16(); };
            double perStep = switch (p) { case FP32 -> m.tcStepFp32(); case TF32 -> m.tcStepTf32(); case BF16 -> m.tcStepBf16(); };
            double perWarp = (double) tpw * k / ks / mmaK(p) * perStep;
            compute = Math.max(fmas / rate, perWarp);
        }
        double load = (double) bg * k * 4 / m.stageBytesPerCycle();
        int n = (k + chunk - 1) / chunk;
        double gemm = load / n + (n - 1) * Math.max(load / n, compute / n) + compute / n + m.chunkCycles() * n;
        double round = p == Precision.FP32 ? 0.0 : Math.ceil((double) bg * k / 4 / threads) * m.roundCycles();
        double fold = ks > 1 ? Math.ceil((double) bgp * cp / threads) * (ks / 4.0 + 1) * m.foldCycles() : 0.0;
        double cellUpdate = Math.ceil((double) bg * slice / threads) * cellFields(cell, bwd) * m.cellFieldCycles();
        return gemm + round + fold + cellUpdate + m.stepBase() + m.barrierPerCta() * ctas;
    }
}
