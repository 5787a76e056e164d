package dev.jrnn.backend.cuda;

import dev.jrnn.backend.Activation;
import dev.jrnn.backend.Precision;
import dev.jrnn.backend.RecurrentCell;

import java.util.Locale;
import java.util.Optional;
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
 * if (!pr.forward(RecurrentCell.LSTM, Activation.TANH, Activation.SIGMOID, Precision.FP32, T, B, H, f, stream)) {
 *     // per-step loop
 * }
 * }</pre>
 */
public final class PersistentRnn {

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
     * How the kernels multiply: {@link #FFMA} (CUDA-core FMAs, 4x4 thread tiles), {@link #TENSOR_CORES}
     * (mma.sync warp tiles: 3xTF32 in FP32 mode, about fp32-accurate; one TF32 or BF16 mma otherwise),
     * or {@link #AUTO}: whichever the cost model prefers among those that fit. The setting
     * {@code jrnn.persistent.variant} (auto, ffma, tc) sets the variant of CudaBackend's launcher.
     */
    public enum Variant { AUTO, FFMA, TENSOR_CORES }

    /** The variant of the {@code jrnn.persistent.variant} setting. */
    static Variant variantOf(dev.jrnn.backend.Settings.PersistentVariant v) {
        return switch (v) {
            case AUTO -> Variant.AUTO;
            case FFMA -> Variant.FFMA;
            case TC -> Variant.TENSOR_CORES;
        };
    }

    /**
     * A launch plan: CTA (x, y) owns hidden units [x*slice, x*slice + slice) and batch rows
     * [y*batchGroup, y*batchGroup + batchGroup); A (h or dgates) is staged in chunks of {@code chunk}
     * columns; {@code tensorCores} picks the mma.sync kernels. {@code sharedBytes} is the kernel's
     * shared-memory layout (make_layout in persistent_common.cuh), {@code stepCycles} the cost model's
     * estimate of one step.
     */
    public record Plan(RecurrentCell cell, boolean backward, Precision precision, int batch, int units, int slice,
                       int batchGroup, int chunk, int threads, boolean tensorCores, int gridX, int gridY,
                       int sharedBytes, double stepCycles) {
        /** CTAs in the grid. */
        public int ctas() { return gridX * gridY; }

        /** The kernel's name, e.g. jrnn_persist_lstm_fwd_fp32 or jrnn_persist_lstm_fwd_fp32_tc. */
        public String kernelName() { return PersistentRnn.kernelName(cell, backward, precision, tensorCores); }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %s %s%s B=%d H=%d: grid %dx%d (slice %d units, %d rows), chunk %d, "
                            + "%d threads, %d B shared, ~%.0f cycles/step",
                    cell.id(), backward ? "bwd" : "fwd", precision, tensorCores ? " tc" : "", batch, units, gridX, gridY,
                    slice, batchGroup, chunk, threads, sharedBytes, stepCycles);
        }
    }

    /** Kernel name of a cell, direction, precision and variant (see persistent_rnn.cu). */
    public static String kernelName(RecurrentCell cell, boolean backward, Precision p, boolean tensorCores) {
        return "jrnn_persist_" + cell.id() + (backward ? "_bwd_" : "_fwd_") + p.name().toLowerCase(Locale.ROOT)
                + (tensorCores ? "_tc" : "");
    }

    /** Floats of per-step inputs staged per (row, unit): mirror of own_fields in persistent_common.cuh. */
    static int ownFields(RecurrentCell cell, boolean bwd) {
        if (!bwd) return cell.gates();
        return switch (cell) {
            case SIMPLE_RNN -> 2;
            case LSTM -> 7;
            case GRU -> 6;
        };
    }

    /** Mirror of state_floats in persistent_common.cuh. */
    static int stateFloats(RecurrentCell cell, boolean bwd, int bg, int s) {
        int n = bg * s;
        if (cell == RecurrentCell.LSTM) return 2 * n;
        if (cell == RecurrentCell.GRU && !bwd) return n + 3 * s;
        return n;
    }

    private static int round4(int x) { return (x + 3) & ~3; }

