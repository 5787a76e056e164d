package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The persistent-kernel path for whole recurrent sequences ({@code kernels/persistent_rnn.cu}): one
 * cooperative launch runs all T steps of a SimpleRNN, LSTM or GRU, forward or backward, with the
 * recurrent kernel U held in shared memory across steps and a grid-wide barrier between steps.
 * It replaces only the per-step loop of the GEMM + fused-step path (the input projection before it
 * and the weight-gradient GEMMs after it stay as they are) and writes the same buffers that loop writes.
 *
 * <p>{@link #plan} decides from the shape and the device whether the path fits (U's share per CTA in
 * shared memory, every CTA co-resident); {@link #forward}/{@link #backward} launch it, or return
 * false (having done nothing) so that the caller runs its per-step loop instead.
 *
 * <pre>{@code
 * PersistentRnn pr = new PersistentRnn(driver, module);
 * PersistentRnn.Forward f = new PersistentRnn.Forward(u, p, 0, 0, hs, cs, mask, hs + 4L * B * H, cs + 4L * B * H);
 * if (!pr.forward(PersistentRnn.Cell.LSTM, Activation.TANH, Activation.SIGMOID, Precision.FP32, T, B, H, f, stream)) {
 *     // per-step loop
 * }
 * }</pre>
 */
public final class PersistentRnn {

    /** The recurrent cell: its kernel-name part and gate blocks per unit. */
    public enum Cell {
        RNN("rnn", 1), LSTM("lstm", 4), GRU("gru", 3);

        private final String id;
        private final int gates;

        Cell(String id, int gates) {
            this.id = id;
            this.gates = gates;
        }

        /** Gate blocks per unit (G = gates * H). */
        public int gates() { return gates; }

        /** Lower-case name used in the kernel names ("lstm"). */
        public String id() { return id; }
    }

    /**
     * Threads per CTA: the kernels work for any block size up to their {@code __launch_bounds__(256, 1)};
     * 256 (8 warps on one SM) keeps enough 4x4 register tiles in flight.
     */
    static final int THREADS = 256;
    /** Smallest K chunk worth double-buffering (below it the staging latency is paid too often). */
    static final int MIN_CHUNK = 32;

    /** What the planner needs to know about the device. */
    public record Device(int computeCapability, int multiprocessors, int maxSharedPerBlock) {
        /**
         * Limits of a device by compute capability (major*10+minor) when the driver cannot be asked:
         * the opt-in shared memory per block of sm_80/87 (163 KB), sm_86/89 (99 KB), sm_90 (227 KB).
         */
        public static Device of(int computeCapability, int multiprocessors) {
            int smem = switch (computeCapability) {
                case 80, 87 -> 166912;
                case 86, 89 -> 101376;
                case 90 -> 232448;
                default -> computeCapability > 90 ? 101376 : 0;
            };
            return new Device(computeCapability, multiprocessors, smem);
        }

        /** The current device's limits, read from the driver. */
        public static Device of(CudaDriver d) {
            return new Device(d.computeCapability(), d.multiprocessorCount(), d.maxSharedMemoryPerBlockOptin());
        }
    }

    /**
     * A launch plan: CTA (x, y) owns hidden units [x*slice, x*slice + slice) and batch rows
     * [y*batchGroup, y*batchGroup + batchGroup); A (h or dgates) is staged in chunks of {@code chunk}
     * columns. {@code sharedBytes} is the kernel's shared-memory layout (make_layout in
     * persistent_common.cuh), {@code stepCycles} the cost model's estimate of one step.
     */
    public record Plan(Cell cell, boolean backward, Precision precision, int batch, int units, int slice,
                       int batchGroup, int chunk, int threads, int gridX, int gridY, int sharedBytes,
                       double stepCycles) {
        /** CTAs in the grid. */
        public int ctas() { return gridX * gridY; }

        /** The kernel's name, e.g. jrnn_persist_lstm_fwd_fp32. */
        public String kernelName() { return PersistentRnn.kernelName(cell, backward, precision); }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %s %s B=%d H=%d: grid %dx%d (slice %d units, %d rows), chunk %d, "
                            + "%d threads, %d B shared, ~%.0f cycles/step",
                    cell.id, backward ? "bwd" : "fwd", precision, batch, units, gridX, gridY, slice, batchGroup,
                    chunk, threads, sharedBytes, stepCycles);
        }
    }

    /** Kernel name of a cell, direction and precision (see persistent_rnn.cu). */
    public static String kernelName(Cell cell, boolean backward, Precision p) {
        return "jrnn_persist_" + cell.id + (backward ? "_bwd_" : "_fwd_") + p.name().toLowerCase(Locale.ROOT);
    }

    /** Floats of per-step inputs staged per (row, unit): mirror of own_fields in persistent_common.cuh. */
    static int ownFields(Cell cell, boolean bwd) {
        if (!bwd) return cell.gates;
        return switch (cell) {
            case RNN -> 2;
            case LSTM -> 7;
            case GRU -> 6;
        };
    }

    /** Mirror of state_floats in persistent_common.cuh. */
    static int stateFloats(Cell cell, boolean bwd, int bg, int s) {
        int n = bg * s;
        if (cell == Cell.LSTM) return 2 * n;
        if (cell == Cell.GRU && !bwd) return n + 3 * s;
        return n;
    }

    private static int round4(int x) { return (x + 3) & ~3; }

    private static long align16(long x) { return (x + 15) & ~15L; }

    /** Rows of the block GEMM's K dimension: H forward, G backward. */
    static int gemmK(Cell cell, boolean bwd, int units) { return bwd ? cell.gates * units : units; }

    /** Columns of the block GEMM's output per CTA: all gates of the slice forward, the slice backward. */
    static int gemmCols(Cell cell, boolean bwd, int slice) { return bwd ? slice : cell.gates * slice; }

    /** Thread tiles (4 rows x 4 columns) of one CTA's output. */
    static int tiles(Cell cell, boolean bwd, int slice, int batchGroup) {
        return (round4(batchGroup) / 4) * (gemmCols(cell, bwd, slice) / 4);
    }

    /**
     * Dynamic shared memory of one CTA, byte for byte the layout of make_layout in
     * persistent_common.cuh (the simulation test checks the two agree).
     */
    public static long sharedBytes(Cell cell, boolean bwd, Precision p, int units, int slice, int batchGroup,
                                   int chunk, int threads) {
        int k = gemmK(cell, bwd, units);
        int cp = gemmCols(cell, bwd, slice);
        int bgp = round4(batchGroup);
        int lda = chunk + 4;
        int nChunks = (k + chunk - 1) / chunk;
        int nBuf = nChunks > 1 ? 2 : 1;
        int nTiles = (bgp / 4) * (cp / 4);
        int ks = (nTiles >= threads || nTiles == 0) ? 1 : threads / nTiles;
        long total = 0;
        total += align16((long) k * cp * (p == Precision.BF16 ? 2 : 4));
        total += align16((long) nBuf * bgp * lda * 4);
        total += align16((long) ks * bgp * cp * 4);
        total += align16(2L * ownFields(cell, bwd) * batchGroup * slice * 4);
        total += align16(2L * bgp * 4);
        total += align16((long) stateFloats(cell, bwd, batchGroup, slice) * 4);
        return total;
    }

    /**
     * Whether the persistent path fits both directions of this shape on a device with
     * {@code smemPerBlock} bytes of opt-in shared memory per block and {@code numSMs} multiprocessors
     * (compute capability 8.0 or newer assumed; the launch still checks co-residency on the device).
     */
    public static boolean fits(Cell cell, int batch, int units, Precision p, int smemPerBlock, int numSMs) {
        Device d = new Device(80, numSMs, smemPerBlock);
        return plan(cell, false, batch, units, p, Activation.TANH, Activation.SIGMOID, d) != null
                && plan(cell, true, batch, units, p, Activation.TANH, Activation.SIGMOID, d) != null;
    }

    /**
     * The cheapest plan by the cost model, or null when the path does not fit: compute capability below
     * 8.0 (cp.async), units not a multiple of 4 (16-byte staging), a softmax activation, or no split whose
     * shared memory fits with at most one CTA per multiprocessor.
     */
    public static Plan plan(Cell cell, boolean bwd, int batch, int units, Precision p, Activation act,
                            Activation recAct, Device dev) {
        return plan(cell, bwd, batch, units, p, act, recAct, dev, THREADS);
    }

    /** {@link #plan} for blocks of {@code threads} threads (tests use small blocks in the CPU model). */
    static Plan plan(Cell cell, boolean bwd, int batch, int units, Precision p, Activation act,
                     Activation recAct, Device dev, int threads) {
        if (cell == null || p == null || dev == null) throw new IllegalArgumentException("PersistentRnn.plan: null argument");
        if (batch <= 0 || units <= 0) {
            throw new IllegalArgumentException("PersistentRnn.plan: batch and units must be positive, got batch="
                    + batch + ", units=" + units);
        }
        if (dev.computeCapability() < 80 || dev.multiprocessors() <= 0 || dev.maxSharedPerBlock() <= 0) return null;
        if (units % 4 != 0) return null;
        if (act == Activation.SOFTMAX || recAct == Activation.SOFTMAX) return null;
        Plan best = null;
        int prevGroup = -1;
        for (int nbg = 1; nbg <= batch; nbg++) {
            int bg = (batch + nbg - 1) / nbg;
            if (bg == prevGroup || (batch + bg - 1) / bg != nbg) continue;
            prevGroup = bg;
            if (nbg > dev.multiprocessors()) break;
            for (int s = 4; s <= round4(units); s += 4) {
                int nus = (units + s - 1) / s;
                if (s > 4 && (units + s - 5) / (s - 4) == nus) continue;  // same grid, fewer units per CTA is better
                if ((long) nus * nbg > dev.multiprocessors()) continue;
                if (tiles(cell, bwd, s, bg) > threads) continue;
                int widest = chunkFor(cell, bwd, p, units, s, bg, dev.maxSharedPerBlock(), threads);
                if (widest <= 0) continue;
                // The widest chunk that fits, and narrower ones that overlap staging with compute.
                int k = gemmK(cell, bwd, units);
                for (int n = 1; n <= 8; n *= 2) {
                    int chunk = Math.min(widest, round4((k + n - 1) / n));
                    if (n > 1 && (chunk == widest || chunk < MIN_CHUNK)) continue;
                    int smem = (int) sharedBytes(cell, bwd, p, units, s, bg, chunk, threads);
                    double cost = stepCycles(cell, bwd, p, units, s, bg, chunk, nus * nbg, threads);
                    Plan cand = new Plan(cell, bwd, p, batch, units, s, bg, chunk, threads, nus, nbg, smem, cost);
                    if (best == null || cost < best.stepCycles() - 1e-9
                            || (Math.abs(cost - best.stepCycles()) <= 1e-9 && cand.ctas() < best.ctas())) {
                        best = cand;
                    }
                }
            }
        }
        return best;
    }

    /** The largest K chunk that fits: all of K single-buffered, else double-buffered chunks; 0 if none. */
    static int chunkFor(Cell cell, boolean bwd, Precision p, int units, int slice, int bg, int maxShared, int threads) {
        int k = gemmK(cell, bwd, units);
        if (sharedBytes(cell, bwd, p, units, slice, bg, k, threads) <= maxShared) return k;
        // Double-buffered: everything but A is independent of the chunk.
        long fixed = sharedBytes(cell, bwd, p, units, slice, bg, k, threads)
                - align16((long) round4(bg) * (k + 4) * 4);
        long perChunk = 2L * round4(bg) * 4;
        long room = maxShared - fixed;
        int chunk = (int) Math.min(k - 4, room / perChunk - 4) & ~3;
        // The A region rounds up to 16 bytes: step down until the exact layout fits.
        while (chunk >= MIN_CHUNK && sharedBytes(cell, bwd, p, units, slice, bg, chunk, threads) > maxShared) chunk -= 4;
        return chunk >= Math.min(MIN_CHUNK, k) ? chunk : 0;
    }

    /**
     * A plan with the split given by hand (tests and benchmarks), or IllegalArgumentException when the
     * kernel would refuse it (see plan_ok in persistent_common.cuh).
     */
    static Plan manualPlan(Cell cell, boolean bwd, Precision p, int batch, int units, int slice, int batchGroup,
                           int chunk, int threads) {
        if (units % 4 != 0 || slice <= 0 || slice % 4 != 0 || batchGroup <= 0 || chunk <= 0 || chunk % 4 != 0
                || threads <= 0 || threads > THREADS || tiles(cell, bwd, slice, batchGroup) > threads) {
            throw new IllegalArgumentException("PersistentRnn.manualPlan: invalid split units=" + units + " slice="
                    + slice + " batchGroup=" + batchGroup + " chunk=" + chunk + " threads=" + threads);
        }
        int gx = (units + slice - 1) / slice, gy = (batch + batchGroup - 1) / batchGroup;
        int smem = (int) sharedBytes(cell, bwd, p, units, slice, batchGroup, chunk, threads);
        return new Plan(cell, bwd, p, batch, units, slice, batchGroup, chunk, threads, gx, gy, smem,
                stepCycles(cell, bwd, p, units, slice, batchGroup, chunk, gx * gy, threads));
    }

    /**
     * Cost model of one step in SM cycles (a ranking heuristic, not a prediction to the cycle):
     * FP32 FMAs at 128 per cycle per SM, or one per cycle per thread when few threads share K (BF16 a
     * quarter more for unpacking U); staging A from L2 at 32 bytes per cycle per SM, pipelined with the
     * compute over the chunks (chunk i+1 is copied while chunk i is multiplied, so the first chunk's copy
     * is not hidden); 800 cycles of L2 latency per step and 150 per chunk for its two block barriers;
     * folding the K-split partial sums; the cell update; and a grid barrier of 1500 cycles plus 4 per CTA.
     */
    static double stepCycles(Cell cell, boolean bwd, Precision p, int units, int slice, int bg, int chunk, int ctas,
                             int threads) {
        int k = gemmK(cell, bwd, units);
        int cp = gemmCols(cell, bwd, slice);
        int bgp = round4(bg);
        int nTiles = tiles(cell, bwd, slice, bg);
        int ks = nTiles >= threads ? 1 : threads / nTiles;
        double fmas = (double) bgp * cp * k;
        double perThread = (double) k / ks * 16;
        double compute = Math.max(fmas / 128.0, perThread) * (p == Precision.BF16 ? 1.25 : 1.0);
        double load = (double) bg * k * 4 / 32.0;
        int n = (k + chunk - 1) / chunk;
        double gemm = load / n + (n - 1) * Math.max(load / n, compute / n) + compute / n + 150.0 * n + 800.0;
        // folding the KS partials (4 loads in flight per thread, ~35 cycles each round), then the cell update
        double reduce = ks > 1 ? Math.ceil((double) bgp * cp / threads) * (ks / 4.0 + 1) * 35.0 + 50.0 : 0.0;
        double elementwise = Math.ceil((double) bg * slice / threads) * 150.0 + 200.0;
        return gemm + reduce + elementwise + 1500.0 + 4.0 * ctas;
    }

    // ------------------------------------------------------------------------------- launching

    /**
     * Device addresses (offsets applied; 0 = none) of a forward sequence; see persistent_rnn.cu.
     * p [T,B,G] in: x·W + b, out: activated gates (LSTM i,f,g,o; GRU z,r,hh; RNN untouched);
     * rp GRU [T,B,G] out; bRec GRU [G] nullable; h0, c0 [B,H] nullable; mask [T,B] nullable;
     * hSeq, cSeq [T,B,H] out (cSeq LSTM only).
     */
    public record Forward(long u, long p, long rp, long bRec, long h0, long c0, long mask, long hSeq, long cSeq) {}

    /**
     * Device addresses (offsets applied; 0 = none) of a backward sequence; see persistent_rnn.cu.
     * p: LSTM gates / GRU (z,r,hh) from forward; rp GRU; h0 (GRU), hSeq (RNN, GRU), c0 and cSeq (LSTM) from
     * forward; dy [T,B,H], dhT, dcT [B,H] nullable; mask nullable; dP, dRP (GRU) out [T,B,G]; dh0, dc0 [B,H]
     * out, nullable (dh0 may equal dhT, dc0 may equal dcT).
     */
    public record Backward(long u, long p, long rp, long h0, long hSeq, long c0, long cSeq, long dy, long dhT,
                           long dcT, long mask, long dP, long dRP, long dh0, long dc0) {}

    private final CudaDriver driver;
    private final long module;
    private final Device device;
    private final ConcurrentHashMap<String, Long> functions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Integer> smemSet = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Boolean> coResident = new ConcurrentHashMap<>();

    /** Launcher for the kernels of {@code module} (the jrnn fatbin loaded by CudaBackend). */
    public PersistentRnn(CudaDriver driver, long module) {
        this.driver = driver;
        this.module = module;
        this.device = driver.supportsCooperativeLaunch() ? Device.of(driver) : null;
    }

    /** The plan this launcher would use, or null when the path does not fit (or no cooperative launch). */
    public Plan planFor(Cell cell, boolean backward, int batch, int units, Precision p, Activation act, Activation recAct) {
        return device == null ? null : plan(cell, backward, batch, units, p, act, recAct, device);
    }

    /**
     * Runs all {@code steps} forward steps on {@code stream}, or returns false without launching when the
     * path does not fit this shape, device or the buffers' alignment (16 bytes for everything staged).
     */
    public boolean forward(Cell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                           int units, Forward a, long stream) {
        checkShape("forward", steps, batch, units);
        Plan plan = planFor(cell, false, batch, units, prec, act, recAct);
        return plan != null && forward(plan, act, recAct, steps, a, stream);
    }

    /** Launches the forward with a given plan (the planner's, or a hand-made one for benchmarks). */
    boolean forward(Plan plan, Activation act, Activation recAct, int steps, Forward a, long stream) {
        Cell cell = plan.cell();
        if (plan.backward()) throw new IllegalArgumentException("PersistentRnn.forward: a backward plan " + plan);
        if (!aligned(a.p(), a.h0(), a.hSeq(), a.c0(), a.cSeq(), a.rp())) return false;
        if (a.u() == 0 || a.p() == 0 || a.hSeq() == 0 || (cell == Cell.LSTM && a.cSeq() == 0)
                || (cell == Cell.GRU && a.rp() == 0)) {
            throw new IllegalArgumentException("PersistentRnn.forward(" + cell + "): u, p, hSeq"
                    + (cell == Cell.LSTM ? ", cSeq" : cell == Cell.GRU ? ", rp" : "") + " are required, got " + a);
        }
        long fn = prepare(plan);
        if (fn == 0) return false;
        driver.launchCooperative(fn, plan.gridX(), plan.gridY(), 1, plan.threads(), 1, 1, plan.sharedBytes(), stream,
                forwardArgs(plan, steps, act, recAct, a));
        return true;
    }

    /** The forward kernel's arguments, in the order of JRNN_PERSIST_FWD in persistent_rnn.cu. */
    static Object[] forwardArgs(Plan plan, int steps, Activation act, Activation recAct, Forward a) {
        return new Object[] {steps, plan.batch(), plan.units(), plan.slice(), plan.batchGroup(), plan.chunk(),
                act.code(), recAct.code(), a.u(), a.p(), a.rp(), a.bRec(), a.h0(), a.c0(), a.mask(), a.hSeq(), a.cSeq()};
    }

    /** The backward kernel's arguments, in the order of JRNN_PERSIST_BWD in persistent_rnn.cu. */
    static Object[] backwardArgs(Plan plan, int steps, Activation act, Activation recAct, int tbptt, Backward a) {
        return new Object[] {steps, plan.batch(), plan.units(), plan.slice(), plan.batchGroup(), plan.chunk(),
                act.code(), recAct.code(), tbptt, a.u(), a.p(), a.rp(), a.h0(), a.hSeq(), a.c0(), a.cSeq(), a.dy(),
                a.dhT(), a.dcT(), a.mask(), a.dP(), a.dRP(), a.dh0(), a.dc0()};
    }

    /**
     * Runs all {@code steps} backward steps (last to first) on {@code stream}, or returns false without
     * launching when the path does not fit. {@code tbptt} as RecurrentLayer (0 = full BPTT).
     */
    public boolean backward(Cell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                            int units, int tbptt, Backward a, long stream) {
        checkShape("backward", steps, batch, units);
        if (tbptt < 0) throw new IllegalArgumentException("PersistentRnn.backward: tbptt must be >= 0, got " + tbptt);
        Plan plan = planFor(cell, true, batch, units, prec, act, recAct);
        return plan != null && backward(plan, act, recAct, steps, tbptt, a, stream);
    }

    /** Launches the backward with a given plan (the planner's, or a hand-made one for benchmarks). */
    boolean backward(Plan plan, Activation act, Activation recAct, int steps, int tbptt, Backward a, long stream) {
        Cell cell = plan.cell();
        if (!plan.backward()) throw new IllegalArgumentException("PersistentRnn.backward: a forward plan " + plan);
        if (!aligned(a.p(), a.rp(), a.h0(), a.hSeq(), a.c0(), a.cSeq(), a.dy(), a.dP(), a.dRP())) return false;
        boolean ok = a.u() != 0 && a.dP() != 0 && switch (cell) {
            case RNN -> a.hSeq() != 0;
            case LSTM -> a.p() != 0 && a.cSeq() != 0;
            case GRU -> a.p() != 0 && a.rp() != 0 && a.hSeq() != 0 && a.dRP() != 0;
        };
        if (!ok) throw new IllegalArgumentException("PersistentRnn.backward(" + cell + "): a required address is 0: " + a);
        long fn = prepare(plan);
        if (fn == 0) return false;
        driver.launchCooperative(fn, plan.gridX(), plan.gridY(), 1, plan.threads(), 1, 1, plan.sharedBytes(), stream,
                backwardArgs(plan, steps, act, recAct, tbptt, a));
        return true;
    }

    /**
     * The forward loop of {@code RecurrentLayer} in its own buffer layout (device addresses with offsets
     * applied): {@code hs}, {@code cs} (LSTM) are [T+1, B, H] with slot 0 the initial state (read only when
     * {@code hasInitial}; without it the state starts at zero and step 0 has no recurrent product, as the
     * layer's loop); {@code p} [T, B, G] holds x·W + b and receives the gates; {@code rp} (GRU) receives
     * h·U + bRec; {@code bRec} GRU recurrent bias or 0; {@code mask} [T, B] or 0. Returns false, having
     * done nothing, when the persistent path does not fit.
     */
    public boolean layerForward(Cell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                                int units, boolean hasInitial, long u, long bRec, long p, long rp, long hs, long cs,
                                long mask, long stream) {
        return forward(cell, act, recAct, prec, steps, batch, units,
                layerForwardArgs(cell, batch, units, hasInitial, u, bRec, p, rp, hs, cs, mask), stream);
    }

    /** The {@link Forward} addresses of RecurrentLayer's layout (see {@link #layerForward}). */
    static Forward layerForwardArgs(Cell cell, int batch, int units, boolean hasInitial, long u, long bRec, long p,
                                    long rp, long hs, long cs, long mask) {
        long slot = 4L * batch * units;
        return new Forward(u, p, cell == Cell.GRU ? rp : 0, cell == Cell.GRU ? bRec : 0, hasInitial ? hs : 0,
                hasInitial && cell == Cell.LSTM ? cs : 0, mask, hs + slot, cell == Cell.LSTM ? cs + slot : 0);
    }

    /**
     * The backward loop of {@code RecurrentLayer} in its layout: {@code p}, {@code rp}, {@code hs}, {@code cs}
     * as left by forward; {@code dy} [T, B, H] or 0; {@code dh} (and {@code dc}, LSTM) [B, H] hold on entry
     * the gradient into the last state (the layer's dhN/dcN before its loop) and on return the gradient into
     * the initial state when {@code hasInitial} (else they are left as they were); {@code dp} [T, B, G]
     * receives dgates / dxp / dpre, {@code drp} (GRU) drp. Returns false, having done nothing, when the
     * persistent path does not fit.
     */
    public boolean layerBackward(Cell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                                 int units, int tbptt, boolean hasInitial, long u, long p, long rp, long hs, long cs,
                                 long mask, long dy, long dh, long dc, long dp, long drp, long stream) {
        return backward(cell, act, recAct, prec, steps, batch, units, tbptt,
                layerBackwardArgs(cell, batch, units, hasInitial, u, p, rp, hs, cs, mask, dy, dh, dc, dp, drp), stream);
    }

    /** The {@link Backward} addresses of RecurrentLayer's layout (see {@link #layerBackward}). */
    static Backward layerBackwardArgs(Cell cell, int batch, int units, boolean hasInitial, long u, long p, long rp,
                                      long hs, long cs, long mask, long dy, long dh, long dc, long dp, long drp) {
        long slot = 4L * batch * units;
        boolean lstm = cell == Cell.LSTM;
        return new Backward(u, cell == Cell.RNN ? 0 : p, cell == Cell.GRU ? rp : 0,
                hasInitial && cell == Cell.GRU ? hs : 0, lstm ? 0 : hs + slot, hasInitial && lstm ? cs : 0,
                lstm ? cs + slot : 0, dy, dh, lstm ? dc : 0, mask, dp, cell == Cell.GRU ? drp : 0,
                hasInitial ? dh : 0, hasInitial && lstm ? dc : 0);
    }

    private static void checkShape(String op, int steps, int batch, int units) {
        if (steps <= 0 || batch <= 0 || units <= 0) {
            throw new IllegalArgumentException("PersistentRnn." + op + ": steps, batch and units must be positive, got steps="
                    + steps + ", batch=" + batch + ", units=" + units);
        }
    }

    /** Every non-zero address on a 16-byte boundary (cp.async 16-byte copies). */
    static boolean aligned(long... addrs) {
        for (long a : addrs) if ((a & 15) != 0) return false;
        return true;
    }

    /**
     * The kernel with its dynamic shared-memory limit raised to the plan's, or 0 when the plan's grid could
     * not be co-resident on the device (a cooperative launch would fail): the caller falls back.
     */
    private long prepare(Plan plan) {
        long fn = functions.computeIfAbsent(plan.kernelName(), n -> driver.function(module, n));
        smemSet.compute(fn, (f, cur) -> {
            if (cur == null || cur < plan.sharedBytes()) {
                driver.setMaxDynamicSharedMemory(f, plan.sharedBytes());
                return plan.sharedBytes();
            }
            return cur;
        });
        String key = plan.kernelName() + "/" + plan.threads() + "/" + plan.sharedBytes() + "/" + plan.ctas();
        boolean fitsDevice = coResident.computeIfAbsent(key, k -> {
            int perSm = driver.occupancyMaxActiveBlocksPerMultiprocessor(fn, plan.threads(), plan.sharedBytes());
            return (long) perSm * device.multiprocessors() >= plan.ctas();
        });
        return fitsDevice ? fn : 0;
    }
}