    private static int round16(int x) { return (x + 15) & ~15; }

    private static long align16(long x) { return (x + 15) & ~15L; }

    /** Smallest y >= x with y % mod == rem (pad_to in persistent_common.cuh). */
    static int padTo(int x, int mod, int rem) { return x + ((rem - x % mod) % mod + mod) % mod; }

    /** K of one mma step: 16 for BF16 (m16n8k16), 8 for TF32/3xTF32 (m16n8k8). */
    static int mmaK(Precision p) { return p == Precision.BF16 ? 16 : 8; }

    /** Rows of the block GEMM's K dimension: H forward, G backward. */
    static int gemmK(RecurrentCell cell, boolean bwd, int units) { return bwd ? cell.gates() * units : units; }

    /** Columns of the block GEMM's output per CTA: all gates of the slice forward, the slice backward. */
    static int gemmCols(RecurrentCell cell, boolean bwd, int slice) { return bwd ? slice : cell.gates() * slice; }

    /** Rows of the block GEMM: the CTA's batch rows padded to the tile height (4, or 16 for mma). */
    static int gemmRows(int batchGroup, boolean tc) { return tc ? round16(batchGroup) : round4(batchGroup); }

    /** Output tiles of one CTA: 4x4 thread tiles (FFMA) or 16x8 warp tiles (tensor cores). */
    static int tiles(RecurrentCell cell, boolean bwd, int slice, int batchGroup, boolean tc) {
        int cp = gemmCols(cell, bwd, slice);
        return tc ? (round16(batchGroup) / 16) * (cp / 8) : (round4(batchGroup) / 4) * (cp / 4);
    }

    /** Threads (FFMA) or warps (tensor cores) that split K for each tile. */
    static int kSplit(int tiles, int threads, boolean tc) {
        int workers = tc ? threads / 32 : threads;
        return (workers <= 0 || tiles == 0 || tiles >= workers) ? 1 : workers / tiles;
    }

    /**
     * Whether the kernels accept this split at all (plan_ok in persistent_common.cuh, minus the grid and
     * shared-memory checks): FFMA needs at most one tile per thread; the tensor-core variant whole warps,
     * slices of 8 units, K a whole number of mma steps and at most 4 warp tiles per warp.
     */
    static boolean splitOk(RecurrentCell cell, boolean bwd, Precision p, int units, int slice, int batchGroup, int threads,
                           boolean tc) {
        if (units % 4 != 0 || slice <= 0 || slice % 4 != 0 || batchGroup <= 0 || threads <= 0 || threads > THREADS) {
            return false;
        }
        int t = tiles(cell, bwd, slice, batchGroup, tc);
        if (!tc) return t <= threads;
        int warps = threads / 32;
        return threads % 32 == 0 && slice % 8 == 0 && gemmK(cell, bwd, units) % mmaK(p) == 0
                && (t + warps - 1) / warps <= MMA_MAX_TILES_PER_WARP;
    }

    /** Most warp tiles per warp in the tensor-core kernels (MMA_MAX_TPW). */
    static final int MMA_MAX_TILES_PER_WARP = 4;

    /**
     * Dynamic shared memory of one CTA, byte for byte the layout of make_layout in
     * persistent_common.cuh (the simulation test checks the two agree).
     */
    public static long sharedBytes(RecurrentCell cell, boolean bwd, Precision p, int units, int slice, int batchGroup,
                                   int chunk, int threads, boolean tc) {
        int k = gemmK(cell, bwd, units);
        int cp = gemmCols(cell, bwd, slice);
        int bgp = gemmRows(batchGroup, tc);
        int lda = tc ? padTo(chunk, 32, p == Precision.BF16 ? 8 : 4) : chunk + 4;
        int nChunks = (k + chunk - 1) / chunk;
        int nBuf = nChunks > 1 ? 2 : 1;
        int ks = kSplit(tiles(cell, bwd, slice, batchGroup, tc), threads, tc);
        long w;
        if (!tc) w = (long) k * cp * (p == Precision.BF16 ? 2 : 4);
        else if (p == Precision.BF16) w = (long) cp * padTo(k, 64, 8) * 2;
        else w = (long) cp * padTo(k, 32, 4) * 4;
        long total = 0;
        total += align16(w);
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
    public static boolean fits(RecurrentCell cell, int batch, int units, Precision p, int smemPerBlock, int numSMs) {
        Device d = new Device(80, numSMs, smemPerBlock);
        return plan(cell, false, batch, units, p, Activation.TANH, Activation.SIGMOID, d) != null
                && plan(cell, true, batch, units, p, Activation.TANH, Activation.SIGMOID, d) != null;
    }

    /**
     * The cheapest plan by the cost model (either variant), or null when the path does not fit: compute
     * capability below 8.0 (cp.async), units not a multiple of 4 (16-byte staging), a softmax activation,
     * or no split whose shared memory fits with at most one CTA per multiprocessor.
     */
    public static Plan plan(RecurrentCell cell, boolean bwd, int batch, int units, Precision p, Activation act,
                            Activation recAct, Device dev) {
        return plan(cell, bwd, batch, units, p, act, recAct, dev, THREADS, Variant.AUTO);
    }

    /** {@link #plan} for blocks of {@code threads} threads (tests use small blocks) and a variant policy. */
    static Plan plan(RecurrentCell cell, boolean bwd, int batch, int units, Precision p, Activation act,
                     Activation recAct, Device dev, int threads, Variant variant) {
        Plan best = null;
        for (Plan cand : candidates(cell, bwd, batch, units, p, act, recAct, dev, threads, variant)) {
            if (best == null || cand.stepCycles() < best.stepCycles() - 1e-9
                    || (Math.abs(cand.stepCycles() - best.stepCycles()) <= 1e-9 && cand.ctas() < best.ctas())) {
                best = cand;
            }
        }
        return best;
    }

    /**
     * Every split {@link #plan} weighs, in its enumeration order (FFMA first): empty when the path does not
     * fit (compute capability below 8.0, units not a multiple of 4, a softmax activation, nothing co-resident
     * within the shared memory). The benchmark times the cheapest of them too.
     */
    static java.util.List<Plan> candidates(RecurrentCell cell, boolean bwd, int batch, int units, Precision p, Activation act,
                                           Activation recAct, Device dev, int threads, Variant variant) {
        if (cell == null || p == null || dev == null || variant == null) {
            throw new IllegalArgumentException("PersistentRnn.plan: null argument");
        }
        if (batch <= 0 || units <= 0) {
            throw new IllegalArgumentException("PersistentRnn.plan: batch and units must be positive, got batch="
                    + batch + ", units=" + units);
        }
        java.util.List<Plan> out = new java.util.ArrayList<>();
        if (dev.computeCapability() < 80 || dev.multiprocessors() <= 0 || dev.maxSharedPerBlock() <= 0) return out;
        if (units % 4 != 0) return out;
        if (act.rowwise() || recAct.rowwise()) return out;
        // gelu, swish and the others that need the input (relu6, mish...) run the per-step kernels: the persistent SimpleRNN backward takes act' from h, and the
        // kernels' simulator (PersistentKernelSimTest) checks only the activations that keep their output
        if (act.needsInput() || recAct.needsInput()) return out;
        for (boolean tc : new boolean[] {false, true}) {
            if ((tc && variant == Variant.FFMA) || (!tc && variant == Variant.TENSOR_CORES)) continue;
            int prevGroup = -1;
            for (int nbg = 1; nbg <= batch; nbg++) {
                int bg = (batch + nbg - 1) / nbg;
                if (bg == prevGroup || (batch + bg - 1) / bg != nbg) continue;
                prevGroup = bg;
                if (nbg > dev.multiprocessors()) break;
                int step = tc ? 8 : 4;
                for (int s = step; s <= ((units + step - 1) / step) * step; s += step) {
                    int nus = (units + s - 1) / s;
                    // the same grid with fewer units per CTA is never worse
                    if (s > step && (units + s - step - 1) / (s - step) == nus) continue;
                    if ((long) nus * nbg > dev.multiprocessors()) continue;
                    if (!splitOk(cell, bwd, p, units, s, bg, threads, tc)) continue;
                    int widest = chunkFor(cell, bwd, p, units, s, bg, dev.maxSharedPerBlock(), threads, tc);
                    if (widest <= 0) continue;
                    // The widest chunk that fits, and narrower ones that overlap staging with compute.
                    int k = gemmK(cell, bwd, units);
                    int unit = tc ? mmaK(p) : 4;
                    for (int n = 1; n <= 8; n *= 2) {
                        int chunk = Math.min(widest, ((k + n - 1) / n + unit - 1) / unit * unit);
                        if (n > 1 && (chunk == widest || chunk < MIN_CHUNK)) continue;
                        Plan cand = makePlan(cell, bwd, p, batch, units, s, bg, chunk, threads, tc);
                        // two buffers of half of K can need more than one of all of K (row padding)
                        if (cand.sharedBytes() <= dev.maxSharedPerBlock()) out.add(cand);
                    }
                }
            }
        }
        return out;
    }

    private static Plan makePlan(RecurrentCell cell, boolean bwd, Precision p, int batch, int units, int slice, int bg,
                                 int chunk, int threads, boolean tc) {
        int gx = (units + slice - 1) / slice, gy = (batch + bg - 1) / bg;
        int smem = (int) sharedBytes(cell, bwd, p, units, slice, bg, chunk, threads, tc);
        return new Plan(cell, bwd, p, batch, units, slice, bg, chunk, threads, tc, gx, gy, smem,
                PersistentCostModel.stepCycles(cell, bwd, p, units, slice, bg, chunk, gx * gy, threads, tc));
    }

    /**
     * The largest K chunk that fits: all of K single-buffered, else double-buffered chunks (a multiple of
     * 4, or of the mma step); 0 if none.
     */
    static int chunkFor(RecurrentCell cell, boolean bwd, Precision p, int units, int slice, int bg, int maxShared, int threads,
                        boolean tc) {
        int k = gemmK(cell, bwd, units);
        if (sharedBytes(cell, bwd, p, units, slice, bg, k, threads, tc) <= maxShared) return k;
        int unit = tc ? mmaK(p) : 4;
        // Double-buffered: everything but A is independent of the chunk; estimate, then step down to fit.
        long fixed = sharedBytes(cell, bwd, p, units, slice, bg, k, threads, tc)
                - align16((long) gemmRows(bg, tc) * (tc ? padTo(k, 32, p == Precision.BF16 ? 8 : 4) : k + 4) * 4);
        long perChunk = 2L * gemmRows(bg, tc) * 4;
        long room = maxShared - fixed;
        long est = Math.min(k - 1L, room / perChunk - 4);
        int chunk = est < unit ? 0 : (int) (est / unit * unit);
        while (chunk >= MIN_CHUNK && sharedBytes(cell, bwd, p, units, slice, bg, chunk, threads, tc) > maxShared) {
            chunk -= unit;
        }
        return chunk >= Math.min(MIN_CHUNK, k) && chunk > 0 ? chunk : 0;
    }

    /**
     * A plan with the split given by hand (tests and benchmarks), or IllegalArgumentException when the
     * kernel would refuse it (see plan_ok in persistent_common.cuh).
     */
    static Plan manualPlan(RecurrentCell cell, boolean bwd, Precision p, int batch, int units, int slice, int batchGroup,
                           int chunk, int threads, boolean tc) {
        int unit = tc ? mmaK(p) : 4;
        if (!splitOk(cell, bwd, p, units, slice, batchGroup, threads, tc) || chunk <= 0 || chunk % unit != 0) {
            throw new IllegalArgumentException("PersistentRnn.manualPlan: invalid split units=" + units + " slice="
                    + slice + " batchGroup=" + batchGroup + " chunk=" + chunk + " threads=" + threads
                    + (tc ? " (tensor cores)" : ""));
        }
        return makePlan(cell, bwd, p, batch, units, slice, batchGroup, chunk, threads, tc);
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

    private final PersistentKernels kernels;
    private final Device device;
    private volatile Variant variant;
    private volatile boolean halfDevice;
    /** Plans by shape, precision, activations, variant and device share (absent: the path does not fit). */
    private final ConcurrentHashMap<PlanKey, Optional<Plan>> plans = new ConcurrentHashMap<>();

    private record PlanKey(RecurrentCell cell, boolean backward, int batch, int units, Precision p, Activation act,
                           Activation recAct, Variant variant, boolean halfDevice) {}

    /** Launcher for the kernels of {@code module} (the jrnn fatbin loaded by CudaBackend), planning with any variant. */
    public PersistentRnn(CudaDriver driver, long module) {
        this(driver, module, Variant.AUTO);
    }

    /** Launcher for the kernels of {@code module} planning with {@code variant} (see {@link #setVariant}). */
    public PersistentRnn(CudaDriver driver, long module, Variant variant) {
        if (variant == null) throw new IllegalArgumentException("PersistentRnn: variant is null");
        this.variant = variant;
        this.device = driver.supportsCooperativeLaunch() ? Device.of(driver) : null;
        this.kernels = new PersistentKernels(driver, module, device == null ? 0 : device.multiprocessors());
    }

    /** The plan this launcher would use, or null when the path does not fit (or no cooperative launch). */
    public Plan planFor(RecurrentCell cell, boolean backward, int batch, int units, Precision p, Activation act, Activation recAct) {
        if (device == null) return null;
        // The planner's search costs tens of microseconds of host time; a layer asks for the same shapes every step.
        Variant v = variant;
        boolean half = halfDevice;
        PlanKey key = new PlanKey(cell, backward, batch, units, p, act, recAct, v, half);
        Optional<Plan> cached = plans.get(key);
        if (cached == null) {
            Device d = half ? new Device(device.computeCapability(), device.multiprocessors() / 2,
                    device.maxSharedPerBlock()) : device;
            cached = Optional.ofNullable(plan(cell, backward, batch, units, p, act, recAct, d, THREADS, v));
            plans.put(key, cached);
        }
        return cached.orElse(null);
    }

    /**
     * While true, plans use at most half of the multiprocessors. Two cooperative grids on two streams (the
     * directions of a Bidirectional layer on two streams) can then both be resident at once,
     * whatever else is running, so neither waits at a grid barrier for CTAs the other keeps out.
     */
    void shareDevice(boolean half) {
        this.halfDevice = half;
    }

    /** Restricts (or frees, with AUTO) the kernels this launcher plans with. */
    public void setVariant(Variant v) {
        if (v == null) throw new IllegalArgumentException("PersistentRnn.setVariant: null");
        this.variant = v;
    }

    public Variant variant() { return variant; }

    /**
     * Runs all {@code steps} forward steps on {@code stream}, or returns false without launching when the
     * path does not fit this shape, device or the buffers' alignment (16 bytes for everything staged).
     */
    public boolean forward(RecurrentCell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                           int units, Forward a, long stream) {
        if (!checkShape("forward", steps, batch, units)) return false;
        Plan plan = planFor(cell, false, batch, units, prec, act, recAct);
        return plan != null && forward(plan, act, recAct, steps, a, stream);
    }

    /** Launches the forward with a given plan (the planner's, or a hand-made one for benchmarks). */
    boolean forward(Plan plan, Activation act, Activation recAct, int steps, Forward a, long stream) {
        RecurrentCell cell = plan.cell();
        if (plan.backward()) throw new IllegalArgumentException("PersistentRnn.forward: a backward plan " + plan);
        refuseInputDerivatives("forward", act, recAct);
        if (!aligned(a.p(), a.h0(), a.hSeq(), a.c0(), a.cSeq(), a.rp())) return false;
        if (a.u() == 0 || a.p() == 0 || a.hSeq() == 0 || (cell == RecurrentCell.LSTM && a.cSeq() == 0)
                || (cell == RecurrentCell.GRU && a.rp() == 0)) {
            throw new IllegalArgumentException("PersistentRnn.forward(" + cell + "): u, p, hSeq"
                    + (cell == RecurrentCell.LSTM ? ", cSeq" : cell == RecurrentCell.GRU ? ", rp" : "") + " are required, got " + a);
        }
        long fn = kernels.prepare(plan);
        if (fn == 0) return false;
        launchForward(kernels, fn, plan, steps, act, recAct, a, stream);
        return true;
    }

    /**
     * The persistent kernels keep activated gates; gelu, swish and relu6 on gates keep x
     * ({@link Activation#needsInput}), which the planner refuses. A hand-made plan (benchmarks, tests) gets the same refusal here, as an exception.
     */
    private static void refuseInputDerivatives(String op, Activation act, Activation recAct) {
        if (act.needsInput() || recAct.needsInput()) {
            throw new IllegalArgumentException("PersistentRnn." + op + ": activation and recurrentActivation must not be"
                    + " gelu, swish or another activation whose derivative needs the input (the persistent kernels keep"
                    + " activated gates), got " + act.kerasName() + " / "
                    + recAct.kerasName());
        }
    }

    /** Launches {@code fn}, a forward kernel, with the plan's split and the sequence's addresses. */
    static void launchForward(PersistentKernels k, long fn, Plan plan, int steps, Activation act, Activation recAct,
                              Forward a, long stream) {
        k.forward(fn, PersistentKernels.grid(plan, stream), steps, plan.batch(), plan.units(), plan.slice(),
                plan.batchGroup(), plan.chunk(), act.code(), recAct.code(), a.u(), a.p(), a.rp(), a.bRec(), a.h0(),
                a.c0(), a.mask(), a.hSeq(), a.cSeq());
    }

    /** Launches {@code fn}, a backward kernel, with the plan's split and the sequence's addresses. */
    static void launchBackward(PersistentKernels k, long fn, Plan plan, int steps, Activation act, Activation recAct,
                               int tbptt, Backward a, long stream) {
        k.backward(fn, PersistentKernels.grid(plan, stream), steps, plan.batch(), plan.units(), plan.slice(),
                plan.batchGroup(), plan.chunk(), act.code(), recAct.code(), tbptt, a.u(), a.p(), a.rp(), a.h0(),
                a.hSeq(), a.c0(), a.cSeq(), a.dy(), a.dhT(), a.dcT(), a.mask(), a.dP(), a.dRP(), a.dh0(), a.dc0());
    }

    /**
     * Runs all {@code steps} backward steps (last to first) on {@code stream}, or returns false without
     * launching when the path does not fit. {@code tbptt} as RecurrentLayer (0 = full BPTT).
     */
    public boolean backward(RecurrentCell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                            int units, int tbptt, Backward a, long stream) {
        if (!checkShape("backward", steps, batch, units)) return false;
        if (tbptt < 0) throw new IllegalArgumentException("PersistentRnn.backward: tbptt must be >= 0, got " + tbptt);
        Plan plan = planFor(cell, true, batch, units, prec, act, recAct);
        return plan != null && backward(plan, act, recAct, steps, tbptt, a, stream);
    }

    /** Launches the backward with a given plan (the planner's, or a hand-made one for benchmarks). */
    boolean backward(Plan plan, Activation act, Activation recAct, int steps, int tbptt, Backward a, long stream) {
        RecurrentCell cell = plan.cell();
        if (!plan.backward()) throw new IllegalArgumentException("PersistentRnn.backward: a forward plan " + plan);
        refuseInputDerivatives("backward", act, recAct);
        if (!aligned(a.p(), a.rp(), a.h0(), a.hSeq(), a.c0(), a.cSeq(), a.dy(), a.dP(), a.dRP())) return false;
        boolean ok = a.u() != 0 && a.dP() != 0 && switch (cell) {
            case SIMPLE_RNN -> a.hSeq() != 0;
            case LSTM -> a.p() != 0 && a.cSeq() != 0;
            case GRU -> a.p() != 0 && a.rp() != 0 && a.hSeq() != 0 && a.dRP() != 0;
        };
        if (!ok) throw new IllegalArgumentException("PersistentRnn.backward(" + cell + "): a required address is 0: " + a);
        long fn = kernels.prepare(plan);
        if (fn == 0) return false;
        launchBackward(kernels, fn, plan, steps, act, recAct, tbptt, a, stream);
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
    public boolean layerForward(RecurrentCell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                                int units, boolean hasInitial, long u, long bRec, long p, long rp, long hs, long cs,
                                long mask, long stream) {
        return forward(cell, act, recAct, prec, steps, batch, units,
                layerForwardArgs(cell, batch, units, hasInitial, u, bRec, p, rp, hs, cs, mask), stream);
    }

    /** The {@link Forward} addresses of RecurrentLayer's layout (see {@link #layerForward}). */
    static Forward layerForwardArgs(RecurrentCell cell, int batch, int units, boolean hasInitial, long u, long bRec, long p,
                                    long rp, long hs, long cs, long mask) {
        long slot = 4L * batch * units;
        return new Forward(u, p, cell == RecurrentCell.GRU ? rp : 0, cell == RecurrentCell.GRU ? bRec : 0, hasInitial ? hs : 0,
                hasInitial && cell == RecurrentCell.LSTM ? cs : 0, mask, hs + slot, cell == RecurrentCell.LSTM ? cs + slot : 0);
    }

    /**
     * The backward loop of {@code RecurrentLayer} in its layout: {@code p}, {@code rp}, {@code hs}, {@code cs}
     * as left by forward; {@code dy} [T, B, H] or 0; {@code dh} (and {@code dc}, LSTM) [B, H] hold on entry
     * the gradient into the last state (the layer's dhN/dcN before its loop) and on return the gradient into
     * the initial state when {@code hasInitial} (else they are left as they were); {@code dp} [T, B, G]
     * receives dgates / dxp / dpre, {@code drp} (GRU) drp. Returns false, having done nothing, when the
     * persistent path does not fit.
     */
    public boolean layerBackward(RecurrentCell cell, Activation act, Activation recAct, Precision prec, int steps, int batch,
                                 int units, int tbptt, boolean hasInitial, long u, long p, long rp, long hs, long cs,
                                 long mask, long dy, long dh, long dc, long dp, long drp, long stream) {
        return backward(cell, act, recAct, prec, steps, batch, units, tbptt,
                layerBackwardArgs(cell, batch, units, hasInitial, u, p, rp, hs, cs, mask, dy, dh, dc, dp, drp), stream);
    }

    /** The {@link Backward} addresses of RecurrentLayer's layout (see {@link #layerBackward}). */
    static Backward layerBackwardArgs(RecurrentCell cell, int batch, int units, boolean hasInitial, long u, long p, long rp,
                                      long hs, long cs, long mask, long dy, long dh, long dc, long dp, long drp) {
        long slot = 4L * batch * units;
        boolean lstm = cell == RecurrentCell.LSTM;
        return new Backward(u, cell == RecurrentCell.SIMPLE_RNN ? 0 : p, cell == RecurrentCell.GRU ? rp : 0,
                hasInitial && cell == RecurrentCell.GRU ? hs : 0, lstm ? 0 : hs + slot, hasInitial && lstm ? cs : 0,
                lstm ? cs + slot : 0, dy, dh, lstm ? dc : 0, mask, dp, cell == RecurrentCell.GRU ? drp : 0,
                hasInitial ? dh : 0, hasInitial && lstm ? dc : 0);
    }

    /** False for an empty sequence (nothing to launch: the caller's loop does nothing either); throws if negative. */
    private static boolean checkShape(String op, int steps, int batch, int units) {
        if (steps < 0 || batch < 0 || units < 0) {
            throw new IllegalArgumentException("PersistentRnn." + op + ": steps, batch and units must be >= 0, got steps="
                    + steps + ", batch=" + batch + ", units=" + units);
        }
        return steps > 0 && batch > 0 && units > 0;
    }

    /** Every non-zero address on a 16-byte boundary (cp.async 16-byte copies). */
    static boolean aligned(long... addrs) {
        for (long a : addrs) if ((a & 15) != 0) return false;
        return true;
    }
}
